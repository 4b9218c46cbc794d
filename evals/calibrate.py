"""Print the refusal decision's errors on the gold set for the thresholds in use, and the best of a small sweep
around them, so the numbers in `kb/settings.py` (`RelevanceSettings`, one per embedding model) are chosen with
figures, not by feel:

    python -m evals.calibrate [gold.jsonl ...]

Runs under the configured model (`REFUGE_EMBED_MODEL`). Only items that reach retrieval count (private-data,
injection and danger questions are decided before it). Answerable items should pass; unanswerable ones fail. The
gold set is the calibration split: never sweep on `evals/heldout`.
"""
from __future__ import annotations

import itertools
import sys
from dataclasses import replace

from chat.relevance import Signals, is_relevant
from evals.datasets import load_gold
from kb.settings import RelevanceSettings


def collect(assistant, items) -> list[tuple[Signals, bool, str, dict]]:
    """(signals, answerable, language, item) for every single-turn item whose question reaches retrieval."""
    rows = []
    for item in items:
        if item.get("history"):
            continue
        raw = assistant.ask(item["question"])
        if "signals" in raw and not raw.get("danger"):
            rows.append((Signals(**raw["signals"]), item["answerable"], item["language"], item))
    return rows


def score(rows, settings: RelevanceSettings) -> dict:
    """Answer rate, refusal precision and recall, and the number of wrong decisions."""
    tp = fp = fn = tn = 0
    for sig, answerable, lang, _ in rows:
        answered = is_relevant(sig, lang, "hybrid", settings)
        tp += answered and answerable
        fp += answered and not answerable
        fn += answerable and not answered
        tn += not answered and not answerable
    return {"answer_rate": round(tp / (tp + fn), 3) if tp + fn else 1.0,
            "refusal_precision": round(tn / (tn + fn), 3) if tn + fn else 1.0,
            "refusal_recall": round(tn / (tn + fp), 3) if tn + fp else 1.0, "errors": fp + fn}


def sweep(rows, current: RelevanceSettings) -> list[tuple[dict, RelevanceSettings]]:
    """The settings around `current` (the dense thresholds +-0.02 and +-0.05), best first."""
    steps = (-0.05, -0.02, 0.0, 0.02, 0.05)
    grid = [replace(current, dense_sure=round(current.dense_sure + a, 3), dense_floor=round(current.dense_floor + b, 3))
            for a, b in itertools.product(steps, steps)]
    return sorted(((score(rows, s), s) for s in grid), key=lambda r: (r[0]["errors"], -r[0]["answer_rate"]))


def main(paths: list[str]) -> None:
    from chat.assistant import Assistant
    from kb.settings import get_settings

    assistant = Assistant(get_settings())
    rows = collect(assistant, load_gold(paths or None))
    current = assistant.relevance
    print(f"{len(rows)} items reach retrieval; current ({current.dense_sure} / {current.dense_floor}): "
          f"{score(rows, current)}")
    for result, s in sweep(rows, current)[:5]:
        print(f"  dense_sure={s.dense_sure} dense_floor={s.dense_floor} -> {result}")
    for sig, answerable, lang, item in rows:
        if is_relevant(sig, lang, "hybrid", current) != answerable:
            print(f"  wrong now: {item['id']} answerable={answerable} {sig} | {item['question'][:70]}")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Sweep the refusal thresholds in `chat/relevance.py` on the gold set and print the
best settings, so the constants there are chosen with numbers, not by feel.

    python -m evals.calibrate [gold.jsonl ...]

Only items that reach retrieval count (private-data and jailbreak refusals happen
before it). Answerable items should pass the relevance check; unanswerable ones fail it.
"""
from __future__ import annotations

import itertools
import sys

from chat import relevance
from chat.assistant import Assistant, question_language
from chat.relevance import Signals
from chat.safety import asks_private_data, is_injection, signals_danger
from evals.datasets import load_gold
from kb.settings import get_settings


def collect(assistant, items) -> list[tuple[Signals, bool, str]]:
    rows = []
    for item in items:
        q = item["question"]
        if not _reaches(q):
            continue
        lang = question_language(q)
        _, _, sig, _ = assistant._search(q, item.get("history"), "hybrid", lang, False)
        rows.append((sig, item["answerable"], lang))
    return rows


def score(rows, sure: float, floor: float, cov: float, ru_cov: float) -> dict:
    old = relevance.DENSE_SURE, relevance.DENSE_FLOOR, relevance.COVERAGE_MIN, relevance.RU_COVERAGE_MIN
    relevance.DENSE_SURE, relevance.DENSE_FLOOR, relevance.COVERAGE_MIN, relevance.RU_COVERAGE_MIN = sure, floor, cov, ru_cov
    try:
        tp = fp = fn = tn = 0
        for sig, answerable, lang in rows:
            answered = relevance.is_relevant(sig, lang)
            tp += answered and answerable
            fp += answered and not answerable
            fn += answerable and not answered
            tn += not answered and not answerable
    finally:
        relevance.DENSE_SURE, relevance.DENSE_FLOOR, relevance.COVERAGE_MIN, relevance.RU_COVERAGE_MIN = old
    refuse_p = tn / (tn + fn) if tn + fn else 1.0
    refuse_r = tn / (tn + fp) if tn + fp else 1.0
    return {"answer_rate": tp / (tp + fn) if tp + fn else 1.0, "refusal_precision": refuse_p,
            "refusal_recall": refuse_r, "errors": fp + fn}


def main(paths: list[str]) -> None:
    assistant = Assistant(get_settings())
    items = load_gold(paths or None)
    rows = collect(assistant, items)
    grid = itertools.product([0.45, 0.5, 0.52, 0.55, 0.6], [0.15, 0.2, 0.22, 0.25, 0.3],
                             [0.5, 0.55, 0.6, 0.62, 0.65, 0.7, 0.75], [0.35, 0.4, 0.45, 0.5, 0.55])
    results = sorted(((score(rows, *g), g) for g in grid), key=lambda r: (r[0]["errors"], -r[0]["answer_rate"]))
    print(f"{len(rows)} items reach retrieval; current: {score(rows, relevance.DENSE_SURE, relevance.DENSE_FLOOR, relevance.COVERAGE_MIN, relevance.RU_COVERAGE_MIN)}")
    for res, g in results[:10]:
        print(f"sure={g[0]} floor={g[1]} cov={g[2]} ru_cov={g[3]} -> {res}")
    best = results[0][1]
    relevance.DENSE_SURE, relevance.DENSE_FLOOR, relevance.COVERAGE_MIN, relevance.RU_COVERAGE_MIN = best
    for (sig, answerable, lang), item in zip(rows, [i for i in items if _reaches(i["question"])]):
        if relevance.is_relevant(sig, lang) != answerable:
            print(f"  wrong at best: {item['id']} answerable={answerable} {sig} | {item['question'][:70]}")


def _reaches(q: str) -> bool:
    return not (asks_private_data(q) or is_injection(q) or signals_danger(q))


if __name__ == "__main__":
    main(sys.argv[1:])

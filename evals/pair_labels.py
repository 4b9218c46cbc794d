"""Which "Questions people ask" pair leads, against which one people say answers: `python -m evals.pair_labels`

`evals/datasets/pair_labels/{en,ru}.jsonl` hold the answerable questions of every reader set (written blind, the
way people type) with, for each, the pair a labeller chose as answering its main question (`best`, or null when none
does), pairs that answer it as well (`also`) and pairs that answer only a second part (`part`). The labellers saw
the pairs and the questions, never Refuge's answers (`labeller_brief.md`). A pair is named `<article id>#<its
question>`, so the labels outlive chunk ids.

For each question this asks Refuge and reads which pair led (the answer object's internal `curated`), then prints,
per language: how many a pair led, and of those how many with a right pair (`best` or `also`), a pair for a part
only, or a wrong one; how many no pair led though one answers, or none does; precision (right / led) and recall
(right / questions with a `best`). These questions steered chat/faq.py's last tie-break (session 13), so they
calibrate; they are no held-out test.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

FOLDER = Path(__file__).parent / "datasets" / "pair_labels"


def outcome(row: dict, led: str | None) -> str:
    """right | part | wrong | missed (a pair answers, none led) | none (no pair answers, none led)."""
    if led is None:
        return "missed" if row["best"] else "none"
    if led in {row["best"], *row["also"]}:
        return "right"
    return "part" if led in row["part"] else "wrong"


def pair_name(index, chunk_id: str | None) -> str | None:
    if not chunk_id:
        return None
    meta = index.by_id[chunk_id].meta
    return f"{meta.get('article_id')}#{meta.get('section')}"


def score(assistant, rows: list[dict]) -> tuple[Counter, list[tuple[dict, str | None, str]]]:
    """(counts of each outcome, [(row, the pair that led, outcome)])."""
    from kb.errors import BadQuestion

    counts, seen = Counter(), []
    for row in rows:
        try:
            led = pair_name(assistant.index, assistant.ask(row["q"]).get("curated"))
        except BadQuestion:
            led = None
        what = outcome(row, led)
        counts[what] += 1
        seen.append((row, led, what))
    return counts, seen


def line(lang: str, c: Counter, answerable: int) -> str:
    """One language's figures; `answerable`: how many of its questions have a `best` pair."""
    led = c["right"] + c["part"] + c["wrong"]
    return (f"{lang}: {sum(c.values())} questions; a pair led {led}: right {c['right']}, a part only {c['part']}, "
            f"wrong {c['wrong']}; none led: {c['missed']} that a pair answers, {c['none']} that none does; "
            f"precision {c['right'] / max(led, 1):.3f}, recall {c['right'] / max(answerable, 1):.3f}")


def main() -> None:
    from chat.assistant import Assistant
    from kb.settings import get_settings

    show = "--show" in sys.argv
    assistant = Assistant(get_settings())
    for lang in ("en", "ru"):
        rows = [json.loads(x) for x in (FOLDER / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
        counts, seen = score(assistant, rows)
        print(line(lang, counts, sum(1 for row in rows if row["best"])))
        for row, led, what in seen if show else ():
            if what in ("wrong", "part", "missed"):
                print(f"  [{what}] {row['id']} {row['q'][:120]}\n      led: {led}\n      best: {row['best']}")


if __name__ == "__main__":
    main()

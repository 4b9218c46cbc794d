"""What a change does to every question the blind readers ever asked: `python -m evals.reader_diff OUT [BEFORE]`.

Answers every question of every set in `evals/datasets/reader/*/blind60.jsonl` and of every spent blind set in
`evals/heldout/reader-*/` (about 2,000; ~5 min) and writes
OUT (JSON: id -> question, answer, more, notices). With BEFORE (an earlier OUT), prints each answer that changed,
with the verdict its reader gave at the time, so that a change is read answer by answer before it lands. This is a
check to read, not a score: the sets steered earlier fixes and none of them is held out.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

EVALS = Path(__file__).parent


def set_dirs() -> list[Path]:
    """Every reader set, tuning and spent blind ones."""
    return sorted(EVALS.glob("datasets/reader/*/")) + sorted(EVALS.glob("heldout/reader-*/"))


def answer_all(assistant=None) -> dict[str, dict]:
    """id -> {"q", "answer", "more", "notices"} for every reader-set question."""
    from chat.assistant import Assistant
    from evals.reader_run import answer, read_set
    from kb.settings import get_settings

    assistant = assistant or Assistant(get_settings())
    out: dict[str, dict] = {}
    for folder in set_dirs():
        for row in read_set(folder / "blind60.jsonl"):
            result = answer(assistant, row["q"])[0]
            out[row["id"]] = {"q": row["q"], "answer": result["answer"], "more": result["more"],
                              "notices": result["notices"]}
    return out


def verdicts() -> dict[str, str]:
    """id -> the verdict its reader gave, over every set that has one (of an A/B set: the later version's)."""
    from evals.reader_run import read_set

    said: dict[str, str] = {}
    for folder in set_dirs():
        if not (folder / "verdicts.jsonl").exists():
            continue
        key_file = folder / "ab_key.json"
        key = json.loads(key_file.read_text(encoding="utf-8")) if key_file.exists() else {}
        for row in read_set(folder / "verdicts.jsonl"):
            later = ("new", "e5")  # an A/B key names the later version "new" (set v, the embedder trial: "e5")
            side = next((s for s, version in key.get(row["id"], {}).items() if version in later), None)
            said[row["id"]] = (row.get(side) or {}).get("verdict", "") if side else row.get("verdict", "")
    return said


def changed(before: dict[str, dict], after: dict[str, dict]) -> list[str]:
    """The ids whose answer or notices differ (questions in both)."""
    return [k for k in after if k in before and (before[k]["answer"], before[k].get("notices"))
            != (after[k]["answer"], after[k].get("notices"))]


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    after = answer_all()
    Path(argv[0]).write_text(json.dumps(after, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(after)} questions answered: {argv[0]}")
    if len(argv) == 2:
        before, said = json.loads(Path(argv[1]).read_text(encoding="utf-8")), verdicts()
        ids = changed(before, after)
        for k in ids:
            print(f"== {k} [{said.get(k, '-')}] {after[k]['q'][:200]}\n  BEFORE: {before[k]['answer'][:300]}"
                  f"\n  AFTER:  {after[k]['answer'][:300]}")
        print(f"{len(ids)} of {len(after)} answers changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

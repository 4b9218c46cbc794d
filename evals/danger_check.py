"""Danger detection over every question we hold: `python -m evals.danger_check [--meaning]`.

Reads the gold and held-out sets (`question`, `danger`) and the blind reader sets (`q`, kind `crisis`), or with
`--file PATH` one labelled file (`evals/heldout/danger_messages_heldout.jsonl`), and runs
chat/safety.py `danger_kind` on each; with `--meaning`, also the reading of chat/danger.py (what the assistant does:
either one), which embeds every question (about a minute). Prints how many messages in danger it misses and which questions that their
writers did not mark as danger it flags (some of those are people saying they are threatened now, which the notice
should meet: read them, don't count them blindly).
"""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def questions() -> list[tuple[str, str, bool]]:
    """(id, text, in danger) for every question in the datasets and reader sets."""
    out = []
    for path in sorted([*ROOT.glob("datasets/*.jsonl"), *ROOT.glob("heldout/*.jsonl")]):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if "question" in row:
                out.append((str(row.get("id")), row["question"], bool(row.get("danger"))))
    from evals.reader_run import read_set

    out += [(row["id"], row["q"], row.get("kind") == "crisis")
            for path in sorted([*ROOT.glob("datasets/reader/*/blind60.jsonl"), *ROOT.glob("heldout/*/blind60.jsonl")])
            for row in read_set(path)]  # the held-out reader sets too: a missed crisis is never left for later
    return out


def main(argv: list[str]) -> None:
    from chat.safety import danger_kind

    rows = questions()
    if "--file" in argv:  # one labelled file only ("--file evals/heldout/danger_messages_heldout.jsonl")
        from evals.reader_run import read_set

        rows = [(str(r["id"]), r["question"], bool(r.get("danger"))) for r in read_set(Path(argv[argv.index("--file") + 1]))]
    said = {q: bool(danger_kind(q)) for _, q, _ in rows}
    if "--meaning" in argv:
        from chat.danger import reads_danger
        from kb.embedder import get_embedder
        from kb.settings import get_settings

        settings = get_settings()
        embedder = get_embedder(settings.embed_model, settings)
        said = {q: s or reads_danger(embedder.embed_query(q), settings.embed_model) for q, s in said.items()}
    missed = [(i, q) for i, q, danger in rows if danger and not said[q]]
    flagged = [(i, q) for i, q, danger in rows if not danger and said[q]]
    print(f"{len(rows)} questions, {sum(d for _, _, d in rows)} in danger: {len(missed)} missed, "
          f"{len(flagged)} flagged that were not marked as danger")
    for label, items in (("missed", missed), ("flagged", flagged)):
        for i, q in items:
            print(f"  {label} {i}: {q[:110]}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])

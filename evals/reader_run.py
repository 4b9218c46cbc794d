"""Answer a blind reader set once, for a reader to judge: `python -m evals.reader_run SET_DIR`.

SET_DIR holds `blind60.jsonl` (one question per line: id, lang, q, kind answerable|refuse|crisis, key_facts,
source), written by someone who has not read the knowledge base (a set's `writer_brief.md`). This writes
`SET_DIR/run.jsonl`: each line with `result`, the public answer object of `refuge ask --json`, and, when the
crisis notice shows, `crisis_notice_text`: the notice as the page shows it (title, acknowledgement, first step,
then the headings folded under one tap). A reader then judges it by `/work/shared/READER-PANEL.md` (a set's
`reader_brief.md`); the sets are in `evals/datasets/reader/`, each with a README of its figures.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def crisis_notice_text(assistant, lang: str, kind, question: str) -> str:
    note = assistant.crisis_notice(lang, kind, question) or {}
    folded = ", ".join(m["section"] for m in note.get("more", []))
    return (f"{note.get('title', '')}\n{note.get('ack', '')}\n{note.get('first', '')}\n"
            f"[folded under 'All ways to get help', one tap: {folded}]")


def read_set(path: Path) -> list[dict]:
    """The questions of one set's `blind60.jsonl`."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def answer(assistant, question: str) -> tuple[dict, str | None]:
    """(the public answer object, the kind of danger if any) for one question, a bad one with its calm message."""
    from chat.assistant import public, reply
    from kb.errors import BadQuestion

    try:
        raw = assistant.ask(question)
        return public(raw), raw.get("danger")
    except BadQuestion as e:
        return public(reply(question, str(e))), None


def answer_set(folder: Path, assistant=None) -> int:
    """Answer every question of `folder`/blind60.jsonl into `folder`/run.jsonl; the number answered."""
    from chat.assistant import Assistant
    from kb.settings import get_settings

    assistant = assistant or Assistant(get_settings())
    rows = read_set(folder / "blind60.jsonl")
    with open(folder / "run.jsonl", "w", encoding="utf-8") as out:
        for row in rows:
            result, kind = answer(assistant, row["q"])
            if "crisis" in result["notices"]:
                result["crisis_notice_text"] = crisis_notice_text(assistant, "ru" if row["lang"] == "ru" else "en",
                                                                  kind, row["q"])
            row["result"] = result
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def main() -> None:
    if len(sys.argv) != 2 or not (Path(sys.argv[1]) / "blind60.jsonl").is_file():
        sys.exit("usage: python -m evals.reader_run SET_DIR  (SET_DIR/blind60.jsonl must exist)")
    print(f"{answer_set(Path(sys.argv[1]))} answered: {Path(sys.argv[1]) / 'run.jsonl'}")


if __name__ == "__main__":
    main()

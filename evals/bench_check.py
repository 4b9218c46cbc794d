"""Time `refuge check` on a pasted text of about 2,000 words, warm (target: <= 2 s on 2 cores).

    python -m evals.bench_check [--words 2000] [--runs 5]

The text is built from the tuning essays and the calibration sentences (never the held-out
essays), repeated until it has the asked number of words; the Assistant and the model are
loaded and one check is run before timing. Prints one line: words, sentences, claims, and
the median and worst of the timed runs.
"""
from __future__ import annotations

import statistics
import sys
import time

from evals.claims import CALIBRATION, ESSAYS, essay_text, read_jsonl
from kb.text import words


def pasted_text(n_words: int = 2000, lang: str = "en") -> str:
    parts = [essay_text(e) for e in read_jsonl(ESSAYS) if e["language"] == lang]
    parts += [r["text"] for r in read_jsonl(CALIBRATION) if r["language"] == lang]
    out, count, i = [], 0, 0
    while count < n_words:
        piece = parts[i % len(parts)]
        out.append(piece)
        count += len(words(piece))
        i += 1
    return "\n".join(out)


def main(argv: list[str]) -> None:
    from chat.assistant import Assistant
    from chat.check import check_text
    from kb.settings import get_settings

    n_words = int(argv[argv.index("--words") + 1]) if "--words" in argv else 2000
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 5
    text = pasted_text(n_words)
    assistant = Assistant(get_settings())
    result = check_text(assistant, text)  # warm: model, tables, caches
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        result = check_text(assistant, text)
        seconds.append(time.perf_counter() - started)
    claims = sum(c["kind"] == "claim" for c in result["claims"])
    print(f"refuge check, warm: {len(words(text))} words, {len(result['claims'])} sentences, {claims} claims, "
          f"{len(text):,} chars: median {statistics.median(seconds):.2f} s, worst {max(seconds):.2f} s over {runs} runs")


if __name__ == "__main__":
    main(sys.argv[1:])

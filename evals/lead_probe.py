"""Try a different first-sentence rule offline: `python -m evals.lead_probe [--save F]`.

Runs every gold question once through the real assistant (hybrid + extractive), keeps the
composer's candidate sentences with their scores and features, and prints lead accuracy (the
first sentence holds a key fact or is a labelled answer sentence) per language for the shipped
score and for the alternatives in `SCORERS`, each picking the best-scoring eligible sentence alone
(without the composer's kind, place and start-date preferences, so "shipped" here is below the
eval's lead accuracy). Questions a curated pair answers are left out (their lead is the pair). Add a scorer, rerun, and only then change chat/compose.py and read answers.
"""
from __future__ import annotations

import sys

from evals import metrics as m
from evals.datasets import load_gold
from evals.runner import Config, _ask

SCORERS = {  # candidate features -> score; the composer's own score is "shipped"
    "shipped": lambda c: c.score,
    "cosine only": lambda c: c.features.get("cosine", 0.0),
    "overlap only": lambda c: c.features.get("overlap", 0.0),
}


def capture(assistant) -> list[tuple[dict, list]]:
    """(gold item, eligible candidates) for every item the composer answered without a curated pair."""
    from chat import compose

    seen, out, select = {}, [], compose.select

    def spy(cands, question=None, settings=compose.ANSWER, lead=None):
        seen["cands"], seen["lead"] = cands, lead
        return select(cands, question, settings, lead)

    compose.select = spy
    try:
        for item in load_gold():
            seen.clear()
            _ask(assistant, item, Config("hybrid", "extractive"))
            if seen.get("cands") and not seen.get("lead"):
                out.append((item, [c for c in seen["cands"] if c.eligible]))
    finally:
        compose.select = select
    return out


def lead_ok(item: dict, cand) -> bool:
    text = " ".join(c.text for c in cand.shown)
    return m.lead_ok(f"{text} [1]", item["key_facts"], item.get("answer_sentences"))


def main() -> None:
    from chat.assistant import Assistant
    from kb.settings import get_settings

    rows = capture(Assistant(get_settings()))
    for name, score in SCORERS.items():
        per_lang: dict[str, list[bool]] = {}
        for item, cands in rows:
            if cands:
                best = max(cands, key=score)
                per_lang.setdefault(item.get("language", "en"), []).append(lead_ok(item, best))
        print(name, {lang: f"{sum(v)}/{len(v)} = {sum(v) / len(v):.3f}" for lang, v in sorted(per_lang.items())})


if __name__ == "__main__":
    sys.exit(main())

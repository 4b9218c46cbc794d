"""How well do "Questions people ask" pairs find themselves? `python -m evals.faq_match`

Leave-one-out over the pairs' own paraphrases (never the gold or held-out questions): each
paraphrase is asked against every other question and paraphrase, and counts as matched when
the rule in chat/faq.py (best pair's cosine >= faq_cosine, ahead of every other pair by
faq_margin) picks its own pair. Prints precision and recall per language for the current
settings and a few neighbours, so a threshold can be chosen for a new model without tuning
on the gold set. A wrong curated answer is worse than none: keep precision >= 0.9.
"""
from __future__ import annotations

import numpy as np


def leave_one_out(index) -> dict[str, list[tuple[str, list[tuple[str, float]]]]]:
    """Language -> [(own pair, [(pair, best cosine) ranked])] for every paraphrase."""
    from chat import faq

    rows, matrix = faq._table(index)
    sims = matrix @ matrix.T if len(rows) else np.zeros((0, 0))
    out: dict[str, list] = {}
    for i, own in enumerate(rows):
        lang = index.languages.get(own, "en")
        if sum(r == own for r in rows) < 2:
            continue
        best: dict[str, float] = {}
        for j, other in enumerate(rows):
            if j != i and index.languages.get(other) == lang:
                best[other] = max(best.get(other, -1.0), float(sims[i, j]))
        out.setdefault(lang, []).append((own, sorted(best.items(), key=lambda kv: -kv[1])))
    return out


def score(cases, cosine: float, margin: float) -> tuple[float, float]:
    """(precision, recall) of the rule on leave-one-out cases."""
    right = wrong = 0
    for own, ranked in cases:
        (top, s1), s2 = ranked[0], ranked[1][1] if len(ranked) > 1 else -1.0
        if s1 >= cosine and s1 - s2 >= margin:
            right += top == own
            wrong += top != own
    return (right / (right + wrong) if right + wrong else 1.0), right / len(cases)


def main() -> None:
    from chat.index import Index
    from kb.settings import ANSWER, get_settings
    from kb.store import open_store

    index = Index(open_store(get_settings())).load()
    for lang, cases in sorted(leave_one_out(index).items()):
        print(f"{lang}: {len(cases)} paraphrases")
        for cosine, margin in sorted({(ANSWER.faq_cosine, ANSWER.faq_margin), (0.5, 0.1), (0.6, 0.05), (0.6, 0.15),
                                      (0.7, 0.1), (0.8, 0.1)}):
            precision, recall = score(cases, cosine, margin)
            mark = "  <- settings" if (cosine, margin) == (ANSWER.faq_cosine, ANSWER.faq_margin) else ""
            print(f"  cosine >= {cosine:.2f}, margin {margin:.2f}: precision {precision:.3f} recall {recall:.3f}{mark}")


if __name__ == "__main__":
    main()

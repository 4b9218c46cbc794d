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


def by_words(index, gap: float, margin: float, cosine: float) -> tuple[int, int]:
    """(right, wrong) of the word tie-break (chat/faq.py _by_words) on the English leave-one-out cases the
    margin leaves undecided: of the pairs within `margin` of the best, the one whose other questions share
    `gap` more of the paraphrase's words (IDF-weighted). The search-agrees condition is not modelled."""
    right = wrong = 0
    for own, near, shares, _ in _undecided(index, margin, cosine):
        if shares[0][0] - shares[1][0] >= gap:
            right += shares[0][1] == own
            wrong += shares[0][1] != own
    return right, wrong


def by_pair(index, gap: float, floor: float, settings) -> tuple[int, int]:
    """(right, wrong) of the whole-pair tie-break (chat/faq.py _by_pair) on the English leave-one-out cases that
    the margin and the word tie-break leave undecided: the pair whose stored passage (question and answer) is
    `floor` close to the paraphrase and `gap` closer than any other's within the margin."""
    from chat import faq

    vecs, right, wrong = faq._pair_vectors(index), 0, 0
    for own, near, shares, vec in _undecided(index, settings.faq_margin, settings.faq_cosine):
        if shares[0][0] - shares[1][0] >= settings.faq_word_gap:
            continue  # the words decide
        closeness = sorted(((float(vecs[c] @ vec), c) for c in near if c in vecs), reverse=True)
        if len(closeness) > 1 and closeness[0][0] >= floor and closeness[0][0] - closeness[1][0] >= gap:
            right += closeness[0][1] == own
            wrong += closeness[0][1] != own
    return right, wrong


def _undecided(index, margin: float, cosine: float):
    """(own pair, pairs within the margin, [(word share, pair)] best first, vector) for each English paraphrase
    whose best pair is `cosine` close but has a sibling within `margin`."""
    from chat import faq

    all_rows, all_vecs = faq._table(index)
    english = [i for i, cid in enumerate(all_rows) if index.languages.get(cid) == "en"]
    rows = [all_rows[i] for i in english]
    words = [faq.row_words(index)[i] & index.idf.keys() for i in english]
    matrix = all_vecs[english]
    sims = matrix @ matrix.T
    for i, own in enumerate(rows):
        best: dict[str, float] = {}
        union: dict[str, set] = {}
        for j, other in enumerate(rows):
            if j != i:
                best[other] = max(best.get(other, -1.0), float(sims[i, j]))
                union.setdefault(other, set()).update(words[j])
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        if ranked[0][1] < cosine or ranked[0][1] - ranked[1][1] >= margin or own not in union:
            continue
        near = [c for c, s in ranked if s >= ranked[0][1] - margin]
        yield own, near, sorted(((index.token_overlap(words[i], union[c]), c) for c in near), reverse=True), matrix[i]


def main() -> None:
    from chat.index import Index
    from kb.settings import ANSWER, get_settings
    from kb.store import open_store

    settings = get_settings()
    index = Index(open_store(settings)).load()
    groups = sorted(leave_one_out(index).items())
    for lang, cases in groups:
        print(f"{lang}: {len(cases)} paraphrases")
        for cosine, margin in sorted({(ANSWER.faq_cosine, ANSWER.faq_margin), (0.5, 0.1), (0.6, 0.05), (0.6, 0.15),
                                      (0.7, 0.1), (0.8, 0.1)}):
            precision, recall = score(cases, cosine, margin)
            mark = "  <- settings" if (cosine, margin) == (ANSWER.faq_cosine, ANSWER.faq_margin) else ""
            print(f"  cosine >= {cosine:.2f}, margin {margin:.2f}: precision {precision:.3f} recall {recall:.3f}{mark}")
    for gap in sorted({0.1, 0.2, ANSWER.faq_word_gap, 0.4}):
        right, wrong = by_words(index, gap, ANSWER.faq_margin, ANSWER.faq_cosine)
        mark = "  <- settings" if gap == ANSWER.faq_word_gap else ""
        print(f"en, within the margin, word tie-break gap {gap:.2f}: {right} right, {wrong} wrong "
              f"(precision {right / max(1, right + wrong):.3f}){mark}")
    for gap, floor in sorted({(ANSWER.faq_pair_gap, ANSWER.faq_pair_cosine), (0.05, 0.7), (0.1, 0.0), (0.1, 0.6)}):
        right, wrong = by_pair(index, gap, floor, ANSWER)
        mark = "  <- settings" if (gap, floor) == (ANSWER.faq_pair_gap, ANSWER.faq_pair_cosine) else ""
        print(f"en, words undecided, whole-pair tie-break gap {gap:.2f}, cosine >= {floor:.2f}: {right} right, "
              f"{wrong} wrong (precision {right / max(1, right + wrong):.3f}){mark}")


if __name__ == "__main__":
    main()

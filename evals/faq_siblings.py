"""Which pairs block each other? `python -m evals.faq_siblings [--top N] [--ru]`

A read-only report on the leave-one-out cases of evals/faq_match.py: it only measures and never
writes the knowledge base. A paraphrase fails "because of a sibling" when another pair's best
question comes within faq_margin of its own pair's best (or ranks above it) while one of the two is
at least faq_cosine close, so that, were the other pair absent, the rule could have picked its own.
Cases are grouped by couple of pairs: pair A | pair B | paraphrases of A lost to B | of B lost to A
(a "wrong" count says how many of those losses would show the other pair's answer: precision lost).
`--ru` reports the Russian paraphrases.
"""
from __future__ import annotations

import argparse
from collections import Counter


def rival(own: str, ranked: list[tuple[str, float]], cosine: float, margin: float) -> tuple[str, bool] | None:
    """(the other pair that blocks `own`, whether it is picked instead) or None when no other pair
    is to blame (own pair matched, or everything too far)."""
    own_score = dict(ranked).get(own, -1.0)
    others = [(pair, s) for pair, s in ranked if pair != own]
    if not others:
        return None
    other, other_score = others[0]
    if max(own_score, other_score) < cosine or other_score <= own_score - margin:
        return None
    top, s1 = ranked[0]
    s2 = ranked[1][1] if len(ranked) > 1 else -1.0
    return other, top == other and s1 >= cosine and s1 - s2 >= margin


def couples(cases, cosine: float, margin: float) -> tuple[Counter, Counter]:
    """(losses per (loser, winner), wrong answers per (loser, winner))."""
    lost, wrong = Counter(), Counter()
    for own, ranked in cases:
        found = rival(own, ranked, cosine, margin)
        if found:
            lost[(own, found[0])] += 1
            wrong[(own, found[0])] += found[1]
    return lost, wrong


def table(lost: Counter, wrong: Counter) -> list[tuple[str, str, int, int, int]]:
    """[(pair A, pair B, A lost to B, B lost to A, wrong answers either way)], most losses first."""
    rows = {}
    for a, b in lost:
        key = tuple(sorted((a, b)))
        if key not in rows:
            rows[key] = (key[0], key[1], lost[key], lost[key[::-1]], wrong[key] + wrong[key[::-1]])
    return sorted(rows.values(), key=lambda r: (-(r[2] + r[3]), r[0], r[1]))


def label(index, cid: str) -> str:
    chunk = index.by_id[cid]
    return f"{chunk.meta.get('article_id', '')}: {chunk.meta.get('section', '')}"


def main() -> None:
    from chat.index import Index
    from evals.faq_match import leave_one_out
    from kb.settings import answer_settings, get_settings
    from kb.store import open_store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--ru", action="store_true", help="the Russian paraphrases")
    args = parser.parse_args()
    settings = get_settings()
    ANSWER = answer_settings(settings.embed_model)  # noqa: N806 - the model's own pair numbers
    index = Index(open_store(settings)).load()
    cases = leave_one_out(index).get("ru" if args.ru else "en", [])
    lost, wrong = couples(cases, ANSWER.faq_cosine, ANSWER.faq_margin)
    rows = table(lost, wrong)
    print(f"{'ru' if args.ru else 'en'}: {len(cases)} paraphrases, {sum(lost.values())} blocked "
          f"by another pair ({sum(wrong.values())} answered by it) in {len(rows)} couples; "
          f"cosine >= {ANSWER.faq_cosine:.2f}, margin {ANSWER.faq_margin:.2f}")
    for a, b, ab, ba, bad in rows[:args.top]:
        print(f"{ab:3d} {ba:3d} {bad:3d}  {label(index, a)}  |  {label(index, b)}")


if __name__ == "__main__":
    main()

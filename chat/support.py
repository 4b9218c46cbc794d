"""Does a passage support a sentence? One deterministic function, shared by the chat
(to verify generated sentences) and by evals (to score citations).

A sentence is supported when (1) enough of its content words (stemmed) appear in the
passage, (2) every number and year in it appears in the passage, (3) every capitalised
name in it appears in the passage, and (4) it does not flip a negation of the passage
sentence it matches best. The coverage threshold is calibrated on
`evals/datasets/support_audit.jsonl` (see `refuge eval`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kb.text import content_words, language_of, names, numbers, split_sentences, words

THRESHOLD = 0.85  # best accuracy on evals/datasets/support_audit.jsonl (see the eval report)
CITATION_RE = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
NEGATIONS = {"not", "no", "never", "without", "neither", "nor", "none", "cannot", "isn't", "wasn't", "aren't",
             "weren't", "don't", "doesn't", "didn't", "won't", "can't", "не", "нет", "никогда", "ни", "без"}


@dataclass
class Support:
    supported: bool
    coverage: float
    reason: str = ""


def _stems(tokens) -> set[str]:
    from chat.index import bm25_tokens

    return set(bm25_tokens(" ".join(tokens)))


# The knowledge base's passages are checked again and again (an eval run spent 40% of its time re-splitting and
# re-stemming them), so their sentences and stems are kept; only passages are: never a reader's text (a pasted
# claim, a question) or a model's draft, which must not outlive the request.
@lru_cache(maxsize=4096)
def _passage_stems(passage: str) -> frozenset[str]:
    return frozenset(_stems(words(passage)))


@lru_cache(maxsize=2048)
def _passage_sentences(passage: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """(sentence, its stems) for each sentence of a passage."""
    return tuple((sent, frozenset(_stems(words(sent)))) for sent in split_sentences(passage, language_of(passage)))


def _negated(text: str) -> bool:
    return bool(set(words(text)) & NEGATIONS) or "n't" in text.lower()


def check(sentence: str, passages: list[str], threshold: float = THRESHOLD) -> Support:
    """Whether `passages` together support `sentence` (citation markers are ignored)."""
    claim = CITATION_RE.sub("", sentence).strip()
    passage = "\n".join(passages)
    if claim and (claim in passage or claim[:1].lower() + claim[1:] in passage):  # verbatim (a part capitalised)
        return Support(True, 1.0)
    claim_words = _stems(content_words(claim))
    if not claim_words:
        return Support(False, 0.0, "no content words")
    coverage = len(claim_words & _passage_stems(passage)) / len(claim_words)
    if coverage < threshold:
        return Support(False, coverage, f"only {coverage:.0%} of its words are in the passage")
    missing_numbers = numbers(claim) - numbers(passage)
    if missing_numbers:
        return Support(False, coverage, f"number(s) not in the passage: {', '.join(sorted(missing_numbers))}")
    passage_words = set(words(passage))
    missing_names = {n for n in names(claim) if not set(words(n)) <= passage_words}
    if missing_names:
        return Support(False, coverage, f"name(s) not in the passage: {', '.join(sorted(missing_names))}")
    best = _best_sentence(claim_words, passage)
    if best is not None and _negated(claim) != _negated(best):
        return Support(False, coverage, "negation differs from the passage")
    return Support(True, coverage)


def _best_sentence(claim_words: set[str], passage: str) -> str | None:
    best, best_score = None, -1.0
    for sent, stems in _passage_sentences(passage):
        score = len(claim_words & stems)
        if score > best_score:
            best, best_score = sent, score
    return best

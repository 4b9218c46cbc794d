"""Is anything retrieved relevant enough to answer from? The refusal decision.

Three signals, calibrated on the gold set's in-scope and out-of-scope questions
(`evals/calibrate.py` prints the sweep): the best passage's cosine similarity to the
question, the IDF-weighted share of the question's terms found in the top passages
(catches rare exact terms such as "Ergänzungsausweis" that the English-only embedding
model scores poorly), and whether a country the question names appears in the evidence
at all ("same-sex marriage in Taiwan" must not be answered with Russia's constitution).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from chat.places import mentioned

DENSE_SURE = 0.45     # at or above: relevant on meaning alone
DENSE_FLOOR = 0.20    # below: never relevant on meaning
COVERAGE_MIN = 0.55   # between the two: relevant if the top passages cover this share of the terms
RU_COVERAGE_MIN = 0.35  # Russian: the embedding model is English-only, so words decide...
RU_DENSE_SURE = 0.55    # ...unless the question, put into English words (chat/bridge.py), is this close to a
                        # passage: above every Russian out-of-scope gold question (the highest, 0.53, is
                        # "how can a same-sex couple adopt in Argentina"), which the country rule refuses anyway
TOP = 3
RARE_PLACE = 0.02     # a place named in <2% of passages is "the subject"; a common one may be context


@dataclass
class Signals:
    dense: float
    coverage: float
    missing_places: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def measure(index, question, query: str, hits) -> Signals:
    """The three signals; `question` is a chat.question.Question (its place names are read)."""
    top = [h.chunk_id for h in hits[:TOP]]
    dense = max((h.dense for h in hits[:TOP]), default=0.0)
    evidence = " ".join(f"{index.by_id[h.chunk_id].meta.get('title', '')} {index.by_id[h.chunk_id].text}"
                        for h in hits[:5] if h.chunk_id in index.by_id)
    missing = sorted(p for p in question.place_words
                     if not mentioned(p, evidence) and index.doc_share(p.split("-")[0][:7]) < RARE_PLACE)
    words_only = re.sub(r"\b\d+\b", " ", query)  # numbers alone don't make a topic ("what is 17 times 23?")
    return Signals(round(dense, 4), round(index.coverage(words_only if words_only.strip() else query, top), 4), missing)


def is_relevant(sig: Signals, lang: str = "en", mode: str = "hybrid") -> bool:
    if sig.missing_places:
        return False
    if lang == "ru":  # the English-only model's own scores for Cyrillic text mean little; the bridged ones do
        return sig.coverage >= RU_COVERAGE_MIN or sig.dense >= RU_DENSE_SURE
    if mode == "bm25":
        return sig.coverage >= COVERAGE_MIN
    if sig.dense >= DENSE_SURE:
        return True
    return sig.dense >= DENSE_FLOOR and sig.coverage >= COVERAGE_MIN

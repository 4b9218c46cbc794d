"""Is anything retrieved relevant enough to answer from? The refusal decision.

Three signals, calibrated on the gold set's in-scope and out-of-scope questions
(`evals/calibrate.py` prints the sweep): the best passage's cosine similarity to the
question, the IDF-weighted share of the question's terms found in the top passages
(catches rare exact terms such as "Ergänzungsausweis" that the English-only embedding
model scores poorly), whether a country the question names appears in the evidence at all
("same-sex marriage in Taiwan" must not be answered with Russia's constitution; unless another
place it names does: "came to the UK through France"), and whether the three best passages come
from one article (a topic found although the question's own words are few, as in a long message).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from chat.places import place_mentioned
from chat.question import RARE  # a word in fewer than this share of passages is a name or term of art
from kb.settings import RELEVANCE, RelevanceSettings

TOP = 3
RARE_PLACE = 0.02     # a place named in <2% of passages is "the subject"; a common one may be context


@dataclass
class Signals:
    dense: float
    coverage: float
    missing_places: list[str] = field(default_factory=list)
    one_article: bool = False  # the top three passages all come from one article

    def as_dict(self) -> dict:
        return asdict(self)


def measure(index, question, query: str, hits) -> Signals:
    """The signals; `question` is a chat.question.Question (its place names are read)."""
    top = [h.chunk_id for h in hits[:TOP]]
    dense = max((h.dense for h in hits[:TOP]), default=0.0)
    evidence = " ".join(f"{index.by_id[h.chunk_id].meta.get('title', '')} {index.by_id[h.chunk_id].text}"
                        for h in hits if h.chunk_id in index.by_id)  # any passage found about the place will do
    missing = sorted(p for p in question.place_words - origins(question.cyrillic or question.text, question.place_words)
                     if not place_mentioned(p, evidence) and index.doc_share(p.split("-")[0][:7]) < RARE_PLACE)
    if missing and any(place_mentioned(p, evidence) for p in question.place_words):
        missing = []  # "came to the UK through France": the UK is the subject, France the way there
    words_only = re.sub(r"\b\d+\b", " ", query)  # numbers alone don't make a topic ("what is 17 times 23?"),
    terms = index.query_terms(words_only)         # nor does one common word ("times"); one rare one does
    if len(terms) < 2 and not any(index.term_share(t) < RARE for t in terms):  # ("ergänzungsausweis")
        words_only = ""
    articles = {cid.split(":")[0] for cid in top}
    return Signals(round(dense, 4), round(index.coverage(words_only, top), 4) if words_only.strip() else 0.0, missing,
                   len(top) == TOP and len(articles) == 1)


def origins(text: str, places) -> set[str]:
    """The places named as where someone comes from ("im gay from Uganda", "я из Уганды", "discreet back home in
    uganda": chat.places.ORIGIN): who is asking, not what is asked about, so a place the sources never name does
    not refuse the question."""
    from chat.places import ORIGIN

    cues = " ".join(m.group(0) for m in ORIGIN.finditer(text)).lower()  # "back home in uganda", "deported to..."
    return {p for p in places if re.search(rf"\b{re.escape(p.lower())}\b", cues) or
            re.search(rf"\b(from|из|родом из)\s+(the\s+)?{re.escape(p)}", text, re.I)}


def is_relevant(sig: Signals, lang: str = "en", mode: str = "hybrid", settings: RelevanceSettings = RELEVANCE) -> bool:
    """Whether to answer from what was found (`settings`: the thresholds for the embedding model in use). For the
    English-only model, the Russian thresholds sit above every out-of-scope Russian gold question's (the highest
    cosine through the bridge of sessions 1-13, 0.53, was "how can a same-sex couple adopt in Argentina");
    one article holding all three best passages needs `one_article_coverage` (above "what is the capital of
    australia", 0.43)."""
    if sig.missing_places:
        return False
    if lang == "ru" and settings.ru_by_words:  # the English-only model's own scores for Cyrillic text mean little
        return sig.coverage >= settings.ru_coverage_min or sig.dense >= settings.ru_dense_sure
    if mode == "bm25":
        return sig.coverage >= settings.coverage_min
    if sig.dense >= settings.dense_sure:
        return True
    # between the two: enough of the question's terms, or one article holding all three best passages
    return sig.dense >= settings.dense_floor and (sig.coverage >= settings.coverage_min or
                                                 sig.one_article and sig.coverage >= settings.one_article_coverage)

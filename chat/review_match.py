"""Match a claim to a curated claim review (kb/claims): the closest wording by cosine, clearly
closer than any other review's, and agreeing with the sentence on distinctive words, numbers,
places and polarity. A wrong rating is worse than none; the thresholds are
kb.settings.CheckSettings, calibrated by evals/claims.py. Used by chat/check.py."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from chat.index import Chunk, bm25_tokens
from kb.settings import CHECK, CheckSettings
from kb.store import ask_id, sentence_id
from kb.text import language_of, numbers

ALLOWED = re.compile(r"\b(legal|legali[sz]\w*|decriminali[sz]\w*|allow\w*|permit\w*|lifted|repeal\w*|recogni[sz]\w*|"
                     r"законн\w*|легализ\w*|разреш\w*|отмен\w*)\b", re.I)
FORBIDDEN = re.compile(r"\b(illegal|ban|bans|banned|outlaw\w*|forbid\w*|prohibit\w*|criminali[sz]\w*|crime|criminal|"
                       r"unlawful|against the law|запрещ\w*|запрет\w*|незаконн\w*|преступлени\w*)\b", re.I)
SOVIET = re.compile(r"\b(soviet|ussr|ссср|советск\w*)\b", re.I)
NEGATION = re.compile(r"\b(not|no|never|nothing|none|nobody|neither|nor|without|cannot|den(y|ies|ied))\b|n't\b|"
                      r"(?<![\w-])(не|нет|никогда|ничего|никто|ни|отрица\w*)(?![\w-])", re.I)
NOT_NEGATION = re.compile(r"\b(not (only|just|merely)|no longer just|не только)\b", re.I)  # "not just children": no negation


@dataclass
class Reviews:
    """The live claim reviews of one index version: each wording's review and vector."""
    chunks: dict  # review chunk id -> chat.index.Chunk
    sentences: dict  # review chunk id -> its explanation sentences
    rows: list  # per wording: (review chunk id, language, text)
    matrix: np.ndarray
    distinct: dict = None  # (review chunk id, language) -> stemmed terms of its wordings that few other reviews use


def reviews(index) -> Reviews:
    """The live reviews and their wordings' vectors, read once per index version."""
    if "claims" not in index.per_version:
        got = index.store.get_all("claims", ["documents", "metadatas"])
        chunks = {cid: Chunk(cid, doc, meta) for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])
                  if index.live.get(meta.get("article_id")) == meta.get("article_hash")}
        asks = [ask_id(cid, j) for cid, c in chunks.items() for j in range(int(c.meta.get("asks") or 0))]
        texts = [sentence_id(cid, j) for cid, c in chunks.items() for j in range(int(c.meta.get("sentences") or 0))]
        found = index.store.sentences.get(ids=asks + texts, include=["documents", "metadatas", "embeddings"]) \
            if asks else {"ids": [], "documents": [], "metadatas": [], "embeddings": []}
        rows, vecs, sentences = [], [], {}
        for sid, doc, meta, vec in zip(found["ids"], found["documents"], found["metadatas"], found["embeddings"]):
            if meta.get("kind") == "ask":
                rows.append((meta["chunk_id"], meta.get("language", "en"), doc))
                vecs.append(np.asarray(vec, dtype=np.float32))
            else:
                sentences.setdefault(meta["chunk_id"], []).append((int(meta["position"]), doc))
        matrix = np.vstack(vecs) if vecs else np.zeros((0, 1), dtype=np.float32)
        index.per_version["claims"] = Reviews(chunks, {k: [d for _, d in sorted(v)] for k, v in sentences.items()},
                                              rows, matrix, distinctive_terms(rows))
    return index.per_version["claims"]


DISTINCT_SHARE = 0.1  # a term in the wordings of at most this share of reviews (and at least 2) is distinctive


def distinctive_terms(rows: list) -> dict:
    """Per review, the stemmed terms of its English wordings that at most a few reviews use
    ("ramadan", "siren", "canada"): a sentence must share one to be rated with that review."""
    terms: dict[tuple, set] = {}  # (review chunk id, language) -> terms
    for cid, lang, text in rows:
        terms.setdefault((cid, lang), set()).update(bm25_tokens(text))
    out = {}
    for lang in {lang for _, lang in terms}:
        per = {cid: toks for (cid, lg), toks in terms.items() if lg == lang}
        df: dict[str, int] = {}
        for toks in per.values():
            for tok in toks:
                df[tok] = df.get(tok, 0) + 1
        limit = max(2, int(DISTINCT_SHARE * len(per)))
        out.update({(cid, lang): frozenset(t for t in toks if df[t] <= limit) for cid, toks in per.items()})
    return out


@dataclass
class Match:
    chunk_id: str
    cosine: float
    margin: float  # over the best wording of any other review
    wording: str  # the closest wording


def closest_review(table: Reviews, vec, lang: str) -> Match | None:
    """The review with the wording closest to `vec` among wordings in `lang`, with its lead."""
    if not table.rows:
        return None
    cosines = table.matrix @ np.asarray(vec, dtype=np.float32)
    best: dict[str, tuple[float, str]] = {}
    for (cid, row_lang, text), score in zip(table.rows, cosines.tolist()):
        if row_lang == lang and score > best.get(cid, (-1.0, ""))[0]:
            best[cid] = (score, text)
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
    if not ranked:
        return None
    (cid, (score, text)), runner_up = ranked[0], ranked[1][1][0] if len(ranked) > 1 else -1.0
    return Match(cid, score, score - runner_up, text)


def agrees(sentence: str, match: Match, table: Reviews) -> bool:
    """The sentence says the same kind of thing as the matched review: it shares one of the
    review's distinctive terms (a sentence about Kadyrov is not the Ramadan claim), no number or year
    that none of the review's wordings has (when both give numbers), no place they never
    name, and the same polarity as the closest wording (a negation in one and not the
    other, "is illegal" / "is not illegal"; or allowed against banned, "legalised" / "bans")."""
    distinct = (table.distinct or {}).get((match.chunk_id, language_of(sentence)))
    if distinct and not distinct & set(bm25_tokens(sentence)):
        return False
    wordings = " ".join(text for cid, _, text in table.rows if cid == match.chunk_id)
    told, theirs = numbers(sentence), numbers(wordings)
    if told and theirs and not told & theirs:
        return False
    if not places(sentence) <= places(wordings):
        return False
    if negated(sentence) != negated(match.wording):
        return False
    return _stance(sentence) in (None, _stance(match.wording)) or _stance(match.wording) is None


def negated(text: str) -> bool:
    return bool(NEGATION.search(NOT_NEGATION.sub(" ", text)))


def places(text: str) -> set[str]:
    """Countries and regions named (the Soviet Union counted apart from Russia)."""
    from chat.places import places_in

    return places_in(text) | ({"ussr"} if SOVIET.search(text) else set())


def _stance(text: str) -> str | None:
    """'allowed' or 'forbidden' when the text says only one of them, else None."""
    allowed, forbidden = bool(ALLOWED.search(text)), bool(FORBIDDEN.search(text))
    return "allowed" if allowed and not forbidden else "forbidden" if forbidden and not allowed else None


def match_review(table: Reviews, sentence: str, vec, lang: str, settings: CheckSettings = CHECK) -> Match | None:
    """The curated review this claim states, when the match is clear enough to show its rating."""
    if lang not in settings.review_languages:
        return None
    match = closest_review(table, vec, lang)
    if match is None or match.cosine < settings.review_cosine or match.margin < settings.review_margin:
        return None
    return match if agrees(sentence, match, table) else None

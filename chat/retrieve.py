"""Hybrid retrieval: dense (Chroma, cosine) and BM25, fused by reciprocal rank.
(The follow-up rule, which makes the query, is chat/question.py's.)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kb.text import language_of

RRF_K = 60
DENSE_WEIGHT_RU = 0.0  # the bundled embedding model is English-only: for Cyrillic queries, words lead
BRIDGE_WEIGHT = 1.0  # ...but the English originals of Russian articles can be searched in English (chat/bridge.py)
BRIDGE_SHARE = 0.5  # ...when the term table put at least half of the question's words into English
POOL = 20
COUNTRY_WEIGHT = 1.0  # a question naming a destination country prefers that country's article (chat/places.py)


@dataclass
class Hit:
    chunk_id: str
    score: float  # fused score (higher is better)
    dense: float  # cosine similarity to the question (0 if not in the dense pool)
    bm25: float
    rank: int = 0


CRISIS_ID = "crisis-notice"  # the crisis notice article; its translations are CRISIS_ID-<lang>
NOT_SEARCHED = (CRISIS_ID, f"{CRISIS_ID}-ru")  # shown verbatim as notices, never as answer passages


def _where(lang: str | None) -> dict:
    base = {"article_id": {"$nin": list(NOT_SEARCHED)}}
    return {"$and": [base, {"language": lang}]} if lang else base


def dense_search(index, query_vec, k: int = POOL, lang: str | None = None) -> dict[str, float]:
    """chunk_id -> cosine similarity for the k nearest chunks (of one language if given).
    Chroma evaluates a `where` filter over the whole collection (~4 ms per 1,000 chunks,
    see evals/reports/bench), so the search over-fetches without one and filters here;
    only when too few wanted chunks come back does it ask Chroma to filter."""
    k = min(k, len(index.chunks))
    fetch = min(len(index.chunks), (4 if lang else 2) * k + 8)
    got = index.store.chunks.query(query_embeddings=[query_vec], n_results=fetch, include=["distances"])
    hits = {cid: 1.0 - float(d) for cid, d in zip(got["ids"][0], got["distances"][0]) if _wanted(index, cid, lang)}
    if len(hits) < k and fetch < len(index.chunks):
        got = index.store.chunks.query(query_embeddings=[query_vec], n_results=k, where=_where(lang),
                                       include=["distances"])
        hits = {cid: 1.0 - float(d) for cid, d in zip(got["ids"][0], got["distances"][0]) if cid in index.by_id}
    return dict(list(hits.items())[:k])


def _wanted(index, cid: str, lang: str | None) -> bool:
    chunk = index.by_id.get(cid)
    return (chunk is not None and chunk.meta.get("article_id") not in NOT_SEARCHED
            and (not lang or index.languages.get(cid) == lang))


def bm25_search(index, query: str, k: int = POOL, lang: str | None = None) -> dict[str, float]:
    scores = index.bm25_scores(query)
    hits: dict[str, float] = {}
    for i in np.argsort(-scores):
        if scores[i] <= 0 or len(hits) >= k:
            break
        chunk = index.chunks[i]
        if chunk.meta.get("article_id") in NOT_SEARCHED or (lang and index.languages.get(chunk.id) != lang):
            continue
        hits[chunk.id] = float(scores[i])
    return hits


def fuse(dense: dict[str, float], bm25: dict[str, float], k: int = RRF_K, w_dense: float = 1.0,
         w_bm25: float = 1.0) -> list[Hit]:
    """Reciprocal-rank fusion of two ranked lists."""
    scores: dict[str, float] = {}
    for weight, ranked in ((w_dense, dense), (w_bm25, bm25)):
        for rank, cid in enumerate(sorted(ranked, key=ranked.get, reverse=True)):
            scores[cid] = scores.get(cid, 0.0) + weight / (k + rank + 1)
    hits = [Hit(cid, s, dense.get(cid, 0.0), bm25.get(cid, 0.0)) for cid, s in scores.items()]
    hits.sort(key=lambda h: (-h.score, -h.dense))
    for rank, hit in enumerate(hits):
        hit.rank = rank
    return hits


def prefer_named_countries(index, query: str, hits: list[Hit], weight: float = COUNTRY_WEIGHT) -> list[Hit]:
    """When `query` names a destination country that has an article of its own (see
    chat/places.py), the passages of that article found by either list get one more
    reciprocal-rank vote, in their current order: "who helps in Holland?" is answered from
    the Netherlands article before a general one that mentions the Netherlands in passing."""
    from chat.places import countries_in

    named = countries_in(query)
    if not named or not weight:
        return hits
    own = [h for h in hits if countries_in(str(index.by_id[h.chunk_id].meta.get("title", ""))) & named]
    for rank, hit in enumerate(own):
        hit.score += weight / (RRF_K + rank + 1)
    hits.sort(key=lambda h: (-h.score, -h.dense))
    for rank, hit in enumerate(hits):
        hit.rank = rank
    return hits


def langchain_dense(index, embedder, query: str, k: int = 5, lang: str | None = None) -> dict[str, float]:
    """What a plain LangChain app does: `Chroma.similarity_search_with_score`, k=5."""
    if index._langchain is None:
        index._langchain = index.store.langchain(embedder)
    docs = index._langchain.similarity_search_with_score(query, k=k, filter=_where(lang))
    return {doc.id: 1.0 - float(distance) for doc, distance in docs if doc.id in index.by_id}


def retrieve(index, embedder, query: str, mode: str = "hybrid", k: int = 10, lang: str | None = None,
             query_vec=None, ru_bridge: bool = True) -> tuple[list[Hit], list[float]]:
    """The top-k chunks for `query` (in articles of language `lang`, if given) and the
    query vector. mode: hybrid | dense | bm25, where dense is the LangChain baseline
    (similarity_search, k=5). `ru_bridge` False (settings.ru_bridge, for a multilingual
    model): a Russian question is searched as an English one is, dense and BM25 with equal
    weight, without the bridge and without the country vote."""
    query_vec = query_vec if query_vec is not None else embedder.embed_query(query)
    russian = ru_bridge and language_of(query) == "ru"  # the query's script, which may mix two turns
    if mode == "dense":
        hits = fuse(langchain_dense(index, embedder, query, lang=lang), {})
    elif mode == "bm25":
        hits = fuse({}, bm25_search(index, query, lang=lang))
    elif russian and lang == "ru" and BRIDGE_WEIGHT:
        from chat.bridge import dense_hits

        bridged, share = dense_hits(index, embedder, query, POOL)
        weight = BRIDGE_WEIGHT if share >= BRIDGE_SHARE else 0.0
        hits = fuse(bridged, bm25_search(index, query, lang=lang), w_dense=weight)
    else:
        w_dense = DENSE_WEIGHT_RU if russian else 1.0
        hits = fuse(dense_search(index, query_vec, lang=lang), bm25_search(index, query, lang=lang), w_dense=w_dense)
    if ru_bridge and mode == "hybrid" and lang == "ru":  # English dense search finds the country's article by itself
        hits = prefer_named_countries(index, query, hits)
    return hits[:k], query_vec

"""Hybrid retrieval: dense (Chroma, cosine) and BM25, fused by reciprocal rank.
(The follow-up rule, which makes the query, is chat/question.py's.)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


RRF_K = 60
POOL = 20


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
    see evals/reports/bench), so the search over-fetches without one and filters here, ten times wider when the
    first fetch is short (in one multilingual space a question's nearest chunks are often its translations); only
    then does it ask Chroma to filter (at 100,000 chunks a question with one language's passages far from it took
    0.3-0.9 s through that filter: evals/reports/bench/NOTES.md, session 15)."""
    k = min(k, len(index.chunks))
    for fetch in sorted({min(len(index.chunks), (8 if lang else 2) * k + 8), min(len(index.chunks), 80 * k)}):
        got = index.store.chunks.query(query_embeddings=[query_vec], n_results=fetch, include=["distances"])
        hits = {cid: 1.0 - float(d) for cid, d in zip(got["ids"][0], got["distances"][0]) if _wanted(index, cid, lang)}
        if len(hits) >= k or fetch >= len(index.chunks):
            return dict(list(hits.items())[:k])
    got = index.store.chunks.query(query_embeddings=[query_vec], n_results=k, where=_where(lang), include=["distances"])
    hits = {cid: 1.0 - float(d) for cid, d in zip(got["ids"][0], got["distances"][0]) if cid in index.by_id}
    return dict(list(hits.items())[:k])


def _wanted(index, cid: str, lang: str | None) -> bool:
    chunk = index.by_id.get(cid)
    return (chunk is not None and chunk.meta.get("article_id") not in NOT_SEARCHED
            and (not lang or index.languages.get(cid) == lang))


def bm25_search(index, query: str, k: int = POOL, lang: str | None = None, also=()) -> dict[str, float]:
    """chunk_id -> BM25 score for the k best chunks (of one language if given), and for each chunk of `also` (the
    dense pool) that has any: a passage the meaning search ranks high is ranked by its words too, after the k best,
    instead of missing from the words' list, which halved its fused score ("was there another round of arrests in
    chechnya after 2017" ranked the later-waves article ninth: third by meaning, no word in the top 20)."""
    scores = index.bm25_scores(query)
    hits: dict[str, float] = {}
    for i in np.argsort(-scores):
        if scores[i] <= 0 or len(hits) >= k:
            break
        chunk = index.chunks[i]
        if chunk.meta.get("article_id") in NOT_SEARCHED or (lang and index.languages.get(chunk.id) != lang):
            continue
        hits[chunk.id] = float(scores[i])
    for cid in also:
        i = index.position.get(cid)
        if cid not in hits and i is not None and scores[i] > 0:
            hits[cid] = float(scores[i])
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


def langchain_dense(index, embedder, query: str, k: int = 5, lang: str | None = None) -> dict[str, float]:
    """What a plain LangChain app does: `Chroma.similarity_search_with_score`, k=5."""
    if index._langchain is None:
        index._langchain = index.store.langchain(embedder)
    docs = index._langchain.similarity_search_with_score(query, k=k, filter=_where(lang))
    return {doc.id: 1.0 - float(distance) for doc, distance in docs if doc.id in index.by_id}


def retrieve(index, embedder, query: str, mode: str = "hybrid", k: int = 10, lang: str | None = None,
             query_vec=None) -> tuple[list[Hit], list[float]]:
    """The top-k chunks for `query` (in articles of language `lang`, if given) and the
    query vector. mode: hybrid | dense | bm25, where dense is the LangChain baseline
    (similarity_search, k=5). Every language is searched alike: one multilingual vector
    space, and BM25 with each language's stemmer for exact terms."""
    query_vec = query_vec if query_vec is not None else embedder.embed_query(query)
    if mode == "dense":
        hits = fuse(langchain_dense(index, embedder, query, lang=lang), {})
    elif mode == "bm25":
        hits = fuse({}, bm25_search(index, query, lang=lang))
    else:
        dense = dense_search(index, query_vec, lang=lang)
        hits = fuse(dense, bm25_search(index, query, lang=lang, also=dense))
    return hits[:k], query_vec

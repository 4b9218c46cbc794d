"""Hybrid retrieval: dense (Chroma, cosine) and BM25, fused by reciprocal rank.

Also the follow-up rule: a question that leans on the previous turn ("and in
Germany?") is searched together with the previous question.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from kb.text import content_words

RRF_K = 60
POOL = 20
FOLLOW_UP_START = re.compile(
    r"^\s*(and|or|but|also|what about|how about|and what|and in|in|for|same|then|what if|а|и|ну а|а как|а что)\b", re.I)
PRONOUNS = {"it", "they", "them", "that", "this", "there", "he", "she", "those", "these", "his", "her", "their",
            "он", "она", "они", "это", "там", "его", "их"}


@dataclass
class Hit:
    chunk_id: str
    score: float  # fused score (higher is better)
    dense: float  # cosine similarity to the question (0 if not in the dense pool)
    bm25: float
    rank: int = 0


QUESTION_WORDS = {"what", "how", "who", "when", "why", "where", "which", "is", "are", "can", "does", "do",
                  "что", "как", "кто", "когда", "почему", "где", "какой", "можно"}


def is_follow_up(question: str) -> bool:
    """Leans on the previous turn: starts like a continuation, is a bare fragment
    ("germany?"), or refers back with a pronoun in a short question."""
    words_ = content_words(question)
    lowered = set(re.findall(r"\w+", question.lower()))
    fragment = len(words_) <= 2 and not lowered & QUESTION_WORDS
    return bool(FOLLOW_UP_START.match(question)) or fragment or (bool(lowered & PRONOUNS) and len(words_) <= 6)


def search_query(question: str, history: list[dict] | None) -> str:
    """The text to search with: the question, plus the previous question for follow-ups."""
    previous = [m.get("content", "") for m in (history or []) if m.get("role") == "user" and m.get("content")]
    if previous and is_follow_up(question):
        return f"{previous[-1]} {question}"
    return question


NOT_SEARCHED = ("crisis-notice",)  # shown verbatim as a notice, never as an answer passage


def dense_search(index, query_vec, k: int = POOL) -> dict[str, float]:
    """chunk_id -> cosine similarity for the k nearest chunks."""
    k = min(k, len(index.chunks))
    got = index.store.chunks.query(query_embeddings=[query_vec], n_results=k,
                                   where={"article_id": {"$nin": list(NOT_SEARCHED)}}, include=["distances"])
    return {cid: 1.0 - float(d) for cid, d in zip(got["ids"][0], got["distances"][0])}


def bm25_search(index, query: str, k: int = POOL) -> dict[str, float]:
    scores = index.bm25_scores(query)
    top = np.argsort(-scores)[: k + len(NOT_SEARCHED) * 4]
    hits = {index.chunks[i].id: float(scores[i]) for i in top
            if scores[i] > 0 and index.chunks[i].meta.get("article_id") not in NOT_SEARCHED}
    return dict(list(hits.items())[:k])


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


def langchain_dense(index, embedder, query: str, k: int = 5) -> dict[str, float]:
    """What a plain LangChain app does: `Chroma.similarity_search_with_score`, k=5."""
    if getattr(index, "_langchain", None) is None:
        index._langchain = index.store.langchain(embedder)
    docs = index._langchain.similarity_search_with_score(query, k=k,
                                                         filter={"article_id": {"$nin": list(NOT_SEARCHED)}})
    return {doc.id: 1.0 - float(distance) for doc, distance in docs}


def retrieve(index, embedder, query: str, mode: str = "hybrid", k: int = 10) -> tuple[list[Hit], list[float]]:
    """The top-k chunks for `query` and the query vector. mode: hybrid | dense | bm25,
    where dense is the LangChain baseline (similarity_search, k=5)."""
    query_vec = embedder.embed_query(query)
    if mode == "dense":
        hits = fuse(langchain_dense(index, embedder, query), {})
    elif mode == "bm25":
        hits = fuse({}, bm25_search(index, query))
    else:
        hits = fuse(dense_search(index, query_vec), bm25_search(index, query))
    return hits[:k], query_vec

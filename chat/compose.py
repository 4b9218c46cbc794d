"""The extractive answer composer: no language model, only quoted sentences.

From the top passages it picks the 2-5 sentences closest in meaning to the question
(cosine similarity of precomputed sentence vectors), with maximal marginal relevance
so they don't repeat each other, and keeps each sentence verbatim with an `[n]` after
it that points to the passage it came from.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kb.text import words

PASSAGES = 4
MAX_SENTENCES = 5
MIN_SENTENCES = 2
MMR_LAMBDA = 0.7
RELATIVE_FLOOR = 0.72  # keep sentences scoring at least this share of the best one
MIN_WORDS = 5


@dataclass
class Candidate:
    chunk_id: str
    position: int
    text: str
    vec: np.ndarray
    passage_rank: int
    score: float = 0.0


def candidates(store, hits, query_vec) -> list[Candidate]:
    ids = [h.chunk_id for h in hits[:PASSAGES]]
    if not ids:
        return []
    got = store.sentences.get(where={"chunk_id": {"$in": ids}}, include=["documents", "metadatas", "embeddings"])
    rank = {cid: i for i, cid in enumerate(ids)}
    q = np.asarray(query_vec, dtype=np.float32)
    out = []
    for doc, meta, vec in zip(got["documents"], got["metadatas"], got["embeddings"]):
        if len(words(doc)) < MIN_WORDS or doc.rstrip().endswith(":"):
            continue
        v = np.asarray(vec, dtype=np.float32)
        r = rank[meta["chunk_id"]]
        out.append(Candidate(meta["chunk_id"], int(meta["position"]), doc, v, r, float(v @ q) + 0.04 / (1 + r)))
    return out


def select(cands: list[Candidate], k: int = MAX_SENTENCES) -> list[Candidate]:
    """MMR selection, then put back into reading order (passage rank, position)."""
    pool = sorted(cands, key=lambda c: -c.score)
    if not pool:
        return []
    best = pool[0].score
    chosen: list[Candidate] = []
    while pool and len(chosen) < k:
        def mmr(c: Candidate) -> float:
            redundancy = max((float(c.vec @ s.vec) for s in chosen), default=0.0)
            return MMR_LAMBDA * c.score - (1 - MMR_LAMBDA) * redundancy
        nxt = max(pool, key=mmr)
        if len(chosen) >= MIN_SENTENCES and nxt.score < best * RELATIVE_FLOOR:
            break
        if chosen and max(float(nxt.vec @ s.vec) for s in chosen) > 0.95:
            pool.remove(nxt)  # a near-duplicate sentence
            continue
        chosen.append(nxt)
        pool.remove(nxt)
    return sorted(chosen, key=lambda c: (c.passage_rank, c.position))


def render(chosen: list[Candidate], index) -> tuple[str, list[dict]]:
    """Answer Markdown with [n] after each sentence, and the numbered citations."""
    numbers: dict[str, int] = {}
    paragraphs: list[list[str]] = []
    for cand in chosen:
        if cand.chunk_id not in numbers:
            numbers[cand.chunk_id] = len(numbers) + 1
            paragraphs.append([])
        paragraphs[numbers[cand.chunk_id] - 1].append(f"{cand.text} [{numbers[cand.chunk_id]}]")
    answer = "\n\n".join(" ".join(p) for p in paragraphs)
    return answer, [citation(index.by_id[cid], n) for cid, n in numbers.items()]


def citation(chunk, n: int) -> dict:
    meta = chunk.meta
    return {
        "n": n, "article_id": meta["article_id"], "chunk_id": chunk.id, "title": meta.get("title", ""),
        "section": meta.get("section", ""), "quote": chunk.text,
        "sources": [{k: s.get(k, "") for k in ("title", "publisher", "url", "published")} for s in chunk.sources],
        "reviewed_on": meta.get("reviewed_on", ""), "language": meta.get("language", "en"),
    }

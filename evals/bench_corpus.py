"""Benchmark corpora: copies of an ingested index scaled to N chunks, in their own store.

Copy 0 of every chunk is the real chunk (same id, text, vector and sentences); copy k>0
is a new article `<id>~k` whose chunk text is the real chunk's sentences in a seeded
order with one left out, and whose vectors (chunk and sentences) are the real ones
with a small seeded perturbation, renormalised. So the corpus is deterministic, builds
without embedding anything, and the query path over it (question embedding, vector
search, BM25 over every text, composing from sentence vectors) is the real one. The
source index is only read.
"""
from __future__ import annotations

import json

import numpy as np

from kb.store import open_store

NOISE = 0.02  # per-dimension sigma of the perturbation, before renormalising
BATCH = 4000  # below Chroma's largest accepted batch


def read_source(settings) -> dict:
    """Every live chunk and sentence of the ingested index at `settings`."""
    store = open_store(settings)
    live = json.loads(store.read_state().get("live_json") or "{}")
    chunks = store.get_all("chunks", ["documents", "metadatas", "embeddings"])
    keep = [i for i, m in enumerate(chunks["metadatas"]) if live.get(m["article_id"]) == m.get("article_hash")]
    sents = store.get_all("sentences", ["documents", "metadatas", "embeddings"])
    by_chunk: dict[str, list] = {}
    for sid, doc, meta, vec in zip(sents["ids"], sents["documents"], sents["metadatas"], sents["embeddings"]):
        by_chunk.setdefault(meta["chunk_id"], []).append((meta["position"], sid, doc, meta, np.asarray(vec)))
    rows = []
    for i in keep:
        cid = chunks["ids"][i]
        rows.append({"id": cid, "text": chunks["documents"][i], "meta": chunks["metadatas"][i],
                     "vec": np.asarray(chunks["embeddings"][i]), "sentences": sorted(by_chunk.get(cid, []),
                                                                                      key=lambda s: s[0])})
    return {"chunks": rows, "live": live}


def _perturb(vec: np.ndarray, rng) -> np.ndarray:
    out = vec + rng.normal(0.0, NOISE, vec.shape)
    return (out / np.linalg.norm(out)).astype(np.float32)


def _copy(row: dict, k: int, rng) -> tuple[dict, list]:
    """Copy k of one chunk: (chunk record, sentence records)."""
    if k == 0:
        sents = [(sid, doc, meta, vec) for _, sid, doc, meta, vec in row["sentences"]]
        return {"id": row["id"], "text": row["text"], "meta": row["meta"], "vec": row["vec"]}, sents
    cid = f"{row['id']}~{k}"
    art = f"{row['meta']['article_id']}~{k}"
    picked = list(row["sentences"])
    if len(picked) > 2:
        picked.pop(int(rng.integers(len(picked))))
    picked = [picked[i] for i in rng.permutation(len(picked))] if picked else []
    text = " ".join(s[2] for s in picked) or row["text"]
    sents = [(f"{cid}:s{j:02d}", doc, dict(meta, chunk_id=cid, article_id=art, position=j), _perturb(vec, rng))
             for j, (_, _, doc, meta, vec) in enumerate(picked)]
    meta = dict(row["meta"], article_id=art)
    return {"id": cid, "text": text, "meta": meta, "vec": _perturb(row["vec"], rng)}, sents


def build_corpus(source: dict, settings, n_chunks: int, seed: int = 7) -> int:
    """Write a corpus of `n_chunks` chunks (at least the source's) into the store at
    `settings` and mark it live; returns the number of chunks written."""
    rng = np.random.default_rng(seed)
    rows = source["chunks"]
    store = open_store(settings)
    _precreate(store)
    live = dict(source["live"])
    chunks, sents, written = [], [], 0
    for n in range(max(n_chunks, len(rows))):
        chunk, chunk_sents = _copy(rows[n % len(rows)], n // len(rows), rng)
        live[chunk["meta"]["article_id"]] = chunk["meta"].get("article_hash")
        chunks.append(chunk)
        sents += chunk_sents
        if len(chunks) >= BATCH:
            written += _flush(store, chunks, sents)
            chunks, sents = [], []
    written += _flush(store, chunks, sents)
    store.write_state({"kb_version": f"bench-{written}-{seed}", "model": "bench", "live_json": json.dumps(live)})
    return written


def _precreate(store) -> None:
    """Make the corpus's collections before `Store` does, with the shipped HNSW search
    settings but persisted once at the end rather than after every write (the shipped
    sync threshold rewrote a growing index file per batch). The chat reads sentences by
    chunk id and never searches their vectors, so their index is built cheaply."""
    lazy = {"hnsw:space": "cosine", "hnsw:sync_threshold": 1_000_000}
    store.client.get_or_create_collection(f"{store.name}_chunks", embedding_function=None, metadata=lazy)
    store.client.get_or_create_collection(f"{store.name}_sentences", embedding_function=None,
                                          metadata=dict(lazy, **{"hnsw:construction_ef": 10, "hnsw:M": 4}))


def _flush(store, chunks: list, sents: list) -> int:
    if chunks:
        store.chunks.add(ids=[c["id"] for c in chunks], documents=[c["text"] for c in chunks],
                            metadatas=[c["meta"] for c in chunks], embeddings=[c["vec"] for c in chunks])
    for start in range(0, len(sents), BATCH):
        part = sents[start : start + BATCH]
        store.sentences.add(ids=[s[0] for s in part], documents=[s[1] for s in part],
                               metadatas=[s[2] for s in part], embeddings=[s[3] for s in part])
    return len(chunks)

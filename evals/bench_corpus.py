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
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from kb.store import open_store, sentence_id

NOISE = 0.02  # per-dimension sigma of the perturbation, before renormalising
BATCH = 5000  # below Chroma's largest accepted batch (5461 embedded)


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
    sents = [(sentence_id(cid, j), doc, dict(meta, chunk_id=cid, article_id=art, position=j), _perturb(vec, rng))
             for j, (_, _, doc, meta, vec) in enumerate(picked)]
    meta = dict(row["meta"], article_id=art, sentences=len(sents))
    return {"id": cid, "text": text, "meta": meta, "vec": _perturb(row["vec"], rng)}, sents


def _sentence_count(row: dict, k: int) -> int:
    n = len(row["sentences"])
    return n - 1 if k and n > 2 else n


def _batches(rows: list, total: int, rng, live: dict):
    """(chunk records, sentence records) in batches of BATCH chunks, in corpus order."""
    chunks, sents = [], []
    for n in range(total):
        chunk, chunk_sents = _copy(rows[n % len(rows)], n // len(rows), rng)
        live[chunk["meta"]["article_id"]] = chunk["meta"].get("article_hash")
        chunks.append((chunk["id"], chunk["text"], chunk["meta"], chunk["vec"]))
        sents += chunk_sents
        if len(chunks) >= BATCH:
            yield chunks, sents
            chunks, sents = [], []
    if chunks:
        yield chunks, sents


def build_corpus(source: dict, settings, n_chunks: int, seed: int = 7) -> int:
    """Write a corpus of `n_chunks` chunks (at least the source's) into the store at
    `settings` and mark it live; returns the number of chunks. A store that already holds
    this corpus is left as it is. Chunks and
    sentences go to their collections from two threads (Chroma's writes release the GIL;
    the chunk index is the costly one) while the next batch is generated."""
    rng = np.random.default_rng(seed)
    rows = source["chunks"]
    total = max(n_chunks, len(rows))
    store = open_store(settings)
    if store.read_state().get("kb_version") == f"bench-{total}-{seed}":
        return total  # built before (the stamp is written last): reused as it is
    _precreate(store, total, sum(_sentence_count(rows[n % len(rows)], n // len(rows)) for n in range(total)))
    live = dict(source["live"])
    written = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending: list = []
        for chunks, sents in _batches(rows, total, rng, live):
            for job in pending:
                job.result()
            pending = [pool.submit(_add, store.chunks, chunks), pool.submit(_add, store.sentences, sents)]
            written += len(chunks)
        for job in pending:
            job.result()
    store.write_state({"kb_version": f"bench-{written}-{seed}", "model": "bench", "live_json": json.dumps(live)})
    return written


def _precreate(store, n_chunks: int, n_sentences: int) -> None:
    """Make the corpus's collections before `Store` does, with the shipped HNSW search
    settings, but each vector index written to disk once, when its last row is added (a
    sync threshold equal to the row count), as a real ingest leaves it; the shipped
    threshold rewrote a growing index file per batch, and none at all left a server to
    rebuild the index from the log at start. The chat reads sentences by chunk id and
    never searches their vectors, so their index is built cheaply."""
    for name, rows, extra in (("chunks", n_chunks, {}), ("sentences", n_sentences,
                                                         {"hnsw:construction_ef": 10, "hnsw:M": 4})):
        sync = {"hnsw:space": "cosine", "hnsw:sync_threshold": max(rows, 1), "hnsw:batch_size": min(100, max(rows, 2))}
        store.client.get_or_create_collection(f"{store.name}_{name}", embedding_function=None, metadata=sync | extra)


def _add(collection, records: list) -> None:
    """Add (id, document, metadata, vector) records, BATCH at a time."""
    for start in range(0, len(records), BATCH):
        part = records[start : start + BATCH]
        collection.add(ids=[r[0] for r in part], documents=[r[1] for r in part], metadatas=[r[2] for r in part],
                       embeddings=[r[3] for r in part])

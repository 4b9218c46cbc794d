"""The embedding cache: vectors keyed by (model, sha256 of the text), so unchanged text
is never embedded twice, not even by `refuge ingest --rebuild`; and the sentence splits of
chunk text keyed by the splitter's version, so unchanged text is not split again either.

One SQLite file: `embed-cache.sqlite3` under the data dir, or the one REFUGE_EMBED_CACHE
names (several data dirs can share one: a vector is keyed by model and text, not by store).
Every write is one transaction, so a crash leaves the cache as it was before the write or
after it; a missing or unreadable cache only costs re-embedding. Every vector is kept at
float16 precision (kb.vectorpack.rounded; stored as float32 bytes), fresh ones too, so a cached
vector equals a fresh one and one read from the shipped vector pack (the seed of `embed`).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import numpy as np

from kb.vectorpack import rounded

SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vec BLOB, PRIMARY KEY (model, hash))"
# sentence splits of the lines of chunk text (kb.text.remembered_splits), keyed by the
# splitter's version and kb.text.line_key; a JSON list of sentences each
SPLITS = "CREATE TABLE IF NOT EXISTS splits (version TEXT, hash TEXT, sentences TEXT, PRIMARY KEY (version, hash))"
LOOKUP_BATCH = 500  # SQLite's default limit on bound parameters is 999


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbedCache:
    """Cached vectors for one model. `hits`, `seeded` and `misses` count texts served from
    the cache, from the seed (the vector pack) and by the embedder since this object was made."""

    def __init__(self, path: Path, model: str):
        self.path, self.model = Path(path), model
        self.hits = self.misses = self.seeded = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(SCHEMA)
        self._db.execute(SPLITS)
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def get(self, hashes: list[str]) -> dict[str, np.ndarray]:
        found = {}
        for start in range(0, len(hashes), LOOKUP_BATCH):
            part = hashes[start : start + LOOKUP_BATCH]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(f"SELECT hash, vec FROM vectors WHERE model = ? AND hash IN ({marks})",
                                    [self.model, *part])
            found.update((h, rounded(np.frombuffer(v, dtype=np.float32))) for h, v in rows)
        return found

    def put(self, items: dict[str, np.ndarray]) -> None:
        rows = [(self.model, h, rounded(v).tobytes()) for h, v in items.items()]
        with self._db:  # one transaction
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)

    def splits(self, version: str) -> dict[str, list[str]]:
        """Every remembered split for this splitter version: line key -> sentences."""
        rows = self._db.execute("SELECT hash, sentences FROM splits WHERE version = ?", [version])
        return {h: json.loads(sents) for h, sents in rows}

    def put_splits(self, version: str, items: dict[str, list[str]]) -> None:
        rows = [(version, h, json.dumps(sents, ensure_ascii=False)) for h, sents in items.items()]
        with self._db:  # one transaction
            self._db.executemany("INSERT OR REPLACE INTO splits VALUES (?, ?, ?)", rows)

    def embed(self, texts: list[str], embed_fn, seed=None) -> list[np.ndarray]:
        """Vectors for `texts`: cached ones from the cache, then those `seed` has (a function
        giving {hash: vector}, read only if some text is missing), the rest from `embed_fn`
        (a list of texts -> a list of vectors); new ones are stored before they are returned."""
        hashes = [text_hash(t) for t in texts]
        known = self.get(sorted(set(hashes)))
        todo = {h: t for h, t in zip(hashes, texts) if h not in known}
        self.hits += len(texts) - sum(1 for h in hashes if h in todo)
        if todo and seed is not None:
            packed = seed()
            found = {h: rounded(packed[h]) for h in todo if h in packed}
            self.put(found)
            known.update(found)
            todo = {h: t for h, t in todo.items() if h not in found}
            self.seeded += len(found)
        self.misses += len(todo)
        pending = list(todo.items())
        for start in range(0, len(pending), STORE_EVERY):  # stored as it goes: a killed run keeps what it embedded
            part = pending[start:start + STORE_EVERY]
            vectors = embed_fn([t for _, t in part])
            fresh = {h: rounded(v) for (h, _), v in zip(part, vectors)}
            self.put(fresh)
            known.update(fresh)
        return [known[h] for h in hashes]


STORE_EVERY = 1024  # texts embedded between two writes to the cache


def open_cache(settings, model: str) -> EmbedCache:
    """The cache (settings.embed_cache_path); an unreadable file is replaced by an empty cache."""
    path = settings.embed_cache_path
    try:
        return EmbedCache(path, model)
    except sqlite3.DatabaseError:
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
        return EmbedCache(path, model)

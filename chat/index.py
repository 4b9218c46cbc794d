"""The in-memory side of the index: every chunk's text and metadata plus a BM25 index.

Built from the store (not from files), so it always matches what ingest wrote. It is
rebuilt when the knowledge-base version stamp in the store changes, checked at most
every few seconds, so a long-running server picks up a new ingest without a restart.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

import numpy as np

from kb.errors import IndexMissing
from kb.text import STOPWORDS_EN, STOPWORDS_RU, language_of, words

CHECK_EVERY_S = 3.0


def _stemmer(lang: str):
    import Stemmer

    return Stemmer.Stemmer("russian" if lang == "ru" else "english")


def bm25_tokens(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed tokens (English or Russian rules per word)."""
    toks = [w for w in words(text) if w not in STOPWORDS_EN and w not in STOPWORDS_RU]
    en, ru = _stemmer("en"), _stemmer("ru")
    return [(ru if language_of(w) == "ru" else en).stemWord(w) for w in toks]


@dataclass
class Chunk:
    id: str
    text: str
    meta: dict

    @property
    def sources(self) -> list[dict]:
        return json.loads(self.meta.get("sources_json") or "[]")


class Index:
    """Chunks by id and position, and BM25 over title + section + text."""

    def __init__(self, store):
        self.store = store
        self.version = None
        self.chunks: list[Chunk] = []
        self.by_id: dict[str, Chunk] = {}
        self.bm25 = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def load(self) -> "Index":
        state = self.store.read_state()
        got = self.store.chunks.get(include=["documents", "metadatas"])
        if not got["ids"]:
            raise IndexMissing("the index is empty: run `refuge ingest` first")
        chunks = [Chunk(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]
        bm25 = self._build_bm25(chunks)
        self.chunks, self.by_id, self.bm25 = chunks, {c.id: c for c in chunks}, bm25
        self.version, self._checked = state.get("kb_version"), time.monotonic()
        return self

    @staticmethod
    def _build_bm25(chunks: list[Chunk]):
        import bm25s

        corpus = [bm25_tokens(f"{c.meta.get('title', '')} {c.meta.get('section', '')} {c.text}") for c in chunks]
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        return retriever

    def refresh(self, force: bool = False) -> bool:
        """Reload if the store's version stamp changed. True if reloaded."""
        if not force and time.monotonic() - self._checked < CHECK_EVERY_S:
            return False
        with self._lock:
            self._checked = time.monotonic()
            if force or self.store.read_state().get("kb_version") != self.version:
                self.load()
                return True
        return False

    def bm25_scores(self, query: str) -> np.ndarray:
        toks = [t for t in bm25_tokens(query) if t in self.bm25.vocab_dict]
        if not toks:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(toks), dtype=np.float32)

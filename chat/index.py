"""The in-memory side of the index: every chunk's text and metadata plus a BM25 index.

Built from the store (not from files), so it always matches what ingest wrote. It is
rebuilt when the knowledge-base version stamp in the store changes, checked at most
every few seconds, so a long-running server picks up a new ingest without a restart.
The tokenised BM25 side is cached in the data dir per version stamp (chat/index_cache.py),
so a restart over an unchanged store does not tokenise and stem every chunk again.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from chat import index_cache
from kb.errors import IndexMissing
from kb.text import STOPWORDS_EN, STOPWORDS_RU, language_of, words
from kb.translit import to_cyrillic

CHECK_EVERY_S = 3.0
SENTENCE_TOKENS_MAX = 200_000  # sentences whose tokens are kept per index version (`sentence_overlap`)


@lru_cache(maxsize=2)
def _stemmer(lang: str):
    import Stemmer

    return Stemmer.Stemmer("russian" if lang == "ru" else "english")


def bm25_tokens(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed tokens (English or Russian rules per word);
    hyphenated words also count as their parts ("non-binary" -> non, binari)."""
    toks = []
    for w in words(text):
        parts = [w] + (w.replace("’", "-").split("-") if "-" in w else [])
        kept = [p for p in parts if p and p not in STOPWORDS_EN and p not in STOPWORDS_RU]
        toks += kept if kept[1:] or not parts[1:] else []  # "как-то", "what-not": all parts stop words
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
        self.position: dict[str, int] = {}
        self.bm25 = None
        self.tokens: dict[str, set] = {}
        self.latin_in_ru: set[str] = set()
        self.idf: dict[str, float] = {}
        self.max_idf = 1.0
        self.languages: dict[str, str] = {}
        self._by_prefix: dict[str, list[str]] = {}
        self._share: dict[str, float] = {}
        self.per_version: dict = {}  # tables other modules derive from this version (chat/faq.py, chat/compose.py)
        self.live: dict[str, str] = {}  # article id -> the hash the last finished ingest made live (also claim reviews)
        self._langchain = None  # the LangChain vector store, made on first use (chat/retrieve.py)
        self._checked = 0.0
        self._lock = threading.Lock()

    def load(self) -> "Index":
        state = self.store.read_state()
        got = self.store.get_all("chunks", ["documents", "metadatas"])
        if not got["ids"]:
            raise IndexMissing("the index is empty: run `refuge ingest` first")
        chunks = [Chunk(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]
        live = json.loads(state.get("live_json") or "{}")
        if live:  # only the version of each article that the last finished ingest made live
            chunks = [c for c in chunks if live.get(c.meta.get("article_id")) == c.meta.get("article_hash")]
        bm25 = self._cached_bm25(chunks, state.get("kb_version"))
        self.chunks, self.by_id, self.bm25 = chunks, {c.id: c for c in chunks}, bm25
        self.position = {c.id: i for i, c in enumerate(chunks)}  # chunk id -> its row in `bm25_scores`
        self._share, self.per_version, self.live = {}, {}, live
        self.version, self._checked = state.get("kb_version"), time.monotonic()
        return self

    def _cached_bm25(self, chunks: list[Chunk], kb_version):
        """BM25 and the term tables, from the data dir's cache when it was made for exactly
        these chunks, this version stamp and this tokenizer (chat/index_cache.py); else
        built from the text and cached. Either way every attribute gets the same values."""
        ids = [c.id for c in chunks]
        path = index_cache.cache_path(self.store, kb_version, ids)
        saved = index_cache.read(path, len(chunks))
        self.max_idf = float(np.log((len(chunks) + 1) / 0.5))
        self.languages = {c.id: str(c.meta.get("language", "en"))[:2] for c in chunks}
        if saved is not None:
            retriever, self.tokens, self.idf, self.latin_in_ru = index_cache.unpack(saved, ids)
        else:
            retriever = self._build_bm25(chunks)
            index_cache.write(path, index_cache.pack(retriever, self.tokens, self.idf, self.latin_in_ru, ids))
        self._by_prefix: dict[str, list[str]] = {}
        for tok in self.idf:
            self._by_prefix.setdefault(tok[:2], []).append(tok)
        return retriever

    def _build_bm25(self, chunks: list[Chunk]):
        """Tokenise and stem every chunk (title + section + text): BM25, tokens, idf and
        the Latin terms of Russian chunks. Needs `self.languages` set for `chunks`."""
        import bm25s

        corpus = [bm25_tokens(f"{c.meta.get('title', '')} {c.meta.get('section', '')} {c.text}") for c in chunks]
        self.tokens = {c.id: set(toks) for c, toks in zip(chunks, corpus)}
        df: dict[str, int] = {}
        for toks in self.tokens.values():
            for tok in toks:
                df[tok] = df.get(tok, 0) + 1
        self.idf = {tok: float(np.log((len(chunks) + 1) / (n + 0.5))) for tok, n in df.items()}
        self.latin_in_ru = {tok for cid, toks in self.tokens.items() if self.languages[cid] == "ru"
                            for tok in toks if tok.isascii() and not tok.isdigit()}
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
                self.store.reopen()
                self._langchain = None
                self.load()
                return True
        return False

    def correct(self, query: str) -> list[str]:
        """Query tokens, each unknown one replaced by the closest known term (typos:
        'propoganda' -> 'propaganda'), when one is close enough."""
        import difflib

        out = []
        for tok in bm25_tokens(query):
            if tok not in self.idf and len(tok) >= 5 and not tok.isdigit():
                pool = self._by_prefix.get(tok[:2], [])
                close = difflib.get_close_matches(tok, pool, n=1, cutoff=0.8) or self._known_prefix(tok)
                tok = close[0] if close else tok
            out.append(tok)
        return out

    def _known_prefix(self, tok: str) -> list[str]:
        """[the longest known Russian stem of at least 4 letters that starts `tok`] or []:
        transliterated and misspelt Russian endings ('случилос' -> 'случ')."""
        if language_of(tok) != "ru":
            return []
        for end in range(len(tok) - 1, 3, -1):
            if tok[:end] in self.idf:
                return [tok[:end]]
        return []

    def written_in_latin(self, word: str) -> bool:
        """Russian articles write this word in Latin script ("non-refoulement", "ILGA") and
        never as its transliteration ("lgbt" is written "ЛГБТ"): keep it as it is."""
        toks = bm25_tokens(word)
        if len(word) < 3 or not toks or not all(t in self.latin_in_ru for t in toks):
            return False
        return not any(t in self.idf for t in bm25_tokens(to_cyrillic(word)))

    def coverage(self, query: str, chunk_ids: list[str]) -> float:
        """IDF-weighted share of the query's terms found in the given chunks (terms the
        knowledge base never uses count fully against)."""
        toks = set(self.correct(query))
        if not toks:
            return 0.0
        found = set().union(*(self.tokens.get(cid, set()) for cid in chunk_ids)) if chunk_ids else set()
        weight = {t: self.idf.get(t, self.max_idf) for t in toks}
        return sum(w for t, w in weight.items() if t in found) / sum(weight.values())

    def query_terms(self, question: str) -> set[str]:
        """The question's terms that the knowledge base uses (typos corrected)."""
        return {t for t in self.correct(question) if t in self.idf}

    def sentence_overlap(self, q: set[str], sentence: str) -> float:
        """IDF-weighted share of the question terms `q` (from `query_terms`) in the sentence.
        The tokens of a knowledge-base sentence are kept per index version (a pasted text's
        claims score the same passages many times)."""
        if not q:
            return 0.0
        known = self.per_version.setdefault("sentence_tokens", {})
        tokens = known.get(sentence)
        if tokens is None:
            tokens = frozenset(bm25_tokens(sentence))
            if len(known) < SENTENCE_TOKENS_MAX:
                known[sentence] = tokens
        return self.token_overlap(q, tokens)

    def token_overlap(self, q: set[str], tokens) -> float:
        """`sentence_overlap` for a text already tokenised with `bm25_tokens`."""
        if not q:
            return 0.0
        return sum(self.idf[t] for t in q & tokens) / sum(self.idf[t] for t in q)

    def term_share(self, term: str) -> float:
        """Share of chunks whose tokens include the stemmed `term`; once per term per load."""
        key = "\0" + term
        if key not in self._share:
            self._share[key] = sum(term in toks for toks in self.tokens.values()) / max(1, len(self.tokens))
        return self._share[key]

    def doc_share(self, word: str) -> float:
        """Share of chunks whose text mentions `word` (case-insensitive substring);
        computed once per word per loaded index."""
        low = word.lower()
        if low not in self._share:
            self._share[low] = sum(low in c.text.lower() for c in self.chunks) / max(1, len(self.chunks))
        return self._share[low]

    def bm25_scores(self, query: str) -> np.ndarray:
        toks = [t for t in self.correct(query) if t in self.bm25.vocab_dict]
        if not toks:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(toks), dtype=np.float32)

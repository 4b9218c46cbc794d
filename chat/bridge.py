"""Russian questions searched through the English originals of the Russian articles.

The bundled embedding model is English-only, so on its own it cannot rank Russian text
(chat/retrieve.py gives its cosine no weight for a Cyrillic question). But every Russian
article is a paragraph-aligned translation of an English one: chunk i of `x-ru` has the
same footnotes and the same number of sentences as chunk i of `x`. From those pairs this
module learns, once per loaded index, which English word each Russian word stands for
(IBM Model 1 over the aligned sentences, no dictionary, no new model). A Russian
question is then put into those English words, embedded by the English model and
searched among the English originals; each hit stands for its Russian translation.
It is a word list, not a translator: words the Russian articles never use stay unknown.

Unlike chat/index.py (words of the question against words of the passages), this gives
the composer and retriever a meaning-based signal for Russian: `dense_hits` ranks Russian
chunks, `sentence_vectors` gives each Russian sentence its English original's vector.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from chat.index import bm25_tokens
from chat.retrieve import NOT_SEARCHED
from kb.store import sentence_id
from kb.text import words

SUFFIX = "-ru"  # a Russian translation's id is its English original's id plus this
MIN_PAIRS = 2          # a Russian word must appear in at least this many aligned sentences
MIN_PROBABILITY = 0.3  # ...and its best English word must have at least this Model 1 probability
ITERATIONS = 8         # EM rounds of Model 1 (the table stops changing after ~5 on the shipped KB)


@dataclass
class Bridge:
    version: str | None
    chunks: dict[str, str] = field(default_factory=dict)     # Russian chunk id -> English chunk id
    sentences: dict[str, str] = field(default_factory=dict)  # Russian sentence id -> English sentence id
    terms: dict[str, str] = field(default_factory=dict)      # Russian stem -> English word
    # the English originals' chunk vectors, one row per Russian chunk in `ids` (fetched on first use)
    ids: list[str] = field(default_factory=list, compare=False, repr=False)
    vectors: np.ndarray | None = field(default=None, compare=False, repr=False)


def bridge_for(index) -> Bridge:
    """The bridge of the loaded index version: from the data dir's cache when it was made
    for exactly this index and this code (chat/index_cache.py), else learnt (~1.5 s for
    the shipped KB) and cached, so a replica or a `refuge ask` pays that once per version."""
    if "bridge" not in index.per_version:  # emptied whenever the index loads a new version
        index.per_version["bridge"] = _load(index) or _save(index, learn(index))
    return index.per_version["bridge"]


def _cache_file(index):
    import inspect
    import sys

    from chat import index_cache

    code = inspect.getsource(sys.modules[__name__])  # any change to how the table is made misses the cache
    return index_cache.side_path(index.store, index.version, [c.id for c in index.chunks], "bridge", code)


def _load(index) -> Bridge | None:
    from chat import index_cache

    saved = index_cache.read_json(_cache_file(index))
    parts = ("chunks", "sentences", "terms")
    if not isinstance(saved, dict) or saved.get("version") != index.version or \
            not all(isinstance(saved.get(k), dict) for k in parts):
        return None
    return Bridge(index.version, *(saved[k] for k in parts))


def _save(index, bridge: Bridge) -> Bridge:
    from chat import index_cache

    index_cache.write_json(_cache_file(index), {"version": bridge.version, "chunks": bridge.chunks,
                                                "sentences": bridge.sentences, "terms": bridge.terms})
    return bridge


def aligned_chunks(index) -> dict[str, str]:
    """Russian chunk id -> English chunk id, where the Russian article is `<english id>-ru`
    and the two chunks at the same position cite the same sources."""
    english = {(c.meta.get("article_id"), c.meta.get("chunk_index")): c for c in index.chunks
               if index.languages.get(c.id) == "en"}
    pairs = {}
    for c in index.chunks:
        art = str(c.meta.get("article_id", ""))
        if index.languages.get(c.id) != "ru" or not art.endswith(SUFFIX) or art in NOT_SEARCHED:
            continue
        original = english.get((art[: -len(SUFFIX)], c.meta.get("chunk_index")))
        if original is not None and original.meta.get("source_keys") == c.meta.get("source_keys"):
            pairs[c.id] = original.id
    return pairs


def learn(index) -> Bridge:
    bridge = Bridge(index.version, aligned_chunks(index))
    for ru, en in bridge.chunks.items():
        n = index.by_id[ru].meta.get("sentences")
        if isinstance(n, int) and n == index.by_id[en].meta.get("sentences"):
            bridge.sentences.update((sentence_id(ru, j), sentence_id(en, j)) for j in range(n))
    if not bridge.sentences:
        return bridge
    got = index.store.sentences.get(ids=[*bridge.sentences, *bridge.sentences.values()], include=["documents"])
    text = dict(zip(got["ids"], got["documents"]))
    pairs = [(text[ru], text[en]) for ru, en in bridge.sentences.items() if ru in text and en in text]
    pairs += [(index.by_id[ru].meta.get(k, ""), index.by_id[en].meta.get(k, ""))
              for ru, en in bridge.chunks.items() for k in ("title", "section")]
    bridge.terms = _term_table([(set(bm25_tokens(r)), set(bm25_tokens(e))) for r, e in pairs],
                               _surface_words([e for _, e in pairs], bm25_tokens))
    return bridge


def _term_table(pairs: list[tuple[set, set]], surface: dict[str, str]) -> dict[str, str]:
    """Russian stem -> its most probable English word under IBM Model 1, when reliable.

    Plain co-occurrence (Dice) fails where Russian uses several stems for one English
    word: 'московск' (Moscow as an adjective) came out as 'mechanism' (the "Moscow
    Mechanism"), 'пыта' (пытали) as nothing, because 'tortur' also stands for 'пытк'.
    Model 1's EM shares each English word among the Russian words of its sentence, so a
    word explained by one Russian stem is not credited to the others."""
    pairs = [(sorted(ru), sorted(en)) for ru, en in pairs]  # one order of sums and ties in every process
    n_ru = Counter(r for ru, _ in pairs for r in ru)
    t = _model1(pairs)
    best: dict[str, tuple[float, str]] = {}
    for (e, r), p in t.items():  # built from sorted lists: the same order, so the same ties, in every run
        if r is not None and r != e and p > best.get(r, (0.0, ""))[0]:
            best[r] = (p, e)
    return {r: surface.get(e, e) for r, (p, e) in best.items()
            if p >= MIN_PROBABILITY and n_ru[r] >= MIN_PAIRS and not r.isascii()}


def _model1(pairs: list[tuple[list, list]], iterations: int = ITERATIONS) -> dict:
    """IBM Model 1 (Brown et al., 1993) by EM over aligned sentence pairs:
    (English token, Russian token or None) -> P(English | Russian). None is the empty
    word, which takes English words with no Russian counterpart. Tokens come as sorted
    lists: iterating sets would follow PYTHONHASHSEED, and so would the table."""
    t = {(e, r): 1.0 for ru, en in pairs for e in en for r in (*ru, None)}
    for _ in range(iterations):
        count: dict = defaultdict(float)
        total: dict = defaultdict(float)
        for ru, en in pairs:
            source = (*ru, None)
            for e in en:
                z = sum(t[(e, r)] for r in source)
                for r in source:
                    share = t[(e, r)] / z
                    count[(e, r)] += share
                    total[r] += share
        t = {key: c / total[key[1]] for key, c in count.items()}
    return t


def _surface_words(texts: list[str], tokens) -> dict[str, str]:
    """English stem -> its most frequent written form ('tortur' -> 'tortured')."""
    seen = Counter((stem, w) for text in texts for w in words(text) for stem in tokens(w)[:1])
    out: dict[str, str] = {}
    for (stem, w), _ in seen.most_common():
        out.setdefault(stem, w)
    return out


def to_english(index, bridge: Bridge, query: str, glossary: bool = False) -> tuple[str, float]:
    """The question's words in English, as far as the term table knows them (words already
    in Latin script and numbers are kept), and the share of its words that made it. With
    `glossary`, the hand-written table (`glossary_ru_en.txt`) is asked first: it knows the
    words of topics only English articles cover."""
    terms = glossary_terms() if glossary else {}
    out, toks = [], index.correct(query)  # one corrected token for each of the query's tokens
    for tok, seen in zip(toks, bm25_tokens(query) if terms else toks):
        english = terms.get(seen) or terms.get(tok) or (_close(seen, terms) if terms else None)
        if english == "-":  # a word the glossary says carries no topic ("такое", "называют")
            continue
        if english:
            out.append(english)
        elif tok.isascii():
            out.append(tok)
        elif tok in bridge.terms:
            out.append(bridge.terms[tok])
    return " ".join(dict.fromkeys(out)), len(out) / max(1, len(toks))


GLOSSARY = Path(__file__).with_name("glossary_ru_en.txt")


@lru_cache(maxsize=1)
def glossary_terms(path: Path = GLOSSARY) -> dict[str, str]:
    """Russian stem -> English words, from the hand-written glossary (comments and blank
    lines skipped; each comma-separated Russian word stemmed as the search stems it, a
    phrase of two words skipped; "-" for a word to leave out)."""
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        left, sep, right = line.partition("=")
        if line.lstrip().startswith("#") or not sep or not right.strip():
            continue
        for word in left.split(","):
            stems = bm25_tokens(word)  # a hyphenated word: the whole word first, then its parts
            if stems and " " not in word.strip():
                table.setdefault(stems[0], right.strip())
    return table


def _close(tok: str, terms: dict[str, str]) -> str | None:
    """The glossary entry for a misspelt Russian word ('пропоганды'), if one is close."""
    import difflib

    if len(tok) < 5 or tok.isascii():
        return None
    close = difflib.get_close_matches(tok, [t for t in terms if t[:1] == tok[:1]], n=1, cutoff=0.8)
    return terms[close[0]] if close else None


def dense_hits(index, embedder, query: str, k: int) -> tuple[dict[str, float], float]:
    """The 2k Russian chunks whose English originals are most similar to the question put
    into English: chunk id -> cosine, best first; and the share of the question's words the
    English text carries. Exact, over the originals only: one product with their vectors
    (a Chroma search over every English chunk fell back to a filtered scan at 100,000)."""
    bridge = bridge_for(index)
    english, share = to_english(index, bridge, query)
    if not english or not bridge.chunks:
        return {}, 0.0
    ids, vectors = original_vectors(index, bridge)
    scores = vectors @ np.asarray(embedder.embed_query(english), dtype=np.float32)
    top = np.argsort(-scores)[:2 * k]  # the old Chroma search kept ~30-40 of its 80 English hits
    return {ids[i]: float(scores[i]) for i in top}, share


def original_vectors(index, bridge: Bridge) -> tuple[list[str], np.ndarray]:
    """(Russian chunk ids, the matrix of their English originals' stored vectors)."""
    if bridge.vectors is None and not bridge.chunks:  # no translations indexed (Chroma refuses an empty get)
        bridge.ids, bridge.vectors = [], np.zeros((0, 1), dtype=np.float32)
    if bridge.vectors is None:
        got = index.store.chunks.get(ids=list(bridge.chunks.values()), include=["embeddings"])
        vec = {cid: np.asarray(v, dtype=np.float32) for cid, v in zip(got["ids"], got["embeddings"])}
        pairs = [(ru, vec[en]) for ru, en in bridge.chunks.items() if en in vec]
        bridge.ids = [ru for ru, _ in pairs]
        bridge.vectors = np.stack([v for _, v in pairs]) if pairs else np.zeros((0, 1), dtype=np.float32)
    return bridge.ids, bridge.vectors


def sentence_vectors(store, bridge: Bridge, sentence_ids: list[str]) -> dict[str, np.ndarray]:
    """Russian sentence id -> the vector of its English original (for those that have one)."""
    wanted = {sid: bridge.sentences[sid] for sid in sentence_ids if sid in bridge.sentences}
    if not wanted:
        return {}
    got = store.sentences.get(ids=list(wanted.values()), include=["embeddings"])
    vec = {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"])}
    return {ru: vec[en] for ru, en in wanted.items() if en in vec}

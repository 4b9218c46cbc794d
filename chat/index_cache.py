"""A local cache of the index's BM25 side, so `refuge serve` over a large knowledge base
starts without tokenising and stemming every chunk again (43 s of a 100,000-chunk start).

One file per collection under `<data dir>/index-cache/`, named after a key made of the
store's knowledge-base version stamp, a fingerprint of the tokenizer (the source of
`bm25_tokens` and the helpers it calls, the stop words, the stemmer and bm25s versions) and
a digest of the live chunk ids in load order, so it is only ever used for the exact index
it was made from: a new ingest, another kb_version on a shared Chroma server or an edited
tokenizer all miss and rebuild. Each `refuge serve` replica keeps its own (the data dir is
local). Written under a temporary name and renamed; a file that cannot be read (partial,
corrupt: the zip CRC of each array is checked on read, wrong format or key) is ignored,
and the next load writes a good one.
"""
from __future__ import annotations

import hashlib
import inspect
import os
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np

FORMAT = "1"  # bump when what is stored changes
SEP = "\x00"  # joins the vocabulary into one string (tokens are words: never contain it)


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Changes whenever the tokens BM25 is built from could change."""
    import bm25s
    import Stemmer

    from chat import index
    from kb import text

    parts = [FORMAT, bm25s.__version__, Stemmer.version(), text.WORD_RE.pattern,
             " ".join(sorted(text.STOPWORDS_EN)), " ".join(sorted(text.STOPWORDS_RU))]
    parts += [inspect.getsource(f) for f in (index.bm25_tokens, text.words, text.language_of)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def cache_path(store, kb_version, chunk_ids: list[str]) -> Path | None:
    """Where the cache for this exact index lives; None when there is no local data dir
    or no version stamp to key it by."""
    settings = getattr(store, "settings", None)
    if settings is None or not kb_version:
        return None
    ids = hashlib.sha256(SEP.join(chunk_ids).encode()).hexdigest()[:16]
    key = hashlib.sha256(f"{kb_version}|{fingerprint()}|{ids}".encode()).hexdigest()[:20]
    return Path(settings.data_dir) / "index-cache" / f"bm25-{store.name}-{key}.npz"


def pack(bm25, tokens: dict, idf: dict, latin_in_ru: set, chunk_ids: list[str]) -> dict:
    """The arrays that rebuild the BM25 object and the term tables exactly."""
    vocab = sorted(bm25.vocab_dict, key=bm25.vocab_dict.get)
    ids = bm25.vocab_dict
    per_doc = [np.fromiter((ids[t] for t in tokens[cid]), dtype=np.int32) for cid in chunk_ids]
    return {"vocab": np.frombuffer(SEP.join(vocab).encode(), dtype=np.uint8),
            "data": bm25.scores["data"], "indices": bm25.scores["indices"], "indptr": bm25.scores["indptr"],
            "num_docs": np.int64(bm25.scores["num_docs"]),
            "doc_tokens": np.concatenate(per_doc) if per_doc else np.zeros(0, np.int32),
            "doc_indptr": np.cumsum([0] + [len(p) for p in per_doc], dtype=np.int64),
            "idf_ids": np.fromiter((ids[t] for t in idf), dtype=np.int32, count=len(idf)),
            "idf": np.fromiter(idf.values(), dtype=np.float64, count=len(idf)),
            "latin_in_ru": np.fromiter((ids[t] for t in sorted(latin_in_ru)), dtype=np.int32)}


def unpack(saved: dict, chunk_ids: list[str]):
    """(bm25, tokens, idf, latin_in_ru) from `pack`'s arrays."""
    import bm25s

    vocab = saved["vocab"].tobytes().decode().split(SEP)
    bm25 = bm25s.BM25()
    bm25.vocab_dict = {tok: i for i, tok in enumerate(vocab)}
    bm25.unique_token_ids_set = set(bm25.vocab_dict.values())
    bm25.nonoccurrence_array = None
    bm25.scores = {"data": saved["data"], "indices": saved["indices"], "indptr": saved["indptr"],
                   "num_docs": int(saved["num_docs"])}
    words = np.asarray(vocab, dtype=object)[saved["doc_tokens"]].tolist()
    bounds = saved["doc_indptr"].tolist()
    tokens = {cid: set(words[bounds[i]:bounds[i + 1]]) for i, cid in enumerate(chunk_ids)}
    idf = dict(zip((vocab[i] for i in saved["idf_ids"].tolist()), saved["idf"].tolist()))
    latin = {vocab[i] for i in saved["latin_in_ru"].tolist()}
    return bm25, tokens, idf, latin


def read(path: Path | None, n_chunks: int) -> dict | None:
    """The cached arrays, or None when missing or unreadable (then it is rebuilt)."""
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            saved = {name: npz[name] for name in npz.files}
        if int(saved["num_docs"]) != n_chunks or len(saved["doc_indptr"]) != n_chunks + 1:
            return None
        return saved
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


def write(path: Path | None, arrays: dict) -> None:
    """Save atomically (temporary file, then rename) and drop this collection's older
    caches. A failure to write only costs the next start a rebuild."""
    if path is None:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return
    prefix = path.name.rsplit("-", 1)[0] + "-"
    for old in path.parent.glob(f"{prefix}{'?' * 20}.npz"):
        if old != path:
            old.unlink(missing_ok=True)

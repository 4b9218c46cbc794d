"""The index's BM25 cache (chat/index_cache.py): an index loaded from the cache equals
one built from the text, attribute by attribute and score by score; the cache is only
used for the exact index it was made from, and a damaged file is ignored and rewritten."""
from __future__ import annotations

import numpy as np
import pytest

from chat import index_cache
from chat.index import Index
from kb.store import open_store

QUERIES = ["chechnya purge 2017", "propaganda law fines", "non-refoulement", "как подать на убежище",
           "пропаганда ЛГБТ", "yogyakarta principles gender identity", "propoganda"]


def _cache_files(settings):
    return sorted((settings.data_dir / "index-cache").glob("bm25-*.npz"))


def _built_and_cached(settings):
    for old in _cache_files(settings):
        old.unlink()
    built = Index(open_store(settings)).load()  # no cache yet: tokenises every chunk, writes the cache
    assert len(_cache_files(settings)) == 1
    cached = Index(open_store(settings)).load()
    return built, cached


def _same(a: Index, b: Index) -> None:
    assert [c.id for c in a.chunks] == [c.id for c in b.chunks]
    assert a.tokens == b.tokens and a.idf == b.idf and a.max_idf == b.max_idf
    assert a.latin_in_ru == b.latin_in_ru and a.languages == b.languages
    assert {k: sorted(v) for k, v in a._by_prefix.items()} == {k: sorted(v) for k, v in b._by_prefix.items()}
    assert a.bm25.vocab_dict == b.bm25.vocab_dict
    for name in ("data", "indices", "indptr", "num_docs"):
        assert np.array_equal(a.bm25.scores[name], b.bm25.scores[name])
    for q in QUERIES:
        assert a.correct(q) == b.correct(q)
        assert np.array_equal(a.bm25_scores(q), b.bm25_scores(q))
        assert a.coverage(q, [c.id for c in a.chunks[:5]]) == b.coverage(q, [c.id for c in b.chunks[:5]])


def test_cached_index_equals_built_index(shipped):
    settings, _ = shipped
    built, cached = _built_and_cached(settings)
    assert any(np.any(built.bm25_scores(q)) for q in QUERIES)
    _same(built, cached)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip"])
def test_damaged_cache_is_ignored_and_rewritten(shipped, damage):
    settings, _ = shipped
    built, _ = _built_and_cached(settings)
    (path,) = _cache_files(settings)
    raw = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        path.write_bytes(b"not a cache" * 10)
    else:  # one byte inside the stored arrays changed: the zip CRC check catches it
        middle = len(raw) // 2
        path.write_bytes(raw[:middle] + bytes([raw[middle] ^ 0xFF]) + raw[middle + 1 :])
    assert index_cache.read(path, len(built.chunks)) is None
    _same(built, Index(open_store(settings)).load())
    assert index_cache.read(path, len(built.chunks)) is not None  # rewritten whole


def test_cache_is_keyed_by_version_and_chunks(shipped):
    settings, _ = shipped
    store = open_store(settings)
    ids = ["a:000:1", "b:000:2"]
    path = index_cache.cache_path(store, "v1", ids)
    assert path.parent == settings.data_dir / "index-cache"
    assert index_cache.cache_path(store, "v2", ids) != path
    assert index_cache.cache_path(store, "v1", ids[::-1]) != path
    assert index_cache.cache_path(store, "v1", ids[:1]) != path
    assert index_cache.cache_path(store, "", ids) is None  # no version stamp: never cached


def test_a_new_ingest_does_not_use_the_old_cache(small_kb_ingested):
    from ingest.pipeline import run_ingest

    settings, root, ids = small_kb_ingested
    first = Index(open_store(settings)).load()
    (old,) = _cache_files(settings)
    article = next(root.rglob(f"{ids[0]}.md"))
    head, body = article.read_text().split("\n## ", 1)
    article.write_text(head + "\n## " + body.replace(" the ", " the Zyzzyva ", 1))
    run_ingest(settings, progress=False)
    second = Index(open_store(settings)).load()
    assert second.version != first.version
    assert "zyzzyva" in second.idf and "zyzzyva" not in first.idf
    assert _cache_files(settings) != [old] and len(_cache_files(settings)) == 1  # old one dropped

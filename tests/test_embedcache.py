"""The embedding cache: a rebuild of an unchanged knowledge base embeds nothing, cached
vectors equal fresh ones (both at float16 precision), the key includes the model, and a broken file is replaced."""
from __future__ import annotations

import numpy as np

from ingest.pipeline import run_ingest
from kb.embedcache import EmbedCache, open_cache
from kb.vectorpack import rounded
from tests.test_ingest import counting, snapshot  # noqa: F401  (fixture)


def test_rebuild_of_an_unchanged_kb_embeds_nothing(cold_kb, counting):  # noqa: F811
    settings, _, ids = cold_kb
    first = run_ingest(settings, progress=False)
    assert first.embedded == counting.count > 0 and first.cached == 0
    before = snapshot(settings)
    counting.count = 0
    rebuilt = run_ingest(settings, progress=False, rebuild=True)
    assert counting.count == 0 and rebuilt.embedded == 0
    assert rebuilt.cached >= first.embedded and sorted(rebuilt.updated) == sorted(ids)
    assert snapshot(settings)[:2] == before[:2]


def test_cached_vectors_equal_fresh_ones(cold_kb, embedder):
    settings, _, _ = cold_kb
    cache = open_cache(settings, settings.embed_model)
    texts = ["The Refugee Convention was adopted in 1951.", "Что такое убежище?"]
    calls = []
    first = cache.embed(texts, lambda items: calls.append(items) or embedder.embed_documents(items))
    again = cache.embed(texts, lambda items: calls.append(items) or embedder.embed_documents(items))
    assert calls == [texts] and cache.hits == 2 and cache.misses == 2
    fresh = embedder.embed_documents(texts)
    assert np.allclose(first, [rounded(v) for v in fresh], atol=1e-6)  # kept at float16 precision
    assert not np.allclose(first, fresh, atol=1e-7)  # ... which is not the model's float32
    assert all(np.array_equal(a, b) for a, b in zip(first, again))


def test_the_key_includes_the_model(tmp_path):
    path = tmp_path / "cache.sqlite3"
    EmbedCache(path, "model-a").put({"h": np.ones(3)})
    assert EmbedCache(path, "model-b").get(["h"]) == {}
    assert np.array_equal(EmbedCache(path, "model-a").get(["h"])["h"], np.ones(3, dtype=np.float32))


def test_an_unreadable_cache_is_replaced(cold_kb):
    settings, _, _ = cold_kb
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.embed_cache_path.write_bytes(b"not a database at all" * 100)
    cache = open_cache(settings, "m")
    assert cache.embed(["a"], lambda items: [np.zeros(2) for _ in items])[0].shape == (2,)

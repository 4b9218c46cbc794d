"""The vector pack (kb/vectorpack.py): the shipped articles' vectors kept beside them, so a
fresh clone's first ingest reads them instead of embedding for ten minutes. A pack written by
`--pack` makes a cold ingest embed nothing and gives the same index; it covers every text of
the shipped knowledge base; the same vectors give the same bytes; a broken file only costs
embedding."""
from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from ingest.loader import find_articles, load_and_check
from ingest.pipeline import pack_texts, run_ingest
from kb.embedcache import text_hash
from kb.embedder import model_id
from kb.errors import ConfigError
from kb.settings import get_settings
from kb.store import open_store
from kb.vectorpack import pack_dir, read_pack, remove_others, rounded, write_article
from tests.test_ingest import _first_key, counting  # noqa: F401  (fixture)


def _vectors(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {text_hash(f"text {i}"): rng.normal(size=8).astype(np.float32) for i in range(n)}


def test_a_pack_reads_back_at_float16_precision_and_rewrites_nothing_unchanged(tmp_path):
    items = _vectors(5)
    assert write_article(tmp_path, "art-a", items) is True
    first = (tmp_path / "art-a.npy").read_bytes()
    assert write_article(tmp_path, "art-a", dict(reversed(items.items()))) is False  # same vectors, any order
    assert (tmp_path / "art-a.npy").read_bytes() == first
    back = read_pack(tmp_path)
    assert set(back) == set(items)
    assert all(np.array_equal(back[h], rounded(v)) and not np.array_equal(back[h], v) for h, v in items.items())
    changed = dict(items, **{next(iter(items)): np.zeros(8, dtype=np.float32)})
    assert write_article(tmp_path, "art-a", changed) is True


def test_files_of_articles_no_longer_vetted_are_removed_and_a_broken_one_is_skipped(tmp_path):
    write_article(tmp_path, "kept", _vectors(2))
    write_article(tmp_path, "retired", _vectors(2, seed=1))
    assert remove_others(tmp_path, {"kept"}) == ["retired"]
    (tmp_path / "broken.npy").write_bytes(b"\x93NUMPY not really")
    assert set(read_pack(tmp_path)) == set(_vectors(2))
    assert read_pack(tmp_path / "missing") == {}


def test_a_cold_ingest_reads_the_pack_and_builds_the_same_index(small_kb, counting):  # noqa: F811
    settings, root, ids = small_kb
    first = run_ingest(settings, progress=False, pack=True)
    folder = pack_dir(root, model_id(settings.embed_model))
    assert sorted(p.stem for p in folder.glob("*.npy")) == sorted(ids) and sorted(first.pack_written) == sorted(ids)
    cold = dataclasses.replace(settings, data_dir=settings.data_dir.parent / "cold", embed_cache_file=None)
    counting.count = 0
    again = run_ingest(cold, progress=False)
    assert counting.count == 0 and again.embedded == 0 and again.packed > 100
    assert _store_vectors(cold) == _store_vectors(settings)
    assert run_ingest(settings, progress=False, pack=True).pack_written == []  # nothing changed, nothing written


def _store_vectors(settings) -> dict:
    got = open_store(settings).sentences.get(include=["embeddings"])
    return {i: np.asarray(v, dtype=np.float32).tobytes() for i, v in zip(got["ids"], got["embeddings"])}


def test_an_article_edit_rewrites_only_its_file_and_a_retired_one_loses_its_file(small_kb, counting):  # noqa: F811
    settings, root, ids = small_kb
    run_ingest(settings, progress=False, pack=True)
    path = next(root.rglob(f"{ids[0]}.md"))
    text = path.read_text()
    path.write_text(text.rstrip() + "\n\n## Test section\n\nA sentence added for the test.[^" + _first_key(text) + "]\n")
    retired = next(root.rglob(f"{ids[1]}.md"))
    retired.write_text(retired.read_text().replace("status: vetted", "status: retired", 1))
    report = run_ingest(settings, progress=False, pack=True)
    assert sorted(report.pack_written) == sorted([ids[0], f"-{ids[1]}"])


def test_pack_with_paths_is_refused(small_kb):
    settings, root, _ = small_kb
    with pytest.raises(ConfigError, match="--pack"):
        run_ingest(settings, [root / "articles"], pack=True)


def test_the_shipped_pack_holds_every_text_of_the_shipped_kb(shipped):
    """What keeps a fresh clone's first ingest (and CI) from embedding for ten minutes: after
    editing an article, `refuge ingest --pack` and commit kb/vectors."""
    settings = get_settings({"REFUGE_EMBED_CACHE": str(shipped[0].embed_cache_path)})
    files, _ = find_articles([settings.kb_dir], settings.kb_dir, documents=True)
    articles, _ = load_and_check(files, dt.date.today())
    vetted = {a.id: a for a in articles if a.status == "vetted"}
    model = model_id(settings.embed_model)
    packed = read_pack(pack_dir(settings.kb_dir, model))
    missing = {art_id: sum(text_hash(t) not in packed for t in texts)
               for art_id, texts in pack_texts(settings, model, vetted).items()}
    stale = {art_id: n for art_id, n in missing.items() if n}
    assert not stale, f"kb/vectors lacks texts of {stale}: run `refuge ingest --pack` and commit kb/vectors"
    extra = {p.stem for p in pack_dir(settings.kb_dir, model).glob("*.npy")} - set(vetted)
    assert not extra, f"kb/vectors has files of articles that are not vetted: {sorted(extra)}"

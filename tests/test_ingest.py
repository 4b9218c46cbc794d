"""Ingest against a real embedded Chroma and the real model: incremental, and
all-or-nothing when any file is bad."""
from __future__ import annotations

import json

import pytest

from ingest.pipeline import run_ingest
from kb.errors import ValidationFailed
from kb.store import open_store


class CountingEmbedder:
    """Wraps the real embedder to count what is embedded (the vectors stay real)."""

    def __init__(self, real):
        self.real, self.count = real, 0
        self.batch_size, self.model = real.batch_size, real.model

    def embed_documents(self, texts):
        self.count += len(texts)
        return self.real.embed_documents(texts)


@pytest.fixture
def counting(monkeypatch, embedder):
    spy = CountingEmbedder(embedder)
    monkeypatch.setattr("ingest.pipeline.get_embedder", lambda model, settings=None: spy)
    return spy


def snapshot(settings):
    store = open_store(settings)
    got = store.chunks.get(include=["metadatas"])
    return sorted(got["ids"]), store.sentences.count(), settings.manifest_path.read_text()


def test_ingest_then_nothing_changed(cold_kb, counting):
    settings, _, ids = cold_kb
    first = run_ingest(settings, progress=False)
    assert sorted(first.added) == sorted(ids) and first.chunks_written > 0
    assert counting.count > first.chunks_written  # chunks and their sentences
    chunk_ids, n_sentences, _ = snapshot(settings)
    assert {i.split(":")[0] for i in chunk_ids} == set(ids)
    assert n_sentences > len(chunk_ids)
    counting.count = 0
    second = run_ingest(settings, progress=False)
    assert counting.count == 0 and second.chunks_written == 0
    assert sorted(second.unchanged) == sorted(ids)
    assert snapshot(settings)[0] == chunk_ids


def test_editing_one_article_replaces_only_its_chunks(small_kb_ingested, counting):
    settings, root, ids = small_kb_ingested
    before = snapshot(settings)[0]
    path = next(root.rglob("rights-yogyakarta-principles.md"))
    text = path.read_text()
    marker = "Refuge test sentence about the Yogyakarta Principles in Geneva."
    path.write_text(text.rstrip() + f"\n\n## Test section\n\n{marker}[^" + _first_key(text) + "]\n")
    counting.count = 0
    report = run_ingest(settings, progress=False)
    assert report.updated == ["rights-yogyakarta-principles"] and not report.added
    after = snapshot(settings)[0]
    others_before = [i for i in before if not i.startswith("rights-yogyakarta")]
    assert [i for i in after if not i.startswith("rights-yogyakarta")] == others_before
    store = open_store(settings)
    docs = store.chunks.get(where={"article_id": "rights-yogyakarta-principles"}, include=["documents"])
    assert any(marker in d for d in docs["documents"])
    assert counting.count < 40  # only the edited article was embedded


def _first_key(text: str) -> str:
    import re

    return re.search(r"key:\s*(\S+)", text).group(1)


def test_deleting_and_retiring_remove_chunks(small_kb_ingested):
    settings, root, ids = small_kb_ingested
    next(root.rglob("russia-propaganda-law-2013.md")).unlink()
    retired = next(root.rglob("chechnya-purge-2017.md"))
    retired.write_text(retired.read_text().replace("status: vetted", "status: retired", 1))
    report = run_ingest(settings, progress=False)
    assert sorted(report.removed) == ["chechnya-purge-2017", "russia-propaganda-law-2013"]
    chunk_ids, _, manifest = snapshot(settings)
    assert not [i for i in chunk_ids if i.startswith(("chechnya-purge-2017", "russia-propaganda"))]
    assert "chechnya-purge-2017" not in json.loads(manifest)["articles"]
    store = open_store(settings)
    assert not store.sentences.get(where={"article_id": "chechnya-purge-2017"})["ids"]


def test_drafts_are_skipped(small_kb):
    settings, root, ids = small_kb
    path = next(root.rglob("asylum-refugee-convention-psg.md"))
    path.write_text(path.read_text().replace("status: vetted", "status: draft", 1))
    report = run_ingest(settings, progress=False)
    assert report.skipped == ["asylum-refugee-convention-psg"]
    assert "asylum-refugee-convention-psg" not in report.added


@pytest.mark.parametrize("breakage", [
    lambda t: t.replace("topic:", "topic: cooking\nx_topic:", 1),
    lambda t: t.replace("---", "", 1),
    lambda t: t.replace("reviewed_on:", "reviewed_on: 2099-01-01\nold_reviewed_on:", 1),
    lambda t: t + "\n\nA final paragraph without any footnote.\n",
    lambda t: t + "\n\nCites a ghost source.[^no-such-key]\n",
])
def test_a_bad_file_writes_nothing(small_kb_ingested, breakage):
    settings, root, ids = small_kb_ingested
    before = snapshot(settings)
    victim = next(root.rglob("asylum-refugee-convention-psg.md"))
    victim.write_text(breakage(victim.read_text()))
    edited = next(root.rglob("rights-yogyakarta-principles.md"))  # a valid change that must NOT land
    edited.write_text(edited.read_text().replace("##", "## Extra\n\nValid new text about Yogyakarta.[^"
                                                 + _first_key(edited.read_text()) + "]\n\n##", 1))
    with pytest.raises(ValidationFailed) as exc:
        run_ingest(settings, progress=False)
    assert any("asylum-refugee-convention-psg.md" in p.file for p in exc.value.problems)
    assert snapshot(settings) == before


def test_corrupted_manifest_is_rebuilt_without_duplicates(small_kb_ingested, counting):
    settings, root, ids = small_kb_ingested
    before = snapshot(settings)[0]
    settings.manifest_path.write_text("{not json")
    counting.count = 0
    report = run_ingest(settings, progress=False)
    assert counting.count == 0 and sorted(report.unchanged) == sorted(ids)
    assert snapshot(settings)[0] == before
    settings.manifest_path.unlink()
    run_ingest(settings, progress=False)
    assert snapshot(settings)[0] == before


def test_dry_run_writes_nothing(small_kb):
    settings, root, ids = small_kb
    report = run_ingest(settings, dry_run=True, progress=False)
    assert sorted(report.added) == sorted(ids)
    assert not settings.manifest_path.exists()


def test_records_by_id_are_read_in_pages(tmp_path):
    """At 100,000 chunks one `get` of every pair question's id failed ("too many SQL variables"): ids go in pages."""
    from tests.conftest import settings_from

    store = open_store(settings_from({"REFUGE_DATA_DIR": str(tmp_path / "data")}))
    ids = [f"s{i}" for i in range(7)]
    store.sentences.add(ids=ids, documents=[f"text {i}" for i in ids], embeddings=[[float(i), 1.0] for i in range(7)],
                        metadatas=[{"n": i} for i in range(7)])
    got = store.get_by_ids("sentences", ids[::-1] + ["missing"], ["documents", "metadatas"], page=3)
    assert sorted(got["ids"]) == ids
    assert {doc: meta["n"] for doc, meta in zip(got["documents"], got["metadatas"])} == {f"text s{i}": i for i in range(7)}
    assert store.get_by_ids("sentences", [], ["documents"]) == {"ids": [], "documents": []}

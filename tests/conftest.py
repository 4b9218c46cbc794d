"""Shared fixtures. All on-disk state goes to a temp dir (autouse), the embedding model
is loaded once per session, and the shipped knowledge base is ingested once per session
into its own temp store for the tests that ask questions of it."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kb.settings import PROJECT_ROOT, get_settings

KB_ARTICLES = PROJECT_ROOT / "kb" / "articles"


@pytest.fixture(scope="session")
def onnx_dir(tmp_path_factory):
    """One folder for the model's ONNX export, shared by the whole session: `refuge ingest`
    exports into it once (~5 s) instead of into every fresh data dir."""
    return tmp_path_factory.mktemp("onnx")


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch, onnx_dir):
    monkeypatch.setenv("REFUGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REFUGE_ONNX_DIR", str(onnx_dir))
    for name in ("REFUGE_CHROMA_HOST", "REFUGE_CHROMA_PORT", "REFUGE_LLM", "REFUGE_KB_DIR", "REFUGE_COLLECTION"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def embedder():
    from kb.embedder import get_embedder

    emb = get_embedder(get_settings({}).embed_model)
    emb.embed_query("warm up")
    return emb


@pytest.fixture(scope="session")
def shipped(tmp_path_factory, embedder):
    """The shipped knowledge base, ingested once: (settings, assistant)."""
    from chat.assistant import Assistant
    from ingest.pipeline import run_ingest

    data = tmp_path_factory.mktemp("shipped")
    seed = os.environ.get("REFUGE_TEST_EMBED_CACHE")  # optional: an embedding cache to start from (same vectors, faster)
    if seed and Path(seed).is_file():
        shutil.copy(seed, data / "embed-cache.sqlite3")
    settings = get_settings({"REFUGE_DATA_DIR": str(data)})
    run_ingest(settings, progress=False)
    return settings, Assistant(settings)


def copy_articles(dest: Path, ids: list[str]) -> Path:
    """Copy named shipped articles into a fresh kb folder under `dest`."""
    root = dest / "kb"
    for art_id in ids:
        src = next(KB_ARTICLES.rglob(f"{art_id}.md"))
        target = root / "articles" / src.parent.name / src.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, target)
    return root


@pytest.fixture
def small_kb(tmp_path):
    """A temp knowledge base of four shipped articles, and settings pointing at it."""
    ids = ["chechnya-purge-2017", "russia-propaganda-law-2013", "asylum-refugee-convention-psg",
           "rights-yogyakarta-principles"]
    root = copy_articles(tmp_path, ids)
    settings = get_settings({"REFUGE_DATA_DIR": str(tmp_path / "data"), "REFUGE_KB_DIR": str(root)})
    return settings, root, ids

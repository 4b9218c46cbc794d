"""Server mode against a real `chroma run` on loopback: the same answers as embedded
mode, two `refuge serve` replicas that agree, a re-ingest both replicas pick up
without a restart, and one writer at a time."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chat.assistant import Assistant
from evals.bench_serve import wait_for
from ingest.pipeline import run_ingest
from kb.errors import IngestLocked
from kb.store import open_store
from tests.conftest import settings_from
from tests.web_server import free_port

pytestmark = pytest.mark.server
BIN = Path(sys.executable).parent
QUESTIONS = ["What are the Yogyakarta Principles?", "what is russia's 2013 gay propaganda law",
             "can being gay count as a particular social group", "how did the purge in chechnya start"]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([str(BIN / "chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v2/heartbeat")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def settings_for(tmp_path, root, port=None, name="data"):
    env = {"REFUGE_DATA_DIR": str(tmp_path / name), "REFUGE_KB_DIR": str(root)}
    if port:
        env.update(REFUGE_CHROMA_HOST="127.0.0.1", REFUGE_CHROMA_PORT=str(port))
    return settings_from(env)


def strip(result: dict) -> tuple:
    return result["answer"], [(c["chunk_id"], c["quote"]) for c in result["citations"]]


def test_server_mode_matches_embedded_and_replicas_agree(small_kb, chroma_server, tmp_path):
    _, root, _ = small_kb
    server = settings_for(tmp_path, root, chroma_server, "server-data")
    embedded = settings_for(tmp_path, root)
    run_ingest(server, progress=False)
    run_ingest(embedded, progress=False)
    in_server, in_process = Assistant(server), Assistant(embedded)
    expected = {q: strip(in_process.ask(q)) for q in QUESTIONS}
    assert all(strip(in_server.ask(q)) == expected[q] for q in QUESTIONS)

    ports = [free_port(), free_port()]
    env = dict(os.environ, REFUGE_CHROMA_HOST="127.0.0.1", REFUGE_CHROMA_PORT=str(chroma_server),
               REFUGE_DATA_DIR=str(tmp_path / "replica-data"))
    replicas = [subprocess.Popen([str(BIN / "refuge"), "serve", "--port", str(p)], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in ports]
    try:
        for p in ports:
            wait_for(f"http://127.0.0.1:{p}/healthz", 180)
        from gradio_client import Client

        clients = [Client(f"http://127.0.0.1:{p}", verbose=False) for p in ports]
        for q in QUESTIONS:
            answers = [c.predict(q, api_name="/ask") for c in clients]
            assert [strip(a) for a in answers] == [expected[q], expected[q]]

        article = next(root.rglob("rights-yogyakarta-principles.md"))
        key = __import__("re").search(r"key:\s*(\S+)", article.read_text()).group(1)
        marker = "The Refuge replica test marks the Yogyakarta Principles with a unique sentence in Geneva."
        article.write_text(article.read_text().rstrip() + f"\n\n## Replica test\n\n{marker}[^{key}]\n")
        run_ingest(server, progress=False)
        deadline = time.monotonic() + 30
        seen = [False, False]
        while time.monotonic() < deadline and not all(seen):
            for i, c in enumerate(clients):
                quotes = " ".join(x["quote"] for x in c.predict("replica test unique sentence Yogyakarta Geneva",
                                                               api_name="/ask")["citations"])
                seen[i] = marker in quotes
            time.sleep(1)
        assert seen == [True, True]  # both replicas serve the new text without a restart
    finally:
        for r in replicas:
            r.terminate()
            r.wait(timeout=20)


def test_one_writer_at_a_time_in_server_mode(small_kb, chroma_server, tmp_path):
    _, root, _ = small_kb
    settings = settings_for(tmp_path, root, chroma_server, "lease-data")
    store = open_store(settings)
    from ingest.lock import writer_lock

    with writer_lock(settings, store):
        with pytest.raises(IngestLocked, match="another ingest is running .* since"):
            run_ingest(settings, progress=False)
    run_ingest(settings, progress=False)  # released: the next ingest proceeds

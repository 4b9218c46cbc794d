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
from tests.web_server import free_port, stop

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
        deadline = time.monotonic() + 120  # a deadline, not a timing: under a loaded 2-core CI a refresh took > 30 s
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
        for r in replicas:
            stop(r)


def test_one_writer_at_a_time_in_server_mode(small_kb, chroma_server, tmp_path):
    _, root, _ = small_kb
    settings = settings_for(tmp_path, root, chroma_server, "lease-data")
    store = open_store(settings)
    from ingest.lock import writer_lock

    with writer_lock(settings, store):
        with pytest.raises(IngestLocked, match="another ingest is running .* since"):
            run_ingest(settings, progress=False)
    run_ingest(settings, progress=False)  # released: the next ingest proceeds


def _chroma(path, host: str, port: int, **env):
    return subprocess.Popen([str(BIN / "chroma"), "run", "--path", str(path), "--host", host, "--port", str(port)],
                            env=dict(os.environ, **env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _own_address() -> str | None:
    """A non-loopback IPv4 address of this machine, if it has one."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def test_chroma_run_does_not_enforce_a_token_in_this_version(tmp_path):
    """chromadb 1.5.9's `chroma run` (the Rust server) ignores CHROMA_SERVER_AUTHN_*: a request
    without the token is answered. When this test fails, Chroma enforces tokens and server
    mode can rely on it (docs/robustness.md, Chroma server)."""
    port = free_port()
    proc = _chroma(tmp_path / "c", "127.0.0.1", port, CHROMA_SERVER_AUTHN_PROVIDER=(
        "chromadb.auth.token_authn.TokenAuthenticationServerProvider"), CHROMA_SERVER_AUTHN_CREDENTIALS="s3cret",
        CHROMA_AUTH_TOKEN_TRANSPORT_HEADER="X-Chroma-Token")
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v2/heartbeat")
        import httpx

        url = f"http://127.0.0.1:{port}/api/v2/tenants/default_tenant/databases/default_database/collections"
        assert httpx.get(url, timeout=10).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_serve_refuses_an_unauthenticated_chroma_server_off_loopback(tmp_path):
    address = _own_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to bind a Chroma server to")
    port = free_port()
    proc = _chroma(tmp_path / "c", address, port)
    try:
        wait_for(f"http://{address}:{port}/api/v2/heartbeat")
        env = dict(os.environ, REFUGE_CHROMA_HOST=address, REFUGE_CHROMA_PORT=str(port),
                   REFUGE_DATA_DIR=str(tmp_path / "data"))
        serve = [str(BIN / "refuge"), "serve", "--port", str(free_port())]
        without = subprocess.run(serve, env=env, capture_output=True, text=True, timeout=120)
        assert without.returncode == 1 and "REFUGE_CHROMA_TOKEN is unset" in without.stderr
        token = "t-" + os.urandom(8).hex()
        open_server = subprocess.run(serve, env=dict(env, REFUGE_CHROMA_TOKEN=token), capture_output=True,
                                     text=True, timeout=120)
        assert open_server.returncode == 1 and "answers without a token (HTTP 200)" in open_server.stderr
        for result in (without, open_server):
            assert "Traceback" not in result.stderr and token not in result.stderr + result.stdout
            assert len(result.stderr.strip().splitlines()) == 1
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_token_is_sent_as_x_chroma_token(tmp_path):
    """With REFUGE_CHROMA_TOKEN set, every request to the Chroma server carries it (and a
    server that refuses it is reported as such, not as a traceback)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from kb.errors import RefugeError

    seen = []

    class Refuser(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.headers.get("X-Chroma-Token"))
            self.send_response(401)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refuser)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = settings_from({"REFUGE_CHROMA_HOST": "127.0.0.1", "REFUGE_CHROMA_PORT": str(server.server_port),
                                 "REFUGE_CHROMA_TOKEN": "tok-123", "REFUGE_DATA_DIR": str(tmp_path)})
        with pytest.raises((RefugeError, Exception)):
            open_store(settings).read_state()
    finally:
        server.shutdown()
    assert seen and set(seen) == {"tok-123"}

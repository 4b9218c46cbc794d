"""The Chroma server stops while the web app runs, then comes back on the same port with
the same data: while it is down the page and the API say "temporarily unavailable" (and
the CLI prints one line, no traceback); once it is back, answers resume without
restarting the app."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from chat.assistant import Assistant
from chat.messages import message
from ingest.pipeline import run_ingest
from kb.errors import StoreUnavailable
from tests.conftest import settings_from
from tests.test_server_mode import wait_for
from tests.web_server import ServerThread, free_port
from ui.web import create_app, respond

pytestmark = pytest.mark.server
BIN = Path(sys.executable).parent
QUESTION = "What are the Yogyakarta Principles?"
UNAVAILABLE = message("unavailable")


class ChromaServer:
    """A real `chroma run` on loopback that can be stopped and started again."""

    def __init__(self, path: Path):
        self.path, self.port, self.proc = path, free_port(), None

    def start(self) -> "ChromaServer":
        self.proc = subprocess.Popen([str(BIN / "chroma"), "run", "--path", str(self.path), "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", 60)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture
def chroma(tmp_path):
    server = ChromaServer(tmp_path / "chroma-server").start()
    try:
        yield server
    finally:
        server.stop()


def test_chroma_server_stops_and_returns_while_the_app_runs(small_kb, chroma, embedder, tmp_path):
    from gradio_client import Client

    _, root, _ = small_kb
    env = {"REFUGE_DATA_DIR": str(tmp_path / "server-data"), "REFUGE_KB_DIR": str(root),
           "REFUGE_CHROMA_HOST": "127.0.0.1", "REFUGE_CHROMA_PORT": str(chroma.port)}
    settings = settings_from(env)
    run_ingest(settings, progress=False)
    assistant = Assistant(settings, embedder=embedder)
    with ServerThread(create_app(settings, assistant)) as web:
        client = Client(web.url, verbose=False)
        assert client.predict(QUESTION, api_name="/ask")["citations"]

        chroma.stop()
        with pytest.raises(StoreUnavailable):
            assistant.ask(QUESTION)
        down = client.predict(QUESTION, api_name="/ask")
        assert down["answer"] == UNAVAILABLE and down["refused"] and not down["citations"]
        page = list(respond(assistant, QUESTION, []))[-1][-1]["content"]
        assert page == UNAVAILABLE
        assert httpx.get(web.url + "/healthz", timeout=10).status_code == 200  # the app itself stays up
        cli = subprocess.run([sys.executable, "-m", "ui", "ask", QUESTION], capture_output=True, text=True,
                             env=dict(os.environ, **env), timeout=300)
        assert cli.returncode == 1 and "Traceback" not in cli.stderr
        assert "Chroma" in cli.stderr and len(cli.stderr.strip().splitlines()) == 1

        chroma.start()  # same port, same --path
        back = client.predict(QUESTION, api_name="/ask")
        assert back["citations"] and back["citations"][0]["article_id"] == "rights-yogyakarta-principles"
        assert "refuge-sources" in list(respond(assistant, QUESTION, []))[-1][-1]["content"]

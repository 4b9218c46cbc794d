"""Privacy, proven with a canary: a unique question asked through the CLI, the web chat
and the Gradio API never appears in any log, any file under the data directory, or any
new temp file. And no cookies, and the security headers on every route."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from tests.web_server import ServerThread
from ui.web import SECURITY_HEADERS, create_app, respond


def files_containing(root: Path, needle: bytes, since: float) -> list[str]:
    found = []
    for path in root.rglob("*"):
        try:
            if path.is_file() and path.stat().st_mtime >= since and needle in path.read_bytes():
                found.append(str(path))
        except OSError:
            continue
    return found


def test_canary_question_is_never_written_anywhere(shipped, caplog, capfd):
    settings, assistant = shipped
    canary = f"canary{uuid.uuid4().hex[:12]} what is asylum for gay people"
    started = time.time() - 1
    caplog.set_level(logging.DEBUG)
    for client_logger in ("httpx", "httpcore", "gradio_client"):  # the test's own client, not our server
        logging.getLogger(client_logger).setLevel(logging.WARNING)
    env = dict(os.environ, REFUGE_DATA_DIR=str(settings.data_dir))
    cli = subprocess.run([sys.executable, "-m", "ui", "ask", canary], capture_output=True, text=True, env=env,
                         timeout=300)
    assert cli.returncode == 0 and canary.split()[0] not in cli.stderr
    list(respond(assistant, canary, []))
    with ServerThread(create_app(settings, assistant)) as srv:
        from gradio_client import Client

        Client(srv.url, verbose=False).predict(canary, api_name="/ask")
        import httpx

        for path in ("/healthz", "/", "/nope"):
            response = httpx.get(srv.url + path, params={"q": canary})
            assert "set-cookie" not in response.headers
            assert all(response.headers.get(k) == v for k, v in SECURITY_HEADERS.items())
    token = canary.split()[0].encode()
    assert token.decode() not in caplog.text
    out, err = capfd.readouterr()
    assert token.decode() not in out + err
    assert files_containing(settings.data_dir, token, started) == []
    assert files_containing(Path(tempfile.gettempdir()), token, started) == []

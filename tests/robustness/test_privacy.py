"""Privacy, proven with a canary: a unique question asked through the CLI, the web chat
and the Gradio API never appears in any log, any file under the data directory, or any
new temp file. And no cookies, and the security headers on every route."""
from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tests.helpers import files_containing
from tests.web_server import ServerThread
from ui.web import SECURITY_HEADERS, create_app, respond


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
    assert files_containing(settings.embed_cache_path.parent, token, started) == []  # the tests keep it elsewhere
    assert files_containing(Path(tempfile.gettempdir()), token, started) == []


def test_no_cookies_and_headers_on_error_pages_too(shipped):
    settings, assistant = shipped
    app = create_app(settings, assistant)

    def boom():
        raise RuntimeError("an unexpected failure")

    app.add_api_route("/boom", boom)
    app.router.routes.insert(0, app.router.routes.pop())  # ahead of the Gradio mount at "/"
    import httpx

    with ServerThread(app) as srv:
        for method, path, status in (("GET", "/", 200), ("GET", "/healthz", 200), ("GET", "/config", 200),
                                     ("GET", "/no-such-page", 404), ("DELETE", "/", 405),
                                     ("POST", "/gradio_api/run/ask", 404), ("GET", "/boom", 500)):
            response = httpx.request(method, srv.url + path, timeout=30)
            assert response.status_code == status, (method, path)
            assert all(response.headers.get(k) == v for k, v in SECURITY_HEADERS.items()), (method, path)
            assert "set-cookie" not in response.headers and "Traceback" not in response.text, (method, path)
            assert "an unexpected failure" not in response.text


def test_llm_api_key_never_appears(shipped, caplog, capfd):
    import copy
    from dataclasses import replace

    from kb.settings import get_settings
    from tests.web_server import free_port

    settings, assistant = shipped
    key = f"sk-canary-{uuid.uuid4().hex}"
    dead = f"http://127.0.0.1:{free_port()}/v1"
    assert key not in repr(get_settings({"REFUGE_LLM_API_KEY": key, "REFUGE_LLM": "openai:gpt-x"}))
    caplog.set_level(logging.DEBUG)
    keyed = copy.copy(assistant)
    keyed.settings = replace(settings, llm="openai:gpt-x", extra={"REFUGE_LLM_BASE_URL": dead,
                                                                   "REFUGE_LLM_API_KEY": key})
    result = keyed.ask("What are the Yogyakarta Principles?")
    assert result["fallback"] and result["llm_message"] and key not in repr(result)
    page = list(respond(keyed, "What are the Yogyakarta Principles?", []))
    assert key not in repr(page)
    env = dict(os.environ, REFUGE_DATA_DIR=str(settings.data_dir), REFUGE_LLM="openai:gpt-x",
               REFUGE_LLM_BASE_URL=dead, REFUGE_LLM_API_KEY=key)
    cli = subprocess.run([sys.executable, "-m", "ui", "ask", "What are the Yogyakarta Principles?", "--json"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert cli.returncode == 0 and "note:" in cli.stderr
    assert key not in cli.stdout + cli.stderr
    bad = subprocess.run([sys.executable, "-m", "ui", "ask", "x", "--llm", "nonsense"], capture_output=True,
                         text=True, env=env, timeout=300)
    assert bad.returncode != 0 and key not in bad.stdout + bad.stderr
    out, err = capfd.readouterr()
    assert key not in caplog.text and key not in out + err


@pytest.mark.server
def test_documented_chroma_server_binds_loopback(tmp_path):
    """`make chroma`'s own command line, on another port and path: it listens on 127.0.0.1 only."""
    import re
    import shlex

    from kb.settings import PROJECT_ROOT, get_settings
    from tests.test_server_mode import wait_for
    from tests.web_server import free_port

    recipe = re.search(r"^chroma:.*\n\t(.+)$", (PROJECT_ROOT / "Makefile").read_text(), re.M).group(1)
    args = shlex.split(recipe.replace("$(BIN)", str(Path(sys.executable).parent)))
    assert args[args.index("--host") + 1] == "127.0.0.1"
    port = free_port()
    args[args.index("--port") + 1], args[args.index("--path") + 1] = str(port), str(tmp_path / "chroma")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v2/heartbeat", 60)
        listening = [line.split()[1] for name in ("/proc/net/tcp", "/proc/net/tcp6")
                     for line in Path(name).read_text().splitlines()[1:]
                     if line.split()[3] == "0A" and line.split()[1].endswith(f":{port:04X}")]
        assert listening == [f"0100007F:{port:04X}"]  # 127.0.0.1, and nothing on 0.0.0.0 or ::
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert get_settings({}).serve_host == "127.0.0.1"  # and `refuge serve` defaults to loopback


def test_embedding_model_is_fixed_in_our_code(shipped):
    """Only REFUGE_EMBED_MODEL (read once at start) picks the model: no request parameter
    reaches it, Chroma never embeds, and trust_remote_code is never turned on."""
    import inspect

    from kb.settings import PROJECT_ROOT

    settings, assistant = shipped
    assert assistant.embedder.model == settings.embed_model
    allowed = {"self", "question", "history", "mode", "composer", "llm", "on_text"}
    assert set(inspect.signature(type(assistant).ask).parameters) <= allowed
    with ServerThread(create_app(settings, assistant)) as srv:
        from gradio_client import Client

        api = Client(srv.url, verbose=False).view_api(return_format="dict", print_info=False)
    assert list(api["named_endpoints"]) == ["/ask"] and not api["unnamed_endpoints"]
    assert [p["parameter_name"] for p in api["named_endpoints"]["/ask"]["parameters"]] == ["question"]
    code = {p: p.read_text() for d in ("kb", "chat", "ingest", "ui") for p in (PROJECT_ROOT / d).rglob("*.py")}
    uses = [(p.name, line.strip()) for p, text in code.items() for line in text.splitlines()
            if "trust_remote_code" in line]
    off = re.compile(r"""trust_remote_code["']?\s*[:=]\s*False\b""")  # a keyword or a dict entry, always False
    assert uses and all(off.search(line) for _, line in uses), uses
    assert all("embedding_function=None" in line for p, text in code.items() for line in text.splitlines()
               if "get_or_create_collection(" in line)

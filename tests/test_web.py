"""The web app without a browser: headers, closed routes, health, the streaming
generator, escaping, the Gradio API through gradio_client."""
from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.web_server import ServerThread
from ui import present
from ui.web import SECURITY_HEADERS, create_app, respond


@pytest.fixture(scope="module")
def server(shipped):
    settings, assistant = shipped
    with ServerThread(create_app(settings, assistant)) as srv:
        yield srv


def test_health_and_headers_on_every_route(server):
    for method, path, status in (("GET", "/healthz", 200), ("GET", "/", 200), ("GET", "/no-such-page", 404),
                                 ("POST", "/gradio_api/run/ask", 404), ("POST", "/gradio_api/call/ask", 404)):
        response = httpx.request(method, server.url + path, timeout=30)
        assert response.status_code == status, path
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (path, name)
        assert "set-cookie" not in response.headers, path
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "http" not in csp


def test_page_is_neutral_and_has_no_external_assets(server):
    html = httpx.get(server.url + "/", timeout=30).text
    assert "<title>Notes</title>" in html or "Notes" in html
    for word in ("LGBT", "gay", "asylum", "Chechnya"):
        assert word.lower() not in html.lower().split("<body")[0].split("og:")[0], word


def test_respond_streams_crisis_first_then_answer_then_sources(shipped):
    _, assistant = shipped
    updates = list(respond(assistant, "my family found out i am gay and they will kill me", []))
    assert len(updates) >= 3
    first_answer = updates[0]
    assert first_answer[0]["role"] == "user"
    assert 'class="refuge-crisis"' in first_answer[1]["content"]
    final = updates[-1][-1]["content"]
    assert "refuge-sources" in final and 'rel="noopener noreferrer"' in final and 'target="_blank"' in final
    assert all(u[1]["content"] == first_answer[1]["content"] for u in updates[1:])  # same notice every time


def test_drafts_yield_the_latest_text_then_return_or_raise():
    from ui.stream import drafts

    def ask(on_text):
        for text in ("a", "a b", "a b c"):
            on_text(text)
            time.sleep(0.05)  # a model writing: each piece arrives after the last was shown
        return {"answer": "done"}

    run, seen = drafts(ask, every_s=0.0), []
    while True:
        try:
            seen.append(next(run))
        except StopIteration as done:
            assert done.value == {"answer": "done"}
            break
    assert seen and seen[-1] == "a b c" and all(t in ("a", "a b", "a b c") for t in seen)

    def fails(on_text):
        on_text("half")
        raise RuntimeError("store gone")

    with pytest.raises(RuntimeError, match="store gone"):
        list(drafts(fails, every_s=0.0))


def test_question_html_and_markdown_are_shown_as_text(shipped):
    _, assistant = shipped
    payload = '<script>alert(1)</script> ![x](https://evil.example/x.png) what is asylum'
    updates = list(respond(assistant, payload, []))
    user = updates[-1][0]["content"]
    assert "<script>" not in user and "![x](" not in user and "https://" not in user
    assert present.unescape_md(user) == payload
    assert present.escape_md("[a](b)") == "&#91;a&#93;&#40;b&#41;"


def test_too_long_and_empty_questions(shipped):
    _, assistant = shipped
    long_reply = list(respond(assistant, "a" * 100_000, []))[-1]
    assert "too long" in long_reply[-1]["content"]
    assert len(long_reply[0]["content"]) < 1000
    assert list(respond(assistant, "   ", []))[-1][-1]["content"] == "Please type a question."
    assert "[1]" in list(respond(assistant, "What is non-refoulement?", []))[-1][-1]["content"]


def test_gradio_client_answers_with_citations(server):
    from gradio_client import Client

    client = Client(server.url, verbose=False)
    result = client.predict("What are the Yogyakarta Principles?", api_name="/ask")
    assert result["citations"] and not result["refused"]
    assert result["citations"][0]["article_id"] == "rights-yogyakarta-principles"
    big = client.predict("x" * 8_000, api_name="/ask")  # under the 16 KB body cap: our own reply
    assert big["refused"] and "too long" in big["answer"]
    with pytest.raises(Exception):  # past it: HTTP 413 before any work
        client.predict("x" * 100_000, api_name="/ask")
    assert client.predict("What does non-refoulement mean?", api_name="/ask")["citations"]


def test_history_from_gradio_parts_is_read_as_text(shipped):
    from ui.web import _plain_history

    _, assistant = shipped
    history = _plain_history([
        {"role": "user", "content": [{"type": "text", "text": present.escape_md("How does LGBTQ asylum work in Canada?")}]},
        {"role": "assistant", "content": [{"type": "text", "text": "..."}]}])
    assert history[0]["content"] == "How does LGBTQ asylum work in Canada?"
    final = list(respond(assistant, "and in germany?", history))[-1][-1]["content"]
    assert "Germany" in final and "refuge-sources" in final


def test_gate_admits_a_bounded_number_and_says_busy_beyond(shipped):
    import threading

    from ui.web import Gate, _busy_reply

    gate = Gate(running=1, waiting=1, wait_s=5)
    release = threading.Event()
    results = []

    def hold():
        with gate.enter() as ok:
            results.append(ok)
            release.wait(5)

    workers = [threading.Thread(target=hold) for _ in range(2)]
    for w in workers:
        w.start()
    import time

    time.sleep(0.3)
    with gate.enter() as third:
        assert third is False  # one running, one waiting: the third is turned away at once
    release.set()
    for w in workers:
        w.join()
    assert results == [True, True]
    with gate.enter() as ok:
        assert ok  # and afterwards it admits again
    assert "busy" in _busy_reply("q", [])[-1]["content"]


def test_language_from_accept_language():
    from ui.texts import pick_language

    assert pick_language("ru-RU,ru;q=0.9,en-US;q=0.8") == "ru"
    assert pick_language("en-GB,en;q=0.9,ru;q=0.5") == "en"
    assert pick_language("de-DE") == "en" and pick_language(None) == "en"


def test_russian_question_gets_russian_notice_and_labels(shipped):
    _, assistant = shipped
    updates = list(respond(assistant, "меня ищут, я в опасности, помогите уехать из чечни", []))
    notice = updates[0][1]["content"]
    assert "refuge-crisis" in notice and "112" in notice
    assert "опасност" in notice.lower()
    assert "Источники" in updates[-1][-1]["content"]


def test_long_questions_are_cut_before_language_and_danger_checks(shipped, monkeypatch):
    import chat.assistant
    import chat.question

    _, assistant = shipped
    seen = []
    real_language, real_danger = chat.assistant.question_language, chat.question.danger_kind
    monkeypatch.setattr(chat.assistant, "question_language", lambda q: seen.append(len(q)) or real_language(q))
    monkeypatch.setattr(chat.question, "danger_kind", lambda q: seen.append(len(q)) or real_danger(q))
    reply = list(respond(assistant, "help " * 400_000, []))[-1]  # 2 MB
    assert "too long" in reply[-1]["content"]
    assert seen and max(seen) <= 4 * assistant.settings.max_question_chars + 1


def test_basic_page_headers_and_the_page_shell(server):
    from ui.guard import BASIC_CSP

    page = httpx.get(server.url + "/basic", timeout=30)
    assert page.status_code == 200 and "<script" not in page.text and 'name="q"' in page.text
    assert page.headers["content-security-policy"] == BASIC_CSP and "script-src 'none'" in BASIC_CSP
    for name, value in SECURITY_HEADERS.items():
        if name != "Content-Security-Policy":
            assert page.headers.get(name) == value, name
    assert "set-cookie" not in page.headers
    russian = httpx.get(server.url + "/basic?lang=ru", timeout=30).text
    assert '<html lang="ru">' in russian and "Выйти" in russian
    assert '<html lang="ru">' in httpx.get(server.url + "/basic", headers={"Accept-Language": "ru-RU,ru"}, timeout=30).text
    shell = httpx.get(server.url + "/", headers={"Accept-Encoding": "gzip", "Accept-Language": "ru"}, timeout=30)
    assert shell.headers["content-encoding"] == "gzip" and int(shell.headers["content-length"]) < 16_000
    assert shell.headers["cache-control"] == "no-store"
    html = shell.text
    assert html.index('id="refuge-shell"') < html.index("<gradio-app") and "<noscript>" in html
    assert 'action="/basic?lang=ru"' in html and re.search(r'<html\s+lang="ru"', html)
    assert 'rel="manifest"' not in html and "iframeResizer" not in html


def test_basic_answer_has_the_crisis_notice_first_and_numbered_sources(server):
    reply = httpx.post(server.url + "/basic", data={"q": "I want to kill myself, I can't go on"}, timeout=60)
    assert reply.status_code == 200 and reply.headers["cache-control"] == "no-store"
    text = reply.text
    assert text.index('class="refuge-crisis"') < text.index('class="refuge-answer')
    assert "tel:112" in text and "psychological help" in text.split('class="refuge-first"')[1][:400]
    refs = set(re.findall(r'href="#(a-s\d+)"', text))
    assert refs and all(f'id="{r}"' in text for r in refs)
    assert text.index('id="refuge-exit"') < text.index('class="refuge-crisis"')


def test_hashed_build_files_are_cached_for_a_year_and_nothing_else_is(server):
    page = httpx.get(server.url + "/", timeout=30).text
    assets = re.findall(r'(?:src|href)="\./(assets/[^"]+)"', page)
    assert assets
    for asset in assets:
        got = httpx.get(f"{server.url}/{asset}", timeout=30)
        assert got.status_code == 200 and got.headers["cache-control"] == "public, max-age=31536000, immutable"
    for path in ("/", "/basic", "/config", "/assets/no-such-file-DphvyggB.js", "/theme.css"):
        assert httpx.get(server.url + path, timeout=30).headers["cache-control"] == "no-store", path


def test_crisis_links_are_numbers_and_the_notices_own_sites():
    notice = {"title": "T", "first": "Call 112 or text 988.\n\nIts website is ncsos.io, not evil.example.org.",
              "more": [{"section": "S", "text": "On 1 January 2022, 116 123 answered."}],
              "sources": [{"url": "https://ncsos.io/about/", "publisher": "NC SOS", "title": "About"}]}
    out = present.crisis_html(notice, {"all_contacts": "All", "sources": "Sources", "crisis_fallback": "x"}, uid="r1")
    assert 'href="tel:112"' in out and 'href="tel:988"' in out and 'href="tel:116123"' in out
    assert 'href="https://ncsos.io/"' in out and "evil.example.org" in out and 'href="https://evil' not in out
    assert "tel:2022" not in out and 'href="tel:1"' not in out  # a date is not a number to call
    assert out.index('class="refuge-first"') < out.index("<details") and "<details class=\"refuge-crisis-all\">" in out

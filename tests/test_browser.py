"""The public page in a real headless Chromium (Debian's package, driven by Playwright).

Every request the page makes is recorded and must go to its own origin; traffic that
would leave the machine (a source link, the quick-exit target) is intercepted and
answered locally, never sent.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.web_server import ServerThread
from kb.settings import DEFAULT_EXIT_URL as EXIT_URL
from ui.web import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("REFUGE_REQUIRE_BROWSER"):
        raise RuntimeError("chromium is required here (apt-get install -y chromium)")
    pytest.skip("no chromium: apt-get install -y chromium", allow_module_level=True)


@pytest.fixture(scope="module")
def server(shipped):
    settings, assistant = shipped
    with ServerThread(create_app(settings, assistant)) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    """A fresh page whose every request is recorded; off-origin ones are answered locally."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []

    def handle(route):
        url = route.request.url
        requests.append(url)
        if url.startswith(server.url):
            route.continue_()
        else:
            route.fulfill(status=200, content_type="text/html", body="<title>elsewhere</title>elsewhere")

    context.route("**/*", handle)
    pg = context.new_page()
    pg.requests = requests
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.goto(server.url + "/")
    pg.wait_for_selector("#refuge-input textarea", timeout=60_000)
    yield pg
    context.close()


def ask(page, question: str, wait_for: str = ".refuge-sources"):
    count = page.locator(wait_for).count()
    page.fill("#refuge-input textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('{wait_for}').length > {count}", timeout=60_000)


def own_origin_only(page, origin: str) -> list[str]:
    return [u for u in page.requests if not u.startswith(origin)]


def test_chat_with_citations_sources_and_follow_up(page, server):
    assert page.title() == "Notes"
    ask(page, "How does asylum for LGBTQ people work in Canada?")
    bubble = page.locator(".refuge-sources").last
    assert "[1]" in page.locator("#refuge-chat").inner_text()
    links = bubble.locator("a")
    assert links.count() >= 1
    for i in range(links.count()):
        assert links.nth(i).get_attribute("target") == "_blank"
        assert set(links.nth(i).get_attribute("rel").split()) >= {"noopener", "noreferrer"}
    assert "last reviewed" in bubble.inner_text()
    bubble.locator("summary").first.click()
    assert bubble.locator("blockquote").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "desktop-1280.png"))
    href = links.first.get_attribute("href")
    with page.expect_popup() as popup_info:
        links.first.click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url.rstrip("/") == href.rstrip("/")
    popup.close()
    ask(page, "and in germany?")
    assert "Germany" in page.locator(".refuge-sources").last.inner_text()
    page.set_viewport_size({"width": 375, "height": 740})
    page.screenshot(path=str(ARTIFACTS / "phone-375.png"))
    off_origin = [u for u in own_origin_only(page, server.url) if u.rstrip("/") != href.rstrip("/")]
    assert off_origin == []
    storage = page.evaluate("""async () => [document.cookie, localStorage.length, sessionStorage.length,
        indexedDB.databases ? (await indexedDB.databases()).length : 0]""")
    assert storage == ["", 0, 0, 0]


def test_quick_exit_button_replaces_the_page(page, server):
    ask(page, "What is non-refoulement?")
    page.click("#refuge-exit")
    page.wait_for_url(EXIT_URL + "*", timeout=10_000)
    page.go_back()
    assert not page.url.startswith(server.url)  # location.replace: Back does not return


def test_shift_three_times_exits(page):
    page.locator("body").click()
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(EXIT_URL + "*", timeout=10_000)


def test_quick_exit_stays_visible_on_a_phone_while_scrolling(page):
    page.set_viewport_size({"width": 375, "height": 640})
    ask(page, "What are the Yogyakarta Principles?")
    page.mouse.wheel(0, 4000)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = page.locator("#refuge-exit").bounding_box()
    assert box and 0 <= box["y"] <= 120 and box["x"] + box["width"] <= 375


@pytest.mark.parametrize("payload", [
    '<img src="https://evil.example/x.png" onerror="window.__xss=1"><script>window.__xss=2</script> asylum?',
    "![tracking](https://evil.example/pixel.png) what is asylum [click](https://evil.example/)",
])
def test_script_and_remote_images_in_a_question_do_nothing(page, server, payload):
    page.fill("#refuge-input textarea", payload)
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('#refuge-chat .message').length >= 2", timeout=60_000)
    page.wait_for_timeout(1500)
    assert page.evaluate("window.__xss") is None
    assert page.dialogs == []
    assert own_origin_only(page, server.url) == []
    shown = page.locator("#refuge-chat").inner_text()
    assert "https://evil.example/" in shown  # shown as text, exactly as typed
    assert page.locator("#refuge-chat a[href*='evil.example'], #refuge-chat img[src*='evil']").count() == 0


def test_russian_interface_from_accept_language_and_the_switch(browser, server):
    context = browser.new_context(locale="ru-RU", extra_http_headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    requests: list[str] = []
    context.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()
                                         if route.request.url.startswith(server.url) else route.abort()))
    page = context.new_page()
    page.goto(server.url + "/")
    page.wait_for_function("document.querySelector('#refuge-exit') && "
                           "document.querySelector('#refuge-exit').innerText.includes('Выйти')", timeout=30_000)
    assert page.title() == "Notes"
    assert page.get_attribute("#refuge-input textarea", "placeholder") == "Задайте вопрос"
    page.fill("#refuge-input textarea", "как получить убежище в германии?")
    page.keyboard.press("Enter")
    page.wait_for_selector(".refuge-sources", timeout=60_000)
    assert "Источники" in page.locator(".refuge-sources").last.inner_text()
    ask(page, "жалоба тунена в комитет оон")  # only an English article covers it: the note says so
    assert "источники на английском языке" in page.locator("#refuge-chat .message").last.inner_text()
    page.get_by_text("English").click()
    page.wait_for_function("document.querySelector('#refuge-exit').innerText.includes('Exit now')", timeout=10_000)
    page.get_by_text("Can I get asylum because I am gay?").click()  # an example fills the box
    page.wait_for_function("document.querySelector('#refuge-input textarea').value === "
                           "'Can I get asylum because I am gay?'", timeout=10_000)
    page.click("#refuge-new")  # a new conversation empties the chat
    page.wait_for_function("document.querySelectorAll('#refuge-chat .message').length === 0", timeout=10_000)
    page.wait_for_function("document.querySelector('#refuge-exit').innerText.includes('Exit now')", timeout=10_000)
    assert [u for u in requests if not u.startswith(server.url)] == []
    context.close()


def test_a_held_shift_is_not_a_quick_exit_on_a_real_server(browser, shipped):
    """Auto-repeat of a held Shift sends keydown events with `repeat` set: they must not count.
    Against a real `refuge serve` subprocess."""
    from tests.web_server import Serve

    settings, _ = shipped
    with Serve(settings) as server:
        context = browser.new_context()
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.url)
                      else route.fulfill(status=200, content_type="text/html", body="elsewhere"))
        page = context.new_page()
        page.goto(server.url + "/")
        page.wait_for_selector("#refuge-input textarea", timeout=60_000)
        for _ in range(6):  # one press held down: the first keydown, then five repeats
            page.keyboard.down("Shift")
        page.keyboard.up("Shift")
        page.wait_for_timeout(800)
        assert page.url.startswith(server.url)
        for _ in range(3):
            page.keyboard.press("Shift")
        page.wait_for_url(EXIT_URL + "*", timeout=10_000)
        context.close()

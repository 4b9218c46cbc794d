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
def server(partly_translated):
    """The shipped knowledge base with a few topics in English only (the page's "sources are in English" note)."""
    settings, assistant = partly_translated
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


def ask(page, question: str, wait_for: str = ".refuge-answer.refuge-done"):
    """Type and send a question, then wait for its answer. Gradio ignores a submit while the
    previous event is still completing (trigger_mode "once"), and that completion empties the box:
    so the question is typed again until its bubble appears, as a person would resend it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    count = page.locator(wait_for).count()
    asked = page.locator("#refuge-chat .user-row").count()
    for _ in range(5):
        page.fill("#refuge-input textarea", question)
        page.keyboard.press("Enter")
        try:
            page.wait_for_function(f"document.querySelectorAll('#refuge-chat .user-row').length > {asked}",
                                   timeout=10_000)
            break
        except PlaywrightTimeout:
            continue
    page.wait_for_function(f"document.querySelectorAll('{wait_for}').length > {count}", timeout=60_000)


def own_origin_only(page, origin: str) -> list[str]:
    return [u for u in page.requests if not u.startswith(origin)]


def test_chat_with_citations_sources_and_follow_up(page, server):
    assert page.title() == "Notes"
    ask(page, "How does asylum for LGBTQ people work in Canada?")
    bubble = page.locator(".refuge-answer.refuge-done").last
    assert "[1]" in bubble.inner_text()
    sources = bubble.locator("details.refuge-sources")
    assert sources.get_attribute("open") is None  # folded below the direct answer
    sources.locator("summary").first.click()
    first = sources.locator("li.refuge-source").first
    first.locator("summary").click()
    assert first.locator("blockquote").is_visible() and "last reviewed" in first.inner_text()
    links = first.locator("a")
    assert links.count() >= 1
    for i in range(links.count()):
        assert links.nth(i).get_attribute("target") == "_blank"
        assert set(links.nth(i).get_attribute("rel").split()) >= {"noopener", "noreferrer"}
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
    assert "Germany" in page.locator(".refuge-answer.refuge-done").last.inner_text()
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
    ask(page, "Тунен против Австралии 1994 комитет по правам человека")  # only an English article covers it: a note says so
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


# --- issue 18: a frightened person on a phone, with or without JavaScript -------------------

PHONE = {"width": 375, "height": 740}
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def phone_page(browser, server, lang: str = "en", route: bool = True, **options):
    """A 375 x 740 page in `lang` whose off-origin requests are recorded and answered locally.
    Playwright turns the HTTP cache off for routed pages: `route=False` keeps it (requests are
    then only recorded)."""
    accept = "ru-RU,ru;q=0.9" if lang == "ru" else "en-GB,en;q=0.9"
    options.setdefault("viewport", PHONE)
    context = browser.new_context(locale=accept[:5], extra_http_headers={"Accept-Language": accept}, **options)
    page = context.new_page()
    page.requests = []

    def handle(route):
        page.requests.append(route.request.url)
        if route.request.url.startswith(server.url):
            route.continue_()
        else:
            route.fulfill(status=200, content_type="text/html", body="elsewhere")
    if route:
        context.route("**/*", handle)
    else:
        page.on("request", lambda request: page.requests.append(request.url))
    return page


def open_chat(page, server):
    page.goto(server.url + "/")
    page.wait_for_selector("#refuge-input textarea", timeout=60_000)
    page.wait_for_function("!document.querySelector('#refuge-shell') && "
                           "!document.querySelector('#refuge-head .pending')", timeout=30_000)  # on-load labels


def top_of(page, selector: str) -> float:
    return page.locator(selector).last.bounding_box()["y"]


@pytest.mark.parametrize("lang, question, first_words", [
    ("en", "i don't want to live anymore", "Samaritans"),  # in English with no place: the lines outside Russia first
    ("ru", "меня ищут, родственники узнали, помогите уехать из чечни", "ncsos.io"),
])
def test_after_a_danger_question_the_phone_shows_the_top_of_the_crisis_notice(browser, server, lang, question,
                                                                                 first_words):
    page = phone_page(browser, server, lang)
    open_chat(page, server)
    ask(page, question)
    page.wait_for_timeout(800)  # let any late layout or scrolling settle: the view must stay put
    bar = page.locator("#refuge-top").bounding_box()
    notice = page.locator(".refuge-crisis").last
    box = notice.bounding_box()
    assert bar["y"] + bar["height"] - 1 <= box["y"] <= bar["y"] + bar["height"] + 40, (bar, box)
    first = notice.locator(".refuge-first").bounding_box()
    assert first["y"] + first["height"] <= PHONE["height"], first  # the first step is on screen, whole
    assert first_words in notice.locator(".refuge-first").inner_text()
    assert notice.locator("details.refuge-crisis-all").get_attribute("open") is None  # the rest: one tap away
    assert 3 <= notice.locator(".refuge-first, .refuge-crisis-list li").count() <= 5
    police = "police" if lang == "en" else "полици"
    assert police in notice.inner_text()  # 112 with who answers it
    notice.locator("details.refuge-crisis-all summary").click()
    assert notice.locator("details.refuge-crisis-all h3").count() >= 4
    assert page.locator("#refuge-status").inner_text().strip()  # announced: help first, answer ready
    if lang == "ru":
        notice.locator("details.refuge-crisis-all summary").click()
        page.evaluate("window.scrollBy(0, 0)")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "phone-danger-ru.png"))
    assert own_origin_only(page, server.url) == []
    page.context.close()


def test_a_new_answer_opens_at_its_question_and_the_phone_layout_fits(browser, server):
    page = phone_page(browser, server)
    open_chat(page, server)
    box = page.locator("#refuge-input textarea").bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]  # the question box is on the first screen
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-first-screen.png"))
    small = page.evaluate("""() => [...document.querySelectorAll(
        'button, textarea, summary, #refuge-exit, #refuge-lang label, .refuge-links a')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.tagName + ' ' + (e.innerText || '').slice(0, 30), e.getBoundingClientRect().height])
        .filter(([, h]) => h < 44)""")
    assert small == []  # tap targets >= 44 px
    ask(page, "What are the Yogyakarta Principles?")
    ask(page, "How does asylum for LGBTQ people work in Canada?")
    page.wait_for_timeout(800)
    bar = page.locator("#refuge-top").bounding_box()
    question = page.locator("#refuge-chat .user-row").last.bounding_box()
    assert bar["y"] + bar["height"] - 1 <= question["y"] <= bar["y"] + bar["height"] + 40, question
    answer = page.locator(".refuge-answer.refuge-done").last
    start = answer.locator("p").first.bounding_box()
    assert start["y"] < PHONE["height"] - 100  # the start of the answer is in view, below its question
    assert answer.bounding_box()["width"] >= 340  # the text column uses the phone's width
    assert answer.locator("details.refuge-more[open], details.refuge-sources[open]").count() == 0
    ids = page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1][:5]
    ref = answer.locator(":scope > p a.refuge-ref").last  # in the direct answer, not under "More"
    n = ref.inner_text().strip("[]")
    ref.click()
    target = page.locator(f"#{ref.get_attribute('href')[1:]}")
    page.wait_for_timeout(300)
    assert target.locator("details").get_attribute("open") is not None and target.locator("blockquote").is_visible()
    assert 0 <= target.bounding_box()["y"] < PHONE["height"] - 60 and f"[{n}]" in target.inner_text()
    page.screenshot(path=str(ARTIFACTS / "phone-answer.png"))
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_basic_page_works_without_javascript(browser, server, lang):
    page = phone_page(browser, server, lang, java_script_enabled=False)
    response = page.goto(server.url + "/")
    assert "no-store" in response.headers["cache-control"]
    noscript = page.locator("noscript")
    assert noscript.count() == 1 and "/basic" in noscript.inner_html()
    exit_link = page.locator("#refuge-early-exit")
    assert exit_link.is_visible() and exit_link.get_attribute("href") == EXIT_URL
    question = ("i'm in danger, my family will kill me" if lang == "en"
                else "мне угрожают родственники, я в опасности, что делать")
    page.fill("#refuge-early-q", question)  # the box on / posts to /basic
    with page.expect_navigation():
        page.click("#refuge-shell button[type=submit]")
    assert page.url.startswith(server.url + "/basic")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("script").count() == 0
    exit_link = page.locator("a#refuge-exit")
    assert exit_link.get_attribute("href") == EXIT_URL and exit_link.bounding_box()["y"] < 60
    crisis, answer = page.locator(".refuge-crisis"), page.locator(".refuge-answer")
    assert crisis.count() == 1 and crisis.bounding_box()["y"] < answer.bounding_box()["y"]  # the notice first
    assert crisis.bounding_box()["y"] < PHONE["height"]
    refs = answer.locator("a.refuge-ref")
    assert refs.count() >= 1
    for i in range(refs.count()):
        assert page.locator(refs.nth(i).get_attribute("href")).count() == 1  # [n] jumps to source n
    assert answer.locator(".refuge-source").count() >= 1
    assert ("Sources" if lang == "en" else "Источники") in answer.inner_text()
    if lang == "ru":
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "basic-no-js-ru.png"))
    page.fill("#q", "   ")  # bad input: the chat's own calm message
    with page.expect_navigation():
        page.click("form.refuge-form button[type=submit]")
    empty = "Please type a question." if lang == "en" else "Пожалуйста, введите вопрос."
    assert empty in page.locator("main").inner_text()
    other = page.goto(server.url + f"/basic?lang={'ru' if lang == 'en' else 'en'}")
    assert other.status == 200 and page.locator("html").get_attribute("lang") != lang
    assert own_origin_only(page, server.url) == []
    page.context.close()


def test_build_files_are_cached_and_the_page_and_answers_are_not(browser, server):
    page = phone_page(browser, server, route=False)
    seen = {}
    page.on("response", lambda r: seen.setdefault(r.url, r.headers.get("cache-control")))
    open_chat(page, server)
    assets = {u: c for u, c in seen.items() if "/assets/" in u}
    assert assets and all(c == "public, max-age=31536000, immutable" for c in assets.values()), assets
    assert seen[server.url + "/"] == "no-store"
    ask(page, "What is non-refoulement?")
    answers = [c for u, c in seen.items() if "/gradio_api/" in u]
    assert answers and all(c == "no-store" for c in answers)
    open_chat(page, server)  # the second visit: build files from the cache, the page itself fetched again
    cached = page.evaluate("""() => performance.getEntriesByType('resource')
        .filter(e => e.name.includes('/assets/')).map(e => [e.name, e.transferSize])""")
    assert cached and all(size == 0 for _, size in cached), cached
    assert page.evaluate("performance.getEntriesByType('navigation')[0].transferSize") > 0
    assert own_origin_only(page, server.url) == []
    page.context.close()


def _axe(page) -> list[dict]:
    """axe-core's serious and critical violations on the page; the engine comes from the
    axe-playwright-python package (a local file, injected over the DevTools protocol)."""
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_accessible_names_status_and_axe_in_both_languages(browser, server, lang):
    page = phone_page(browser, server, lang)
    open_chat(page, server)
    names = {"en": ("Send", "Your question", "Language"), "ru": ("Отправить", "Ваш вопрос", "Язык")}[lang]
    assert page.locator("html").get_attribute("lang") == lang
    assert page.get_by_role("button", name=names[0], exact=True).count() == 1
    assert page.get_by_role("textbox", name=names[1], exact=True).count() == 1
    assert page.get_by_role("radiogroup", name=names[2]).count() + page.get_by_role("group", name=names[2]).count() >= 1
    assert page.locator("h1").count() >= 1
    assert _axe(page) == []
    ask(page, "my family found out and will kill me" if lang == "en" else "меня ищут, я в опасности")
    ask(page, "What are the Yogyakarta Principles?" if lang == "en" else "когда воз перестала считать гомосексуальность болезнью")
    assert page.locator("#refuge-chat [aria-live=polite], #refuge-chat [aria-live=assertive]").count() == 0
    ready = "Answer ready." if lang == "en" else "Ответ готов."
    page.wait_for_function(f"document.querySelector('#refuge-status').textContent === {ready!r}", timeout=5_000)
    page.locator(".refuge-answer.refuge-done").last.locator(":scope > p a.refuge-ref").first.click()
    page.locator(".refuge-more summary").last.click()
    assert _axe(page) == []
    page.goto(server.url + "/basic")
    page.fill("#q", "how do i escape chechnya" if lang == "en" else "как уехать из чечни, мне угрожают")
    with page.expect_navigation():
        page.click("form.refuge-form button[type=submit]")
    assert _axe(page) == []
    page.context.close()


def test_slow_3g_figures(browser, server):
    """Emulated slow 3G (400 kbit/s, 400 ms round trip), first and second visit: when the exit
    is visible, when a question box is usable (the early form, then the chat's own), printed
    (wall times on a shared machine are not asserted)."""
    page = phone_page(browser, server, route=False)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 400,
                                                  "downloadThroughput": 50_000, "uploadThroughput": 50_000})
    figures = {visit: _visit_times(page, server) for visit in ("first", "second")}
    for visit, marks in figures.items():
        print(f"slow 3G {visit} visit: exit visible {marks.get('exit')} s, question box usable "
              f"{marks.get('box')} s, chat ready {marks.get('chat')} s")
    assert set(figures["first"]) == set(figures["second"]) == {"exit", "box", "chat"}
    assert own_origin_only(page, server.url) == []
    page.context.close()


def _visit_times(page, server) -> dict:
    import time

    page.goto("about:blank")
    start = time.monotonic()
    page.goto(server.url + "/", wait_until="commit")
    marks = {}
    while len(marks) < 3 and time.monotonic() - start < 90:
        state = page.evaluate("""() => {
            const shown = (e) => !!e && e.getBoundingClientRect().height > 0;
            const box = document.querySelector('#refuge-input textarea') || document.querySelector('#refuge-early-q');
            return {exit: shown(document.querySelector('#refuge-exit, #refuge-early-exit')),
                    box: shown(box) && !box.disabled, chat: shown(document.querySelector('#refuge-input textarea'))};
        }""")
        for key, ready in state.items():
            if ready and key not in marks:
                marks[key] = round(time.monotonic() - start, 2)
        time.sleep(0.05)
    return marks

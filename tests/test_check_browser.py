"""The "Check a text" mode in a real headless Chromium (Debian's package, driven by Playwright):
the page's tab next to the chat, on a 360 px phone, and /basic/check with JavaScript off.
Off-origin requests are answered locally and must not happen."""
from __future__ import annotations

import pytest

from kb.settings import DEFAULT_EXIT_URL as EXIT_URL
from tests.test_browser import ARTIFACTS, _axe, browser, own_origin_only, phone_page, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
PHONE_360 = {"width": 360, "height": 740}
ESSAY = ("Kadyrov vowed to eliminate every gay man in Chechnya by the start of Ramadan. "
         "I think this is disgusting. Is anyone talking about this?")
SMALL = """() => [...document.querySelectorAll('button, textarea, summary, [role=tab], #refuge-exit, #refuge-lang label')]
    .filter(e => e.offsetParent !== null)
    .map(e => [e.tagName + ' ' + (e.innerText || '').slice(0, 30), e.getBoundingClientRect().height])
    .filter(([, h]) => h < 44)"""


def open_check_tab(page, server):
    page.goto(server.url + "/")
    page.wait_for_selector("#refuge-input textarea", timeout=60_000)
    page.wait_for_function("!document.querySelector('#refuge-shell') && "
                           "!document.querySelector('#refuge-head .pending')", timeout=30_000)
    assert page.locator("#refuge-input textarea").is_visible()  # the chat is the default view
    page.get_by_role("tab", name="Check a text").click()
    page.wait_for_selector("#refuge-check-input textarea", timeout=30_000)


def check(page, text: str):
    page.fill("#refuge-check-input textarea", text)
    page.click("#refuge-check-button")
    page.wait_for_selector("#refuge-check-result .refuge-check, #refuge-check-result .refuge-message",
                           timeout=120_000)


def test_check_a_text_tab_on_a_360px_phone(browser, server):
    page = phone_page(browser, server, viewport=PHONE_360)
    open_check_tab(page, server)
    check(page, ESSAY)
    items = page.locator("#refuge-check-result .refuge-check-item")
    assert items.count() == 3
    ramadan, opinion, question = (items.nth(i) for i in range(3))
    assert "Claim" in ramadan.inner_text() and ramadan.locator(".refuge-rating").inner_text() == "Unsupported"
    assert ramadan.locator("a.refuge-ref").count() >= 1 and "The full story" in ramadan.inner_text()
    assert opinion.locator(".refuge-kind").inner_text() == "Opinion" and opinion.locator(".refuge-rating").count() == 0
    assert question.locator(".refuge-kind").inner_text() == "Question"
    page.wait_for_function("document.querySelector('#refuge-status').textContent === 'Sentences checked: 3'",
                           timeout=5_000)  # told to screen readers, once
    ramadan.locator("a.refuge-ref").first.click()  # [1] opens the review's source, with links to the originals
    source = ramadan.locator(".refuge-source").first
    assert source.locator("blockquote").is_visible() and source.locator("a[href^='https://']").count() >= 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_360["width"], width  # nothing wider than the phone
    assert page.evaluate(SMALL) == []  # tap targets >= 44 px
    assert _axe(page) == []
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    exit_box = page.locator("#refuge-exit").bounding_box()
    assert exit_box and 0 <= exit_box["y"] <= 120  # the quick exit stays in reach
    page.evaluate("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "check-phone-360.png"), full_page=True)
    assert page.url.rstrip("/") == server.url and "Kadyrov" not in page.url
    assert page.evaluate("[document.cookie, localStorage.length, sessionStorage.length]") == ["", 0, 0]
    assert own_origin_only(page, server.url) == []
    page.click("#refuge-exit")
    page.wait_for_url(EXIT_URL + "*", timeout=10_000)
    page.context.close()


def test_check_tab_limits_scripts_and_russian_labels(browser, server):
    page = phone_page(browser, server, "ru", viewport=PHONE_360)
    page.goto(server.url + "/")
    page.wait_for_selector("#refuge-input textarea", timeout=60_000)
    page.get_by_role("tab", name="Проверить текст").click()
    page.wait_for_selector("#refuge-check-input textarea", timeout=30_000)
    check(page, '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> Kadyrov set up camps in 2017.')
    assert page.evaluate("window.__xss") is None and page.locator("#refuge-check-result img").count() == 0
    assert "<script>" in page.locator("#refuge-check-result").inner_text()  # shown as text
    assert "Утверждение" in page.locator("#refuge-check-result").inner_text()
    assert page.get_attribute("#refuge-check-input textarea", "maxlength") == "20001"
    page.fill("#refuge-check-input textarea", "Кадыров " * 2_600)
    page.click("#refuge-check-button")
    page.wait_for_function("document.querySelector('#refuge-check-result').innerText.includes('20,000')",
                           timeout=60_000)
    assert "слишком длинный" in page.locator("#refuge-check-result").inner_text()
    page.goto(server.url + "/basic/check?lang=ru")  # the page without JavaScript, checked by axe (which needs it)
    page.fill("textarea#text", ESSAY)
    with page.expect_navigation():
        page.click("form.refuge-form button[type=submit]")
    assert page.locator(".refuge-rating").count() == 1 and _axe(page) == []
    assert own_origin_only(page, server.url) == []
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_basic_check_works_without_javascript(browser, server, lang):
    page = phone_page(browser, server, lang, java_script_enabled=False, viewport=PHONE_360)
    page.goto(server.url + f"/basic?lang={lang}")
    with page.expect_navigation():
        page.click(f"a[href='/basic/check?lang={lang}']")
    assert page.locator("script").count() == 0 and page.locator("html").get_attribute("lang") == lang
    page.fill("textarea#text", ESSAY)
    with page.expect_navigation():
        page.click("form.refuge-form button[type=submit]")
    assert page.url == server.url + f"/basic/check?lang={lang}"  # POST: the text is not in the URL
    items = page.locator(".refuge-check-item")
    assert items.count() == 3
    rating, opinion = ("Unsupported", "Opinion") if lang == "en" else ("Не подтверждено", "Мнение")
    assert items.nth(0).locator(".refuge-rating").inner_text() == rating
    assert items.nth(1).locator(".refuge-kind").inner_text() == opinion
    assert items.nth(0).locator("details.refuge-sources[open] .refuge-source").count() >= 1  # sources open
    exit_link = page.locator("a#refuge-exit")
    assert exit_link.get_attribute("href") == EXIT_URL and exit_link.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_360["width"]
    assert page.input_value("textarea#text") == ESSAY  # kept, to edit and check again
    if lang == "en":
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "basic-check-360.png"), full_page=True)
    page.fill("textarea#text", "12345 67890")
    with page.expect_navigation():
        page.click("form.refuge-form button[type=submit]")
    words = "look like text" if lang == "en" else "не похоже на текст"
    assert words in page.locator("main").inner_text()
    assert own_origin_only(page, server.url) == []
    page.context.close()

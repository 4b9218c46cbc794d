"""/basic: the page without JavaScript. `GET` shows a form; `POST` with the field `q`
(application/x-www-form-urlencoded, as every browser sends a form) returns the answer as
HTML: the crisis notice first, then the direct answer with numbered links to its sources,
"More from the sources", and the sources. The quick exit is a plain link at the top. The
language comes from ?lang=, else Accept-Language. "Check a text" without JavaScript is
/basic/check (ui/basic_check.py); `page` draws both forms.

No scripts, no cookies, nothing stored. A malformed POST (no q, not UTF-8, another content
type, a body over the gate's cap) gets a calm page with the chat's own messages, never a
traceback. Nothing here logs the question.
"""
from __future__ import annotations

import html
import logging
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import Request

from chat.messages import message as msg
from ui import present
from ui.texts import pick_language, ui_text

PATH = "/basic"
CHECK_PATH = "/basic/check"  # "Check a text" without JavaScript (ui/basic_check.py)
FORM_TYPE = "application/x-www-form-urlencoded"
CSS = (Path(__file__).parent / "static" / "basic.css").read_text()
log = logging.getLogger("refuge.web")


def language(query: str, accept_language: str | None) -> str:
    """?lang=ru or ?lang=en wins; else the browser's preference."""
    asked = parse_qs(query or "").get("lang", [""])[0]
    return asked if asked in ("en", "ru") else pick_language(accept_language)


def read_form(raw: bytes, content_type: str) -> tuple[str | None, str | None, int]:
    """(question, message key of the chat's BadQuestion messages, HTTP status) from a POST body."""
    if (content_type or "").split(";")[0].strip().lower() != FORM_TYPE:
        return None, "empty", 415
    try:
        fields = parse_qs(raw.decode("ascii"), keep_blank_values=True, strict_parsing=False,
                          encoding="utf-8", errors="strict", max_num_fields=20)
    except (UnicodeDecodeError, ValueError):  # bytes that are not a form, or %-escapes that are not UTF-8
        return None, "not_text", 400
    values = fields.get("q")
    if not values:
        return None, "empty", 400
    return values[0], None, 200


def page(lang: str, exit_url: str, limit: int, body: str = "", mode: str = "ask", text: str = "") -> str:
    """The whole page: exit link and notice, then `body` (an answer, a checked text or a
    message), then the form: a question (`mode` "ask") or a text to check ("check", `text` in it)."""
    t = ui_text(lang)
    other = "ru" if lang == "en" else "en"
    here, there, switch = (CHECK_PATH, PATH, t["ask_link"]) if mode == "check" else (PATH, CHECK_PATH, t["check_link"])
    form = check_form(t, lang, text) if mode == "check" else (
        f'<form method="post" action="{PATH}?lang={lang}" class="refuge-form">'
        f'<label for="q">{html.escape(t["question"])}</label>'
        f'<textarea id="q" name="q" rows="3" maxlength="{limit + 1}" required></textarea>'
        f'<button type="submit">{html.escape(t["ask"])}</button></form>')
    return ("<!doctype html>"
            f'<html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="referrer" content="no-referrer"><title>Notes</title><style>{CSS}</style></head><body>'
            f'<header class="refuge-bar"><a id="refuge-exit" class="refuge-exit" href="{html.escape(exit_url, True)}">'
            f'{html.escape(t["exit"])}</a><span class="refuge-exit-note">{html.escape(t["exit_note_basic"])}'
            f"</span></header><main><h1>{html.escape(t['heading'])}</h1>"
            f'<p class="refuge-notice">{html.escape(t["notice"])}</p>{body}{form}'
            f'<p class="refuge-links"><a href="{there}?lang={lang}">{html.escape(switch)}</a> · '
            f'<a href="{here}?lang={other}" lang="{other}" hreflang="{other}">'
            f'{html.escape(t["other_language"])}</a> · <a href="/">{html.escape(t["full_link"])}</a></p>'
            "</main></body></html>")


def check_form(t: dict, lang: str, text: str = "") -> str:
    """The "Check a text" form: a POST (the text is never in a URL), the text kept in it."""
    from kb.settings import CHECK

    return (f'<form method="post" action="{CHECK_PATH}?lang={lang}" class="refuge-form">'
            f'<h2>{html.escape(t["check_tab"])}</h2><p class="refuge-notice">{html.escape(t["check_intro"])}</p>'
            f'<label for="text">{html.escape(t["check_label"])}</label>'
            f'<textarea id="text" name="text" rows="10" maxlength="{CHECK.max_chars + 1}" required>'
            f'{html.escape(text)}</textarea><button type="submit">{html.escape(t["check_button"])}</button></form>')


def message_html(text: str) -> str:
    return f'<p class="refuge-message" role="status">{html.escape(text)}</p>'


def answer_html(result: dict, notice: dict | None, lang: str) -> str:
    """Crisis notice first, then the question as typed (escaped), the answer, more, sources."""
    text = ui_text(lang)
    uid = "a"
    crisis = present.crisis_html(notice, text, uid="n") if "crisis" in result["notices"] else ""
    notes = [text["sources_in_english"]] if "sources_in_english" in result["notices"] else []
    if result["refused"] or not result["citations"]:
        answer = f'<div class="refuge-answer">{message_html(result["answer"])}</div>'
    else:
        answer = present.answer_block(result["answer"], uid, text, notes, result.get("more", ""),
                                      result["citations"], final=True, open_sources=True)
    asked = (f'<h2>{html.escape(text["question"])}</h2><p class="refuge-asked">{html.escape(result["question"])}</p>'
             if result.get("question") else "")
    return f"{crisis}{asked}{answer}"


def refused_page(status: int, query: str, accept_language: str | None, exit_url: str, limit: int,
                 path: str = PATH) -> bytes:
    """The calm page for a POST the gate turns away before it is read (a body over the cap)."""
    lang = language(query, accept_language)
    if path == CHECK_PATH:
        from kb.settings import CHECK

        key = "check_too_long_body" if status == 413 else "check_empty"
        text = ui_text(lang)[key] if status == 413 else msg(key, lang)
        return page(lang, exit_url, limit, message_html(text.format(limit=CHECK.max_chars)), "check").encode()
    key = "too_long_body" if status == 413 else "empty"
    return page(lang, exit_url, limit, message_html(msg(key, lang, limit=limit))).encode()


def routes(app, assistant, limit, gate, settings) -> None:
    """GET and POST /basic on the FastAPI app (before Gradio is mounted at /)."""
    from fastapi.concurrency import run_in_threadpool
    from fastapi.responses import HTMLResponse

    from ui.ratelimit import client_of

    chars = settings.max_question_chars

    def lang_of(request: Request) -> str:
        return language(request.url.query, request.headers.get("accept-language"))

    @app.get(PATH, response_class=HTMLResponse)
    def basic_form(request: Request):
        return HTMLResponse(page(lang_of(request), settings.exit_url, chars))

    @app.post(PATH, response_class=HTMLResponse)
    async def basic_answer(request: Request):
        lang = lang_of(request)
        question, problem, status = read_form(await request.body(), request.headers.get("content-type", ""))
        if problem:
            return HTMLResponse(page(lang, settings.exit_url, chars, message_html(msg(problem, lang))), status)
        body = await run_in_threadpool(answer, assistant, question, lang, limit, gate, client_of(request))
        return HTMLResponse(page(lang, settings.exit_url, chars, body))


def answer(assistant, question: str, lang: str, limit, gate, client) -> str:
    """The answer as HTML, through the same rate limit and gate as the chat."""
    from chat.assistant import question_language
    from chat.safety import danger_kind
    from kb.errors import BadQuestion
    from ui.web import clip

    question = clip(question, assistant.settings.max_question_chars)
    if not question.strip():  # the chat's message, in the page's language (a blank has none of its own)
        return message_html(msg("empty", lang))
    if not limit.allow(client):
        return message_html(msg("rate_limited", lang))
    with gate.enter() as admitted:
        if not admitted:
            return message_html(msg("busy", lang))
        try:
            result = assistant.ask(question)
        except BadQuestion as exc:
            return message_html(str(exc))
        except Exception:  # the store or a library failed: say so kindly, log no question text
            log.warning("error while answering on /basic", exc_info=False)
            return message_html(msg("unavailable", lang))
    asked_in = question_language(result["question"]) if result.get("question") else lang
    notice = (assistant.crisis_notice(asked_in, result.get("danger") or danger_kind(result["question"]), result["question"])
              if "crisis" in result["notices"] else None)
    return answer_html(result, notice, asked_in)

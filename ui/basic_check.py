"""/basic/check: "Check a text" without JavaScript. `GET` shows the form; `POST` with the field
`text` (application/x-www-form-urlencoded) returns the checked text as HTML, rendered on the
server (ui/checkview.py), with the text kept in the form to edit. The text travels only in the
POST body: never in a URL, a cookie, a log or a file.

A malformed POST (no `text`, not UTF-8, another content type, a body over the gate's cap) gets
the calm page with a clear message and a 4xx, never a traceback.
"""
from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import Request

from chat.messages import message as msg
from kb.settings import CHECK
from ui import checkview
from ui.basic import CHECK_PATH, FORM_TYPE, language, page

FIELD = "text"


def read_text(raw: bytes, content_type: str) -> tuple[str | None, str | None, int]:
    """(text, message key, HTTP status) from a POST body."""
    if (content_type or "").split(";")[0].strip().lower() != FORM_TYPE:
        return None, "check_empty", 415
    try:
        fields = parse_qs(raw.decode("ascii"), keep_blank_values=True, strict_parsing=False,
                          encoding="utf-8", errors="strict", max_num_fields=20)
    except (UnicodeDecodeError, ValueError):  # bytes that are not a form, or %-escapes that are not UTF-8
        return None, "check_not_text", 400
    values = fields.get(FIELD)
    if not values:
        return None, "check_empty", 400
    return values[0], None, 200


def routes(app, assistant, limit, gate, settings) -> None:
    """GET and POST /basic/check on the FastAPI app (before Gradio is mounted at /)."""
    from fastapi.concurrency import run_in_threadpool
    from fastapi.responses import HTMLResponse

    from ui.ratelimit import client_of

    chars = settings.max_question_chars

    def lang_of(request: Request) -> str:
        return language(request.url.query, request.headers.get("accept-language"))

    @app.get(CHECK_PATH, response_class=HTMLResponse)
    def check_form(request: Request):
        return HTMLResponse(page(lang_of(request), settings.exit_url, chars, mode="check"))

    @app.post(CHECK_PATH, response_class=HTMLResponse)
    async def check_result(request: Request):
        lang = lang_of(request)
        text, problem, status = read_text(await request.body(), request.headers.get("content-type", ""))
        if problem:
            return HTMLResponse(page(lang, settings.exit_url, chars, checkview.message_html(msg(problem, lang)),
                                     "check"), status)
        status, body = await run_in_threadpool(checkview.run, assistant, text, lang, limit, gate, client_of(request),
                                               True)
        kept = text[:CHECK.max_chars + 1] if status in (200, 413) else ""  # to edit and send again
        return HTMLResponse(page(lang, settings.exit_url, chars, body, "check", kept), status)

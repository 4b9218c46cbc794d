"""The page's first bytes. Gradio's index page is blank until ~60 scripts have loaded
(11 s on a slow phone line), and blank for good without JavaScript. This middleware
rewrites that one HTML response (GET /) so that, before any script loads:

- the quick exit (a plain link, with a tiny inline script for an exit that leaves no
  Back entry, and Shift pressed three times) and a question box (a plain form that posts
  to /basic) are on screen, in the language of Accept-Language;
- a <noscript> block points to /basic;
- Gradio's stylesheet no longer holds up the first paint;

and sends it gzip-compressed when the browser accepts that (37 KB -> ~9 KB: the inline app
config is most of it). When the chat has loaded, ui/static/refuge.js moves any text typed so
far into the chat's box and removes the early shell. The HTML stays `no-store` (ui/guard.py).
"""
from __future__ import annotations

import gzip
import html
import json
import re
from pathlib import Path

from ui.texts import pick_language, ui_text

STATIC = Path(__file__).parent / "static"
CSS = (STATIC / "basic.css").read_text()
EARLY_JS = (STATIC / "early.js").read_text()
STYLESHEET = re.compile(r'\s*<link rel="stylesheet"[^>]*href="\./assets/[^"]+\.css"[^>]*>')
MIN_GZIP = 1024


def shell_html(lang: str, exit_url: str, limit: int) -> str:
    text = ui_text(lang)
    esc = html.escape
    script = EARLY_JS.replace('"__EXIT_URL__"', json.dumps(exit_url).replace("</", "<\\/"))
    return (f'<div id="refuge-shell"><style>{CSS}#refuge-shell main{{padding-top:.25rem}}</style>'
            f'<header class="refuge-bar"><a id="refuge-early-exit" class="refuge-exit" href="{esc(exit_url, True)}">'
            f'{esc(text["exit"])}</a><span class="refuge-exit-note">{esc(text["exit_note"])}</span></header>'
            f'<main><h1>{esc(text["heading"])}</h1><p class="refuge-notice">{esc(text["notice"])}</p>'
            f'<noscript><p class="refuge-message">{esc(text["noscript"])} '
            f'<a href="/basic?lang={lang}">{esc(text["basic_link"])}</a></p></noscript>'
            f'<form method="post" action="/basic?lang={lang}" class="refuge-form">'
            f'<label for="refuge-early-q">{esc(text["question"])}</label>'
            f'<textarea id="refuge-early-q" name="q" rows="2" maxlength="{limit + 1}"></textarea>'
            f'<button type="submit">{esc(text["ask"])}</button></form></main>'
            f"<script>{script}</script></div>"
            f'<div id="refuge-status" role="status" aria-live="polite" class="refuge-sr"></div>')


def rewrite(page: str, lang: str, exit_url: str, limit: int) -> str:
    """Gradio's index page with the early shell first in <body>, the page language set, its
    stylesheet after the shell (so the shell paints without waiting for it), and the manifest
    link (a route the gate closes) and the iframe-resizer loader (for embedding in another
    page, which frame-ancestors 'none' forbids anyway; one request fewer) removed. A page it does not recognise is left as it is."""
    body = re.search(r"<body[^>]*>", page)
    if not body or "<gradio-app" not in page:
        return page
    sheets = "".join(m.strip() for m in STYLESHEET.findall(page[:body.start()]))
    head = STYLESHEET.sub("", page[:body.start()])
    head = re.sub(r'<html(\s+)lang="[^"]*"', f'<html\\1lang="{lang}"', head, count=1)
    head = re.sub(r'\s*<link rel="manifest"[^>]*>', "", head)
    head = re.sub(r"\s*<script>(?:(?!</script>).)*iframeResizer(?:(?!</script>).)*</script>", "", head, count=1, flags=re.S)
    return head + body.group(0) + shell_html(lang, exit_url, limit) + sheets + page[body.end():]


class Shell:
    """ASGI middleware: rewrites the HTML of GET / (see the module docstring)."""

    def __init__(self, app, exit_url: str, limit: int):
        self.app, self.exit_url, self.limit = app, exit_url, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != "/":
            return await self.app(scope, receive, send)
        headers = {k.lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        lang = pick_language(headers.get(b"accept-language"))
        gzip_ok = "gzip" in headers.get(b"accept-encoding", "")
        start, chunks = {}, []

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                return await send(message)
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            await self._send(send, start, b"".join(chunks), lang, gzip_ok)

        await self.app(scope, receive, capture)

    async def _send(self, send, start: dict, body: bytes, lang: str, gzip_ok: bool) -> None:
        kept = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-length", b"content-encoding")]
        html_page = any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in kept)
        if start.get("status") == 200 and html_page:
            body = rewrite(body.decode("utf-8"), lang, self.exit_url, self.limit).encode("utf-8")
        if gzip_ok and len(body) >= MIN_GZIP:
            body = gzip.compress(body, 6)
            kept.append((b"content-encoding", b"gzip"))
        kept += [(b"content-length", str(len(body)).encode()), (b"vary", b"Accept-Encoding, Accept-Language")]
        await send({**start, "headers": kept})
        await send({"type": "http.response.body", "body": body, "more_body": False})

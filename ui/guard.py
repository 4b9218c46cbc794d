"""The HTTP gate in front of the Gradio app (pure ASGI, outermost middleware).

Before any route runs it: answers only the Host names in REFUGE_ALLOWED_HOSTS; drops
X-Forwarded-* and Forwarded headers unless REFUGE_TRUSTED_PROXIES names a proxy; lets
through only the routes the page and `gradio_client` use (everything else is a 404:
uploads, OpenAPI documents, dev reload, monitoring, /run and /call ...); caps request
bodies (MAX_BODY bytes; MAX_TEXT_BODY for a text to check); and reads every queue submission with our own bounded parser
(known fn_index, the right number of inputs, text where text belongs, no client-supplied
state, no lone surrogates) and hands Gradio a clean copy. Every response gets the security
headers, and never a CORS header: `no-store`, except Gradio's hashed build files (cached for a
year, `immutable`), and /basic and /basic/check get a CSP that allows no script. A POST to them
(a form from the page without JavaScript) is capped like any other and, when refused, answered with a calm
HTML page instead of plain text.
"""
from __future__ import annotations

import json
import logging
import re

MAX_BODY = 16 * 1024  # bytes of a POST body (a 1,000-character question is ~2 KB as JSON)
# "Check a text" (20,000 characters): 20,000 Cyrillic letters are 120 KB as a form (%D0%9F each), 40 KB as
# JSON. Only /basic/check and the page's check event may send this much; every other body stays at MAX_BODY.
MAX_TEXT_BODY = 160 * 1024
JOIN = "/gradio_api/queue/join"
# path -> methods. Prefix entries end with "/"; exact ones don't.
OPEN_GET = ("/", "/theme.css", "/robots.txt", "/config", "/gradio_api/info", "/gradio_api/queue/data")
OPEN_GET_PREFIX = ("/assets/", "/static/", "/gradio_api/heartbeat/")
OPEN_POST = (JOIN, "/gradio_api/cancel")
BASIC = "/basic"  # the page without JavaScript (ui/basic.py): GET, and POST of a form (capped, not JSON)
BASIC_CHECK = "/basic/check"  # its "Check a text" form (ui/basic_check.py)
BASIC_PATHS = (BASIC, BASIC_CHECK)
# Gradio's built files carry a content hash in their names (index-DphvyggB.js): cached for a
# year and never revalidated. Everything else, the HTML and every answer, stays no-store.
HASHED = re.compile(r"^/assets/[\w.-]+-[A-Za-z0-9_-]{8,12}\.(js|css|woff2?|ttf|svg|png|wasm)$")
THEME = re.compile(rb"^v=[0-9a-f]{32,64}$")  # /theme.css?v=<hash of the theme>
IMMUTABLE = b"public, max-age=31536000, immutable"
# /basic runs no script at all; the rest of its headers are those of every other page.
BASIC_CSP = ("default-src 'self'; script-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
             "connect-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'")
BODY_KEYS = {"data", "fn_index", "session_hash", "event_data", "trigger_id", "event_id", "simple_format",
             "batched"}
SESSION = re.compile(r"[A-Za-z0-9_-]{1,64}")
SURROGATES = re.compile("[\ud800-\udfff]")
TEXT_INPUTS = {"Textbox", "Button", "Radio", "Dropdown", "Api", "Markdown", "HTML"}
log = logging.getLogger("refuge.web")


class Refused(Exception):
    def __init__(self, status: int, text: str):
        super().__init__(text)
        self.status, self.text = status, text


def input_kinds(blocks) -> dict[int, tuple[str, ...]]:
    """fn_index -> the kind of each input ("text", "flag", "state"). A component this
    gate cannot parse is a start-up error, so nobody adds one without a rule here."""
    kinds = {}
    for index, fn in blocks.fns.items():
        row = []
        for component in fn.inputs:
            name = type(component).__name__
            if name == "State":
                row.append("state")
            elif name == "Checkbox":
                row.append("flag")
            elif name in TEXT_INPUTS:
                row.append("text")
            else:
                raise TypeError(f"ui/guard.py has no rule for a {name} input (event {fn.name!r})")
        kinds[index] = tuple(row)
    return kinds


def clean(value):
    """`value` with lone surrogates removed from every string (they crash the UTF-8 stream)."""
    if isinstance(value, str):
        return SURROGATES.sub("", value)
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    return value


def parse_join(raw: bytes, kinds: dict[int, tuple[str, ...]], roomy=frozenset()) -> bytes:
    """A queue submission, checked and re-encoded, or Refused. Never raises anything else.
    Only the events in `roomy` (the check of a pasted text) may be longer than MAX_BODY."""
    big = len(raw) > MAX_BODY
    try:
        body = json.loads(raw.decode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError):
        raise Refused(413 if big else 400, "Request too large" if big else "Bad request") from None
    if big and (not isinstance(body, dict) or body.get("fn_index") not in roomy):
        raise Refused(413, "Request too large")
    if not isinstance(body, dict) or not set(body) <= BODY_KEYS:
        raise Refused(422, "Unexpected fields")
    index = body.get("fn_index")
    if type(index) is not int or index not in kinds:
        raise Refused(404, "No such event")
    if not isinstance(body.get("session_hash"), str) or not SESSION.fullmatch(body["session_hash"]):
        raise Refused(422, "Bad session")
    data = body.get("data")
    if not isinstance(data, list) or len(data) != len(kinds[index]):
        raise Refused(422, "Wrong number of inputs")
    body["data"] = [_input(value, kind) for value, kind in zip(data, kinds[index])]
    if body.get("trigger_id") is not None and type(body["trigger_id"]) is not int:
        raise Refused(422, "Bad trigger")
    body["event_id"] = None
    return json.dumps(clean(body), ensure_ascii=False).encode("utf-8")


def _input(value, kind: str):
    if kind == "state":
        return None  # the server owns state; whatever the client sent is ignored
    if kind == "flag":
        if not isinstance(value, bool):
            raise Refused(422, "Bad input")
        return value
    if value is None or isinstance(value, str):
        return value
    raise Refused(422, "Bad input")


def host_name(value: str) -> str:
    """The host of a Host header, lower-cased, without the port ('[::1]:80' -> '::1')."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else ""
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    def __init__(self, app, settings, security_headers: dict, kinds: dict, routes=(), roomy=frozenset()):
        self.app, self.settings, self.kinds, self.roomy = app, settings, kinds, frozenset(roomy)
        self.headers = [(k.lower().encode(), v.encode()) for k, v in security_headers.items()]
        self.basic_headers = [(k, BASIC_CSP.encode() if k == b"content-security-policy" else v) for k, v in self.headers]
        self.replaced = {k for k, _ in self.headers} | {b"server"}
        self.routes = routes  # the parent app's live route list: its own routes (/healthz ...) pass

    def _own(self, path: str) -> bool:
        return any(getattr(route, "path", None) == path and type(route).__name__ == "APIRoute"
                   for route in self.routes)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                return await self._close(send)
            return await self.app(scope, receive, send)
        started = False
        ours = self.headers_for(scope["path"], scope["method"], scope.get("query_string", b""))

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                kept = [(k, v) for k, v in message.get("headers", [])
                        if not k.lower().startswith(b"access-control-") and k.lower() not in self.replaced]
                if message.get("status") != 200:  # a 404 for a missing hashed file is not kept
                    ours_now = [(k, b"no-store" if k == b"cache-control" else v) for k, v in ours]
                else:
                    ours_now = ours
                message = {**message, "headers": kept + ours_now}
            await send(message)

        try:
            receive = await self._admit(scope, receive)
            await self.app(scope, receive, send_with_headers)
        except Refused as refused:
            if scope["path"] in BASIC_PATHS and scope["method"] == "POST":  # a form: a calm page, not a bare error
                await _html(send_with_headers, refused.status, self._basic_refused(scope, refused.status))
            else:
                await _plain(send_with_headers, refused.status, refused.text)
        except Exception:  # an unhandled error: a plain 500 that still carries the headers
            log.warning("unhandled error on a web route", exc_info=False)
            if not started:
                await _plain(send_with_headers, 500, "Internal Server Error")
            else:  # a stream that failed midway (Gradio's SSE for an unknown session): end it cleanly
                await send({"type": "http.response.body", "body": b"", "more_body": False})

    def headers_for(self, path: str, method: str, query: bytes = b"") -> list[tuple[bytes, bytes]]:
        """The security headers for this path: /basic's CSP allows no script; hashed build files
        and the theme named by its hash are cached for good (`IMMUTABLE`); all else is no-store."""
        if path in BASIC_PATHS:
            return self.basic_headers
        if method in ("GET", "HEAD") and (HASHED.match(path) or path == "/theme.css" and THEME.match(query)):
            return [(k, IMMUTABLE if k == b"cache-control" else v) for k, v in self.headers]
        return self.headers

    def _basic_refused(self, scope, status: int) -> bytes:
        from ui.basic import refused_page

        accept = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == b"accept-language"), None)
        return refused_page(status, scope.get("query_string", b"").decode("latin-1"), accept,
                            self.settings.exit_url, self.settings.max_question_chars, scope["path"])

    async def _admit(self, scope, receive):
        """Raise Refused, or return the `receive` the app should read (a checked body)."""
        headers = [(k.lower(), v) for k, v in scope.get("headers", [])]
        host = next((v.decode("latin-1") for k, v in headers if k == b"host"), "")
        if host_name(host) not in self.settings.allowed_hosts:
            raise Refused(400, "Invalid host header")
        if not self.settings.trusted_proxies:
            scope["headers"] = [(k, v) for k, v in headers if not k.startswith(b"x-forwarded-") and k != b"forwarded"]
        path, method = scope["path"], scope["method"]
        self._route(path, method)
        if method != "POST":
            return receive
        cap = MAX_TEXT_BODY if path == BASIC_CHECK or path == JOIN and self.roomy else MAX_BODY
        raw = await _read_body(scope, receive, cap)
        if path == JOIN:
            raw = parse_join(raw, self.kinds, self.roomy)
        elif path in OPEN_POST:
            raw = json.dumps(clean(_json_or_refuse(raw)), ensure_ascii=False).encode("utf-8")
        _set_length(scope, len(raw))
        return _replay(raw, receive)

    def _route(self, path: str, method: str) -> None:
        if self._own(path):
            return
        if method in ("GET", "HEAD") and (path in OPEN_GET or path.startswith(OPEN_GET_PREFIX)):
            return
        if method == "POST" and path in OPEN_POST:
            return
        if path in BASIC_PATHS and method in ("GET", "HEAD", "POST"):
            return
        if path in OPEN_GET or path in OPEN_POST or path in BASIC_PATHS:
            raise Refused(405, "Method Not Allowed")
        raise Refused(404, "Not Found")

    @staticmethod
    async def _close(send):
        await send({"type": "websocket.close", "code": 1008})


def _json_or_refuse(raw: bytes):
    try:
        return json.loads(raw.decode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError):
        raise Refused(400, "Bad request") from None


async def _read_body(scope, receive, cap: int = MAX_BODY) -> bytes:
    """The whole body, or Refused(413) as soon as it passes `cap` bytes (announced or sent)."""
    for key, value in scope.get("headers", []):
        if key.lower() == b"content-length":
            try:
                if int(value) > cap:
                    raise Refused(413, "Request too large")
            except ValueError:
                raise Refused(400, "Bad request") from None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Refused(400, "Client went away")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            raise Refused(413, "Request too large")
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _set_length(scope, length: int) -> None:
    scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() not in (b"content-length",
                                                                                  b"transfer-encoding")]
    scope["headers"].append((b"content-length", str(length).encode()))


def _replay(raw: bytes, receive):
    """A `receive` that gives the checked body once, then waits on the real one (disconnect)."""
    sent = False

    async def replay():
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}
    return replay


async def _html(send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _plain(send, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})

"""The public web chat: a Gradio app built by `build_blocks`, mounted by `create_app`
in a FastAPI app that owns the HTTP layer (/healthz; ui/guard.py: security headers, allowed
hosts and routes, body cap, the checked queue submissions; no CORS).

The page has two tabs: the chat (the default) and "Check a text" (ui/checkview.py).
The streaming generator `respond` is a plain function of (assistant, message,
history), so it can be tested without a browser. Nothing here logs question text.
"""

import html
import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path

from chat.messages import message as msg
from kb.errors import BadQuestion, RefugeError
from kb.settings import CHECK
from ui import checkview, present, stream
from ui.ratelimit import RateLimit, client_of
from ui.texts import pick_language, ui_text

STATIC = Path(__file__).parent / "static"
PAGE_TITLE = "Notes"
CSS = (STATIC / "refuge.css").read_text()
JS = (STATIC / "refuge.js").read_text()  # runs once the chat has loaded; the exit itself is ui/static/early.js
log = logging.getLogger("refuge.web")
CHECK_EVENT = "check_a_text"  # the page's "Check a text" event: the gate lets its body be larger
KEPT_TURNS = 24  # messages of a conversation the server keeps (and shows) per session
KEPT_SECONDS = 3600  # a session's conversation is forgotten an hour after its last change
SESSIONS = 2000  # conversations kept at most (the oldest go first)


def respond(assistant, message: str, history: list[dict], shown: list[dict] | None = None):
    """Yield the chat as the answer streams: crisis notice first (in the question's
    language), then, with a language model, its draft in a provisional style, then the
    verified answer paragraph by paragraph (replacing any draft), then the sources.
    `history` is the plain-text conversation for follow-ups; `shown` the turns on screen
    before this one (default: `history`)."""
    from chat.assistant import question_language

    message = clip(message, assistant.settings.max_question_chars)
    history = list(history or [])
    shown = history if shown is None else list(shown)
    lang = question_language(str(message))
    user = {"role": "user", "content": present.escape_md(str(message)[:300])}
    crisis = _early_crisis(assistant, message, lang)
    try:
        result = yield from _answer(assistant, message, history, shown + [user] + crisis, lang)
    except BadQuestion as exc:
        yield shown + [user] + crisis + [{"role": "assistant", "content": str(exc)}]
        return
    except Exception:  # the store or a library failed: say so kindly, log no question text
        log.warning("error while answering", exc_info=False)
        yield shown + [user] + crisis + [{"role": "assistant", "content": msg("unavailable", lang)}]
        return
    text = ui_text(question_language(result["question"]))
    if "crisis" in result["notices"] and not crisis:  # the same check as _early_crisis: a safety net
        crisis = [_crisis_turn(assistant, lang, result.get("danger"), result["question"])]
    shown = shown + [{"role": "user", "content": present.escape_md(result["question"])}] + crisis
    if crisis:
        yield shown
    uid, notes, parts = present.turn_id(), _notes(result, text), result["answer"].split("\n\n")
    if result["refused"] or not result["citations"]:  # a fixed reply: plain text, like every other message
        yield shown + [{"role": "assistant", "content": "\n\n".join([f"*{n}*" for n in notes] +
                                                                     [present.escape_md(p) for p in parts])}]
        return
    for i in range(1, len(parts) + 1):
        block = present.answer_block("\n\n".join(parts[:i]), uid, text, notes)
        yield shown + [{"role": "assistant", "content": block}]
    final = present.answer_block(result["answer"], uid, text, notes, result.get("more", ""), result["citations"],
                                 final=True)
    yield shown + [{"role": "assistant", "content": final}]


def clip(message, limit: int):
    """A question cut to a few times the length limit, before any work on it (language
    detection, the danger check): a 2 MB question costs no more than a 4,000-character one.
    It is still "too long"; anything not text is left for `check_question` to turn away."""
    return message[:4 * limit + 1] if isinstance(message, str) else message


def _answer(assistant, message: str, history: list[dict], above: list[dict], lang: str):
    """The answer object. With a language model, first yields its unverified draft as a
    provisional turn below `above`; the caller's next update replaces it."""
    from chat.llm import parse

    if not parse(assistant.settings.llm):
        return assistant.ask(message, history=history)
    label = ui_text(lang)["draft"]
    run = stream.drafts(lambda on_text: assistant.ask(message, history=history, on_text=on_text))
    while True:
        try:
            draft = next(run)
        except StopIteration as done:
            return done.value
        yield above + [{"role": "assistant", "content": present.draft_html(draft, label)}]


def _early_crisis(assistant, message, lang: str) -> list[dict]:
    """The crisis notice as a turn, before any answer work, for a question that signals danger."""
    from chat.safety import danger_kind, normalise_question

    asked = normalise_question(message) if isinstance(message, str) else ""
    kind = danger_kind(asked) if asked else None
    return [_crisis_turn(assistant, lang, kind, asked)] if kind else []


def _crisis_turn(assistant, lang: str, kind: str | None = None, question: str = "") -> dict:
    """The crisis notice as a turn: the short first step for this kind of danger (the lines of a
    country the question names first), then the rest."""
    notice = present.crisis_html(assistant.crisis_notice(lang, kind, question), ui_text(lang), uid=present.turn_id())
    return {"role": "assistant", "content": notice}


def _notes(result: dict, text: dict) -> list[str]:
    """Short lines above the answer: sources in English, and what the language model path did."""
    notes = [text["sources_in_english"]] if "sources_in_english" in result["notices"] else []
    if "llm_fallback" in result["notices"]:
        notes.append(text["llm_fallback"])
    elif "generated" in result:
        removed = len(result.get("removed", []))
        notes.append(text["llm_checked"] + (" " + text["llm_removed"].format(n=removed) if removed else ""))
    return notes


def _plain_history(history: list[dict]) -> list[dict]:
    """The conversation as plain text: Gradio gives content as a string or as a list of
    {"type": "text", "text": ...} parts, and user turns carry our Markdown escapes."""
    out = []
    for m in history or []:
        content = m.get("content")
        if isinstance(content, list):
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        out.append({"role": m.get("role"), "content": present.unescape_md(content or "")})
    return out


class Gate:
    """At most `running` answers at once and `waiting` more in line; anyone beyond gets
    an immediate "busy" reply instead of an unbounded wait."""

    def __init__(self, running: int = 4, waiting: int = 16, wait_s: float = 30.0):
        self.slots = threading.BoundedSemaphore(running)
        self.limit, self.wait_s, self.inside = running + waiting, wait_s, 0
        self.lock = threading.Lock()

    @contextmanager
    def enter(self):
        with self.lock:
            admitted = self.inside < self.limit
            self.inside += admitted
        got = admitted and self.slots.acquire(timeout=self.wait_s)
        try:
            yield bool(got)
        finally:
            if got:
                self.slots.release()
            if admitted:
                with self.lock:
                    self.inside -= 1


def _busy_reply(message: str, history: list[dict], key: str = "busy") -> list[dict]:
    from chat.assistant import question_language

    message = str(message)[:300]
    return list(history or []) + [{"role": "user", "content": present.escape_md(message)},
                                  {"role": "assistant", "content": msg(key, question_language(message))}]


def _top_html(text: dict, exit_url: str, lang: str = "en") -> str:
    """The fixed bar (quick exit: a plain link, see ui/static/early.js), the page heading, the
    notice; its data attributes carry the page language and the status texts for refuge.js."""
    esc = html.escape
    return (f'<div id="refuge-top" data-lang="{lang}" data-ready="{esc(text["answer_ready"])}" '
            f'data-crisis="{esc(text["crisis_ready"])}" data-question="{esc(text["question"])}"><a id="refuge-exit" href="{esc(exit_url, True)}">'
            f'{esc(text["exit"])}</a><span class="refuge-exit-note">{esc(text["exit_note"])}</span></div>'
            f'<h1 class="refuge-sr">{esc(text["heading"])}</h1><p class="refuge-notice">{esc(text["notice"])}</p>')


def _check_intro(text: dict) -> str:
    return f'<p class="refuge-notice">{html.escape(text["check_intro"])}</p>'


def build_blocks(assistant, gate: Gate | None = None, limit: RateLimit | None = None):
    """The Gradio Blocks app (not launched): chat, examples, language switch, quick exit, and the
    "Check a text" tab."""
    import gradio as gr

    gate = gate or Gate(assistant.settings.max_running, assistant.settings.max_waiting)
    limit = limit or RateLimit(*assistant.settings.rate_limit)
    exit_url = assistant.settings.exit_url

    def chat(message, kept, request: gr.Request = None):
        """`kept` is this session's conversation as the server last showed it (gr.State,
        held server-side): the client's copy of the chat is never read."""
        kept = list(kept or [])[-KEPT_TURNS:]
        if not (message or "").strip():
            yield kept, "", kept
            return
        if not limit.allow(client_of(request)):
            update = _busy_reply(message, kept, "rate_limited")
            yield update, "", update[-KEPT_TURNS:]
            return
        with gate.enter() as admitted:
            if not admitted:
                update = _busy_reply(message, kept)
                yield update, "", update[-KEPT_TURNS:]
                return
            for update in respond(assistant, message, _plain_history(kept), kept):
                yield update, "", update[-KEPT_TURNS:]

    def ask_api(question: str, request: gr.Request = None) -> dict:
        """Answer one question; returns the JSON answer object."""
        from chat.assistant import public, question_language, reply

        question = clip(question, assistant.settings.max_question_chars)
        allowed = limit.allow(client_of(request))  # before any work on the text
        lang = question_language(str(question))
        if not allowed:
            return reply("", msg("rate_limited", lang))
        with gate.enter() as admitted:
            if not admitted:
                return reply("", msg("busy", lang))
            try:
                return public(assistant.ask(question))
            except BadQuestion as exc:
                return reply("", str(exc))
            except RefugeError:
                return reply("", msg("unavailable", lang))

    def check_a_text(text: str, lang: str, request: gr.Request = None) -> str:
        """The "Check a text" result as HTML, through the chat's rate limit and gate."""
        return checkview.run(assistant, text, lang if lang in ("en", "ru") else "en", limit, gate,
                             client_of(request))[1]

    def relabel(lang: str):
        text = ui_text(lang)
        return [gr.update(value=_top_html(text, exit_url, lang)),
                gr.update(placeholder=text["placeholder"], label=text["question"], submit_btn=text["send"]),
                gr.update(value=text["new"]), gr.update(label=text["answers"]), gr.update(label=text["language"]),
                gr.update(label=text["ask_tab"]), gr.update(label=text["check_tab"]),
                gr.update(value=_check_intro(text)),
                gr.update(label=text["check_label"], placeholder=text["check_placeholder"]),
                gr.update(value=text["check_button"])] + [gr.update(value=q) for q in text["examples"]]

    def on_load(request: gr.Request):
        lang = pick_language(request.headers.get("accept-language") if request else None)
        return [gr.update(value=lang)] + relabel(lang)

    text = ui_text("en")
    with gr.Blocks(title=PAGE_TITLE, analytics_enabled=False, fill_height=False,
                   delete_cache=(600, 600)) as blocks:
        kept = gr.State([], time_to_live=KEPT_SECONDS)
        top = gr.HTML(_top_html(text, exit_url), elem_id="refuge-head")
        with gr.Tabs(elem_id="refuge-modes"):
            with gr.Tab(text["ask_tab"], id="ask", elem_id="refuge-ask-tab") as ask_tab:
                chatbot = gr.Chatbot(label=text["answers"], show_label=False, height=None, autoscroll=False,
                                     feedback_options=None, buttons=[], elem_id="refuge-chat", allow_tags=False,
                                     group_consecutive_messages=False, layout="panel")
                box = gr.Textbox(placeholder=text["placeholder"], label=text["question"], show_label=False,
                                 max_lines=4, elem_id="refuge-input",
                                 max_length=assistant.settings.max_question_chars + 1, submit_btn=text["send"])
                with gr.Row(elem_id="refuge-examples"):
                    examples = [gr.Button(q, size="sm", variant="secondary") for q in text["examples"]]
            with gr.Tab(text["check_tab"], id="check", elem_id="refuge-check-tab") as check_tab:
                intro = gr.HTML(_check_intro(text), elem_id="refuge-check-intro")
                paste = gr.Textbox(label=text["check_label"], placeholder=text["check_placeholder"], lines=6,
                                   max_lines=14, max_length=CHECK.max_chars + 1, elem_id="refuge-check-input")
                check = gr.Button(text["check_button"], variant="primary", elem_id="refuge-check-button")
                result = gr.HTML("", elem_id="refuge-check-result")
        with gr.Row(elem_id="refuge-foot"):
            new = gr.Button(text["new"], variant="secondary", size="sm", elem_id="refuge-new")
            lang = gr.Radio([("English", "en"), ("Русский", "ru")], value="en", label=text["language"],
                            show_label=False, elem_id="refuge-lang", container=False)
        box.submit(chat, [box, kept], [chatbot, box, kept], api_visibility="private", concurrency_limit=24)
        for button in examples:
            button.click(lambda q: q, button, box, api_visibility="private")
        new.click(lambda: ([], "", []), None, [chatbot, box, kept], api_visibility="private")
        check.click(check_a_text, [paste, lang], result, api_visibility="private", concurrency_limit=24,
                    show_progress="minimal")
        outputs = [top, box, new, chatbot, lang, ask_tab, check_tab, intro, paste, check] + examples
        lang.change(relabel, lang, outputs, api_visibility="private")
        blocks.load(on_load, None, [lang] + outputs, api_visibility="private")
        gr.api(ask_api, api_name="ask", concurrency_limit=24)
    return blocks


SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
                                "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
                                "connect-src 'self'; media-src 'self' blob:; frame-ancestors 'none'; "
                                "base-uri 'self'; form-action 'self'; object-src 'none'"),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cache-Control": "no-store",
}
VERSION_SHOWN = "6"  # /config and the page say "Gradio 6", not the exact release (gradio_client needs >= 4.3)


def _warm(assistant) -> None:
    """Learn the per-version tables before the first question needs them (see
    `Assistant.warm`); a failure (a Chroma server that is down) only costs that question."""
    try:
        assistant.warm()
    except Exception as exc:  # the question path reports store errors in its own words
        log.warning("warm-up skipped: %s", type(exc).__name__)


def create_app(settings, assistant=None, gate: Gate | None = None):
    """The FastAPI app with Gradio mounted at /, behind the gate in ui/guard.py."""
    _private_temp_dir()
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.responses import FileResponse, JSONResponse
    from starlette.middleware.cors import CORSMiddleware

    from ui import basic, basic_check
    from ui.guard import Guard, input_kinds
    from ui.shell import Shell

    if assistant is None:
        from chat.assistant import Assistant

        assistant = Assistant(settings)
    threading.Thread(target=_warm, args=(assistant,), name="refuge-warm", daemon=True).start()
    gate = gate or Gate(settings.max_running, settings.max_waiting)
    limit = RateLimit(*settings.rate_limit)  # one limit for the chat, its API and /basic
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    # No cross-origin access at all. A parent CORSMiddleware also stops Gradio adding its own,
    # which reflects any Origin once the Host is not loopback.
    app.add_middleware(CORSMiddleware, allow_origins=[], allow_credentials=False)

    @app.get("/healthz")
    def healthz():
        return JSONResponse({"ok": True})

    @app.get("/favicon.ico")
    def favicon():
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    basic.routes(app, assistant, limit, gate, settings)  # before Gradio takes over "/"
    basic_check.routes(app, assistant, limit, gate, settings)
    blocks = build_blocks(assistant, gate, limit).queue(max_size=64, default_concurrency_limit=4)
    blocks.state_session_capacity = SESSIONS
    theme = gr.themes.Base(font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
                           font_mono=["ui-monospace", "monospace"])
    app = gr.mount_gradio_app(app, blocks, path="/", footer_links=[], run_history=False, ssr_mode=False,
                              enable_monitoring=False, pwa=False, mcp_server=False, theme=theme, css=CSS,
                              js=JS,
                              favicon_path=str(STATIC / "favicon.svg"), show_error=False, max_file_size=1)
    blocks.config["version"] = VERSION_SHOWN
    app.add_middleware(Shell, exit_url=settings.exit_url, limit=settings.max_question_chars)
    roomy = {i for i, fn in blocks.fns.items() if fn.name == CHECK_EVENT}
    app.add_middleware(Guard, settings=settings, security_headers=SECURITY_HEADERS, kinds=input_kinds(blocks),
                       routes=app.router.routes, roomy=roomy)  # added last, so outermost: it runs before anything else
    return app


def _private_temp_dir() -> None:
    """Gradio's file cache in a fresh 0700 folder of this process, removed at exit (set
    before gradio is imported: some of its modules read the variable at import)."""
    import atexit
    import shutil
    import tempfile

    if os.environ.get("GRADIO_TEMP_DIR", "").startswith(tempfile.gettempdir() + "/refuge-web-"):
        return
    folder = tempfile.mkdtemp(prefix="refuge-web-")
    os.environ["GRADIO_TEMP_DIR"] = folder
    atexit.register(shutil.rmtree, folder, True)


def run(settings, host: str, port: int) -> None:
    import uvicorn

    from kb.store import check_server
    from ui import safelog

    safelog.install()
    check_server(settings)
    app = create_app(settings)
    print(f"Refuge is serving on http://{host}:{port}", flush=True)
    if host not in settings.allowed_hosts and host not in ("0.0.0.0", "::"):
        print(f"note: {host} is not in REFUGE_ALLOWED_HOSTS; requests naming it are refused", flush=True)
    proxies = list(settings.trusted_proxies)
    # Open pages and API clients hold a heartbeat stream (the conversation is server state):
    # on SIGTERM, give answers in flight 5 s, then close the rest instead of waiting forever.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning", server_header=False,
                proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None, timeout_graceful_shutdown=5)

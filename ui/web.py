"""The public web chat: a Gradio app built by `build_blocks`, mounted by `create_app`
in a FastAPI app that owns the HTTP layer (security headers, /healthz, closed routes).

The streaming generator `respond` is a plain function of (assistant, message,
history), so it can be tested without a browser. Nothing here logs question text.
"""

import json
import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path

from chat.messages import message as msg
from kb.errors import BadQuestion, RefugeError
from ui import present, stream
from ui.ratelimit import RateLimit, client_of
from ui.texts import pick_language, ui_text

STATIC = Path(__file__).parent / "static"
PAGE_TITLE = "Notes"
CSS = (STATIC / "refuge.css").read_text()
JS = (STATIC / "refuge.js").read_text()  # "__EXIT_URL__" is filled in from the settings by create_app
log = logging.getLogger("refuge.web")


def respond(assistant, message: str, history: list[dict]):
    """Yield the chat history as the answer streams: crisis notice first (in the
    question's language), then, with a language model, its draft in a provisional style,
    then the verified answer paragraph by paragraph (replacing any draft), then the sources."""
    from chat.assistant import question_language

    history = list(history or [])
    lang = question_language(str(message))
    user = {"role": "user", "content": present.escape_md(str(message)[:300])}
    crisis = _early_crisis(assistant, message, lang)
    try:
        result = yield from _answer(assistant, message, history, [user] + crisis, lang)
    except BadQuestion as exc:
        yield history + [user] + crisis + [{"role": "assistant", "content": str(exc)}]
        return
    except Exception:  # the store or a library failed: say so kindly, log no question text
        log.warning("error while answering", exc_info=False)
        yield history + [user] + crisis + [{"role": "assistant", "content": msg("unavailable", lang)}]
        return
    text = ui_text(question_language(result["question"]))
    if "crisis" in result["notices"] and not crisis:  # the same check as _early_crisis: a safety net
        crisis = [_crisis_turn(assistant, lang)]
    history = history + [{"role": "user", "content": present.escape_md(result["question"])}] + crisis
    if crisis:
        yield history
    shown = " ".join(f"*{note}*" for note in _notes(result, text))
    for part in result["answer"].split("\n\n"):
        shown = f"{shown}\n\n{present.answer_markdown(part)}".strip()
        yield history + [{"role": "assistant", "content": shown}]
    final = shown + "\n\n" + present.more_html(result.get("more", ""), text["more"]) + "\n\n" + \
        present.sources_html(result["citations"], text)
    yield history + [{"role": "assistant", "content": final.strip()}]


def _answer(assistant, message: str, history: list[dict], shown: list[dict], lang: str):
    """The answer object. With a language model, first yields its unverified draft as a
    provisional turn below `shown`; the caller's next update replaces it."""
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
        yield history + shown + [{"role": "assistant", "content": present.draft_html(draft, label)}]


def _early_crisis(assistant, message, lang: str) -> list[dict]:
    """The crisis notice as a turn, before any answer work, for a question that signals danger."""
    from chat.safety import normalise_question, signals_danger

    if not isinstance(message, str) or not signals_danger(normalise_question(message)):
        return []
    return [_crisis_turn(assistant, lang)]


def _crisis_turn(assistant, lang: str) -> dict:
    notice = present.crisis_html(assistant.crisis_notice(lang), ui_text(lang)["crisis_fallback"])
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

    return list(history or []) + [{"role": "user", "content": present.escape_md(str(message)[:300])},
                                  {"role": "assistant", "content": msg(key, question_language(str(message)))}]


def _top_html(text: dict) -> str:
    return (f'<div id="refuge-top"><button id="refuge-exit" type="button">{text["exit"]}</button>'
            f'<span class="refuge-exit-note">{text["exit_note"]}</span></div>'
            f'<p class="refuge-notice">{text["notice"]}</p>')


def build_blocks(assistant, gate: Gate | None = None):
    """The Gradio Blocks app (not launched): chat, examples, language switch, quick exit."""
    import gradio as gr

    gate = gate or Gate(assistant.settings.max_running, assistant.settings.max_waiting)
    limit = RateLimit(*assistant.settings.rate_limit)

    def chat(message, history, request: gr.Request = None):
        if not (message or "").strip():
            yield history, ""
            return
        if not limit.allow(client_of(request)):
            yield _busy_reply(message, history, "rate_limited"), ""
            return
        with gate.enter() as admitted:
            if not admitted:
                yield _busy_reply(message, history), ""
                return
            for update in respond(assistant, message, _plain_history(history)):
                yield update, ""

    def ask_api(question: str, request: gr.Request = None) -> dict:
        """Answer one question; returns the JSON answer object."""
        from chat.assistant import public, question_language, reply

        lang = question_language(str(question))
        if not limit.allow(client_of(request)):
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

    def relabel(lang: str):
        text = ui_text(lang)
        return [gr.update(value=_top_html(text)), gr.update(placeholder=text["placeholder"]),
                gr.update(value=text["new"]), gr.update(label=text["answers"])] + \
               [gr.update(value=q) for q in text["examples"]]

    def on_load(request: gr.Request):
        lang = pick_language(request.headers.get("accept-language") if request else None)
        return [gr.update(value=lang)] + relabel(lang)

    text = ui_text("en")
    with gr.Blocks(title=PAGE_TITLE, analytics_enabled=False, fill_height=True) as blocks:
        top = gr.HTML(_top_html(text))
        chatbot = gr.Chatbot(label=text["answers"], height=520, feedback_options=None, buttons=[],
                             elem_id="refuge-chat", allow_tags=False, group_consecutive_messages=False)
        box = gr.Textbox(placeholder=text["placeholder"], show_label=False, max_lines=4, elem_id="refuge-input",
                         max_length=assistant.settings.max_question_chars + 1, submit_btn=True)
        with gr.Row(elem_id="refuge-examples"):
            examples = [gr.Button(q, size="sm", variant="secondary") for q in text["examples"]]
        with gr.Row():
            new = gr.Button(text["new"], variant="secondary", size="sm", elem_id="refuge-new")
            lang = gr.Radio([("English", "en"), ("Русский", "ru")], value="en", show_label=False,
                            elem_id="refuge-lang", container=False)
        box.submit(chat, [box, chatbot], [chatbot, box], api_visibility="private", concurrency_limit=24)
        for button in examples:
            button.click(lambda q: q, button, box, api_visibility="private")
        new.click(lambda: ([], ""), None, [chatbot, box], api_visibility="private")
        outputs = [top, box, new, chatbot] + examples
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


def _warm(assistant) -> None:
    """Learn the per-version tables before the first question needs them (see
    `Assistant.warm`); a failure (a Chroma server that is down) only costs that question."""
    try:
        assistant.warm()
    except Exception as exc:  # the question path reports store errors in its own words
        log.warning("warm-up skipped: %s", type(exc).__name__)


def create_app(settings, assistant=None, gate: Gate | None = None):
    """The FastAPI app with Gradio mounted at /."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
    from starlette.middleware.base import BaseHTTPMiddleware

    if assistant is None:
        from chat.assistant import Assistant

        assistant = Assistant(settings)
    threading.Thread(target=_warm, args=(assistant,), name="refuge-warm", daemon=True).start()
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    class Guard(BaseHTTPMiddleware):
        async def dispatch(self, request, call_next):
            path = request.url.path
            if path.startswith(("/gradio_api/run/", "/gradio_api/call/", "/monitoring")):
                response = PlainTextResponse("Not Found", status_code=404)
            else:
                try:
                    response = await call_next(request)
                except Exception:  # an unhandled error: a plain 500 that still carries the headers
                    log.warning("unhandled error on a web route", exc_info=False)
                    response = PlainTextResponse("Internal Server Error", status_code=500)
            for name, value in SECURITY_HEADERS.items():
                response.headers[name] = value
            return response

    app.add_middleware(Guard)

    @app.get("/healthz")
    def healthz():
        return JSONResponse({"ok": True})

    @app.get("/favicon.ico")
    def favicon():
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    blocks = build_blocks(assistant, gate).queue(max_size=64, default_concurrency_limit=4)
    theme = gr.themes.Base(font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
                           font_mono=["ui-monospace", "monospace"])
    return gr.mount_gradio_app(app, blocks, path="/", footer_links=[], run_history=False, ssr_mode=False,
                               enable_monitoring=False, pwa=False, mcp_server=False, theme=theme, css=CSS,
                               js=JS.replace('"__EXIT_URL__"', json.dumps(settings.exit_url)),
                               favicon_path=str(STATIC / "favicon.svg"), show_error=False)


def run(settings, host: str, port: int) -> None:
    import uvicorn

    app = create_app(settings)
    print(f"Refuge is serving on http://{host}:{port}", flush=True)
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")

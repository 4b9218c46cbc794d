"""The public web chat: a Gradio app built by `build_blocks`, mounted by `create_app`
in a FastAPI app that owns the HTTP layer (security headers, /healthz, closed routes).

The streaming generator `respond` is a plain function of (assistant, message,
history), so it can be tested without a browser. Nothing here logs question text.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from chat.messages import message as msg
from kb.errors import BadQuestion, RefugeError
from ui import present

STATIC = Path(__file__).parent / "static"
EXIT_URL = os.environ.get("REFUGE_EXIT_URL", "https://www.bbc.co.uk/weather")
PAGE_TITLE = "Notes"
LABELS = {"sources": "Sources", "passage": "Show the passage", "reviewed": "last reviewed"}
EXAMPLES = [
    "What happened to gay men in Chechnya in 2017?",
    "Can I get asylum because I am gay?",
    "Is it legal to be gay in Russia?",
    "What are the Yogyakarta Principles?",
]
CSS = (STATIC / "refuge.css").read_text() if (STATIC / "refuge.css").exists() else ""
JS = (STATIC / "refuge.js").read_text().replace("__EXIT_URL__", EXIT_URL) if (STATIC / "refuge.js").exists() else ""
log = logging.getLogger("refuge.web")


def respond(assistant, message: str, history: list[dict]):
    """Yield the chat history as the answer streams: crisis notice first, then the
    answer sentence by sentence, then the sources."""
    history = list(history or [])
    try:
        result = assistant.ask(message, history=history)
    except BadQuestion as exc:
        yield history + [{"role": "user", "content": present.escape_md(str(message)[:200])},
                         {"role": "assistant", "content": str(exc)}]
        return
    except RefugeError:
        log.warning("store error while answering")  # never the question text
        yield history + [{"role": "user", "content": present.escape_md(message)},
                         {"role": "assistant", "content": msg("unavailable")}]
        return
    history = history + [{"role": "user", "content": present.escape_md(result["question"])}]
    if "crisis" in result["notices"]:
        history.append({"role": "assistant", "content": present.crisis_html(assistant.crisis_notice(), msg("busy"))})
        yield history
    shown = ""
    for part in result["answer"].split("\n\n"):
        shown = f"{shown}\n\n{present.answer_markdown(part)}".strip()
        yield history + [{"role": "assistant", "content": shown}]
    final = shown + "\n\n" + present.sources_html(result["citations"], LABELS)
    yield history + [{"role": "assistant", "content": final.strip()}]


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


def build_blocks(assistant):
    import gradio as gr

    def chat(message, history):
        if not (message or "").strip():
            yield history, ""
            return
        for update in respond(assistant, message, _plain_history(history)):
            yield update, ""

    def ask_api(question: str) -> dict:
        """Answer one question; returns the JSON answer object."""
        from chat.assistant import public

        try:
            return public(assistant.ask(question))
        except BadQuestion as exc:
            return {"question": "", "answer": str(exc), "refused": True, "citations": [], "notices": [],
                    "timings_ms": {"retrieve": 0.0, "answer": 0.0}}

    with gr.Blocks(title=PAGE_TITLE, analytics_enabled=False, fill_height=True) as blocks:
        gr.HTML('<div id="refuge-top"><button id="refuge-exit" type="button" aria-label="Quick exit">Exit now'
                '</button><span class="refuge-exit-note">Leaves at once (or press Shift 3 times). '
                'It does not erase your browser history.</span></div>')
        gr.HTML('<p class="refuge-notice">Educational information from reviewed sources, not legal advice. '
                'Questions are not stored.</p>')
        chatbot = gr.Chatbot(label="Answers", height=520, feedback_options=None, buttons=[],
                             elem_id="refuge-chat", allow_tags=False, group_consecutive_messages=False)
        box = gr.Textbox(placeholder="Ask a question", show_label=False, max_lines=4, elem_id="refuge-input",
                         max_length=assistant.settings.max_question_chars + 1, submit_btn=True)
        gr.Examples(EXAMPLES, inputs=box)
        new = gr.Button("New conversation", variant="secondary", size="sm", elem_id="refuge-new")
        box.submit(chat, [box, chatbot], [chatbot, box], api_visibility="private", concurrency_limit=4)
        new.click(lambda: ([], ""), None, [chatbot, box], api_visibility="private")
        gr.api(ask_api, api_name="ask", concurrency_limit=4)
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


def create_app(settings, assistant=None):
    """The FastAPI app with Gradio mounted at /."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
    from starlette.middleware.base import BaseHTTPMiddleware

    if assistant is None:
        from chat.assistant import Assistant

        assistant = Assistant(settings)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    class Guard(BaseHTTPMiddleware):
        async def dispatch(self, request, call_next):
            path = request.url.path
            if path.startswith(("/gradio_api/run/", "/gradio_api/call/", "/monitoring")):
                response = PlainTextResponse("Not Found", status_code=404)
            else:
                response = await call_next(request)
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

    blocks = build_blocks(assistant).queue(max_size=32, default_concurrency_limit=4)
    theme = gr.themes.Base(font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
                           font_mono=["ui-monospace", "monospace"])
    return gr.mount_gradio_app(app, blocks, path="/", footer_links=[], run_history=False, ssr_mode=False,
                               enable_monitoring=False, pwa=False, mcp_server=False, theme=theme, css=CSS, js=JS,
                               favicon_path=str(STATIC / "favicon.svg"), show_error=False)


def run(settings, host: str, port: int) -> None:
    import uvicorn

    app = create_app(settings)
    print(f"Refuge is serving on http://{host}:{port}", flush=True)
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")

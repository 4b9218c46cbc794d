"""The "Check a text" mode on the web page and on /basic: run `chat.check.check_text` through the chat's
rate limit and gate (`run`), and turn its result into safe HTML (`result_html`): for each
sentence its kind, and for a claim the curated review's rating and cited explanation, or the
related vetted sources (no rating), or "no vetted source covers this".

Everything from the pasted text is escaped here. The text is never logged or written.
"""
from __future__ import annotations

import html
import logging

from chat.messages import message as msg
from kb.settings import CHECK
from ui import present
from ui.texts import ui_text

log = logging.getLogger("refuge.web")
RATED = ("documented", "disputed", "misattributed", "unsupported", "misleading", "outdated")


def run(assistant, text, lang: str, limit, gate, client, open_sources: bool = False) -> tuple[int, str]:
    """(HTTP status, HTML) for a pasted text: the result, or a calm message (empty, too long,
    not text, rate limited, busy, the store unavailable). `lang` is the page's language."""
    from chat.check import check_text
    from kb.errors import BadQuestion

    if not isinstance(text, str) or not text.strip():
        return 400, message_html(msg("check_empty", lang))
    text = text[:4 * CHECK.max_chars + 1]  # no work on megabytes: still "too long"
    if not limit.allow(client):
        return 429, message_html(msg("rate_limited", lang))
    with gate.enter() as admitted:
        if not admitted:
            return 503, message_html(msg("busy", lang))
        try:
            result = check_text(assistant, text)
        except BadQuestion as exc:
            return (413 if len(text) > CHECK.max_chars else 400), message_html(in_language(str(exc), lang))
        except Exception:  # the store or a library failed: say so kindly, log no text
            log.warning("error while checking a text", exc_info=False)
            return 503, message_html(msg("unavailable", lang))
    return 200, result_html(result, lang, open_sources)


def in_language(problem: str, lang: str) -> str:
    """check_text says "empty" and "not text" in English (a text that is not text has no language
    of its own): say them in the page's language instead."""
    for key in ("check_empty", "check_not_text"):
        if problem == msg(key, "en"):
            return msg(key, lang)
    return problem


def message_html(text: str) -> str:
    return f'<p class="refuge-message" role="status">{html.escape(text)}</p>'


def result_html(result: dict, lang: str, open_sources: bool = False, uid: str = "") -> str:
    """The checked text, sentence by sentence, as one HTML block."""
    labels = ui_text(lang)
    uid = uid or present.turn_id()
    items = "".join(item_html(item, labels, f"{uid}-{i}", open_sources) for i, item in enumerate(result["claims"], 1))
    head = html.escape(labels["checked_n"].format(n=len(result["claims"])))
    return (f'<section class="refuge-check" id="{uid}"><h2 class="refuge-check-head">{head}</h2>'
            f'<ol class="refuge-check-list">{items}</ol></section>')


def item_html(item: dict, labels: dict, uid: str, open_sources: bool = False) -> str:
    """One sentence: as pasted (escaped), its kind, and for a claim the verdict, note and sources."""
    kind = item["kind"]
    tags = f'<span class="refuge-kind">{html.escape(labels.get("kind_" + kind, kind))}</span>'
    body = ""
    verdict = item.get("verdict")
    if kind == "claim" and verdict:
        tags += " " + verdict_html(verdict, labels)
        if verdict != "not_covered":
            body = "".join(f"<p>{present.answer_html(part, uid, labels)}</p>"
                           for part in item["note"].split("\n\n") if part.strip())
            body += present.sources_html(item["citations"], labels, uid, open_sources)
    return (f'<li class="refuge-check-item refuge-kind-{kind}" id="{uid}">'
            f'<p class="refuge-check-text">{html.escape(item["text"])}</p>'
            f'<p class="refuge-check-tags">{tags}</p>{body}</li>')


def verdict_html(verdict: str, labels: dict) -> str:
    """A rating (only ever from a curated review) stands out; the other verdicts are plain words."""
    text = html.escape(labels.get("verdict_" + verdict, verdict))
    if verdict in RATED:
        return (f'<strong class="refuge-rating refuge-rating-{verdict}" title="{html.escape(labels["rating"])}">'
                f"{text}</strong>")
    return f'<span class="refuge-verdict refuge-verdict-{verdict}">{text}</span>'

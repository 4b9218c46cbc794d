"""Turn an answer object into safe HTML/Markdown for the web page.

Everything that came from a person or a file is escaped here, so a question such as
`<script>` or `![x](https://elsewhere/)` is shown as text and never fetched or run.
"""
from __future__ import annotations

import html
import re

MD_SPECIAL = re.compile(r"[\\`*_{}\[\]()#!|<>~:&$]")


def escape_md(text: str) -> str:
    """Text that Markdown shows literally: every character that could start a link,
    image, HTML tag, emphasis, heading or math becomes an HTML entity (':' too, so URLs
    are not auto-linked). The reader sees exactly what was typed."""
    escaped = MD_SPECIAL.sub(lambda m: f"&#{ord(m.group(0))};", text)
    return re.sub(r"^(\s*)([-+]|\d+[.)])", lambda m: m.group(1) + "".join(f"&#{ord(c)};" for c in m.group(2)),
                  escaped, flags=re.M)


def unescape_md(text: str) -> str:
    """The inverse of `escape_md`, for reading a displayed turn back as text."""
    return html.unescape(text)


def _link(url: str, label: str) -> str:
    if not re.match(r"^https?://", url or ""):
        return html.escape(label)
    return (f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">'
            f"{html.escape(label)}</a>")


def sources_html(citations: list[dict], labels: dict) -> str:
    """Numbered sources: article and section, the passage, original sources, review date."""
    items = []
    for c in citations:
        where = html.escape(c["title"] + (f" — {c['section']}" if c.get("section") else ""))
        originals = "".join(
            f"<li>{html.escape(s.get('publisher', ''))}, {_link(s.get('url', ''), s.get('title', ''))}"
            f" ({html.escape(str(s.get('published', '')))})</li>" for s in c["sources"])
        reviewed = html.escape(str(c.get("reviewed_on", "")))
        items.append(
            f'<div class="refuge-source" id="source-{c["n"]}"><p><strong>[{c["n"]}]</strong> {where}'
            f' <span class="refuge-reviewed">· {labels["reviewed"]} {reviewed}</span></p>'
            f'<details><summary>{labels["passage"]}</summary><blockquote>{html.escape(c["quote"])}</blockquote>'
            f"</details><ul>{originals}</ul></div>")
    return f'<div class="refuge-sources"><p>{labels["sources"]}</p>{"".join(items)}</div>' if items else ""


def answer_markdown(answer: str) -> str:
    """Answer sentences come from vetted articles; escape them anyway, keep the [n] markers readable."""
    escaped = escape_md(answer)
    return re.sub(r"&#91;(\d{1,2})&#93;", r"**[\1]**", escaped)


def more_html(more: str, label: str) -> str:
    """Further cited sentences, collapsed under the answer (`more` of the answer object)."""
    if not more.strip():
        return ""
    paras = "".join(f"<p>{answer_html(part)}</p>" for part in more.split("\n\n") if part.strip())
    return f'<details class="refuge-more"><summary>{html.escape(label)}</summary>{paras}</details>'


def answer_html(text: str) -> str:
    """Escaped answer text with each [n] as a link to source n."""
    return re.sub(r"\[(\d{1,2})\]", r'<a class="refuge-ref" href="#source-\1">[\1]</a>', html.escape(text))


def draft_html(draft: str, label: str) -> str:
    """A language model's reply while it is being written and checked: shown as provisional,
    escaped, and always replaced by the verified answer."""
    return (f'<div class="refuge-draft" aria-busy="true"><p class="refuge-draft-label">{html.escape(label)}</p>'
            f"<p>{html.escape(draft)}</p></div>")


def crisis_html(notice: dict | None, fallback: str) -> str:
    if not notice:
        return f'<div class="refuge-crisis" role="alert"><p>{html.escape(fallback)}</p></div>'
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in notice["text"].split("\n\n"))
    links = "".join(f"<li>{_link(s['url'], s.get('publisher') or s['title'])}</li>" for s in notice["sources"])
    return (f'<div class="refuge-crisis" role="alert"><p><strong>{html.escape(notice["title"])}</strong></p>'
            f"{paras}<ul>{links}</ul></div>")

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


# the emergency and crisis numbers the crisis notice gives (tap to call); not years or dates
PHONE_RE = re.compile(r"(?<![\w/.-])(8-800-2000-122|116 123|9-8-8|988|112|113)(?![\d-]|\.\w)")
DOMAIN_RE = re.compile(r"\b((?:[a-z0-9-]+\.)+(?:org|io|net|com|ru|de|nl|uk|eu|ca))\b")


def turn_id() -> str:
    """A short id for one answer on the page, so the ids of its sources are unique on it."""
    import secrets

    return "r" + secrets.token_hex(4)


def answer_html(text: str, uid: str = "", labels: dict | None = None) -> str:
    """Escaped answer text with each [n] as a link to source n of this answer (`uid`)."""
    name = (labels or {}).get("source_n", "Source {n}")

    def ref(m):
        n = m.group(1)
        return (f'<a class="refuge-ref" href="#{uid}-s{n}" aria-label="{html.escape(name.format(n=n))}">'
                f"[{n}]</a>")
    return re.sub(r"\[(\d{1,2})\]", ref, html.escape(text, quote=False))  # "[2010] UKSC 31" is text


def answer_block(answer: str, uid: str, labels: dict, notes: list[str] = (), more: str = "", citations=None,
                 final: bool = False, open_sources: bool = False) -> str:
    """One answer as a single HTML block (no blank line, so Markdown leaves it whole): notes,
    the direct answer, then "More from the sources" and the sources, both collapsed."""
    parts = [f'<p class="refuge-note"><em>{html.escape(n)}</em></p>' for n in notes]
    parts += [f"<p>{answer_html(p, uid, labels)}</p>" for p in answer.split("\n\n") if p.strip()]
    if final:
        parts += [more_html(more, labels["more"], uid, labels), sources_html(citations or [], labels, uid, open_sources)]
    state = " refuge-done" if final else ""
    return f'<div class="refuge-answer{state}" id="{uid}">{"".join(parts)}</div>'


def more_html(more: str, label: str, uid: str = "", labels: dict | None = None) -> str:
    """Further cited sentences, collapsed under the answer (`more` of the answer object)."""
    if not more.strip():
        return ""
    paras = "".join(f"<p>{answer_html(part, uid, labels)}</p>" for part in more.split("\n\n") if part.strip())
    return f'<details class="refuge-more"><summary>{html.escape(label)}</summary>{paras}</details>'


def _date(value) -> str:
    value = str(value or "")
    return "" if value in ("", "n.d.", "None") else value


def source_line(c: dict, labels: dict) -> str:
    """One line for source n: who published it, when, and the reviewed article it is quoted in
    (its title is in the reader's language; the originals' own titles are one tap away)."""
    first = (c.get("sources") or [{}])[0]
    who = html.escape(first.get("publisher", ""))
    extra = len(c.get("sources") or []) - 1
    if extra > 0:
        who += " " + html.escape(labels.get("and_more", "+{n}").format(n=extra))
    date = _date(first.get("published"))
    when = f", {html.escape(date)}" if date else ""
    return f'<span class="refuge-n">[{c["n"]}]</span> {who}{when} · {html.escape(c["title"])}'


def sources_html(citations: list[dict], labels: dict, uid: str = "", open_: bool = False) -> str:
    """Numbered sources, collapsed (open on the page without JavaScript): each one line, and on
    demand the passage, the original sources behind the shown sentences, and the review date."""
    items = []
    for c in citations:
        originals = "".join(
            f"<li>{html.escape(s.get('publisher', ''))}: {_link(s.get('url', ''), s.get('title', ''))}"
            + (f" ({html.escape(_date(s.get('published')))})" if _date(s.get("published")) else "") + "</li>"
            for s in c["sources"])
        where = html.escape(c["title"] + (f" — {c['section']}" if c.get("section") else ""))
        reviewed = html.escape(str(c.get("reviewed_on") or ""))
        reviewed = f' · {labels["reviewed"]} {reviewed}' if reviewed else ""  # a checked text's citations have none
        items.append(
            f'<li class="refuge-source" id="{uid}-s{c["n"]}"><details><summary>{source_line(c, labels)}</summary>'
            f'<blockquote>{html.escape(c["quote"])}</blockquote><p class="refuge-reviewed">{where}'
            f'{reviewed}</p><ul class="refuge-originals">{originals}</ul></details></li>')
    if not items:
        return ""
    head = html.escape(labels.get("sources_n", "{label} ({n})").format(n=len(items), label=labels["sources"]))
    return (f'<details class="refuge-sources"{" open" if open_ else ""}><summary>{head}</summary>'
            f'<ol class="refuge-source-list">{"".join(items)}</ol></details>')


def draft_html(draft: str, label: str) -> str:
    """A language model's reply while it is being written and checked: shown as provisional,
    escaped, and always replaced by the verified answer."""
    return (f'<div class="refuge-draft" aria-busy="true"><p class="refuge-draft-label">{html.escape(label)}</p>'
            f"<p>{html.escape(draft)}</p></div>")


def crisis_html(notice: dict | None, labels: dict, uid: str = "", open_: bool = False) -> str:
    """The crisis notice: its title, the short first step for the kind of danger (the first
    paragraph stands out as the one thing to do), and every other contact one tap away.
    Numbers and web addresses the vetted text gives become tap-to-call and plain links."""
    if not notice:
        return f'<div class="refuge-crisis" role="alert"><p>{html.escape(labels["crisis_fallback"])}</p></div>'
    hosts = {_host(s.get("url", "")) for s in notice["sources"]}
    first, *rest = [p for p in notice["first"].split("\n\n") if p.strip()] or [""]
    items = "".join(f"<li>{_contacts(p, hosts)}</li>" for p in rest)
    more = "".join(f"<h3>{html.escape(m['section'])}</h3>" +
                   "".join(f"<p>{_contacts(p, hosts)}</p>" for p in m["text"].split("\n\n") if p.strip())
                   for m in notice.get("more", []))
    links = "".join(f"<li>{_link(s['url'], s.get('publisher') or s['title'])}</li>" for s in notice["sources"])
    heading = f"{uid}-crisis" if uid else "refuge-crisis-title"
    return (f'<section class="refuge-crisis" role="alert" aria-labelledby="{heading}">'
            f'<h2 id="{heading}">{html.escape(notice["title"])}</h2>'
            + (f'<p class="refuge-ack">{html.escape(notice["ack"])}</p>' if notice.get("ack") else "") +
            f'<p class="refuge-first">{_contacts(first, hosts)}</p><ul class="refuge-crisis-list">{items}</ul>'
            f'<details class="refuge-crisis-all"{" open" if open_ else ""}><summary>{html.escape(labels["all_contacts"])}'
            f'</summary>{more}<p>{html.escape(labels["sources"])}:</p><ul>{links}</ul></details></section>')


def _host(url: str) -> str:
    m = re.match(r"^https?://(?:www\.)?([^/:?#]+)", url or "")
    return m.group(1).lower() if m else ""


def _contacts(text: str, hosts: set[str]) -> str:
    """Escaped text with the emergency and crisis numbers as tel: links, and the web addresses
    of the notice's own sources (ncsos.io ...) as links to those sites."""
    def site(m):
        return _link(f"https://{m.group(1)}/", m.group(1)) if m.group(1).lower() in hosts else m.group(1)

    def tel(m):
        return f'<a class="refuge-tel" href="tel:{re.sub("[^0-9]", "", m.group(1))}">{m.group(1)}</a>'
    return PHONE_RE.sub(tel, DOMAIN_RE.sub(site, html.escape(text)))

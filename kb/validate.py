"""The article rules: judge parsed articles and report every problem at once.

`kb/article.py` turns a file into an `Article`; this module says whether that article
may be served. Errors block an ingest; warnings are shown by `refuge kb check`.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from kb.article import FOOTNOTE_RE, Article, parse_article
from kb.errors import Problem

TOPICS = ("chechnya", "russia", "asylum", "rights", "help")
STATUSES = ("vetted", "draft", "retired")
REQUIRED = ("id", "title", "topic", "language", "summary", "sources", "status", "reviewed_by", "reviewed_on")
OPTIONAL = ("authors", "translation_of", "retired_reason", "retired_on")
SOURCE_FIELDS = ("key", "title", "publisher", "url", "published")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
ENDS_WITH_FOOTNOTE = re.compile(r"(\[\^[^\]\s]+\][.,;:]?\s*)+$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
INJECTION_PATTERNS = (
    (re.compile(r"ignore\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier)\s+instructions", re.I),
     "text that looks like an instruction to a language model ('ignore previous instructions')"),
    (re.compile(r"<!--"), "hidden HTML comment"),
    (re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]"),
     "invisible or direction-changing Unicode characters"),
    (re.compile(r"\b(system prompt|you are now|disregard (all|your) (rules|instructions))\b", re.I),
     "text addressed to a language model"),
)
WORDS_MIN, WORDS_MAX = 250, 900


def parse_date(value, *, partial: bool = False) -> dt.date | None:
    """A date from YAML (a date object or a string); partial YYYY or YYYY-MM if allowed."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    patterns = ["%Y-%m-%d"] + (["%Y-%m", "%Y"] if partial else [])
    for fmt in patterns:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _check_date(path: Path, name: str, value, today: dt.date, partial: bool) -> list[Problem]:
    day = parse_date(value, partial=partial)
    if day is None:
        want = "YYYY-MM-DD (or YYYY-MM, YYYY)" if partial else "YYYY-MM-DD"
        return [Problem(str(path), name, f"not a valid date: {value!r}; expected {want}")]
    if day > today:
        return [Problem(str(path), name, f"date {day.isoformat()} is in the future")]
    return []


def _check_sources(path: Path, sources, today: dt.date) -> tuple[list[Problem], set[str]]:
    problems: list[Problem] = []
    keys: set[str] = set()
    if not isinstance(sources, list) or not sources:
        return [Problem(str(path), "sources", "must be a non-empty list of sources")], keys
    for i, src in enumerate(sources):
        where = f"sources[{i}]"
        if not isinstance(src, dict):
            problems.append(Problem(str(path), where, "must be a mapping with key, title, publisher, url, published"))
            continue
        key = str(src.get("key", ""))
        where = f"sources[{i}] ({key})" if key else where
        for name in SOURCE_FIELDS:
            if src.get(name) in (None, ""):
                hint = "; use YYYY-MM-DD, YYYY-MM, YYYY, or n.d. for an undated web page" if name == "published" else ""
                problems.append(Problem(str(path), f"{where}.{name}", "missing" + hint))
        if key and not KEY_RE.match(key):
            problems.append(Problem(str(path), f"{where}.key", "use lowercase letters, digits, '.', '_' or '-'"))
        if key in keys:
            problems.append(Problem(str(path), f"{where}.key", "duplicate source key"))
        keys.add(key)
        url = src.get("url")
        if url and not re.match(r"^https?://[^\s/]+\.[^\s]+$", str(url)):
            problems.append(Problem(str(path), f"{where}.url", f"must be an http(s) URL, got {url!r}"))
        if "wikipedia.org" in str(url or ""):
            problems.append(Problem(str(path), f"{where}.url", "Wikipedia is not a primary source; cite what it cites",
                                    "warning"))
        if src.get("published") not in (None, "", "n.d."):
            problems += _check_date(path, f"{where}.published", src["published"], today, partial=True)
        extra = set(src) - set(SOURCE_FIELDS) - {"note", "pages"}
        if extra:
            problems.append(Problem(str(path), where, f"unknown field(s): {', '.join(sorted(extra))}"))
    return problems, keys


def _check_meta(art: Article, today: dt.date) -> list[Problem]:
    path, meta = art.path, art.meta
    problems = [Problem(str(path), name, "missing") for name in REQUIRED if meta.get(name) in (None, "", [])]
    unknown = set(meta) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        problems.append(Problem(str(path), ", ".join(sorted(unknown)), "unknown field"))
    for name in ("id", "title", "summary", "reviewed_by", "language", "topic", "status"):
        if meta.get(name) not in (None, "") and not isinstance(meta[name], str):
            problems.append(Problem(str(path), name, f"must be text, got {type(meta[name]).__name__}"))
    art_id = meta.get("id")
    if isinstance(art_id, str) and art_id:
        if not ID_RE.match(art_id):
            problems.append(Problem(str(path), "id", f"{art_id!r}: use lowercase words joined by '-'"))
        if art_id != path.stem:
            problems.append(Problem(str(path), "id", f"{art_id!r} does not match the file name {path.stem!r}"))
    if meta.get("topic") and meta["topic"] not in TOPICS:
        problems.append(Problem(str(path), "topic", f"unknown topic {meta['topic']!r}; one of {', '.join(TOPICS)}"))
    if isinstance(meta.get("language"), str) and not LANG_RE.match(meta["language"]):
        problems.append(Problem(str(path), "language", f"{meta['language']!r} is not a BCP-47 tag like 'en' or 'ru'"))
    if meta.get("reviewed_on") not in (None, ""):
        problems += _check_date(path, "reviewed_on", meta["reviewed_on"], today, partial=False)
    if "authors" in meta and not (isinstance(meta["authors"], list) and all(isinstance(a, str) for a in meta["authors"])):
        problems.append(Problem(str(path), "authors", "must be a list of names"))
    return problems


def _check_body(art: Article, keys: set[str]) -> list[Problem]:
    path = str(art.path)
    if not art.body.strip():
        return [Problem(path, "body", "empty: an article needs at least one footnoted paragraph")]
    problems: list[Problem] = []
    cited: set[str] = set()
    for n, para in enumerate(art.paragraphs(), 1):
        where = f"body, paragraph {n}" + (f" in '{para.section}'" if para.section else "")
        items = [ln for ln in para.raw.splitlines() if LIST_ITEM.match(ln)]
        for unit in items or [para.raw]:
            if not ENDS_WITH_FOOTNOTE.search(unit.strip()):
                snippet = para.text[:50].replace("\n", " ")
                problems.append(Problem(path, where, f"does not end with a footnote like [^key]: '{snippet}...'"))
        for key in FOOTNOTE_RE.findall(para.raw):
            cited.add(key)
            if keys and key not in keys:
                problems.append(Problem(path, where, f"footnote [^{key}] has no source with that key"))
    for key in sorted(keys - cited):
        problems.append(Problem(path, f"sources ({key})", "listed but never cited in the body", "warning"))
    return problems


def _check_style(art: Article) -> list[Problem]:
    path = str(art.path)
    problems = []
    for pattern, what in INJECTION_PATTERNS:
        if pattern.search(art.body) or pattern.search(str(art.meta.get("summary", ""))):
            problems.append(Problem(path, "body", f"contains {what}"))
    words = len(re.findall(r"\w+", " ".join(p.text for p in art.paragraphs())))
    if art.id != "crisis-notice" and not WORDS_MIN <= words <= WORDS_MAX:
        problems.append(Problem(path, "body", f"{words} words; articles should have {WORDS_MIN}-{WORDS_MAX}", "warning"))
    if re.search(r"^#\s", art.body, re.M):
        problems.append(Problem(path, "body", "use '##' sections; the title comes from the front matter", "warning"))
    return problems


def check_article(art: Article, today: dt.date | None = None) -> list[Problem]:
    """Every problem with one parsed article. Drafts' problems are warnings."""
    today = today or dt.date.today()
    problems = list(art.problems)
    if not art.meta:
        return problems
    status = art.meta.get("status")
    if status not in STATUSES:
        return problems + [Problem(str(art.path), "status", f"unknown status {status!r}; one of {', '.join(STATUSES)}")]
    src_problems, keys = _check_sources(art.path, art.meta.get("sources"), today)
    found = _check_meta(art, today) + src_problems + _check_body(art, keys) + _check_style(art)
    if status == "draft":
        found = [Problem(p.file, p.field, p.reason, "warning") for p in found]
    return problems + found


def check_articles(paths: list[Path], today: dt.date | None = None) -> tuple[list[Article], list[Problem]]:
    """Parse and check many files; also catch ids used twice."""
    articles = [parse_article(p) for p in paths]
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    for art in articles:
        problems += check_article(art, today)
        if not art.meta.get("id"):
            continue
        if art.id in seen:
            problems.append(Problem(str(art.path), "id", f"duplicate id {art.id!r}, also used by {seen[art.id]}"))
        seen.setdefault(art.id, art.path)
    return articles, problems

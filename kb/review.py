"""The maintainers' workflow as pure functions: draft a new article, edit front-matter
fields in place, review (vet), retire, and find what has gone stale.

Nothing here knows about the command line; `ui/kb_cli.py` wires these to `refuge kb`.
Front-matter edits change only the lines of the fields being set, so comments, field
order, quoting and the body are kept exactly as the maintainer wrote them.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb.errors import Problem, RefugeError, ValidationFailed
from kb.validate import ID_RE, TOPICS, parse_date, self_reviewed

PLACEHOLDER = "TODO"
_CYR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
                 "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"]))


# --- ids and new drafts --------------------------------------------------------------

def slugify(title: str, max_words: int = 8) -> str:
    """An article id from a title: lowercase ASCII words joined by '-' (Cyrillic is
    transliterated)."""
    text = "".join(_CYR.get(ch, ch) for ch in title.lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", text.replace("'", ""))
    return "-".join(words[:max_words])


def _yaml_value(value) -> str:
    """One scalar as YAML would write it (quoted only when needed)."""
    dumped = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000)
    return dumped.removesuffix("\n...\n").strip()


def draft_text(title: str, topic: str, authors: list[str], today: dt.date, language: str = "en",
               art_id: str | None = None) -> str:
    """The text of a new draft: complete front matter with placeholders, and a section
    skeleton whose paragraphs end with a footnote placeholder."""
    art_id = art_id or slugify(title)
    authors_yaml = "[" + ", ".join(_yaml_value(a) for a in authors) + "]"
    return f"""---
id: {art_id}
title: {_yaml_value(title)}
topic: {topic}
language: {language}
summary: "{PLACEHOLDER}: one or two plain sentences saying what the article covers."
authors: {authors_yaml}
sources:
  - key: primary-source            # {PLACEHOLDER}: the primary source first (judgment, UN document, law, NGO report)
    title: "{PLACEHOLDER}: the document's exact title"
    publisher: "{PLACEHOLDER}"
    url: https://example.org/{PLACEHOLDER}
    published: ""                  # YYYY-MM-DD, "YYYY-MM", "YYYY", or n.d. for an undated web page
status: draft
reviewed_by: ""                    # set by `refuge kb review {art_id} --by NAME`
reviewed_on: ""
created: {today.isoformat()}
---

## {PLACEHOLDER}: first section

{PLACEHOLDER}: two to five sentences in your own words; every sentence must make sense on its own. End every paragraph with a footnote whose key is in sources.[^primary-source]

## {PLACEHOLDER}: second section

{PLACEHOLDER}: time-sensitive facts say "as of <Month YYYY>"; where sources disagree, say so and cite both.[^primary-source]

## {PLACEHOLDER}: where to get help

{PLACEHOLDER}: point to legal help rather than giving legal advice.[^primary-source]
"""


def new_article(kb_dir: Path, title: str, topic: str, authors: list[str], today: dt.date | None = None,
                language: str = "en", art_id: str | None = None) -> Path:
    """Write a new draft to kb/articles/<topic>/<id>.md and return its path. Refuses to
    overwrite, and refuses an id that another article already uses."""
    today = today or dt.date.today()
    if topic not in TOPICS:
        raise RefugeError(f"{kb_dir}: topic: unknown topic {topic!r}; one of {', '.join(TOPICS)}")
    if not title.strip():
        raise RefugeError(f"{kb_dir}: title: empty; give the article a title")
    art_id = art_id or slugify(title)
    if not art_id or not ID_RE.match(art_id):
        raise RefugeError(f"{kb_dir}: id: cannot make an id from {title!r}; pass --id some-words")
    authors = [a.strip() for a in authors if a and a.strip()]
    if not authors:
        raise RefugeError(f"{kb_dir}: authors: no author; pass --author NAME or set $USER")
    path = kb_dir / "articles" / topic / f"{art_id}.md"
    if path.exists():
        raise RefugeError(f"{path}: file: already exists; not overwritten (edit it, or choose another title or --id)")
    taken = find_by_id(kb_dir, art_id, missing_ok=True)
    if taken is not None:
        raise RefugeError(f"{taken}: id: {art_id!r} is already used by this file; choose another title or --id")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as fh:  # "x": never overwrite, even in a race
        fh.write(draft_text(title, topic, authors, today, language, art_id))
    return path


# --- finding an article --------------------------------------------------------------

def find_by_id(kb_dir: Path, art_id: str, missing_ok: bool = False) -> Path | None:
    """The Markdown article or the sidecar (for a PDF/HTML/text document) of `art_id`."""
    matches = []
    for path in sorted(kb_dir.rglob(f"{art_id}.*")):
        if any(part.startswith(".") for part in path.parts[-3:]):
            continue
        if path.suffix == ".md" and path.stem == art_id:
            matches.append(path)
        elif path.name.endswith(".meta.yaml") and path.name.split(".")[0] == art_id:
            matches.append(path)
    if len(matches) > 1:
        raise RefugeError(f"{matches[1]}: id: {art_id!r} is also used by {matches[0]}")
    if matches:
        return matches[0]
    if missing_ok:
        return None
    raise RefugeError(f"{kb_dir}: id: no article or document sidecar with id {art_id!r}")


# --- editing front matter in place ---------------------------------------------------

def _front_matter_span(text: str, path: Path) -> tuple[int, int]:
    """Line numbers (start, end) of the front matter; end is exclusive. A sidecar
    (`.meta.yaml`) is all front matter."""
    lines = text.split("\n")
    if path.name.endswith(".meta.yaml"):
        start = 1 if lines and lines[0].strip() == "---" else 0
        end = len(lines)
        for i in range(start, len(lines)):
            if start and lines[i].strip() in ("---", "..."):
                end = i
                break
        while end > start and not lines[end - 1].strip():
            end -= 1
        return start, end
    if not lines or lines[0].lstrip("\ufeff").strip() != "---":
        raise RefugeError(f"{path}: front matter: missing: the file must start with a '---' YAML block")
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return 1, i
    raise RefugeError(f"{path}: front matter: no closing '---' line")


def set_fields(text: str, updates: dict, path: Path) -> str:
    """`text` with the top-level front-matter fields in `updates` set (replacing the
    field's line and any indented continuation lines, or adding it at the end of the
    front matter). Everything else is kept byte for byte."""
    lines = text.split("\n")
    start, end = _front_matter_span(text, path)
    eol = "\r" if lines[0].endswith("\r") else ""  # keep CRLF files CRLF
    for name, value in updates.items():
        new_line = f"{name}: {_yaml_value(value)}"
        field_re = re.compile(rf"^{re.escape(name)}\s*:(\s|$)")
        at = next((i for i in range(start, end) if field_re.match(lines[i])), None)
        if at is None:
            lines.insert(end, new_line + eol)
            end += 1
            continue
        stop = at + 1
        while stop < end and (lines[stop].startswith((" ", "\t")) or not lines[stop].strip()):
            stop += 1
        while stop > at + 1 and not lines[stop - 1].strip():  # keep blank lines before the next field
            stop -= 1
        comment = _trailing_comment(lines[at].rstrip("\r")) if stop == at + 1 else ""
        lines[at:stop] = [new_line + comment + ("\r" if lines[at].endswith("\r") else "")]
        end -= stop - at - 1
    out = "\n".join(lines)
    _verify(out, updates, path)
    return out


def _trailing_comment(line: str) -> str:
    """The `  # comment` of a one-line `field: value  # comment`, kept after a new value."""
    m = re.search(r"\s+#\s.*$", line)
    if not m:
        return ""
    try:
        same = yaml.safe_load(line) == yaml.safe_load(line[: m.start()])
    except yaml.YAMLError:
        return ""
    return m.group(0) if same else ""


def _verify(text: str, updates: dict, path: Path) -> None:
    start, end = _front_matter_span(text, path)
    try:
        meta = yaml.safe_load("\n".join(text.split("\n")[start:end])) or {}
    except yaml.YAMLError as exc:
        raise RefugeError(f"{path}: front matter: the edit would leave invalid YAML ({exc}); nothing was written")
    for name, value in updates.items():
        got = meta.get(name)
        if got != value and str(got) != str(value):
            raise RefugeError(f"{path}: {name}: the edit did not read back as {value!r}; nothing was written")


def read_meta(path: Path) -> tuple[str, dict]:
    """(file text, front matter) of an article or a sidecar; errors name file and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RefugeError(f"{path}: file: cannot read ({exc})") from None
    start, end = _front_matter_span(text, path)
    try:
        meta = yaml.safe_load("\n".join(text.split("\n")[start:end])) or {}
    except yaml.YAMLError as exc:
        raise RefugeError(f"{path}: front matter: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(meta, dict):
        raise RefugeError(f"{path}: front matter: must be a mapping of field: value")
    return text, meta


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


# --- review --------------------------------------------------------------------------

def placeholder_problems(path: Path, text: str) -> list[Problem]:
    """Placeholders left from `refuge kb new`."""
    return [Problem(str(path), f"line {n}", f"placeholder '{PLACEHOLDER}' left from `refuge kb new`")
            for n, line in enumerate(text.split("\n"), 1) if re.search(rf"\b{PLACEHOLDER}\b", line)]


def review_updates(meta: dict, path: Path, by: str, allow_self: bool, today: dt.date) -> dict:
    """The fields a review sets, or a RefugeError saying why it may not happen."""
    by = (by or "").strip()
    if not by:
        raise RefugeError(f"{path}: reviewed_by: empty; pass --by NAME")
    status = meta.get("status")
    if status == "retired":
        raise RefugeError(f"{path}: status: retired; set status: draft first if the article should come back")
    if self_reviewed({"authors": meta.get("authors"), "reviewed_by": by}) and not allow_self:
        raise RefugeError(f"{path}: reviewed_by: {by!r} is the last author; a second person should review it "
                          "against the sources (pass --self to record a self-review; `refuge kb check` will "
                          "list it)")
    return {"status": "vetted", "reviewed_by": by, "reviewed_on": today}


def lint_for_review(problems: list[Problem], path: Path, text: str) -> None:
    """Raise ValidationFailed when the article (judged as if vetted) has errors."""
    errors = [p for p in problems if p.severity == "error"] + placeholder_problems(path, text)
    if errors:
        raise ValidationFailed(errors)


def retire_updates(meta: dict, path: Path, reason: str, today: dt.date) -> dict:
    reason = " ".join((reason or "").split())
    if not reason:
        raise RefugeError(f"{path}: retired_reason: empty; say why the article is retired (--reason)")
    if meta.get("status") == "retired":
        raise RefugeError(f"{path}: status: already retired on {meta.get('retired_on', '?')}")
    return {"status": "retired", "retired_reason": reason, "retired_on": today}


# --- staleness -----------------------------------------------------------------------

MONTHS_EN = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS_EN.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS_RU = {}
for _i, _names in enumerate(["январь января", "февраль февраля", "март марта", "апрель апреля", "май мая",
                             "июнь июня", "июль июля", "август августа", "сентябрь сентября",
                             "октябрь октября", "ноябрь ноября", "декабрь декабря"], 1):
    for _name in _names.split():
        MONTHS_RU[_name] = _i
AS_OF_RE = re.compile(r"\b(?:as of|as at|по состоянию на)\s+(?:(?:the\s+)?(?:end|start|beginning) of\s+)?"
                      r"(?:\d{1,2}\s+)?(?:(?P<month>[A-Za-zА-Яа-яЁё]+)\.?,?\s+)?(?:\d{1,2},\s+)?"
                      r"(?P<year>(?:19|20)\d\d)\b", re.I)


@dataclass(frozen=True)
class Stale:
    file: str
    article_id: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}"


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier (clamped to the month's last day)."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def as_of_phrases(text: str) -> list[tuple[str, dt.date]]:
    """("as of March 2023", last day the phrase covers) for each dated "as of" phrase
    (English "as of/as at", Russian "по состоянию на"). "As of 2024" covers up to the end
    of 2024, so it only counts as old once all of 2024 is past the limit."""
    found = []
    for m in AS_OF_RE.finditer(text):
        year = int(m.group("year"))
        word = (m.group("month") or "").lower()
        month = MONTHS_EN.get(word) or MONTHS_RU.get(word)  # None for "mid 2020" etc.: the year counts
        last = dt.date(year, month, calendar.monthrange(year, month)[1]) if month else dt.date(year, 12, 31)
        found.append((m.group(0), last))
    return found


def stale_items(path: Path, meta: dict, body: str, today: dt.date, months: int = 12) -> list[Stale]:
    """Why a vetted article may need a fresh review: reviewed too long ago, dated "as of"
    phrases older than the limit, or a source published after the last review."""
    if meta.get("status") != "vetted":
        return []
    limit = months_before(today, months)
    art_id = str(meta.get("id") or path.stem)
    out: list[Stale] = []
    reviewed = parse_date(meta.get("reviewed_on") or "")
    if reviewed is None:
        out.append(Stale(str(path), art_id, "reviewed_on", "missing or not a date; review it"))
    elif reviewed < limit:
        out.append(Stale(str(path), art_id, "reviewed_on",
                         f"reviewed on {reviewed.isoformat()}, more than {months} months ago"))
    seen = set()
    for phrase, last in as_of_phrases(body):
        if last < limit and phrase.lower() not in seen:
            seen.add(phrase.lower())
            out.append(Stale(str(path), art_id, "body", f"'{phrase}' is older than {months} months; check the fact "
                             "is still true and update the date"))
    for i, src in enumerate(meta.get("sources") or []):
        if not isinstance(src, dict) or src.get("published") in (None, "", "n.d."):
            continue
        published = parse_date(src["published"], partial=True)
        if reviewed and published and published > reviewed:
            key = src.get("key", i)
            out.append(Stale(str(path), art_id, f"sources[{i}] ({key}).published",
                             f"{published.isoformat()} is after the last review ({reviewed.isoformat()}); "
                             "re-read the article against it"))
    return out

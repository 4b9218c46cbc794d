"""What an article is: parse a Markdown file with YAML front matter into an `Article`.

Parsing never raises for content problems; it records them as `Problem`s so that a
maintainer sees every problem in every file in one run. The rules that judge a parsed
article live next door in `kb/validate.py`.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb.errors import Problem

MAX_FILE_BYTES = 2_000_000
FOOTNOTE_RE = re.compile(r"\[\^([^\]\s]+)\]")
FOOTNOTE_DEF_RE = re.compile(r"^\[\^[^\]]+\]:")
# The last `##` section may hold question/answer pairs ("Questions people ask"), each a `###`
# question, an "Also asked:" line of paraphrases separated by " | ", and a 1-3 sentence answer.
FAQ_HEADINGS = ("questions people ask", "вопросы, которые задают люди")
ALSO_ASKED_RE = re.compile(r"^(also asked|также спрашивают)\s*:\s*(.*)$", re.I)


@dataclass
class Paragraph:
    section: str
    text: str  # footnote markers removed
    keys: list[str]  # footnote keys, in order of appearance
    raw: str


@dataclass
class Faq:
    """One "Questions people ask" pair: the question, its paraphrases, the answer."""
    question: str
    paraphrases: list[str]
    text: str  # the answer, footnote markers removed
    keys: list[str]
    raw: str

    @property
    def asks(self) -> list[str]:
        return [self.question, *self.paraphrases]


@dataclass
class Article:
    path: Path
    meta: dict
    body: str
    raw_hash: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.meta.get("id") or self.path.stem)

    @property
    def status(self) -> str:
        return str(self.meta.get("status") or "")

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or self.id)

    def paragraphs(self) -> list[Paragraph]:
        """The body's paragraphs, without the "Questions people ask" pairs."""
        return split_paragraphs(split_faq(self.body)[0])

    def faqs(self) -> list[Faq]:
        return parse_faqs(split_faq(self.body)[1])


def _problem(path: Path, field_name: str, reason: str) -> Problem:
    return Problem(str(path), field_name, reason)


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """Read a file as UTF-8 text, or say why it can't be."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [_problem(path, "file", f"cannot read: {exc.strerror}")]
    if size > MAX_FILE_BYTES:
        return None, [_problem(path, "file", f"too large ({size:,} bytes; limit {MAX_FILE_BYTES:,})")]
    data = path.read_bytes()
    if b"\x00" in data:
        return None, [_problem(path, "file", "binary file (contains NUL bytes), not a text article")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [_problem(path, "file", f"not valid UTF-8 (byte {exc.start})")]


def split_front_matter(text: str) -> tuple[str | None, str]:
    """Return (front matter YAML, body); front matter is None if absent."""
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        return None, text
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None, text
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :])
    return None, text


_LIBYAML = getattr(yaml, "CSafeLoader", None)


def load_yaml(text: str):
    """`yaml.safe_load`, through libyaml when PyYAML has it (the pure-Python parser was
    most of an ingest's reading time). YAML that libyaml rejects is parsed again by the
    pure-Python loader, so problems are reported with the same messages."""
    if _LIBYAML is not None:
        try:
            return yaml.load(text, Loader=_LIBYAML)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def parse_article(path: Path, text: str | None = None) -> Article:
    """Parse one article file. Problems found while parsing are in `.problems`."""
    problems: list[Problem] = []
    if text is None:
        text, problems = read_text(path)
        if text is None:
            return Article(path, {}, "", "", problems)
    raw_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    fm, body = split_front_matter(text)
    meta: dict = {}
    if fm is None:
        problems.append(_problem(path, "front matter", "missing: the file must start with a '---' YAML block"))
    else:
        try:
            loaded = load_yaml(fm)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 2})" if mark else ""
            problems.append(_problem(path, "front matter", f"not valid YAML{where}: {getattr(exc, 'problem', exc)}"))
            loaded = {}
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            problems.append(_problem(path, "front matter", "must be a mapping of field: value"))
            loaded = {}
        meta = loaded
    return Article(path, meta, body.strip("\n"), raw_hash, problems)


def clean_text(raw: str) -> str:
    """Paragraph text as readers see it: footnote markers removed, spaces folded."""
    text = FOOTNOTE_RE.sub("", raw)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +([.,;:!?])", r"\1", text)
    return "\n".join(line.strip() for line in text.splitlines()).strip()


def split_paragraphs(body: str) -> list[Paragraph]:
    """Split a body into paragraphs, each tagged with its `##` section."""
    section = ""
    out: list[Paragraph] = []
    for block in re.split(r"\n\s*\n", body):
        block = block.strip()
        if not block:
            continue
        lines = [ln for ln in block.splitlines() if not FOOTNOTE_DEF_RE.match(ln.strip())]
        while lines and lines[0].lstrip().startswith("#"):
            heading = lines.pop(0).strip()
            section = heading.lstrip("#").strip()
        if not lines:
            continue
        raw = "\n".join(lines)
        out.append(Paragraph(section, clean_text(raw), FOOTNOTE_RE.findall(raw), raw))
    return out


def split_faq(body: str) -> tuple[str, str]:
    """(the body without its "Questions people ask" section, that section's text: up to the
    next `##` heading or the end)."""
    headings = list(re.finditer(r"^##[ \t]+(.+?)[ \t]*$", body, re.M))
    for i, m in enumerate(headings):
        if m.group(1).strip().lower() in FAQ_HEADINGS:
            end = headings[i + 1].start() if i + 1 < len(headings) else len(body)
            return body[:m.start()] + body[end:], body[m.end():end]
    return body, ""


def parse_faqs(section: str) -> list[Faq]:
    """The pairs of a "Questions people ask" section: `### question`, an optional
    "Also asked: a | b" line, then the answer paragraph(s)."""
    out: list[Faq] = []
    for block in re.split(r"^###[ \t]+", section, flags=re.M)[1:]:
        question, _, rest = block.partition("\n")
        paraphrases: list[str] = []
        answer: list[str] = []
        for line in rest.splitlines():
            m = ALSO_ASKED_RE.match(line.strip())
            if m and not answer:
                paraphrases = [p.strip() for p in m.group(2).split("|") if p.strip()]
            elif line.strip() and not FOOTNOTE_DEF_RE.match(line.strip()):
                answer.append(line.strip())
        raw = " ".join(answer)
        out.append(Faq(question.strip(), paraphrases, clean_text(raw), FOOTNOTE_RE.findall(raw), raw))
    return out

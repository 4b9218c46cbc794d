"""Source documents that are not Markdown articles: PDF, HTML and plain text.

Each document has a sidecar `<file>.meta.yaml` (for `report.pdf`: `report.pdf.meta.yaml`;
`report.meta.yaml` is accepted too) carrying the same fields as an article's front
matter; the id is the file name without its extension. A document becomes a
`Document`, an `Article` whose paragraphs come from the extracted text, so the chunker,
the pipeline and the chat treat it like any article:

- PDF: the text layer (pypdf); each page is a section "p. N", so a citation shows the page;
- HTML: the main text (`<main>`/`<article>` when present); nav, header, footer, aside,
  script, style, forms and boilerplate-looking blocks are dropped; `<h2>` starts a section;
- text: paragraphs split on blank lines; form feeds are pages ("p. N"); `## Heading` lines
  (or a line underlined with === or ---) start sections.

A document has no footnotes, so every paragraph cites all of the sidecar's sources.
Like `parse_article`, loading never raises for content problems: they are `Problem`s.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml

from kb.article import Article, Paragraph
from kb.errors import Problem
from kb.validate import check_injection, check_metadata, drafts_warn, unknown_status

PDF_SUFFIXES = (".pdf",)
HTML_SUFFIXES = (".html", ".htm")
TEXT_SUFFIXES = (".txt",)
DOCUMENT_SUFFIXES = PDF_SUFFIXES + HTML_SUFFIXES + TEXT_SUFFIXES
SIDECAR_SUFFIX = ".meta.yaml"
MAX_DOCUMENT_BYTES = 50_000_000
MAX_SIDECAR_BYTES = 200_000
ZERO_WIDTH = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


@dataclass
class Document(Article):
    """A PDF, HTML or text document with its sidecar metadata; `body` is the extracted text."""

    kind: str = "document"
    sidecar: Path | None = None
    blocks: list[tuple[str, str]] = field(default_factory=list)  # (section/locator, paragraph text)

    def paragraphs(self) -> list[Paragraph]:
        keys = [str(s.get("key")) for s in self.meta.get("sources") or [] if isinstance(s, dict) and s.get("key")]
        return [Paragraph(section, text, keys, text) for section, text in self.blocks]


def is_document(path: Path) -> bool:
    return path.suffix.lower() in DOCUMENT_SUFFIXES and not path.name.endswith(SIDECAR_SUFFIX)


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(SIDECAR_SUFFIX)


def sidecar_candidates(path: Path) -> list[Path]:
    """Where a document's metadata may live, preferred first."""
    return [path.with_name(path.name + SIDECAR_SUFFIX), path.with_name(path.stem + SIDECAR_SUFFIX)]


def document_for_sidecar(sidecar: Path) -> Path | None:
    """The document a sidecar describes, if it exists."""
    base = sidecar.name[: -len(SIDECAR_SUFFIX)]
    direct = sidecar.with_name(base)
    if is_document(direct) and direct.exists():
        return direct
    for suffix in DOCUMENT_SUFFIXES:
        for candidate in (sidecar.with_name(base + suffix), sidecar.with_name(base + suffix.upper())):
            if candidate.exists():
                return candidate
    return None


# --- sidecar -------------------------------------------------------------------------

def read_sidecar(path: Path) -> tuple[Path | None, dict, str, list[Problem]]:
    """(sidecar path, metadata, raw text, problems) for the document at `path`."""
    found = [c for c in sidecar_candidates(path) if c.exists()]
    if not found:
        want = sidecar_candidates(path)[0].name
        return None, {}, "", [Problem(str(path), "sidecar", f"missing: write the metadata in {want} "
                                      "(the same fields as an article's front matter)")]
    if len(found) > 1:
        return found[0], {}, "", [Problem(str(path), "sidecar", f"two sidecars ({found[0].name}, {found[1].name}); "
                                          "keep one")]
    sidecar = found[0]
    try:
        data = sidecar.read_bytes()
    except OSError as exc:
        return sidecar, {}, "", [Problem(str(sidecar), "file", f"cannot read: {exc.strerror}")]
    if len(data) > MAX_SIDECAR_BYTES:
        return sidecar, {}, "", [Problem(str(sidecar), "file", f"too large for a sidecar ({len(data):,} bytes)")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return sidecar, {}, "", [Problem(str(sidecar), "file", f"not valid UTF-8 (byte {exc.start})")]
    body = text.lstrip("\ufeff")
    if body.startswith("---"):  # tolerate the article-style fences
        body = re.sub(r"^---[ \t]*\n", "", body, count=1)
        body = re.sub(r"\n(---|\.\.\.)[ \t]*\n?\s*$", "\n", body)
    try:
        meta = yaml.safe_load(body)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        return sidecar, {}, text, [Problem(str(sidecar), "metadata",
                                           f"not valid YAML{where}: {getattr(exc, 'problem', exc)}")]
    if meta is None:
        return sidecar, {}, text, [Problem(str(sidecar), "metadata", "empty: needs the article fields "
                                           "(id, title, topic, language, summary, sources, status, ...)")]
    if not isinstance(meta, dict):
        return sidecar, {}, text, [Problem(str(sidecar), "metadata", "must be a mapping of field: value")]
    return sidecar, meta, text, []


# --- text extraction -----------------------------------------------------------------

def _clean(text: str) -> str:
    text = ZERO_WIDTH.sub("", text).replace("\u00a0", " ")
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)  # words hyphenated across lines
    text = re.sub(r"\s+", " ", text)
    return text.strip()


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, lines joined."""
    return [p for p in (_clean(block) for block in re.split(r"\n[ \t]*\n", text)) if p]


def extract_pdf(path: Path, data: bytes) -> tuple[list[tuple[str, str]], list[Problem]]:
    """(("p. N", paragraph) blocks, problems) from a PDF's text layer."""
    import io
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # broken files are reported as problems instead
    if not data.lstrip()[:5].startswith(b"%PDF"):
        return [], [Problem(str(path), "file", "not a PDF (no %PDF header); broken or mislabelled file")]
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return [], [Problem(str(path), "file", "encrypted PDF; save an unencrypted copy")]
        pages = list(reader.pages)
        texts = [page.extract_text() or "" for page in pages]
    except Exception as exc:  # pypdf raises many kinds of errors for damaged files
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        return [], [Problem(str(path), "file", f"broken PDF, cannot be read: {reason}")]
    if not pages:
        return [], [Problem(str(path), "file", "broken PDF: no pages found")]
    blocks = [(f"p. {n}", para) for n, text in enumerate(texts, 1) for para in _paragraphs(text)]
    if not blocks:
        return [], [Problem(str(path), "text layer", f"no extractable text in {len(pages)} page(s); a scanned PDF "
                            "needs OCR first (add the OCR text as a .txt file with the same sidecar)")]
    return blocks, []


_SKIP_TAGS = {"nav", "header", "footer", "aside", "script", "style", "noscript", "template", "form", "svg",
              "iframe", "button", "select", "textarea", "head", "title", "menu", "dialog", "object", "canvas",
              "figure", "h1", "h3", "h4", "h5", "h6"}
_SKIP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "dialog",
               "alert", "toolbar"}
_BOILERPLATE = re.compile(r"(^|[\s_-])(nav|navbar|menu|breadcrumbs?|sidebar|footer|header|cookies?|consent|banner|"
                          r"share|social|advert|ads|promo|newsletter|subscribe|related|skip|comments?|"
                          r"pagination)($|[\s_-])", re.I)
_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "section", "article", "main",
               "table", "tr", "td", "th", "hr", "h2", "address", "details", "summary", "figcaption", "body"}
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_BOILER_TEXT = re.compile(r"^(skip to (main )?content|all rights reserved|cookie|accept( all)?( cookies)?|"
                          r"share( this)?|read more|back to top|print|subscribe|menu|search)\b", re.I)


class _MainText(HTMLParser):
    """Collects (section, paragraph) blocks from the main text of an HTML page."""

    def __init__(self, main_only: bool, class_rules: bool = True):
        super().__init__(convert_charrefs=True)
        self.main_only, self.class_rules = main_only, class_rules
        self.main_depth = 0  # > 0 inside <main>/<article>
        self.main_tag = ""
        self.skip_tag, self.skip_depth = "", 0
        self.section = ""
        self.in_h2 = False
        self.h2_text: list[str] = []
        self.buffer: list[str] = []
        self.blocks: list[tuple[str, str]] = []

    def _boilerplate(self, tag: str, attrs: dict) -> bool:
        if tag in _SKIP_TAGS or attrs.get("role", "").lower() in _SKIP_ROLES:
            return True
        if "hidden" in attrs or attrs.get("aria-hidden", "").lower() == "true":
            return True
        if re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", attrs.get("style", ""), re.I):
            return True
        if not self.class_rules or tag in ("main", "article", "body", "html", "p", "h2"):
            return False
        return bool(_BOILERPLATE.search(f"{attrs.get('class', '')} {attrs.get('id', '')}"))

    def _flush(self) -> None:
        text = _clean(" ".join(self.buffer))
        self.buffer = []
        if not text or (self.main_only and not self.main_depth):
            return
        if _BOILER_TEXT.match(text) and len(text.split()) < 8:
            return
        if len(text.split()) < 4 and not re.search(r"[.!?:;»\"')]$", text):
            return  # menu-like fragments ("Home", "Next page"), not sentences
        self.blocks.append((self.section, text))

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): (v or "") for k, v in attrs}
        if self.skip_depth:
            if tag == self.skip_tag and tag not in _VOID_TAGS:
                self.skip_depth += 1
            return
        if self._boilerplate(tag, attrs):
            if tag not in _VOID_TAGS:
                self._flush()
                self.skip_tag, self.skip_depth = tag, 1
            return
        if tag in ("main", "article") or attrs.get("role", "").lower() == "main":
            if self.main_depth and tag == self.main_tag:
                self.main_depth += 1
            elif not self.main_depth:
                self._flush()
                self.main_tag, self.main_depth = tag, 1
        if tag == "h2":
            self._flush()
            self.in_h2, self.h2_text = True, []
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag):
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth -= 1
            return
        if tag == "h2" and self.in_h2:
            self.in_h2 = False
            heading = _clean(" ".join(self.h2_text))
            if not self.main_only or self.main_depth:
                self.section = heading
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        if self.main_depth and tag == self.main_tag:
            self.main_depth -= 1

    def handle_data(self, data):
        if self.skip_depth:
            return
        (self.h2_text if self.in_h2 else self.buffer).append(data)

    def close(self):
        super().close()
        self._flush()


def extract_html(path: Path, text: str) -> tuple[list[tuple[str, str]], list[Problem]]:
    main_only = bool(re.search(r"<(main|article)\b|role\s*=\s*[\"']?main", text, re.I))
    # Strictest first; if that leaves nothing (an empty <article> box, or the content
    # wrapped in a div whose class looks like boilerplate), relax step by step.
    for only, rules in ((main_only, True), (False, True), (False, False)):
        parser = _MainText(only, rules)
        parser.feed(text)
        parser.close()
        if parser.blocks:
            break
    if not parser.blocks:
        return [], [Problem(str(path), "text", "no extractable text (only navigation, scripts or boilerplate)")]
    return parser.blocks, []


def extract_text(path: Path, text: str) -> tuple[list[tuple[str, str]], list[Problem]]:
    blocks: list[tuple[str, str]] = []
    pages = text.split("\f")
    paged = len(pages) > 1
    section = ""
    for n, page in enumerate(pages, 1):
        if paged:
            section = f"p. {n}"
        page = re.sub(r"^(.+)\n(=+|-{3,})[ \t]*$", r"## \1", page, flags=re.M)  # underlined headings
        for block in re.split(r"\n[ \t]*\n", page):
            lines = block.strip().splitlines()
            while lines and re.match(r"^#{1,6}\s", lines[0].strip()):
                heading = lines.pop(0).strip().lstrip("#").strip()
                section = f"p. {n}, {heading}" if paged else heading
            para = _clean("\n".join(lines))
            if para:
                blocks.append((section, para))
    if not blocks:
        return [], [Problem(str(path), "text", "no extractable text (the file is empty)")]
    return blocks, []


def _decode(path: Path, data: bytes) -> tuple[str | None, list[Problem]]:
    if b"\x00" in data:
        return None, [Problem(str(path), "file", "binary file (contains NUL bytes), not text")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    if path.suffix.lower() in HTML_SUFFIXES:
        declared = re.search(rb"charset\s*=\s*[\"']?([A-Za-z0-9_-]+)", data[:4096])
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii")), []
            except (LookupError, UnicodeDecodeError):
                pass
    return None, [Problem(str(path), "file", "not valid UTF-8 (save the file as UTF-8)")]


# --- loading and checking ------------------------------------------------------------

def load_document(path: Path) -> Document:
    """Read a document and its sidecar. Problems are recorded, never raised."""
    sidecar, meta, sidecar_text, problems = read_sidecar(path)
    doc = Document(path, meta, "", "", problems, sidecar=sidecar)
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            doc.problems.append(Problem(str(path), "file", f"too large ({size:,} bytes; limit {MAX_DOCUMENT_BYTES:,})"))
            return doc
        data = path.read_bytes()
    except OSError as exc:
        doc.problems.append(Problem(str(path), "file", f"cannot read: {exc.strerror}"))
        return doc
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        blocks, found = extract_pdf(path, data)
    else:
        text, found = _decode(path, data)
        blocks = []
        if text is not None:
            blocks, found = (extract_html if suffix in HTML_SUFFIXES else extract_text)(path, text)
    doc.problems += found
    doc.blocks = blocks
    doc.body = "\n\n".join(text for _, text in blocks)
    digest = hashlib.sha256(data)
    digest.update(b"\0" + sidecar_text.encode("utf-8"))
    doc.raw_hash = digest.hexdigest()
    return doc


def check_document(doc: Document, today=None) -> list[Problem]:
    """The article rules that apply to a document: the sidecar's fields and sources
    (shared with articles via `kb.validate.check_metadata`) and the injection checks on
    the extracted text. Drafts' problems are warnings, as for articles."""
    where = doc.sidecar or doc.path
    problems = list(doc.problems)
    if not doc.meta:
        return drafts_warn(doc, problems)
    sidecar_view = Article(doc.path, doc.meta, doc.body, doc.raw_hash)  # ids are checked against the document name
    judged = check_metadata(sidecar_view, today)
    if judged is None:
        return problems + [unknown_status(Article(where, doc.meta, "", ""))]
    meta_problems, _ = judged
    meta_problems = [Problem(str(where), p.field, p.reason, p.severity) for p in meta_problems]
    text_problems = check_injection(doc.path, doc.body, str(doc.meta.get("summary", "")))
    return drafts_warn(doc, problems + meta_problems + text_problems)

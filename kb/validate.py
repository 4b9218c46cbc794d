"""The article rules: judge parsed articles and report every problem at once.

`kb/article.py` turns a file into an `Article`; this module says whether that article
may be served. Errors block an ingest; warnings are shown by `refuge kb check`.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from kb.article import FOOTNOTE_RE, Article, clean_text, parse_article
from kb.errors import Problem, RefugeError

TOPICS = ("chechnya", "russia", "asylum", "rights", "help")
STATUSES = ("vetted", "draft", "retired")
REQUIRED = ("id", "title", "topic", "language", "summary", "sources", "status", "reviewed_by", "reviewed_on")
OPTIONAL = ("authors", "translation_of", "retired_reason", "retired_on", "created")
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
MIRROR_DOMAINS_FILE = Path(__file__).with_name("mirror_domains.yaml")
MARKER_RUN = re.compile(r"(?:\[\^[^\]\s]+\][\s.,;:]*)+")


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
        host = mirror_host(str(url or ""))
        if host:
            problems.append(Problem(str(path), f"{where}.url", mirror_reason(host), "warning"))
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
    for name in ("retired_on", "created"):
        if meta.get(name) not in (None, ""):
            problems += _check_date(path, name, meta[name], today, partial=False)
    if meta.get("translation_of") not in (None, "") and not (
            isinstance(meta["translation_of"], str) and ID_RE.match(meta["translation_of"])):
        problems.append(Problem(str(path), "translation_of", f"{meta['translation_of']!r} is not an article id"))
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
    faq_problems, faq_cited = _check_faqs(art, keys)
    for key in sorted(keys - cited - faq_cited):
        problems.append(Problem(path, f"sources ({key})", "listed but never cited in the body", "warning"))
    return problems + faq_problems + _check_spans(art)


FAQ_MAX_SENTENCES, FAQ_MAX_WORDS, FAQ_MAX_PARAPHRASES = 3, 70, 8


ABBREVIATION_END = re.compile(r"(\b(v|vs|No|Nos|Art|Arts|St|Dr|Mr|Mrs|Ms|Jr|Sr|etc|Co|Inc|Ltd|Gen|Rev|Prof|para|paras|"
                              r"ст|г|гг|им|см|т\.е|т\.д|т\.п|e\.g|i\.e|U\.S|U\.K)|\b[A-ZА-ЯЁ])\.$")


def _rough_sentences(text: str) -> list[str]:
    """Sentences by end punctuation before a capital letter or quote, not after an abbreviation
    or an initial: enough to count a short answer's sentences without the sentence splitter
    (a rebuild of an unchanged KB must split nothing)."""
    out: list[str] = []
    for piece in re.split(r"(?<=[.!?])\s+(?=[A-ZА-ЯЁ\"«(])", text.strip()) if text.strip() else []:
        if out and ABBREVIATION_END.search(out[-1]):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


def _check_faqs(art: Article, keys: set[str]) -> tuple[list[Problem], set[str]]:
    """The "Questions people ask" pairs: a question, at most 8 paraphrases, and an answer of
    1-3 sentences and at most 70 words with a footnote after every sentence."""
    path, problems, cited = str(art.path), [], set()
    for n, faq in enumerate(art.faqs(), 1):
        where = f"questions people ask, pair {n} ('{faq.question[:40]}')"
        sentences = _rough_sentences(faq.text)
        marked = [seg for seg in re.split(r"(?:\[\^[^\]\s]+\][.,;:]?\s*)+", faq.raw) if seg.strip()]
        if not faq.question.rstrip().endswith("?"):
            problems.append(Problem(path, where, "the question should end with '?'"))
        if len(faq.paraphrases) > FAQ_MAX_PARAPHRASES:
            problems.append(Problem(path, where, f"{len(faq.paraphrases)} paraphrases; at most {FAQ_MAX_PARAPHRASES}"))
        if not 1 <= len(sentences) <= FAQ_MAX_SENTENCES:
            problems.append(Problem(path, where, f"the answer has {len(sentences)} sentences; it needs 1-{FAQ_MAX_SENTENCES}"))
        if len(faq.text.split()) > FAQ_MAX_WORDS:
            problems.append(Problem(path, where, f"the answer is over {FAQ_MAX_WORDS} words"))
        if not ENDS_WITH_FOOTNOTE.search(faq.raw.strip()) or len(marked) < len(sentences):
            problems.append(Problem(path, where, "every sentence of the answer needs a footnote like [^key] after it"))
        for key in faq.keys:
            cited.add(key)
            if keys and key not in keys:
                problems.append(Problem(path, where, f"footnote [^{key}] has no source with that key"))
    return problems, cited


@lru_cache(maxsize=4)
def mirror_domains(path: Path = MIRROR_DOMAINS_FILE) -> tuple[str, ...]:
    """The host entries of the mirror/secondary-copy list (kb/mirror_domains.yaml, a
    `domains:` list), lower-cased. A missing file lists nothing; a broken one raises a
    RefugeError naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return ()
    except yaml.YAMLError as exc:
        raise RefugeError(f"{path}: domains: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    entries = data.get("domains") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, str) and e.strip() for e in entries):
        raise RefugeError(f"{path}: domains: must be a list of host names like 'scribd' or 'cloudfront.net'")
    return tuple(e.strip().lower() for e in entries)


def mirror_host(url: str, domains: tuple[str, ...] | None = None) -> str | None:
    """The URL's host when it is on the mirror list, else None. An entry with a dot matches
    that host and its subdomains; one without a dot matches any host label of that name."""
    host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    if not host:
        return None
    labels = host.split(".")
    for entry in mirror_domains() if domains is None else domains:
        if "." in entry and (host == entry or host.endswith("." + entry)):
            return host
        if "." not in entry and entry in labels:
            return host
    return None


def mirror_reason(host: str) -> str:
    if "wikipedia" in host.split("."):
        return f"{host}: Wikipedia is not a primary source; cite what it cites"
    return (f"{host} is a mirror or secondary copy (listed in {MIRROR_DOMAINS_FILE.name}); "
            "cite the publisher's own copy, or say in the review log why there is none")


def footnote_spans(raw: str) -> list[tuple[str, list[str]]]:
    """(text, keys) for each footnoted span of a paragraph: a marker covers the text since
    the previous marker, and markers written together ([^a][^b]) share one span."""
    spans, start = [], 0
    for run in MARKER_RUN.finditer(raw):
        keys = list(dict.fromkeys(FOOTNOTE_RE.findall(run.group(0))))
        spans.append((clean_text(raw[start:run.start()] + run.group(0)), keys))
        start = run.end()
    return spans


def _check_spans(art: Article) -> list[Problem]:
    """A warning for each span of two or more sentences that ends with two or more sources:
    a reader can't tell which sentence rests on which source. Only spans with several
    sources are split into sentences, so this stays cheap."""
    from kb.text import split_sentences

    lang = str(art.meta.get("language") or "en")
    problems: list[Problem] = []
    for n, para in enumerate(art.paragraphs(), 1):
        for text, keys in footnote_spans(para.raw):
            sentences = len(split_sentences(text, lang)) if len(keys) > 1 else 1
            if sentences < 2:
                continue
            first = " ".join(text.split()[:8])
            markers = "".join(f"[^{k}]" for k in keys)
            problems.append(Problem(str(art.path), f"body, paragraph {n}",
                                    f"{sentences} sentences share the sources {markers}; put "
                                    f"each source after the sentence it supports: '{first}...'", "warning"))
    return problems


def check_injection(path: Path, text: str, summary: str = "") -> list[Problem]:
    """Text that tries to talk to a language model, or hides itself. For any served text."""
    return [Problem(str(path), "body", f"contains {what}") for pattern, what in INJECTION_PATTERNS
            if pattern.search(text) or pattern.search(summary)]


def _check_style(art: Article) -> list[Problem]:
    path = str(art.path)
    problems = check_injection(art.path, art.body, str(art.meta.get("summary", "")))
    words = len(re.findall(r"\w+", " ".join(p.text for p in art.paragraphs())))
    if not art.id.startswith("crisis-notice") and not WORDS_MIN <= words <= WORDS_MAX:
        problems.append(Problem(path, "body", f"{words} words; articles should have {WORDS_MIN}-{WORDS_MAX}", "warning"))
    if re.search(r"^#\s", art.body, re.M):
        problems.append(Problem(path, "body", "use '##' sections; the title comes from the front matter", "warning"))
    return problems


def check_metadata(art: Article, today: dt.date | None = None) -> tuple[list[Problem], set[str]] | None:
    """The front-matter rules (status, required fields, sources), shared by Markdown
    articles and the `.meta.yaml` sidecars of source documents. Returns (problems,
    source keys), or None when the status is unknown (then nothing else is judged)."""
    today = today or dt.date.today()
    status = art.meta.get("status")
    if status not in STATUSES:
        return None
    src_problems, keys = _check_sources(art.path, art.meta.get("sources"), today)
    return _check_meta(art, today) + src_problems, keys


def unknown_status(art: Article) -> Problem:
    return Problem(str(art.path), "status", f"unknown status {art.meta.get('status')!r}; one of {', '.join(STATUSES)}")


def drafts_warn(art: Article, problems: list[Problem]) -> list[Problem]:
    """A draft's problems are warnings: drafts are never served."""
    if art.meta.get("status") != "draft":
        return problems
    return [Problem(p.file, p.field, p.reason, "warning") for p in problems]


def check_article(art: Article, today: dt.date | None = None) -> list[Problem]:
    """Every problem with one parsed article. Drafts' problems are warnings."""
    problems = list(art.problems)
    if not art.meta:
        return problems
    judged = check_metadata(art, today)
    if judged is None:
        return problems + [unknown_status(art)]
    meta_problems, keys = judged
    return problems + drafts_warn(art, meta_problems + _check_body(art, keys) + _check_style(art))


def _same_name(a, b) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.strip().casefold() == b.strip().casefold() != ""


def self_reviewed(meta: dict) -> bool:
    """Whether `reviewed_by` is the last entry of `authors` (the writer vetted their own text)."""
    authors = meta.get("authors")
    return isinstance(authors, list) and bool(authors) and _same_name(meta.get("reviewed_by"), authors[-1])


def _find_original(art_id: str, near: Path) -> dict | None:
    """Front matter of article `art_id` outside the checked set: look in the articles
    folder around `near` (kb/articles/<topic>/<file>) for `<id>.md` or a sidecar."""
    root = near.parent.parent
    if not root.is_dir():
        return None
    for candidate in sorted(root.rglob(f"{art_id}.*")):
        if candidate.suffix == ".md":
            art = parse_article(candidate)
            return art.meta or None
        if candidate.name.endswith(".meta.yaml") and candidate.name.split(".")[0] == art_id:
            try:
                meta = yaml.safe_load(candidate.read_text(encoding="utf-8"))
            except (OSError, ValueError, yaml.YAMLError):
                return None
            return meta if isinstance(meta, dict) else None
    return None


def check_collection(articles: list[Article]) -> list[Problem]:
    """Rules across articles: ids used twice, self-reviews, translations whose original
    is missing or was reviewed after the translation."""
    problems: list[Problem] = check_claim_links(articles)
    seen: dict[str, Path] = {}
    for art in articles:
        if not art.meta.get("id"):
            continue
        if art.id in seen:
            problems.append(Problem(str(art.path), "id", f"duplicate id {art.id!r}, also used by {seen[art.id]}"))
        seen.setdefault(art.id, art.path)
    by_id = {art.id: art.meta for art in articles if art.meta.get("id")}
    for art in articles:
        meta = art.meta
        if self_reviewed(meta):
            problems.append(Problem(str(art.path), "reviewed_by",
                                    f"self-reviewed: {meta['reviewed_by']!r} is also the last author; "
                                    "a second person should read it against the sources", "warning"))
        original_id = meta.get("translation_of")
        if not isinstance(original_id, str) or not ID_RE.match(original_id):
            continue
        original = by_id.get(original_id) or _find_original(original_id, art.path)
        if original is None:
            problems += drafts_warn(art, [Problem(str(art.path), "translation_of",
                                                  f"names no existing article {original_id!r}")])
            continue
        if original.get("status") == "retired" and meta.get("status") == "vetted":
            problems.append(Problem(str(art.path), "translation_of", f"the original {original_id!r} is retired; "
                                    "retire or update this translation too", "warning"))
        mine, theirs = parse_date(meta.get("reviewed_on") or ""), parse_date(original.get("reviewed_on") or "")
        if mine and theirs and theirs > mine:
            problems.append(Problem(str(art.path), "reviewed_on",
                                    f"stale translation: the original {original_id!r} was reviewed on "
                                    f"{theirs.isoformat()}, after this translation ({mine.isoformat()}); "
                                    "check the translation against it", "warning"))
    return problems


def check_alignment(articles: list[Article]) -> list[Problem]:
    """Warnings for translations that don't line up with their original paragraph by
    paragraph (same footnote keys, same number of sentences), so a reviewer can compare them side by side and a
    curated pair's translation says what its original says (docs/maintainers.md §6). Splits sentences, so it is
    run by `refuge kb check`, not on every ingest."""
    from kb.text import split_sentences

    by_id = {art.id: art for art in articles if art.meta.get("id")}
    problems: list[Problem] = []
    for art in articles:
        original = by_id.get(art.meta.get("translation_of") or "")
        if original is None or art.meta.get("status") != "vetted":
            continue
        if len(art.faqs()) != len(original.faqs()):  # the k-th pair translates the k-th (chat/faq.py twins)
            problems.append(Problem(str(art.path), "Questions people ask", f"{len(art.faqs())} pairs, the original "
                                    f"{original.id!r} has {len(original.faqs())}: Russian questions get no curated "
                                    "answer from this article until they match, in the same order", "warning"))
        mine, theirs = art.paragraphs(), original.paragraphs()
        if len(mine) != len(theirs):
            problems.append(Problem(str(art.path), "body", f"not aligned with {original.id!r}: {len(mine)} "
                                    f"paragraphs, the original has {len(theirs)}", "warning"))
            continue
        lang = str(art.meta.get("language", "en"))
        for n, (p, q) in enumerate(zip(mine, theirs), 1):
            a, b = len(split_sentences(p.text, lang)), len(split_sentences(q.text, str(original.meta.get("language", "en"))))
            if p.keys != q.keys or a != b:
                problems.append(Problem(str(art.path), f"paragraph {n}", f"not aligned with {original.id!r}: "
                                        f"{a} sentences citing {p.keys}, the original {b} citing {q.keys}", "warning"))
    return problems


CLAIM_REQUIRED = ("id", "claim", "paraphrases", "rating", "article", "sources", "status", "reviewed_by", "reviewed_on")
CLAIM_OPTIONAL = ("paraphrases_ru", "authors", "retired_reason", "retired_on", "created")
CLAIM_MAX_SENTENCES, CLAIM_MAX_CHARS, CLAIM_MAX_PARAPHRASES = 3, 300, 12


def check_claim(review, today: dt.date | None = None) -> list[Problem]:
    """Every problem with one parsed claim review (kb/claim.py). Drafts' problems are warnings."""
    problems = list(review.problems)
    if not review.meta:
        return problems
    today = today or dt.date.today()
    if review.meta.get("status") not in STATUSES:
        return problems + [unknown_status(review)]
    src_problems, keys = _check_sources(review.path, review.meta.get("sources"), today)
    found = _check_claim_meta(review, today) + src_problems + _check_claim_body(review, keys)
    return problems + drafts_warn(review, found + check_injection(review.path, review.body, str(review.meta.get("claim", ""))))


def _check_claim_meta(review, today: dt.date) -> list[Problem]:
    from kb.claim import RATINGS

    path, meta = str(review.path), review.meta
    problems = [Problem(path, name, "missing") for name in CLAIM_REQUIRED if meta.get(name) in (None, "", [])]
    unknown = set(meta) - set(CLAIM_REQUIRED) - set(CLAIM_OPTIONAL)
    if unknown:
        problems.append(Problem(path, ", ".join(sorted(unknown)), "unknown field"))
    claim_id = meta.get("id")
    if isinstance(claim_id, str) and claim_id:
        if not ID_RE.match(claim_id):
            problems.append(Problem(path, "id", f"{claim_id!r}: use lowercase words joined by '-'"))
        if claim_id != review.path.stem:
            problems.append(Problem(path, "id", f"{claim_id!r} does not match the file name {review.path.stem!r}"))
    claim = meta.get("claim")
    if claim not in (None, "") and (not isinstance(claim, str) or len(claim) > CLAIM_MAX_CHARS):
        problems.append(Problem(path, "claim", f"must be one statement of at most {CLAIM_MAX_CHARS} characters"))
    if meta.get("rating") not in (None, "") and meta["rating"] not in RATINGS:
        problems.append(Problem(path, "rating", f"unknown rating {meta['rating']!r}; one of {', '.join(RATINGS)}"))
    if meta.get("article") not in (None, "") and not (isinstance(meta["article"], str) and ID_RE.match(meta["article"])):
        problems.append(Problem(path, "article", f"{meta['article']!r} is not an article id"))
    problems += _check_paraphrases(review, "paraphrases", "en") + _check_paraphrases(review, "paraphrases_ru", "ru")
    if meta.get("reviewed_on") not in (None, ""):
        problems += _check_date(review.path, "reviewed_on", meta["reviewed_on"], today, partial=False)
    for name in ("retired_on", "created"):
        if meta.get(name) not in (None, ""):
            problems += _check_date(review.path, name, meta[name], today, partial=False)
    return problems


def _check_paraphrases(review, name: str, lang: str) -> list[Problem]:
    """A list of distinct wordings in the right language, none repeating the claim."""
    from kb.text import language_of

    values = review.meta.get(name)
    if values in (None, "", []):
        return []
    path = str(review.path)
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        return [Problem(path, name, "must be a list of sentences")]
    problems = []
    if len(values) > CLAIM_MAX_PARAPHRASES:
        problems.append(Problem(path, name, f"{len(values)} paraphrases; at most {CLAIM_MAX_PARAPHRASES}"))
    seen = {str(review.meta.get("claim", "")).strip().casefold()}
    for i, value in enumerate(values):
        if value.strip().casefold() in seen:
            problems.append(Problem(path, f"{name}[{i}]", f"repeats the claim or another paraphrase: {value[:50]!r}"))
        seen.add(value.strip().casefold())
        if language_of(value) != lang:
            problems.append(Problem(path, f"{name}[{i}]", f"not in {'Russian' if lang == 'ru' else 'English'}: {value[:50]!r}"))
    return problems


def _check_claim_body(review, keys: set[str]) -> list[Problem]:
    """1-3 sentences, a footnote after every one, every footnote a listed source."""
    from kb.text import split_sentences

    path = str(review.path)
    paragraphs = review.paragraphs()
    if not paragraphs:
        return [Problem(path, "body", "empty: a review needs 1-3 sentences, each with a footnote")]
    problems: list[Problem] = []
    raw = " ".join(p.raw for p in paragraphs)
    text = " ".join(p.text for p in paragraphs)
    sentences = split_sentences(text, "en")
    marked = [seg for seg in re.split(r"(?:\[\^[^\]\s]+\][.,;:]?\s*)+", raw) if seg.strip()]
    if any(p.section for p in paragraphs) or len(paragraphs) > 1:
        problems.append(Problem(path, "body", "one paragraph and no headings: the explanation is 1-3 sentences"))
    if not 1 <= len(sentences) <= CLAIM_MAX_SENTENCES:
        problems.append(Problem(path, "body", f"{len(sentences)} sentences; a review has 1-{CLAIM_MAX_SENTENCES}"))
    if not ENDS_WITH_FOOTNOTE.search(raw.strip()) or len(marked) < len(sentences):
        problems.append(Problem(path, "body", "every sentence needs a footnote like [^key] after it"))
    cited = set(FOOTNOTE_RE.findall(raw))
    problems += [Problem(path, "body", f"footnote [^{key}] has no source with that key") for key in sorted(cited - keys) if keys]
    problems += [Problem(path, f"sources ({key})", "listed but never cited in the body", "warning")
                 for key in sorted(keys - cited)]
    return problems + _check_spans(review)


def check_claim_links(articles: list[Article]) -> list[Problem]:
    """Each claim review's `article` names an article that exists and is vetted (or a
    vetted review would send readers to a story that is not served)."""
    from kb.claim import ClaimReview

    by_id = {a.id: a.meta for a in articles if a.meta.get("id") and not isinstance(a, ClaimReview)}
    problems: list[Problem] = []
    for review in articles:
        target = review.meta.get("article") if isinstance(review, ClaimReview) else None
        if not isinstance(target, str) or not ID_RE.match(target):
            continue
        meta = by_id.get(target) or _find_original(target, review.path)
        if meta is None:
            problems += drafts_warn(review, [Problem(str(review.path), "article", f"names no existing article {target!r}")])
        elif meta.get("status") != "vetted" and review.meta.get("status") == "vetted":
            problems.append(Problem(str(review.path), "article", f"{target!r} is {meta.get('status')!r}, not vetted; "
                                    "a vetted review must point to a served article"))
    return problems


def check_articles(paths: list[Path], today: dt.date | None = None) -> tuple[list[Article], list[Problem]]:
    """Parse and check many Markdown files (articles and claim reviews), and the rules across them."""
    from kb.claim import ClaimReview, is_claim_file, parse_claim

    articles = [parse_claim(p) if is_claim_file(p) else parse_article(p) for p in paths]
    problems: list[Problem] = []
    for art in articles:
        problems += check_claim(art, today) if isinstance(art, ClaimReview) else check_article(art, today)
    return articles, problems + check_collection(articles)

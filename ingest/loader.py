"""Find the files to ingest (Markdown articles, and PDF, HTML and text documents with
their `.meta.yaml` sidecars), refuse paths that escape the knowledge base, and load
and check them all in one go."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ingest.documents import Document, check_document, document_for_sidecar, is_document, is_sidecar, load_document
from kb.article import Article, parse_article
from kb.claim import ClaimReview, is_claim_file, parse_claim
from kb.errors import Problem
from kb.validate import check_article, check_claim, check_collection

SKIP_NAMES = {"README.md", "CHANGELOG.md"}


def _wanted(file: Path, documents: bool) -> bool:
    if file.suffix == ".md":
        return True
    return documents and (is_document(file) or is_sidecar(file))


def find_articles(paths: list[Path], root: Path, *, documents: bool = False) -> tuple[list[Path], list[Problem]]:
    """Markdown files under `paths` (files or folders), plus source documents (PDF, HTML,
    text) when `documents` is set. Symlinks leading outside `root` and paths that don't
    exist are problems, not silent skips; so is a sidecar without its document."""
    found: list[Path] = []
    problems: list[Problem] = []
    root = root.resolve()
    for path in paths:
        if not path.exists():
            problems.append(Problem(str(path), "path", "does not exist"))
            continue
        candidates = [path] if path.is_file() else sorted(f for f in path.rglob("*") if f.is_file() or f.is_symlink())
        for file in candidates:
            if path.is_dir() and not _wanted(file, documents):
                continue
            if file.name in SKIP_NAMES or any(part.startswith(".") for part in file.parts[-3:]):
                continue
            if file.is_symlink() and not _inside(file.resolve(), root):
                problems.append(Problem(str(file), "file", f"symlink to {file.resolve()} outside {root}; refused"))
                continue
            if documents and is_sidecar(file):
                doc = document_for_sidecar(file)
                if doc is None:
                    problems.append(Problem(str(file), "sidecar", "no document next to it (expected e.g. "
                                            f"{file.name[:-len('.meta.yaml')]} as .pdf, .html or .txt)"))
                elif path.is_file() and doc not in found:
                    found.append(doc)  # naming the sidecar means its document
                continue
            if file not in found:
                found.append(file)
    return found, problems


def load_file(path: Path) -> Article:
    """A Markdown article, a claim review (kb/claims/*.md) or, for a PDF/HTML/text file, a `Document`."""
    if is_document(path):
        return load_document(path)
    return parse_claim(path) if is_claim_file(path) else parse_article(path)


def check_file(art: Article, today: dt.date | None = None) -> list[Problem]:
    if isinstance(art, Document):
        return check_document(art, today)
    return check_claim(art, today) if isinstance(art, ClaimReview) else check_article(art, today)


def load_and_check(files: list[Path], today: dt.date | None = None) -> tuple[list[Article], list[Problem]]:
    """Load and check every file, then the rules across them (duplicate ids,
    self-reviews, translations). Problems are collected, never raised."""
    articles = [load_file(f) for f in files]
    problems: list[Problem] = []
    for art in articles:
        problems += check_file(art, today)
    return articles, problems + check_collection(articles)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False

"""`refuge kb new | review | stale | retire`: the maintainers' workflow commands.

Attached to the `kb` group of `ui/cli.py` (imported at its bottom). The rules and the
front-matter editing live in `kb/review.py`; this module only finds files, calls them
and prints. Errors are RefugeError/ValidationFailed, which the CLI group turns into
"file: field: reason" lines and exit code 1.
"""
from __future__ import annotations

import datetime as dt
import getpass
import os
from pathlib import Path

import click

from kb.settings import get_settings
from kb.validate import TOPICS
from ui.cli import kb


def _default_author() -> str:
    name = os.environ.get("USER") or os.environ.get("USERNAME") or ""
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # no passwd entry (containers): ask for --author instead
            name = ""
    return name


def _load_all(kb_dir: Path):
    from ingest.loader import find_articles, load_file

    files, problems = find_articles([kb_dir], kb_dir, documents=True)
    return [load_file(f) for f in files], problems


@kb.command("new")
@click.argument("title")
@click.option("--topic", required=True, type=click.Choice(TOPICS), help="The article's topic folder.")
@click.option("--author", "authors", multiple=True, help="Author name (repeatable; default $USER).")
@click.option("--language", default="en", show_default=True, help="BCP-47 language tag.")
@click.option("--id", "art_id", default=None, help="The id (default: made from the title).")
def kb_new(title, topic, authors, language, art_id):
    """Write a draft article kb/articles/TOPIC/ID.md for TITLE and print its path.

    The draft has complete front matter (status: draft, today's date in `created`), a
    section skeleton and a footnote placeholder; fill in every TODO. Never overwrites.
    """
    from kb.review import new_article

    settings = get_settings()
    path = new_article(settings.kb_dir, title, topic, list(authors) or [_default_author()], dt.date.today(),
                       language, art_id)
    click.echo(str(path))


@kb.command("review")
@click.argument("art_id", metavar="ID")
@click.option("--by", "by", required=True, help="The reviewer's name (a second person, not the last author).")
@click.option("--self", "allow_self", is_flag=True, help="Allow the last author to review (listed by `kb check`).")
def kb_review(art_id, by, allow_self):
    """Vet article ID: lint it (0 errors needed), then set status: vetted, reviewed_by
    and reviewed_on (today) in its front matter (or a document's sidecar)."""
    from ingest.documents import document_for_sidecar, load_document
    from ingest.loader import check_file
    from kb.article import parse_article
    from kb.claim import is_claim_file, parse_claim
    from kb.review import find_by_id, lint_for_review, read_meta, review_updates, set_fields, write_atomic
    from kb.validate import check_collection

    settings = get_settings()
    today = dt.date.today()
    path = find_by_id(settings.kb_dir, art_id)
    text, meta = read_meta(path)
    updates = review_updates(meta, path, by, allow_self, today)
    new_text = set_fields(text, updates, path)
    if is_claim_file(path):
        candidate = parse_claim(path, new_text)
    elif path.suffix == ".md":
        candidate = parse_article(path, new_text)
    else:
        doc_path = document_for_sidecar(path)
        if doc_path is None:
            from kb.errors import RefugeError

            raise RefugeError(f"{path}: sidecar: no document next to it")
        candidate = load_document(doc_path)
        candidate.meta = {**candidate.meta, **updates}
    others, _ = _load_all(settings.kb_dir)
    others = [a for a in others if a.path not in (path, candidate.path)]
    problems = check_file(candidate, today)
    problems += [p for p in check_collection(others + [candidate]) if p.file in (str(path), str(candidate.path))]
    lint_for_review(problems, path, new_text)
    write_atomic(path, new_text)
    warnings = [p for p in problems if p.severity == "warning"]
    for problem in warnings:
        click.echo(f"warning: {problem}", err=True)
    click.echo(f"vetted: {path} (reviewed_by {by.strip()}, reviewed_on {today.isoformat()}); "
               f"{len(warnings)} warning(s). Run `refuge ingest` to serve it.")


@kb.command("stale")
@click.option("--months", default=12, show_default=True, type=click.IntRange(min=0),
              help="How old a review or an 'as of' date may be.")
@click.option("--strict", is_flag=True, help="Exit 1 when anything is stale (for CI).")
def kb_stale(months, strict):
    """List vetted articles that need a fresh review: reviewed_on older than the limit,
    "as of <Month YYYY>"/"as of YYYY" phrases older than the limit, and sources
    published after the article's reviewed_on."""
    from kb.review import stale_items

    settings = get_settings()
    today = dt.date.today()
    articles, _ = _load_all(settings.kb_dir)
    items = [item for art in articles if art.meta for item in stale_items(art.path, art.meta, art.body, today, months)]
    for item in items:
        click.echo(f"stale: {item}")
    n_articles = len({i.article_id for i in items})
    click.echo(f"{len(items)} stale item(s) in {n_articles} article(s) as of {today.isoformat()} "
               f"(limit {months} months)")
    if strict and items:
        raise click.ClickException(f"{n_articles} article(s) need a fresh review")


@kb.command("retire")
@click.argument("art_id", metavar="ID")
@click.option("--reason", required=True, help="Why it is retired (kept in the file as retired_reason).")
def kb_retire(art_id, reason):
    """Retire article ID: set status: retired, retired_reason and retired_on (today).
    The file stays; the next `refuge ingest` removes its passages from the index."""
    from kb.review import find_by_id, read_meta, retire_updates, set_fields, write_atomic

    settings = get_settings()
    path = find_by_id(settings.kb_dir, art_id)
    text, meta = read_meta(path)
    new_text = set_fields(text, retire_updates(meta, path, reason, dt.date.today()), path)
    write_atomic(path, new_text)
    click.echo(f"retired: {path}. Run `refuge ingest` to remove it from the index.")


@kb.command("export-claims")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write to this file (default: stdout).")
@click.option("--base-url", default=None, help="Give each record a url: <base-url>/<id>.")
def kb_export_claims(out, base_url):
    """Print the vetted claim reviews (kb/claims) as schema.org ClaimReview JSON-LD.

    Every file is validated first; an invalid review stops the export with its problems."""
    import json

    from ingest.loader import find_articles, load_and_check
    from kb.claim import ClaimReview, jsonld
    from kb.errors import ValidationFailed

    settings = get_settings()
    files, problems = find_articles([settings.kb_dir], settings.kb_dir, documents=True)
    articles, found = load_and_check(files)
    errors = [p for p in problems + found if p.severity == "error"]
    if errors:
        raise ValidationFailed(errors)
    text = json.dumps(jsonld([a for a in articles if isinstance(a, ClaimReview)], base_url), ensure_ascii=False, indent=1)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(text)

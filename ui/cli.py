"""Refuge: answers about LGBTQ rights, asylum and Chechnya from vetted, cited articles.

All on-disk state lives under REFUGE_DATA_DIR (default: .refuge/ in the project).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kb.errors import RefugeError, ValidationFailed
from kb.settings import get_settings


class RefugeGroup(click.Group):
    """Turns our own errors into one-line messages and a non-zero exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ValidationFailed as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            raise click.ClickException(str(exc)) from None
        except RefugeError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=RefugeGroup)
@click.version_option(package_name="refuge")
def cli():
    """Refuge: answers about LGBTQ rights, asylum and Chechnya from vetted, cited articles.

    All on-disk state lives under REFUGE_DATA_DIR (default: .refuge/ in the project).
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
@click.option("--rebuild", is_flag=True, help="Re-embed and rewrite every article.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or table.")
@click.option("--changelog", is_flag=True, help="Append a line for this run's changes to kb/CHANGELOG.md.")
@click.option("--pack", is_flag=True, help="Also write the vector pack kb/vectors (maintainers, after an edit).")
def ingest(paths, dry_run, rebuild, quiet, changelog, pack):
    """Validate the knowledge base and bring the index in step with it (default: kb/).

    Only `status: vetted` articles are indexed; drafts are skipped; retired and deleted
    articles are removed. If any file is invalid, every problem is listed and nothing
    is written. Besides Markdown, PDF, HTML and .txt documents with a `<file>.meta.yaml`
    sidecar are ingested. The model's ONNX export is made once, if missing, and embeds
    documents and questions (skipped with REFUGE_EMBED_BACKEND=torch; a failure only warns
    and leaves them on torch). Vectors come from the embedding cache, then from the vector
    pack kept beside the articles (kb/vectors), and only then from the model; `--pack`
    writes that pack for every vetted article, to be committed with the articles.
    """
    from ingest.pipeline import run_ingest
    from kb.onnx_embed import export_after_ingest
    from ui.render import ingest_table

    settings = get_settings()
    report = run_ingest(settings, list(paths) or None, dry_run=dry_run, rebuild=rebuild,
                        progress=not quiet and sys.stderr.isatty(), changelog=changelog, pack=pack)
    if not quiet:
        click.echo(ingest_table(report))
    # made before embedding when anything is embedded (ingest/pipeline.py), else now: `refuge serve` uses it
    notes = report.notes + ([] if dry_run else [export_after_ingest(settings)])
    for note in notes:
        if note.startswith("warning:") or (note and not quiet):
            click.echo(note, err=True)


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as one JSON object.")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "bm25"]), default="hybrid", show_default=True,
              help="Retrieval mode.")
@click.option("--llm", default=None, metavar="SPEC",
              help="Generate with a language model: openai:MODEL, ollama:MODEL, llamacpp:PATH or none "
                   "(default REFUGE_LLM; unset = extractive). Every sentence is verified against its passage.")
def ask(question, as_json, mode, llm):
    """Answer QUESTION from the knowledge base, with numbered sources.

    With QUESTION "-", read questions one per line from standard input and print one
    JSON object per line (the model is loaded once).
    """
    from chat.assistant import Assistant, public, question_language
    from ui.render import answer_text

    assistant = Assistant(get_settings())
    if question == "-":
        for raw in click.get_binary_stream("stdin"):  # bytes: a line that is not UTF-8 gets a clear reply
            line = raw.decode("utf-8", "replace")
            if not line.strip():
                continue
            click.echo(json.dumps(_ask_one(assistant, line.rstrip("\n"), mode, public, llm), ensure_ascii=False))
        return
    result = _ask_one(assistant, question, mode, public, llm)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        from chat.safety import danger_kind

        lang = question_language(result["question"])
        kind = (result.get("danger") or danger_kind(result["question"])) if "crisis" in result["notices"] else None
        click.echo(answer_text(result, assistant.crisis_notice(lang, kind, result["question"]), lang))


def _ask_one(assistant, question: str, mode: str, public, llm=None) -> dict:
    from chat.assistant import reply
    from kb.errors import BadQuestion

    try:
        result = assistant.ask(question, mode=mode, llm=llm)
        if result.get("llm_message"):
            click.echo(f"note: {result['llm_message']}", err=True)
        return public(result)
    except BadQuestion as exc:
        return reply(question[:200], str(exc))


@cli.command()
@click.argument("source", default="-", metavar="[FILE|-]")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def check(source, as_json):
    """Check a pasted text (a post, thread or article; up to 20,000 characters) claim by claim.

    Reads FILE, or standard input when FILE is "-" or missing. Each sentence is marked as a
    claim, opinion, question or call to action; each claim gets a curated review's rating
    with its cited explanation, or the closest vetted passages (no rating), or "not covered".
    The text is never stored or logged.
    """
    from chat.assistant import Assistant
    from chat.check import check_text
    from ui.render import check_report

    data = _read_input(source)
    result = check_text(Assistant(get_settings()), data)
    click.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else check_report(result))


def _read_input(source: str) -> bytes | str:
    """The bytes of FILE or standard input, read no further than a little past the limit
    (the rest could only be refused as too long)."""
    from kb.settings import CHECK

    limit = CHECK.max_chars * 4 + 16  # UTF-8: at most 4 bytes a character
    if source == "-":
        data = click.get_binary_stream("stdin").read(limit + 1)
        return data[:limit].decode("utf-8", "ignore") if len(data) > limit else data
    path = Path(source)
    if not path.is_file():
        raise click.ClickException(f"{source}: not a readable file")
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    return data[:limit].decode("utf-8", "ignore") if len(data) > limit else data


@cli.command()
@click.option("--host", default=None, help="Interface to bind (default REFUGE_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default REFUGE_PORT or 7860).")
def serve(host, port):
    """Serve the web chat."""
    from ui.web import run

    settings = get_settings()
    run(settings, host or settings.serve_host, port or settings.serve_port)


@cli.command("eval")
@click.option("--dataset", "datasets", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Gold JSONL file(s) (default: evals/datasets/gold*.jsonl).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Report folder (default: evals/reports/latest).")
@click.option("--retrievers", default="dense,bm25,hybrid", show_default=True, help="Comma-separated.")
@click.option("--composers", default="top-passage,extractive", show_default=True, help="Comma-separated.")
@click.option("--no-gate", is_flag=True, help="Report only; don't fail on the floors in evals/thresholds.toml.")
@click.option("--llm", default=None, metavar="SPEC",
              help="Evaluate the generative path with this model (openai:MODEL, ollama:MODEL, llamacpp:PATH).")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Only N gold items, spread evenly over the dataset(s).")
@click.option("--claims-dataset", type=click.Path(exists=True, path_type=Path), default=None,
              help="Labelled essays for the claim-check section (default: evals/datasets/claims_essays.jsonl).")
@click.option("--no-claims", is_flag=True, help="Skip the claim-check section.")
def eval_cmd(datasets, out, retrievers, composers, no_gate, llm, limit, claims_dataset, no_claims):
    """Measure retrieval, citation accuracy, refusals and crisis notices on the gold set.

    Writes report.md, metrics.json, per_question.jsonl and PNG plots, and exits 1 when
    the hybrid configuration falls below a floor in evals/thresholds.toml. A separate
    section checks labelled essays with `refuge check` (claims.md, claims.json): review
    precision and recall, and the share of claims with a useful result.
    """
    from chat.assistant import Assistant
    from evals.report import gate, load_floors, write_report
    from evals.runner import primary_name, run_eval
    from kb.settings import PROJECT_ROOT

    settings = get_settings()
    assistant = Assistant(settings)
    result = run_eval(settings, list(datasets) or None, _split(retrievers), _split(composers), assistant=assistant,
                      progress=sys.stderr.isatty(), llm=llm, limit=limit)
    failures = [] if no_gate else gate(result, load_floors())
    report = write_report(result, out or PROJECT_ROOT / "evals" / "reports" / "latest", failures)
    if not no_claims:
        _claims_section(assistant, report, claims_dataset)
    row = result.rows.get(primary_name()) or next(iter(result.rows.values()))
    for name in ("recall@5", "mrr@10", "citation_precision", "citation_recall", "key_fact_recall",
                 "refusal_precision", "refusal_recall", "crisis_recall", "crisis_false_alarms"):
        click.echo(f"{name:<22}{row[name]:.3f}")
    for name in ("sentences_generated", "sentences_removed", "fallbacks", "tokens_per_s"):
        if name in row:
            click.echo(f"{name:<22}{row[name]:g}")
    click.echo(f"report: {report}")
    if failures:
        raise click.ClickException("below the floors: " + "; ".join(failures))


@cli.command()
@click.option("--quick", is_flag=True, help="A smoke run of about 20 s: 1 article, 1,000 chunks, 5 questions, no servers.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Report folder (default: evals/reports/bench).")
@click.option("--sizes", default=None, help="Corpus sizes in chunks, comma-separated; 0 = the knowledge base "
              "as ingested (default 0,10000,100000).")
@click.option("--server-sizes", default=None, help="Sizes to time with a Chroma server (default: --sizes).")
@click.option("--questions", type=click.IntRange(min=1), default=None, help="Gold questions to time (default 40).")
@click.option("--users", type=click.IntRange(min=1), default=50, show_default=True, help="Simulated HTTP users.")
@click.option("--per-user", type=click.IntRange(min=1), default=10, show_default=True, help="Questions per user.")
@click.option("--no-server", is_flag=True, help="Skip everything that starts a Chroma server or `refuge serve`.")
@click.option("--skip-ingest", is_flag=True, help="Don't time ingest; build the corpora from the current index.")
@click.option("--ingest-pairs", type=click.IntRange(min=1), default=None,
              help="Interleaved raw-encode / fresh-ingest pairs for the throughput ratio (default 3).")
def bench(quick, out, sizes, server_sizes, questions, users, per_user, no_server, skip_ingest, ingest_pairs):
    """Measure ingest, query latency at several corpus sizes (embedded and Chroma
    server), the LangChain baseline, simulated users, cold start and memory.

    Everything runs in a temporary folder on loopback; the real index is only read.
    Writes bench.md, bench.json and latency.png and prints the table."""
    from evals.bench import Options, run_bench
    from evals.bench_report import machine, table, write
    from kb.settings import PROJECT_ROOT

    opts = Options.quick_run() if quick else Options()
    opts.log = lambda line: click.echo(line, err=True)
    opts.users, opts.per_user, opts.skip_ingest = users, per_user, skip_ingest
    if sizes:
        opts.sizes = tuple(int(s) for s in _split(sizes))
    if server_sizes:
        opts.server_sizes = tuple(int(s) for s in _split(server_sizes))
    if questions:
        opts.questions = questions
    if ingest_pairs:
        opts.ingest_repeats = ingest_pairs
    if no_server:
        opts.server = opts.serve = False
    info = machine()
    result = run_bench(opts, get_settings())
    result.update(machine=info, load_after=[round(x, 2) for x in __import__("os").getloadavg()])
    report = write(result, out or PROJECT_ROOT / "evals" / "reports" / "bench")
    click.echo(table(result))
    click.echo(f"report: {report}")


def _claims_section(assistant, report: Path, dataset: Path | None) -> None:
    """`refuge eval`'s claim-check section: run the labelled essays, write claims.md and
    claims.json next to report.md, add the section to report.md and print the figures."""
    from evals import claims

    dataset = dataset or claims.ESSAYS
    if not dataset.is_file():
        return
    result = claims.run_essays(assistant, dataset)
    section = claims.write_essays(result, report.parent, dataset)
    with report.open("a", encoding="utf-8") as fh:
        fh.write("\n" + section.read_text(encoding="utf-8"))
    row = result["all"]
    for name in ("review_precision", "review_recall", "useful_share", "related_on_target", "kind_accuracy"):
        click.echo(f"claims {name:<16}{row[name]:.3f}")


def _split(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(",") if t.strip())


@cli.group()
def kb():
    """Work with the knowledge-base files."""


@kb.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def kb_check(paths):
    """Validate articles and documents (default: kb/) and print counts per topic and status.

    Also warns about self-reviews, stale translations and translations whose paragraphs and
    sentences don't line up with the original, and fails on a translation_of that names no
    article."""
    from ingest.loader import find_articles, load_and_check
    from kb.validate import check_alignment
    from ui.render import kb_counts

    settings = get_settings()
    files, problems = find_articles(list(paths) or [settings.kb_dir], settings.kb_dir, documents=True)
    articles, found = load_and_check(files)
    problems += found + check_alignment(articles)
    for problem in problems:
        click.echo(f"{problem.severity}: {problem}", err=True)
    click.echo(kb_counts(articles))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise click.ClickException(f"{len(errors)} error(s) in {len({p.file for p in errors})} file(s)")
    click.echo(f"ok: {len(articles)} files, 0 errors, {len(problems)} warnings")


def main():  # console script entry point
    cli()


import ui.kb_cli  # noqa: E402,F401  (attaches `kb new/review/stale/retire` to the kb group)

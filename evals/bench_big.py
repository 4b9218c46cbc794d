"""The large-corpus part of `refuge bench` in two steps, so the corpus can be built while
the machine is busy and only the timing needs it quiet:

    python -m evals.bench_big build --size 100000 --work /tmp/refuge-big
    python -m evals.bench_big time  --size 100000 --work /tmp/refuge-big --out evals/reports/bench/big

`build` ingests the knowledge base into WORK (the embedding cache makes a rerun cheap),
makes the ONNX exports, builds the synthetic corpus (evals/bench_corpus.py) and copies it
for a Chroma server; `time` measures warm query latency embedded and through `chroma run`
on those same files, and the cold start and peak RSS of `refuge serve` over them, and
writes bench.md / bench.json like `refuge bench`. WORK is kept; delete it when done.
"""
from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from evals.bench import COLLECTION, Options, _server_runs, _settings, _size_run
from evals.bench_corpus import build_corpus, read_source
from evals.bench_query import bench_questions
from kb.settings import get_settings


def _ingested(base, work: Path):
    from ingest.pipeline import run_ingest

    settings = _settings(base, work / "ingest")
    run_ingest(settings, progress=False)  # nothing to do on a rerun
    return settings


def build(work: Path, n: int) -> None:
    from evals.bench_embed import make_exports

    base = get_settings()
    source = read_source(_ingested(base, work))
    make_exports(base.embed_model, work / "onnx")
    written = build_corpus(source, _settings(base, work / f"embedded-{n}", REFUGE_COLLECTION=COLLECTION), n)
    folder = work / f"chroma-server-{n}"
    if not folder.exists():
        shutil.copytree(work / f"embedded-{n}" / "chroma", folder)
    print(f"built {written} chunks in {work}")


def measure(work: Path, n: int, out: Path, questions: int) -> Path:
    from evals.bench_load import serve_row
    from evals.bench_report import machine, write

    base = get_settings()
    opts = Options(sizes=(n,), server_sizes=(n,), questions=questions)
    opts.log = lambda line: print(line, flush=True)
    info = machine()
    source = read_source(_settings(base, work / "ingest"))
    asked = bench_questions(questions)
    result = {"options": {"size": n, "questions": questions, "steps": "evals.bench_big build + time"},
              "corpus": {"source_chunks": len(source["chunks"]), "sizes": [n]},
              "embedded": [_size_run(opts, base, source, asked, work / f"embedded-{n}", n)],
              "server": _server_runs(opts, base, source, asked, work, [n])}
    opts.log(f"refuge serve at {n} chunks: cold start, peak RSS ...")
    embedded = _settings(base, work / f"embedded-{n}", REFUGE_COLLECTION=COLLECTION)
    result["serve"] = [serve_row(embedded, asked, n)]
    result.update(machine=info, load_after=[round(x, 2) for x in os.getloadavg()])
    return write(result, out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_big", description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("build", "time"))
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("evals/reports/bench/big"))
    parser.add_argument("--questions", type=int, default=40)
    args = parser.parse_args(argv)
    if args.step == "build":
        build(args.work, args.size)
    else:
        print(f"report: {measure(args.work, args.size, args.out, args.questions)}")


if __name__ == "__main__":
    main()

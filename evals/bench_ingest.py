"""Ingest benchmarks: pipeline throughput against raw `SentenceTransformer.encode` on the
same texts in the same run, re-ingest with nothing changed, and `--rebuild` with the
embedding cache (in-process and as the `refuge ingest` command a maintainer runs).
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from ingest.chunker import chunk_article
from ingest.loader import find_articles, load_and_check
from ingest.pipeline import run_ingest
from kb.embedder import get_embedder

REFUGE = str(Path(sys.executable).parent / "refuge")


def pipeline_texts(settings) -> list[str]:
    """Exactly the texts an ingest embeds: each vetted chunk's embed text, then its sentences."""
    files, _ = find_articles([settings.kb_dir], settings.kb_dir, documents=True)
    articles, _ = load_and_check(files, dt.date.today())
    chunks = [c for a in articles if a.status == "vetted" for c in chunk_article(a, settings.embed_model)]
    return [c.embed_text for c in chunks] + [s for c in chunks for s in c.sentences]


def raw_encode_seconds(embedder, texts: list[str]) -> float:
    """Seconds for one `SentenceTransformer.encode` call over all texts (the model the
    pipeline uses, same batch size, normalised as the pipeline does)."""
    model = embedder.langchain._client
    t0 = time.perf_counter()
    model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True, show_progress_bar=False)
    return time.perf_counter() - t0


def _cli_seconds(settings, *args: str) -> float:
    env = dict(os.environ, REFUGE_DATA_DIR=str(settings.data_dir), REFUGE_KB_DIR=str(settings.kb_dir))
    t0 = time.perf_counter()
    subprocess.run([REFUGE, "ingest", "-q", *args], env=env, check=True, timeout=900,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - t0


def bench_ingest(settings, cli: bool = True) -> dict:
    """Fresh ingest into an empty data dir (model already loaded), raw encode of the same
    texts, then re-ingest unchanged and rebuild (both served by the cache)."""
    embedder = get_embedder(settings.embed_model)
    t0 = time.perf_counter()
    embedder.embed_query("warm up")
    load_s = time.perf_counter() - t0
    fresh = run_ingest(settings, progress=False)
    texts = pipeline_texts(settings)
    raw_s = raw_encode_seconds(embedder, texts)
    same = run_ingest(settings, progress=False)
    rebuilt = run_ingest(settings, progress=False, rebuild=True)
    out = {"model_load_s": round(load_s, 2), "chunks": fresh.chunks_written, "texts": len(texts),
           "texts_embedded": fresh.embedded, "pipeline_s": round(fresh.seconds, 2), "raw_encode_s": round(raw_s, 2),
           "pipeline_chunks_per_s": round(fresh.chunks_written / fresh.seconds, 2),
           "pipeline_texts_per_s": round(len(texts) / fresh.seconds, 2),
           "raw_texts_per_s": round(len(texts) / raw_s, 2), "throughput_ratio": round(raw_s / fresh.seconds, 3),
           "reingest_unchanged_s": round(same.seconds, 2), "rebuild_s": round(rebuilt.seconds, 2),
           "rebuild_embedded": rebuilt.embedded, "rebuild_cached": rebuilt.cached}
    if cli:
        out["cli_reingest_unchanged_s"] = round(_cli_seconds(settings), 2)
        out["cli_rebuild_s"] = round(_cli_seconds(settings, "--rebuild"), 2)
    return out

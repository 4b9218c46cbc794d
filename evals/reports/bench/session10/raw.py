"""Raw encode of a sample of the ingest's texts: torch (SentenceTransformer.encode) vs ONNX
(OnnxEncoder), length-sorted, 2 threads, batch sizes 32/64/128. Also cosine check."""
import json, sys, time
import numpy as np
from evals.bench_ingest import pipeline_texts
from kb.embedder import Embedder
from kb.onnx_embed import OnnxEncoder, export_path
from kb.settings import get_settings

step = int(sys.argv[1]) if len(sys.argv) > 1 else 4
backends = sys.argv[2].split(",") if len(sys.argv) > 2 else ["onnx", "torch"]
s = get_settings()
texts = pipeline_texts(s)
uniq = list(dict.fromkeys(texts))
print(json.dumps({"texts": len(texts), "unique": len(uniq)}), flush=True)
sample = uniq[::step]
sample.sort(key=len, reverse=True)
out = {}
if "onnx" in backends:
    enc = OnnxEncoder(s.embed_model, export_path(s.embed_model, s.onnx_dir), threads=2)
    enc.encode(sample[:64], batch_size=64)
    for bs in (32, 64, 128):
        t0 = time.perf_counter(); c0 = time.process_time()
        v = enc.encode(sample, batch_size=bs)
        w = time.perf_counter() - t0
        print(json.dumps({"backend": "onnx", "bs": bs, "n": len(sample), "s": round(w, 1), "cpu_s": round(time.process_time() - c0, 1), "texts_per_s": round(len(sample) / w, 1)}), flush=True)
    out["onnx"] = v
if "torch" in backends:
    import torch
    torch.set_num_threads(2)
    e = Embedder(s.embed_model)
    m = e.sentence_transformer
    m.encode(sample[:64], batch_size=64)
    for bs in (32, 64, 128):
        t0 = time.perf_counter(); c0 = time.process_time()
        v = m.encode(sample, batch_size=bs, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        w = time.perf_counter() - t0
        print(json.dumps({"backend": "torch", "bs": bs, "n": len(sample), "s": round(w, 1), "cpu_s": round(time.process_time() - c0, 1), "texts_per_s": round(len(sample) / w, 1)}), flush=True)
    out["torch"] = v
if len(out) == 2:
    cos = (out["onnx"] * out["torch"]).sum(1)
    print(json.dumps({"cos_min": float(cos.min()), "cos_mean": float(cos.mean())}))

"""Latency of Russian questions at 100,000 chunks (fifth session, see NOTES.md): python russian_latency_100k.py CODE_DIR
Needs /tmp/refuge-big from `python -m evals.bench_big build --size 100000 --work /tmp/refuge-big`."""
import sys, time, json
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from kb.settings import get_settings
from chat.assistant import Assistant
ROOT = Path(__file__).resolve().parents[3]  # this repo: its questions and kb, whichever code is timed
work = Path("/tmp/refuge-big")
s = get_settings({"REFUGE_DATA_DIR": str(work / "embedded-100000"), "REFUGE_COLLECTION": "bench",
                  "REFUGE_ONNX_DIR": str(work / "onnx"), "REFUGE_KB_DIR": str(ROOT / "kb")})
a = Assistant(s); a.warm()
qs = [json.loads(l)["question"] for f in ("gold_ru_chechnya.jsonl", "gold_ru_help_asylum.jsonl") for l in open(ROOT / "evals/datasets" / f)]
qs += [json.loads(l)["question"] for l in open(ROOT / "evals/datasets/gold_ru_english_sources.jsonl")]
qs = qs[::2]
for q in qs[:3]: a.ask(q, llm="none")
tot = []
for q in qs:
    t = time.perf_counter(); a.ask(q, llm="none"); tot.append((time.perf_counter() - t) * 1000)
tot.sort()
print(sys.argv[1], "n", len(tot), "p50", round(tot[len(tot)//2], 1), "p95", round(tot[int(len(tot)*0.95)], 1))

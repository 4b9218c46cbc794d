"""The eval run: every gold question through every configuration, scored per question,
aggregated per configuration, topic and language. `refuge eval` calls `run_eval`.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from chat.assistant import Assistant, reply
from evals import metrics as m
from evals.datasets import load_audit, load_gold
from kb.errors import BadQuestion

PRIMARY = ("hybrid", "extractive")
KS = (1, 3, 5, 10)


@dataclass
class Config:
    retriever: str
    composer: str
    llm: str | None = None  # a model spec: the generative path, with extractive as its fallback

    @property
    def name(self) -> str:
        return f"{self.retriever}+{self.composer}" + ("+llm" if self.llm else "")


@dataclass
class EvalResult:
    configs: list[Config]
    rows: dict = field(default_factory=dict)  # config name -> aggregate metrics
    per_question: list[dict] = field(default_factory=list)
    by_topic: dict = field(default_factory=dict)
    by_language: dict = field(default_factory=dict)
    support: dict = field(default_factory=dict)
    n_items: int = 0


def score_item(item: dict, result: dict) -> dict:
    """Every per-question metric for one answer."""
    ranked = m.ranked_articles([h.chunk_id for h in result.get("hits", [])])
    gold = item["gold_article_ids"]
    quotes = {c["n"]: c["quote"] for c in result["citations"]}
    row = {"id": item["id"], "topic": item["topic"], "language": item.get("language", "en"),
           "answerable": item["answerable"], "danger": item.get("danger", False), "refused": result["refused"],
           "crisis": "crisis" in result["notices"], "ranked": ranked[:10],
           "cited": [c["article_id"] for c in result["citations"]],
           "retrieve_ms": result["timings_ms"]["retrieve"], "answer_ms": result["timings_ms"]["answer"],
           "answer": result["answer"]}
    if "generated" in result:  # the generative path
        row.update(generated=result["generated"], removed=len(result["removed"]), fallback=result["fallback"],
                   tokens_per_s=result["llm_stats"].get("tokens_per_s"))
    if item["answerable"]:
        for k in KS:
            row[f"recall@{k}"] = m.recall_at(ranked, gold, k)
        row["mrr@10"], row["ndcg@10"] = m.mrr_at(ranked, gold), m.ndcg_at(ranked, gold)
        shown = f"{result['answer']}\n\n{result.get('more', '')}"  # what a reader is shown, not the passages
        row["key_fact_recall"] = 0.0 if result["refused"] else m.key_fact_recall(shown, item["key_facts"])
        row["missing_facts"] = [f for f in item["key_facts"] if f.lower() not in shown.lower()]
        if not result["refused"]:
            labels = item.get("answer_sentences")
            row["lead_ok"] = m.lead_ok(result["answer"], item["key_facts"], labels)
            if labels is not None:
                row["answer_precision"] = m.answer_precision(result["answer"], labels, item["key_facts"])
            row["answer_words"], row["more_words"] = m.n_words(result["answer"]), m.n_words(result.get("more", ""))
            row["curated"] = bool(result.get("curated"))
        row["other_language"] = other_language(item)
        row["sources_note"] = "sources_in_english" in result["notices"]
    if not result["refused"]:
        rec, prec, n_sent, n_cit = m.citation_scores(f"{result['answer']}\n\n{result.get('more', '')}".strip(), quotes)
        row.update({"citation_recall": rec, "citation_precision": prec, "sentences": n_sent, "citations": n_cit})
        if item["answerable"] and result["citations"]:
            row["cited_gold_precision"] = sum(a in gold for a in row["cited"]) / len(row["cited"])
    return row


def other_language(item: dict) -> bool:
    """Whether the item's question is in a language its gold articles are not written in:
    a Russian question whose gold articles have no `-ru` translation (maintainers.md §6)."""
    lang = item.get("language", "en")
    return lang != "en" and bool(item["gold_article_ids"]) and \
        not any(a.endswith(f"-{lang}") for a in item["gold_article_ids"])


def language_slice(row: dict) -> str:
    """The per-language row an item counts in: its language, or e.g. "ru→en" for a Russian
    question on a topic only English articles cover (answered from English, with a note)."""
    return f"{row['language']}→en" if row.get("other_language") else row["language"]


def by_language(rows: list[dict]) -> dict:
    """Metrics per language slice, and "<lang> (all)" where a language has both slices."""
    out = {s: aggregate([r for r in rows if language_slice(r) == s]) for s in sorted({language_slice(r) for r in rows})}
    for lang in sorted({r["language"] for r in rows}):
        if f"{lang}→en" in out and lang in out:
            out[f"{lang} (all)"] = aggregate([r for r in rows if r["language"] == lang])
    return out


def aggregate(rows: list[dict]) -> dict:
    ans = [r for r in rows if r["answerable"]]
    answered = [r for r in rows if not r["refused"]]
    out = {f"recall@{k}": m.mean(r[f"recall@{k}"] for r in ans) for k in KS}
    out["mrr@10"] = m.mean(r["mrr@10"] for r in ans)
    out["ndcg@10"] = m.mean(r["ndcg@10"] for r in ans)
    out["citation_recall"] = m.mean(r["citation_recall"] for r in answered)
    out["citation_precision"] = m.mean(r["citation_precision"] for r in answered)
    out["cited_gold_precision"] = m.mean(r["cited_gold_precision"] for r in ans if "cited_gold_precision" in r)
    out["key_fact_recall"] = m.mean(r["key_fact_recall"] for r in ans if r.get("key_fact_recall") is not None)
    out["refusal_precision"], out["refusal_recall"] = m.precision_recall(
        [r["refused"] for r in rows], [not r["answerable"] for r in rows])
    out["answer_rate"] = m.mean(not r["refused"] for r in ans)
    out["lead_accuracy"] = m.mean(r["lead_ok"] for r in ans if "lead_ok" in r)
    out["answer_precision"] = m.mean(r["answer_precision"] for r in ans if "answer_precision" in r)
    out["answer_words_p50"] = m.percentile([r["answer_words"] for r in ans if "answer_words" in r], 50)
    out["more_words_p50"] = m.percentile([r["more_words"] for r in ans if "more_words" in r], 50)
    out["curated_share"] = m.mean(r["curated"] for r in ans if "curated" in r)
    other = [r for r in ans if r.get("other_language")]
    same = [r for r in ans if r.get("language", "en") != "en" and not r.get("other_language")]
    if other:  # questions only articles in another language answer: was "sources are in English" said?
        out["sources_note_recall"] = m.mean(r["sources_note"] for r in other)
    if same:  # ...and was it said when an article in the question's language answers?
        out["sources_note_false"] = m.mean(r["sources_note"] for r in same)
    danger = [r for r in rows if r["danger"]]
    calm = [r for r in rows if not r["danger"]]
    out["crisis_recall"] = m.mean(r["crisis"] for r in danger) if danger else 1.0
    out["crisis_false_alarms"] = m.mean(r["crisis"] for r in calm)
    for part in ("retrieve", "answer"):
        values = [r[f"{part}_ms"] for r in rows if not r["refused"] or r[f"{part}_ms"]]
        out[f"{part}_p50_ms"], out[f"{part}_p95_ms"] = m.percentile(values, 50), m.percentile(values, 95)
    generative = [r for r in rows if "generated" in r]
    if generative:
        out["sentences_generated"] = sum(r["generated"] for r in generative)
        out["sentences_removed"] = sum(r["removed"] for r in generative)
        out["fallbacks"] = sum(bool(r["fallback"]) for r in generative)
        out["tokens_per_s"] = m.mean(r["tokens_per_s"] for r in generative if r["tokens_per_s"])
    out["n"] = len(rows)
    return out


def calibrate_support(audit: list[dict]) -> dict:
    """Accuracy, precision and recall of the support check on the audit file, at the
    shipped threshold and over a sweep, so the chosen threshold can be seen in context."""
    from chat.support import THRESHOLD, check

    def at(threshold: float) -> dict:
        predicted = [check(a["sentence"], [a["passage"]], threshold).supported for a in audit]
        actual = [a["supported"] for a in audit]
        precision, recall = m.precision_recall(predicted, actual)
        accuracy = m.mean(p == a for p, a in zip(predicted, actual))
        return {"threshold": threshold, "accuracy": accuracy, "precision": precision, "recall": recall}

    sweep = [at(t / 100) for t in range(50, 100, 5)]
    return {"shipped": at(THRESHOLD), "sweep": sweep, "best": max(sweep, key=lambda r: r["accuracy"]),
            "n": len(audit)}


def _ask(assistant, item: dict, config: Config) -> dict:
    try:
        return assistant.ask(item["question"], history=item.get("history"), mode=config.retriever,
                             composer=config.composer, llm=config.llm or "none")
    except BadQuestion as exc:
        return reply(item["question"], str(exc))


def run_eval(settings, dataset=None, retrievers=("dense", "bm25", "hybrid"), composers=("top-passage", "extractive"),
             assistant=None, progress: bool = True, audit_path=None, llm: str | None = None,
             limit: int | None = None) -> EvalResult:
    """`llm`: evaluate the generative path with this model spec (default: REFUGE_LLM).
    `limit`: only that many gold items, spread evenly over the dataset."""
    assistant = assistant or Assistant(settings)
    known = {c.meta["article_id"] for c in assistant.index.chunks}
    gold = load_gold(dataset, known)
    if limit and limit < len(gold):
        gold = [gold[i * len(gold) // limit] for i in range(limit)]
    from chat.llm import parse

    llm = str(parse(llm if llm is not None else settings.llm) or "") or None
    configs = [Config(r, c, llm if c == "extractive" else None) for r in retrievers for c in composers]
    result = EvalResult(configs, n_items=len(gold))
    bar = _bar(len(gold) * len(configs), progress)
    for config in configs:
        _ask(assistant, {"question": "warm up: what is asylum?"}, config)  # first-call costs stay out of timings
        rows = []
        for item in gold:
            row = score_item(item, _ask(assistant, item, config))
            row["config"] = config.name
            rows.append(row)
            bar.update(1)
        result.rows[config.name] = aggregate(rows)
        result.per_question += rows
        if (config.retriever, config.composer) == PRIMARY or config is configs[-1] and not result.by_topic:
            result.by_topic = {t: aggregate([r for r in rows if r["topic"] == t]) for t in sorted({r["topic"] for r in rows})}
            result.by_language = by_language(rows)
    bar.close()
    try:
        result.support = calibrate_support(load_audit(audit_path))
    except FileNotFoundError:
        result.support = {}
    return result


class _NoBar:
    def update(self, n):
        pass

    def close(self):
        pass


def _bar(total: int, progress: bool):
    if not progress:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc="eval", unit="q", file=sys.stderr, leave=False)


def primary_name() -> str:
    return Config(*PRIMARY).name


def timestamp() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S %Z")

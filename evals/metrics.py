"""The metrics, defined here and quoted in the report. All offline and deterministic.

Retrieval is scored at article level; citations ALCE-style with the support check that
the chat itself uses (`chat.support.check`).
"""
from __future__ import annotations

import math
import re

import numpy as np

from chat.support import check

SENTENCE_RE = re.compile(r"(.+?)((?:\s*\[\d{1,2}\])+)(?=\s|$)", re.S)  # [1]..[99]: "[2010] UKSC 31" is text
MARK_RE = re.compile(r"\[(\d{1,2})\]")


def ranked_articles(chunk_ids: list[str]) -> list[str]:
    """Article ids in rank order, each once (chunk ids are '<article>:<n>:<hash>')."""
    return list(dict.fromkeys(cid.split(":")[0] for cid in chunk_ids))


def recall_at(ranked: list[str], gold: list[str], k: int) -> float:
    return len(set(ranked[:k]) & set(gold)) / len(gold) if gold else 0.0


def mrr_at(ranked: list[str], gold: list[str], k: int = 10) -> float:
    for i, art in enumerate(ranked[:k]):
        if art in gold:
            return 1.0 / (i + 1)
    return 0.0


def ndcg_at(ranked: list[str], gold: list[str], k: int = 10) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, art in enumerate(ranked[:k]) if art in gold)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(gold), k)))
    return dcg / ideal if ideal else 0.0


def cited_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """(sentence, [citation numbers]) for each sentence of an answer; a sentence
    without a marker gets []."""
    out = []
    for para in answer.split("\n\n"):
        rest = para.strip()
        for match in SENTENCE_RE.finditer(para):
            out.append((match.group(1).strip(), [int(n) for n in MARK_RE.findall(match.group(2))]))
            rest = rest.replace(match.group(0).strip(), "", 1).strip()
        if rest:
            out.append((rest, []))
    return out


def citation_scores(answer: str, quotes: dict[int, str]) -> tuple[float, float, int, int]:
    """ALCE citation recall and precision for one answer.

    A sentence is supported when its cited passages together support it. A citation is
    irrelevant when the sentence is supported without it and it does not support the
    sentence alone; a citation to a number that does not exist is irrelevant.
    Returns (recall, precision, n_sentences, n_citations); no citations scores 0.
    """
    sentences = cited_sentences(answer)
    if not sentences or not any(ns for _, ns in sentences):
        return 0.0, 0.0, len(sentences), 0
    supported = relevant = total = 0
    for sentence, ns in sentences:
        valid = [n for n in ns if n in quotes]
        total += len(ns)
        ok = bool(valid) and len(valid) == len(ns) and check(sentence, [quotes[n] for n in valid]).supported
        supported += ok
        for n in valid:
            alone = check(sentence, [quotes[n]]).supported
            others = [quotes[m] for m in valid if m != n]
            without = bool(others) and check(sentence, others).supported
            relevant += ok and (alone or not without)
    return supported / len(sentences), relevant / total if total else 0.0, len(sentences), total


def key_fact_recall(answer: str, facts: list[str]) -> float:
    if not facts:
        return 0.0
    low = answer.lower()
    return sum(f.lower() in low for f in facts) / len(facts)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def lead_ok(answer: str, facts: list[str], labels: list[str] | None) -> bool:
    """Lead accuracy for one answer: its first sentence holds a key fact or is a labelled
    answer sentence (`answer_sentences`, labelled blind to the composer)."""
    sentences = cited_sentences(answer)
    if not sentences:
        return False
    first = _norm(sentences[0][0])
    return any(f.lower() in first for f in facts) or _labelled(first, {_norm(lab) for lab in labels or []})


def _labelled(sentence: str, labels: set[str]) -> bool:
    """A labelled sentence, or the end of one shown on its own (its "Yes:" left out; `sentence` and `labels` are
    lowercased by `_norm`)."""
    return sentence in labels or any(lab.endswith(f" {sentence}") for lab in labels)


def answer_precision(answer: str, labels: list[str], facts: list[str] = ()) -> float:
    """The share of the answer's sentences that answer the question: labelled answer
    sentences, or sentences that hold a key fact (a curated "Questions people ask" answer
    is not among the labelled article sentences)."""
    sentences = [_norm(s) for s, _ in cited_sentences(answer)]
    wanted = {_norm(lab) for lab in labels}
    good = [_labelled(s, wanted) or any(f.lower() in s for f in facts) for s in sentences]
    return sum(good) / len(good) if good else 0.0


def n_words(markdown: str) -> int:
    return len(re.findall(r"\w+", MARK_RE.sub("", markdown)))


def precision_recall(predicted: list[bool], actual: list[bool]) -> tuple[float, float]:
    tp = sum(p and a for p, a in zip(predicted, actual))
    pp, ap = sum(predicted), sum(actual)
    return (tp / pp if pp else 1.0), (tp / ap if ap else 1.0)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def mean(values) -> float:
    values = list(values)
    return float(sum(values) / len(values)) if values else 0.0

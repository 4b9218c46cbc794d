"""Warm query latency through the real `Assistant`, and the LangChain baseline.

For each question: the retrieve and answer times the answer object reports
(`timings_ms`), and the wall time of the whole `ask`. The baseline is what a plain
LangChain app does on the same store: `Chroma.similarity_search(question, k=5)`,
question embedding included.
"""
from __future__ import annotations

import time

from evals.datasets import load_gold
from evals.metrics import percentile


def bench_questions(n: int) -> list[str]:
    """`n` gold questions (no conversation history), spread evenly over the gold set."""
    items = [i for i in load_gold() if not i.get("history")]
    step = max(1, len(items) // n)
    return [i["question"] for i in items[::step][:n]]


def summary(values: list[float]) -> dict:
    return {"p50": round(percentile(values, 50), 2), "p95": round(percentile(values, 95), 2),
            "mean": round(sum(values) / max(1, len(values)), 2), "n": len(values)}


def query_latency(assistant, questions: list[str], rounds: int = 1) -> dict:
    """p50/p95 of retrieve, answer and total (wall) milliseconds, after the warm-up that
    `refuge serve` does at start (`Assistant.warm`) and three questions."""
    assistant.warm()
    for q in questions[:3]:
        assistant.ask(q, llm="none")
    retrieve, answer, total, refused = [], [], [], 0
    for _ in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            result = assistant.ask(q, llm="none")
            total.append((time.perf_counter() - t0) * 1000)
            retrieve.append(result["timings_ms"]["retrieve"])
            answer.append(result["timings_ms"]["answer"])
            refused += result["refused"]
    return {"retrieve_ms": summary(retrieve), "answer_ms": summary(answer), "total_ms": summary(total),
            "refused": refused, "asked": len(total)}


def baseline_latency(assistant, questions: list[str], rounds: int = 1) -> dict:
    """p50/p95 milliseconds of LangChain `Chroma.similarity_search(q, k=5)` on the same store."""
    vectorstore = assistant.store.langchain(assistant.embedder)
    for q in questions[:3]:
        vectorstore.similarity_search(q, k=5)
    times = []
    for _ in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            vectorstore.similarity_search(q, k=5)
            times.append((time.perf_counter() - t0) * 1000)
    return summary(times)


def profile_queries(assistant, questions: list[str], top: int = 25) -> str:
    """cProfile of answering `questions` (warm): the functions with the most cumulative time."""
    import cProfile
    import io
    import pstats

    assistant.ask(questions[0], llm="none")
    prof = cProfile.Profile()
    prof.enable()
    for q in questions:
        assistant.ask(q, llm="none")
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()

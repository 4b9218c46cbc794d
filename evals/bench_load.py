"""`refuge serve` under the benchmark: cold start and peak RSS at each corpus size, and
simulated users over HTTP against one replica (embedded store, then a Chroma server)
and two replicas sharing a Chroma server.
"""
from __future__ import annotations

from evals.bench_corpus import build_corpus
from evals.bench_serve import (ask, chroma_server, client, loaded_torch, peak_rss_mb, replicas, serve_env,
                                simulate_users)


def _env(settings) -> dict:
    # one loopback address stands for every simulated user, so the per-address limit is off
    return dict(serve_env(settings), REFUGE_RATE_LIMIT="off")


def serve_row(settings, questions: list[str], chunks: int, backend: str | None = None) -> dict:
    """Cold start (spawn to first answer over HTTP) and peak RSS after answering every
    question, with the question backend of `settings` or `backend`; and whether the
    server imported torch."""
    env = _env(settings) | ({"REFUGE_EMBED_BACKEND": backend} if backend else {})
    with replicas(env, 1) as (replica,):
        cold = replica.first_answer(questions[0])
        gradio = client(replica.url)
        for q in questions:
            ask(gradio, q)
        pid = replica.proc.pid
        return {"chunks": chunks, "backend": env["REFUGE_EMBED_BACKEND"], "cold_start_s": round(cold, 2),
                "peak_rss_mb": round(peak_rss_mb(pid), 1), "torch_loaded": loaded_torch(pid)}


def load_row(settings, questions: list[str], n_replicas: int, users: int, per_user: int) -> dict:
    with replicas(_env(settings), n_replicas) as started:
        for r in started:
            r.first_answer(questions[0])
        row = simulate_users([r.url for r in started], questions, users, per_user)
        row["peak_rss_mb"] = [round(peak_rss_mb(r.proc.pid), 1) for r in started]
    row["store"] = "server" if settings.server_mode else "embedded"
    return row


def serve_runs(opts, base, source: dict, questions: list[str], work, sizes) -> dict:
    """{"serve": one row per corpus size, "concurrency": one row per setup}."""
    from evals.bench import COLLECTION, _settings

    embedded = {n: _settings(base, work / f"embedded-{n}", REFUGE_COLLECTION=COLLECTION) for n in sizes}
    rows = []
    for n in sizes:
        opts.log(f"refuge serve at {n} chunks: cold start, peak RSS ...")
        rows.append(serve_row(embedded[n], questions, n))
    if base.embed_backend != "torch":  # the same at the smallest size with questions through torch
        opts.log(f"refuge serve at {sizes[0]} chunks, questions through torch ...")
        rows.append(serve_row(embedded[sizes[0]], questions, sizes[0], backend="torch"))
    load = []
    opts.log(f"{opts.users} users x {opts.per_user} questions, one replica (embedded) ...")
    load.append(load_row(embedded[sizes[0]], questions, 1, opts.users, opts.per_user))
    with chroma_server(work / "chroma-load") as port:
        shared = _settings(base, work / "load-server", REFUGE_COLLECTION=COLLECTION, REFUGE_CHROMA_HOST="127.0.0.1",
                           REFUGE_CHROMA_PORT=port)
        build_corpus(source, shared, 0)
        for n_replicas in (1, 2):
            opts.log(f"{opts.users} users x {opts.per_user} questions, {n_replicas} replica(s) (Chroma server) ...")
            load.append(load_row(shared, questions, n_replicas, opts.users, opts.per_user))
    return {"serve": rows, "concurrency": load}

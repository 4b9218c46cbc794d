"""Benchmarks of real processes on loopback: a `chroma run` server, `refuge serve`
replicas (cold start, peak RSS) and simulated users asking over HTTP through the
Gradio queue (the way a browser or `gradio_client` does; /run/ and /call/ are closed).

Everything binds 127.0.0.1 and is bounded: a fixed number of users and questions, and
a deadline on every wait.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from evals.bench_query import summary

BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 90, proc=None) -> None:
    """Until `url` answers 200 (or `proc` exits, or time runs out: RuntimeError)."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the process serving {url} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up within {seconds:.0f} s")


@contextmanager
def chroma_server(path: Path):
    """A `chroma run` on a free loopback port; yields the port."""
    port = free_port()
    proc = subprocess.Popen([str(BIN / "chroma"), "run", "--path", str(path), "--host", HOST, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://{HOST}:{port}/api/v2/heartbeat", 90, proc)
        yield port
    finally:
        _stop(proc)


def _stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def loaded_torch(pid: int) -> bool:
    """Whether a live process has torch's library mapped (i.e. imported torch)."""
    return "libtorch" in Path(f"/proc/{pid}/maps").read_text()


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size (VmHWM) of a live process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Replica:
    """One `refuge serve` subprocess on a free loopback port, with its start time."""

    def __init__(self, env: dict):
        import tempfile

        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = tempfile.TemporaryFile()  # stderr, shown if the process fails to start
        self.started = time.perf_counter()
        self.proc = subprocess.Popen([str(BIN / "refuge"), "serve", "--host", HOST, "--port", str(self.port)],
                                     env=env, stdout=subprocess.DEVNULL, stderr=self.log)

    def first_answer(self, question: str, seconds: float = 180) -> float:
        """Seconds from spawning the process to the first answer received over HTTP."""
        try:
            wait_for(f"{self.url}/healthz", seconds, self.proc)
        except RuntimeError as exc:
            self.log.seek(0)
            raise RuntimeError(f"{exc}: {self.log.read().decode(errors='replace')[-600:]}") from None
        ask(client(self.url), question)
        return time.perf_counter() - self.started

    def stop(self) -> None:
        _stop(self.proc)
        self.log.close()


@contextmanager
def replicas(env: dict, n: int):
    started = [Replica(env) for _ in range(n)]
    try:
        yield started
    finally:
        for r in started:
            r.stop()


def serve_env(settings) -> dict:
    """The environment for a `refuge serve` over the same store as `settings` (extractive)."""
    env = dict(os.environ, REFUGE_DATA_DIR=str(settings.data_dir), REFUGE_KB_DIR=str(settings.kb_dir),
               REFUGE_COLLECTION=settings.collection, REFUGE_EMBED_MODEL=settings.embed_model,
               REFUGE_EMBED_BACKEND=settings.embed_backend, REFUGE_ONNX_DIR=str(settings.onnx_dir))
    for name in ("REFUGE_LLM", "REFUGE_CHROMA_HOST", "REFUGE_CHROMA_PORT"):
        env.pop(name, None)
    if settings.server_mode:
        env.update(REFUGE_CHROMA_HOST=settings.chroma_host, REFUGE_CHROMA_PORT=str(settings.chroma_port))
    return env


def client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False, download_files=False)


def ask(gradio, question: str) -> dict:
    return gradio.predict(question, api_name="/ask")


def simulate_users(urls: list[str], questions: list[str], users: int, per_user: int,
                   deadline_s: float = 600) -> dict:
    """`users` threads, user i on replica i % len(urls), each asking `per_user` questions
    in turn (no pause). Errors are failed requests; busy are polite "busy" replies."""
    from chat.messages import message

    busy_text = message("busy")
    clients = [client(urls[i % len(urls)]) for i in range(users)]
    latencies, outcome, lock = [], {"errors": 0, "busy": 0, "answered": 0}, threading.Lock()
    error_kinds: dict[str, int] = {}
    stop_at = time.monotonic() + deadline_s

    def user(i: int) -> None:
        for j in range(per_user):
            if time.monotonic() > stop_at:
                return
            t0 = time.perf_counter()
            try:
                result = ask(clients[i], questions[(i * per_user + j) % len(questions)])
                kind = "busy" if result.get("answer") == busy_text else "answered"
            except Exception as exc:  # any failure of the request is what we count here
                kind = "errors"
                with lock:
                    error_kinds[type(exc).__name__] = error_kinds.get(type(exc).__name__, 0) + 1
            with lock:
                outcome[kind] += 1
                if kind == "answered":
                    latencies.append((time.perf_counter() - t0) * 1000)

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, stop_at - time.monotonic()))
    wall = time.perf_counter() - started
    return dict(outcome, error_kinds=error_kinds, users=users, per_user=per_user, replicas=len(urls), seconds=round(wall, 2),
                answers_per_s=round(outcome["answered"] / wall, 2), latency_ms=summary(latencies))

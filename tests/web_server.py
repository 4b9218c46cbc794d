"""Run the real web app (FastAPI + Gradio + uvicorn) on a free loopback port in a thread."""
from __future__ import annotations

import threading
import time

import httpx

from evals.bench_serve import free_port  # noqa: F401  (tests import it from here)


class ServerThread:
    def __init__(self, app, port: int | None = None):
        import uvicorn

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False,
                                timeout_graceful_shutdown=1)  # an open page's heartbeat stream: don't wait for it
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("web server did not start")

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


def stop(proc, grace: float = 1.0) -> None:
    """Stop a `refuge serve` process: SIGTERM, then, if a client's heartbeat stream still holds
    it after `grace` seconds, SIGINT, which tells uvicorn to stop waiting (its own grace is 5 s:
    for a real deployment's answers in flight, not for a test's idle connections)."""
    import signal
    import subprocess

    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


class Serve:
    """`refuge serve` in a subprocess on a free loopback port, its whole output (stdout and
    stderr) in a file: `output()` reads it, `pid` is the server's own process id."""

    def __init__(self, settings, prefix: list[str] | None = None, tmpdir=None, **env):
        import os
        import subprocess
        import sys
        import tempfile
        from pathlib import Path

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(tempfile.mkstemp(prefix="refuge-serve-", suffix=".log", dir=tmpdir)[1])
        full = dict(os.environ, REFUGE_DATA_DIR=str(settings.data_dir), PYTHONUNBUFFERED="1", **env)
        if tmpdir:
            full["TMPDIR"] = str(tmpdir)
        refuge = str(Path(sys.executable).parent / "refuge")
        self._out = open(self.log, "wb")
        self.proc = subprocess.Popen([*(prefix or []), refuge, "serve", "--host", "127.0.0.1", "--port",
                                      str(self.port)], env=full, stdout=self._out, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid

    def __enter__(self):
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"refuge serve did not start: {self.output()[-2000:]}")

    def __exit__(self, *exc):
        stop(self.proc)
        self._out.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

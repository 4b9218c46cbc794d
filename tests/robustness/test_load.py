"""Load, over real HTTP against a real `refuge serve` on a free loopback port: a burst
beyond the queue bound (the excess is told "busy", every accepted request is answered,
memory stays bounded, and the server answers normally afterwards), and the per-client
rate limit (REFUGE_RATE_LIMIT) with its own clear message. Bounded in count and time."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chat.messages import message
from tests.test_server_mode import wait_for
from tests.web_server import free_port, stop
from ui.ratelimit import RateLimit
from ui.web import build_blocks

BIN = Path(sys.executable).parent
QUESTION = "What are the Yogyakarta Principles?"
BURST = 30  # beyond the bound below (1 running + 2 waiting) and below Gradio's own queue (64)
BUSY, LIMITED = message("busy"), message("rate_limited")


class Serve:
    """`refuge serve` in a subprocess on a free loopback port."""

    def __init__(self, settings, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, REFUGE_DATA_DIR=str(settings.data_dir), **env)
        self.proc = subprocess.Popen([str(BIN / "refuge"), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def __enter__(self):
        wait_for(self.url + "/healthz", 180)
        return self

    def __exit__(self, *exc):
        stop(self.proc)
        self.stderr = self.proc.communicate(timeout=30)[1]

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")


def burst(client, n: int) -> list[dict]:
    jobs = [client.submit(QUESTION, api_name="/ask") for _ in range(n)]
    return [job.result(timeout=240) for job in jobs]


@pytest.mark.server
def test_burst_beyond_the_queue_bound(shipped):
    from gradio_client import Client

    settings, _ = shipped
    with Serve(settings, REFUGE_MAX_RUNNING="1", REFUGE_MAX_WAITING="2", REFUGE_RATE_LIMIT="off") as server:
        client = Client(server.url, verbose=False, max_workers=BURST + 4)
        assert client.predict(QUESTION, api_name="/ask")["citations"]
        burst(client, BURST)  # warm-up: the first burst allocates what any burst needs
        before = server.rss_mb()
        results = burst(client, BURST) + burst(client, BURST)
        growth = server.rss_mb() - before
        busy = [r for r in results if r["answer"] == BUSY]
        accepted = [r for r in results if r["answer"] != BUSY]
        assert len(results) == 2 * BURST and busy and accepted
        assert all(r["citations"] and r["citations"][0]["article_id"] == "rights-yogyakarta-principles"
                   for r in accepted)  # every accepted request fully answered
        assert growth < 150, f"RSS grew by {growth:.0f} MB over two bursts"
        after = client.predict("What does non-refoulement mean?", api_name="/ask")
        assert after["citations"] and not after["refused"]  # normal afterwards
    assert "Traceback" not in server.stderr


@pytest.mark.server
def test_rate_limit_over_http(shipped):
    from gradio_client import Client

    settings, _ = shipped
    with Serve(settings, REFUGE_RATE_LIMIT="3/600") as server:
        client = Client(server.url, verbose=False)
        answers = [client.predict(QUESTION, api_name="/ask") for _ in range(5)]
        assert [bool(a["citations"]) for a in answers] == [True, True, True, False, False]
        assert answers[3]["answer"] == LIMITED and answers[4]["refused"]
        russian = client.predict("что такое принцип невыдворения", api_name="/ask")
        assert russian["answer"] == message("rate_limited", "ru")
        spoofed = Client(server.url, verbose=False, headers={"X-Forwarded-For": "203.0.113.5"})
        assert spoofed.predict(QUESTION, api_name="/ask")["answer"] == LIMITED  # a made-up header changes nothing
    assert "127.0.0.1" not in server.stderr and "Traceback" not in server.stderr
    with Serve(settings, REFUGE_RATE_LIMIT="1/600", REFUGE_TRUSTED_PROXIES="127.0.0.1") as server:
        proxy = [Client(server.url, verbose=False, headers={"X-Forwarded-For": ip}) for ip in ("203.0.113.5",
                                                                                                  "203.0.113.6")]
        assert [bool(c.predict(QUESTION, api_name="/ask")["citations"]) for c in proxy + proxy[:1]] == \
            [True, True, False]  # behind a named proxy: one limit per real client
    assert "203.0.113" not in server.stderr


class _WithSettings:
    def __init__(self, assistant, settings):
        self._assistant, self.settings = assistant, settings

    def __getattr__(self, name):
        return getattr(self._assistant, name)


class _Request:
    def __init__(self, host: str):
        self.client = type("Client", (), {"host": host})()
        self.headers = {}


def test_rate_limit_on_the_page_is_per_client_and_logs_no_address(shipped, caplog):
    from dataclasses import replace

    settings, assistant = shipped
    blocks = build_blocks(_WithSettings(assistant, replace(settings, rate_limit=(2, 600.0))))
    chat = next(f.fn for f in blocks.fns.values() if getattr(f.fn, "__name__", "") == "chat")
    caplog.set_level(logging.DEBUG)

    def ask(host: str) -> str:
        return list(chat(QUESTION, [], _Request(host)))[-1][0][-1]["content"]

    assert [ask("203.0.113.7") == LIMITED for _ in range(3)] == [False, False, True]
    assert ask("198.51.100.9") != LIMITED  # another client is not affected
    assert "203.0.113.7" not in caplog.text and "198.51.100.9" not in caplog.text


def test_rate_limit_window_memory_and_keys():
    now = [0.0]
    limit = RateLimit(2, 60, max_clients=50, clock=lambda: now[0])
    assert [limit.allow("10.0.0.1") for _ in range(3)] == [True, True, False]
    now[0] = 61
    assert limit.allow("10.0.0.1")  # the window has passed
    for i in range(500):
        limit.allow(f"10.1.{i // 256}.{i % 256}")
    assert len(limit) <= 51  # bounded table
    assert not any(b"10.0.0.1" in key or b"10.1." in key for key in limit._hits)  # keyed hashes only
    assert RateLimit(0, 0).allow("x") and RateLimit(1, 60).allow(None)  # off; unknown client


@pytest.mark.parametrize("raw, expected", [("", (30, 60.0)), ("10/60", (10, 60.0)), ("off", (0, 0.0))])
def test_rate_limit_setting(raw, expected):
    from kb.errors import ConfigError
    from kb.settings import get_settings

    assert get_settings({"REFUGE_RATE_LIMIT": raw}).rate_limit == expected
    with pytest.raises(ConfigError, match="REFUGE_RATE_LIMIT"):
        get_settings({"REFUGE_RATE_LIMIT": "ten per minute"})

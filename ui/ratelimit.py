"""A per-client rate limit for the web chat and the API: at most `limit` questions per
`window_s` seconds from one client address (REFUGE_RATE_LIMIT, e.g. "30/60"; "off"
turns it off).

Addresses are never logged or written anywhere. In memory they are kept only as keyed
hashes (the key is random per process), each with the times of its recent questions,
and forgotten once those times fall out of the window. The table is bounded.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque

MAX_CLIENTS = 10_000


class RateLimit:
    def __init__(self, limit: int, window_s: float, max_clients: int = MAX_CLIENTS, clock=time.monotonic):
        self.limit, self.window_s, self.max_clients, self.clock = limit, window_s, max_clients, clock
        self._salt = secrets.token_bytes(16)
        self._hits: dict[bytes, deque] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.limit > 0 and self.window_s > 0

    def _key(self, client: str) -> bytes:
        return hashlib.blake2b(client.encode("utf-8", "replace"), key=self._salt, digest_size=16).digest()

    def allow(self, client: str | None) -> bool:
        """Count one question from `client`; False if it is over the limit (not counted)."""
        if not self.enabled or not client:
            return True
        key, now = self._key(client), self.clock()
        with self._lock:
            times = self._hits.setdefault(key, deque())
            while times and times[0] <= now - self.window_s:
                times.popleft()
            if len(times) >= self.limit:
                return False
            times.append(now)
            if len(self._hits) > self.max_clients:
                self._prune(now)
        return True

    def _prune(self, now: float) -> None:
        """Forget clients with nothing in the window; if still too many, the quietest."""
        for key in [k for k, t in self._hits.items() if not t or t[-1] <= now - self.window_s]:
            del self._hits[key]
        if len(self._hits) > self.max_clients:
            by_last = sorted(self._hits, key=lambda k: self._hits[k][-1])
            for key in by_last[:len(self._hits) - self.max_clients]:
                del self._hits[key]

    def __len__(self) -> int:
        return len(self._hits)


def client_of(request) -> str | None:
    """The client address of a Gradio/Starlette request (None if unknown). Behind a reverse
    proxy this is the proxy's address; see docs/robustness.md."""
    client = getattr(request, "client", None)
    return getattr(client, "host", None)

"""Show a language model's reply while it is written, without ever leaving it on screen
unverified: `drafts()` runs one question in a worker thread and yields the reply so far
(a provisional draft), then returns the verified answer object.

ui/web.py shows each draft in a visibly provisional style and replaces it with the
verified answer; the draft text never reaches anything but that one page update.
"""
from __future__ import annotations

import queue
import threading
import time

DRAFT_EVERY_S = 0.15  # at most ~7 page updates a second while the model writes
_DONE = object()


def drafts(ask, every_s: float = DRAFT_EVERY_S):
    """Generator: yields the growing draft text; its return value is `ask(on_text)`'s result.
    An exception raised by `ask` is raised here, in the caller's thread."""
    pending: queue.Queue = queue.Queue()
    outcome: dict = {}

    def work():
        try:
            outcome["result"] = ask(pending.put)
        except BaseException as exc:  # handed to the caller, who decides what the reader sees
            outcome["error"] = exc
        finally:
            pending.put(_DONE)

    threading.Thread(target=work, name="refuge-draft", daemon=True).start()
    shown = 0.0
    while (item := pending.get()) is not _DONE:
        if time.monotonic() - shown >= every_s and pending.empty():
            shown = time.monotonic()
            yield item
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]

"""Exactly one writer: a file lock next to the embedded store.

The lock file records who holds it (host, pid) and since when, so a refused second
ingest can say so. A dry run takes no lock.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import socket
from contextlib import contextmanager

from kb.errors import IngestLocked


@contextmanager
def writer_lock(settings, store, dry_run: bool = False):
    if dry_run:
        yield
        return
    from filelock import FileLock, Timeout

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.data_dir / "ingest.lock"))
    holder_file = settings.data_dir / "ingest.holder"
    try:
        lock.acquire(timeout=0)
    except Timeout:
        try:
            holder = json.loads(holder_file.read_text())
            who = f"{holder['host']} pid {holder['pid']} since {holder['since']}"
        except (OSError, ValueError, KeyError):
            who = "another process"
        raise IngestLocked(f"another ingest is running ({who}); try again when it finishes") from None
    try:
        holder_file.write_text(json.dumps({"host": socket.gethostname(), "pid": os.getpid(),
                                           "since": dt.datetime.now().isoformat(timespec="seconds")}))
        yield
    finally:
        holder_file.unlink(missing_ok=True)
        lock.release()

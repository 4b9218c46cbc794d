"""Exactly one writer: a file lock next to the embedded store, or a lease record in the
store itself when several machines share a Chroma server.

Both record who holds them (host, pid) and since when, so a refused second ingest can
say so. A lease expires after LEASE_S, so a writer that died does not block forever.
A dry run takes no lock.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import socket
from contextlib import contextmanager

from kb.errors import IngestLocked


LEASE_S = 1800


def _holder() -> dict:
    now = dt.datetime.now(dt.timezone.utc)
    return {"host": socket.gethostname(), "pid": os.getpid(), "since": now.isoformat(timespec="seconds"),
            "expires": (now + dt.timedelta(seconds=LEASE_S)).timestamp()}


@contextmanager
def _lease(store):
    """A lease record in the store's meta collection (Chroma has no compare-and-set, so
    the record is written, then read back to confirm that this process holds it)."""
    meta = store._collection("meta")
    got = meta.get(ids=["lease"], include=["metadatas"])
    if got["ids"]:
        lease = got["metadatas"][0]
        if lease.get("expires", 0) > dt.datetime.now(dt.timezone.utc).timestamp():
            raise IngestLocked(f"another ingest is running ({lease.get('host')} pid {lease.get('pid')} since "
                               f"{lease.get('since')}); try again when it finishes")
    mine = _holder()
    meta.upsert(ids=["lease"], embeddings=[[0.0]], metadatas=[mine])
    check = meta.get(ids=["lease"], include=["metadatas"])["metadatas"][0]
    if (check.get("host"), check.get("pid")) != (mine["host"], mine["pid"]):
        raise IngestLocked(f"another ingest took the lease ({check.get('host')} pid {check.get('pid')})")
    try:
        yield
    finally:
        meta.delete(ids=["lease"])


@contextmanager
def writer_lock(settings, store, dry_run: bool = False):
    if dry_run:
        yield
        return
    if settings.server_mode:
        with _lease(store):
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

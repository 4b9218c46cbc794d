"""The manifest: which articles are indexed, with which hash and chunk ids.

Written atomically (a temporary file renamed over the old one), so a crash leaves the
old manifest or the new one, never half of one. If it is missing or unreadable it is
rebuilt from the chunk metadata in the store, which is the ground truth.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

FORMAT = 1


def empty(model: str) -> dict:
    return {"format": FORMAT, "model": model, "kb_version": "", "articles": {}}


def load(path: Path) -> dict | None:
    """The manifest, or None when missing or corrupted."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("articles"), dict)
    return data if ok else None


def save(path: Path, manifest: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".manifest-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def from_store(store, model: str) -> dict:
    """Rebuild a manifest from the chunk metadata in the store (passages and claim reviews)."""
    manifest = empty(model)
    passages, claims = store.chunks.get(include=["metadatas"]), store.claims.get(include=["metadatas"])
    for chunk_id, meta in zip(passages["ids"] + claims["ids"], passages["metadatas"] + claims["metadatas"]):
        entry = manifest["articles"].setdefault(meta["article_id"], {"hash": meta.get("article_hash", ""), "chunks": []})
        if entry["hash"] != meta.get("article_hash", ""):
            entry["hash"] = "mixed"  # a half-finished earlier ingest: re-do this article
        entry["chunks"].append(chunk_id)
    state = store.read_state()
    manifest["kb_version"] = state.get("kb_version", "")
    return manifest

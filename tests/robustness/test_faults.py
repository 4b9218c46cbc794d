"""Faults, proven by doing them: an ingest really killed with SIGKILL at each step, and
a corrupted manifest. Readers must see the old or the new version of an article, never
a mix, and the next ingest must finish the job without duplicates."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest

from chat.assistant import Assistant
from ingest.pipeline import run_ingest
from kb.store import open_store

MARKER = "This sentence was added by the fault test about the Yogyakarta Principles and Geneva."


def edit(root):
    article = next(root.rglob("rights-yogyakarta-principles.md"))
    text = article.read_text()
    key = re.search(r"key:\s*(\S+)", text).group(1)
    article.write_text(text.replace("## ", f"## Fault test\n\n{MARKER}[^{key}]\n\n## ", 1))


def visible_versions(settings) -> set[str]:
    assistant = Assistant(settings)
    return {c.meta["article_hash"] for c in assistant.index.chunks
            if c.meta["article_id"] == "rights-yogyakarta-principles"}, assistant


@pytest.mark.parametrize("step, new_visible", [("embedded", False), ("written", False), ("flipped", True)])
def test_sigkill_during_ingest(small_kb_ingested, step, new_visible):
    settings, root, _ = small_kb_ingested
    edit(root)
    env = dict(os.environ, REFUGE_DATA_DIR=str(settings.data_dir), REFUGE_KB_DIR=str(settings.kb_dir),
               REFUGE_FAULT_PAUSE=step)
    proc = subprocess.Popen([sys.executable, "-m", "ui", "ingest", "-q"], env=env, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if f"checkpoint: {step}" in line:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    versions, assistant = visible_versions(settings)
    assert len(versions) == 1  # one version of the article, never a mix
    quotes = " ".join(c.text for c in assistant.index.chunks)
    assert (MARKER in quotes) is new_visible
    assert not assistant.ask("What are the Yogyakarta Principles?")["refused"]  # still answering
    report = run_ingest(settings, progress=False)  # the next ingest completes the job
    assert report.updated == ["rights-yogyakarta-principles"] or step == "flipped"
    versions, assistant = visible_versions(settings)
    assert len(versions) == 1 and MARKER in " ".join(c.text for c in assistant.index.chunks)
    store = open_store(settings)
    ids = store.chunks.get(where={"article_id": "rights-yogyakarta-principles"}, include=[])["ids"]
    assert len(ids) == len({c.id for c in assistant.index.chunks if c.meta["article_id"] == "rights-yogyakarta-principles"})


def test_ingest_lock_refuses_a_second_writer(small_kb):
    from ingest.lock import writer_lock
    from kb.errors import IngestLocked

    settings, _, _ = small_kb
    store = open_store(settings)
    with writer_lock(settings, store):
        with pytest.raises(IngestLocked, match=r"another ingest is running \(.* pid \d+ since"):
            run_ingest(settings, progress=False)

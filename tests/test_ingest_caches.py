"""What makes a rebuild of unchanged text cheap changes nothing it writes: chunks made with
remembered sentence splits equal chunks made by pysbd (the whole shipped KB, byte for
byte), and a `--rebuild` of an unchanged KB neither splits nor embeds anything again."""
from __future__ import annotations

import datetime as dt
import json

from ingest.chunker import chunk_article
from ingest.loader import find_articles, load_and_check
from ingest.pipeline import run_ingest
from kb import text
from kb.embedcache import open_cache
from kb.settings import get_settings


def _dump(articles, model: str) -> str:
    return json.dumps([[c.id, c.text, c.embed_text, c.metadata, c.sentences]
                       for a in articles if a.status == "vetted" for c in chunk_article(a, model)], ensure_ascii=False)


def test_remembered_splits_give_the_same_chunks_for_the_shipped_kb():
    settings = get_settings({})
    files, _ = find_articles([settings.kb_dir], settings.kb_dir, documents=True)
    articles, _ = load_and_check(files, dt.date.today())
    plain = _dump(articles, settings.embed_model)
    known: dict = {}
    with text.remembered_splits(known):
        first = _dump(articles, settings.embed_model)  # fills `known`
    assert len(known) > 400
    with text.remembered_splits(known):
        second = _dump(articles, settings.embed_model)  # every line from `known`
    assert plain == first == second
    assert text._remembered is None  # nothing is remembered outside the block


def test_rebuild_of_unchanged_kb_splits_and_embeds_nothing(cold_kb, monkeypatch):
    settings, _, _ = cold_kb
    first = run_ingest(settings, progress=False)
    cache = open_cache(settings, settings.embed_model)
    stored = cache.splits(text.splitter_version())
    cache.close()
    assert first.embedded > 0 and stored
    segmented = []
    real = text._segmenter

    def counting(lang):
        segmented.append(lang)
        return real(lang)

    monkeypatch.setattr(text, "_segmenter", counting)
    again = run_ingest(settings, progress=False, rebuild=True)
    assert again.embedded == 0 and again.cached >= first.embedded
    assert sorted(again.updated) == sorted(first.added) and not segmented
    assert again.kb_version == first.kb_version

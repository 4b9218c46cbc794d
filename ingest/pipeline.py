"""The ingest run: validate everything, work out what changed, embed it, write it.

Order of writes, chosen so that a crash at any point loses nothing: new chunks are
upserted first, then the article's old chunks are deleted, then the version stamp and
manifest are written. A rerun after a crash finds the article still "changed" and
finishes the job; chunk ids are content-addressed, so nothing is duplicated.
"""
from __future__ import annotations

import datetime as dt
import json
import hashlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ingest import manifest as mf
from ingest.chunker import Chunk, article_hash, chunk_article
from ingest.changelog import append_changelog
from ingest.loader import find_articles, load_and_check
from ingest.lock import writer_lock
from kb.embedcache import open_cache, text_hash
from kb.embedder import get_embedder, model_id
from kb.errors import ConfigError, ValidationFailed
from kb.settings import Settings
from kb.store import ask_id, open_store, sentence_id
from kb.text import remembered_splits, splitter_version
from kb.vectorpack import pack_dir, read_pack, remove_others, write_article


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)  # the removed ids whose file says status: retired
    skipped: list[str] = field(default_factory=list)
    chunks_written: int = 0
    chunks_total: int = 0
    embedded: int = 0  # texts (chunks and sentences) handed to the model
    cached: int = 0  # texts whose vectors came from the embedding cache
    packed: int = 0  # texts whose vectors came from the vector pack (kb/vectors)
    pack_written: list[str] = field(default_factory=list)  # with `pack`: the articles whose pack file changed
    seconds: float = 0.0
    stage_s: dict = field(default_factory=dict)  # seconds per step: read, open, chunk, embed, write
    kb_version: str = ""
    dry_run: bool = False
    warnings: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # one-line notes for the maintainer (the ONNX export made)


@dataclass
class Plan:
    write: dict = field(default_factory=dict)  # id -> Article (added or updated)
    remove: list[str] = field(default_factory=list)


def _plan(articles, manifest: dict, model: str, report: IngestReport) -> tuple[Plan, dict]:
    plan = Plan()
    wanted = {}
    for art in articles:
        if art.status == "vetted":
            wanted[art.id] = art
        elif art.status == "draft":
            report.skipped.append(art.id)
    indexed = manifest["articles"]
    for art_id, art in sorted(wanted.items()):
        new_hash = article_hash(art, model)
        if art_id not in indexed:
            report.added.append(art_id)
            plan.write[art_id] = art
        elif indexed[art_id].get("hash") != new_hash:
            report.updated.append(art_id)
            plan.write[art_id] = art
        else:
            report.unchanged.append(art_id)
    plan.remove = sorted(set(indexed) - set(wanted))
    report.removed = plan.remove
    report.retired = sorted({a.id for a in articles if a.status == "retired"} & set(plan.remove))
    return plan, wanted


def _cached_vectors(settings, model: str, chunks: list[Chunk], progress: bool, report) -> tuple[list, list]:
    """Vectors for the chunks and their sentences (`_vectors`)."""
    if not chunks:
        return [], []
    texts = [c.embed_text for c in chunks]
    sentences = [t for c in chunks for t in c.embed_texts()]
    vectors = _vectors(settings, model, texts + sentences, progress, report)
    return vectors[: len(texts)], vectors[len(texts) :]


def _vectors(settings, model: str, texts: list[str], progress: bool, report) -> list:
    """Vectors for `texts`: from the embedding cache, else from the vector pack beside the
    articles, else embedded (and cached), so a rebuild of unchanged text embeds nothing."""
    cache = open_cache(settings, model)
    embedder = []  # made on first use: the model is loaded only if some text is in neither
    def embed(items):
        if not embedder:
            embedder.append(_document_embedder(settings, report))
        return encode_sorted(embedder[0], items, progress)
    folder = pack_dir(settings.kb_dir, model)
    try:
        vectors = cache.embed(texts, embed, seed=lambda: read_pack(folder))
    finally:
        cache.close()
    report.embedded += cache.misses
    report.cached += cache.hits
    report.packed += cache.seeded
    return vectors


def pack_texts(settings, model: str, articles: dict) -> dict[str, list[str]]:
    """Every text embedded for each of `articles` (id -> Article): what its pack file holds."""
    chunked = _chunk_all(settings, model, Plan(write=articles))
    return {art_id: [t for c in chunks for t in (c.embed_text, *c.embed_texts())] for art_id, chunks in chunked.items()}


def _write_pack(settings, model: str, wanted: dict, progress: bool, report: IngestReport) -> None:
    """`refuge ingest --pack`: the vector pack of every vetted article, one file each, and
    no file for an article that is not vetted (kb/vectorpack.py)."""
    folder = pack_dir(settings.kb_dir, model)
    texts = pack_texts(settings, model, wanted)
    counts = IngestReport()  # the run's table counts what it indexed; of this pass, only what it had to embed
    vectors = iter(_vectors(settings, model, [t for ts in texts.values() for t in ts], progress, counts))
    report.embedded += counts.embedded
    for art_id, items in texts.items():
        if write_article(folder, art_id, {text_hash(t): next(vectors) for t in items}):
            report.pack_written.append(art_id)
    report.pack_written += [f"-{gone}" for gone in remove_others(folder, set(texts))]


def _document_embedder(settings, report):
    """The embedder for documents: first the model's ONNX export is made if missing (a few
    seconds, offline; what `refuge serve` embeds questions with anyway), so documents go
    through it rather than torch unless REFUGE_EMBED_BACKEND=torch or the model has none."""
    from kb.onnx_embed import export_after_ingest

    note = export_after_ingest(settings)
    if note:
        report.notes.append(note)
    return get_embedder(settings.embed_model, settings)


def _chunk_all(settings, model: str, plan: Plan) -> dict[str, list[Chunk]]:
    """The chunks of every article to write. Sentence splits of text split before come
    from the cache (pysbd was most of a cached rebuild's time); the output is the same."""
    cache = open_cache(settings, model)
    try:
        version = splitter_version()
        known = cache.splits(version)
        before = set(known)
        with remembered_splits(known):
            chunked = {art_id: chunk_article(art, model) for art_id, art in plan.write.items()}
        cache.put_splits(version, {k: v for k, v in known.items() if k not in before})
    finally:
        cache.close()
    return chunked


def encode_sorted(embedder, items: list[str], progress: bool = False) -> list:
    """Embed `items` longest first in batches of similar length (little padding, as
    `SentenceTransformer.encode` does for one call), returned in the original order."""
    order = sorted(range(len(items)), key=lambda i: -len(items[i]))
    out: list = [None] * len(items)
    step = embedder.batch_size * 4 if progress else max(1, len(items))  # one call unless a bar shows progress
    bar = None
    if progress and items:
        from tqdm import tqdm

        bar = tqdm(total=len(items), desc="embedding", unit="text", file=sys.stderr, leave=False)
    for start in range(0, len(order), step):
        part = order[start : start + step]
        for i, vec in zip(part, embedder.embed_documents([items[i] for i in part])):
            out[i] = vec
        if bar:
            bar.update(len(part))
    if bar:
        bar.close()
    return out


UPSERT_BATCH = 4000  # rows per Chroma write (its limit is larger); each write has a fixed cost


def _upsert_all(store, chunks: list[Chunk], chunk_vecs, sent_vecs) -> None:
    """Upsert every new chunk and sentence in a few large writes (one write per article
    cost ~0.1 s each: most of a cached rebuild)."""
    s_ids, s_docs, s_meta = [], [], []
    for c in chunks:
        for j, sent in enumerate(c.sentences):
            s_ids.append(sentence_id(c.id, j))
            s_docs.append(sent)
            s_meta.append({"chunk_id": c.id, "article_id": c.metadata["article_id"], "position": j,
                           "language": c.metadata["language"]})
        for j, ask in enumerate(c.asks):  # a FAQ pair's question and paraphrases, a claim's wordings
            s_ids.append(ask_id(c.id, j))
            s_docs.append(ask)
            lang = c.ask_languages[j] if j < len(c.ask_languages) else c.metadata["language"]
            s_meta.append({"chunk_id": c.id, "article_id": c.metadata["article_id"], "position": j,
                           "language": lang, "kind": "ask"})
    for collection, wanted in ((store.chunks, False), (store.claims, True)):  # claim reviews apart from passages
        rows = [(c, v) for c, v in zip(chunks, chunk_vecs) if (c.metadata.get("kind") == "claim") == wanted]
        _batched(collection.upsert, ids=[c.id for c, _ in rows], embeddings=[v for _, v in rows],
                 documents=[c.text for c, _ in rows], metadatas=[c.metadata for c, _ in rows])
    _batched(store.sentences.upsert, ids=s_ids, embeddings=sent_vecs, documents=s_docs, metadatas=s_meta)


def _batched(write, **columns) -> None:
    for start in range(0, len(columns["ids"]), UPSERT_BATCH):
        write(**{name: values[start : start + UPSERT_BATCH] for name, values in columns.items()})


def _delete_article(store, art_id: str, keep: set[str] = frozenset()) -> None:
    for collection in (store.chunks, store.claims):
        old = collection.get(where={"article_id": art_id}, include=[])["ids"]
        stale = [i for i in old if i not in keep]
        if stale:
            collection.delete(ids=stale)
            store.sentences.delete(where={"chunk_id": {"$in": stale}})


def _kb_version(manifest: dict) -> str:
    items = sorted((k, v["hash"]) for k, v in manifest["articles"].items())
    return hashlib.sha256(repr(items).encode()).hexdigest()[:12] if items else ""


def _load_manifest(settings: Settings, store, model: str, rebuild: bool) -> dict:
    manifest = mf.load(settings.manifest_path)
    if manifest is None or manifest.get("model") != model:
        manifest = mf.from_store(store, model)
    if rebuild:
        manifest = dict(manifest, articles={k: dict(v, hash="rebuild") for k, v in manifest["articles"].items()})
    return manifest


def run_ingest(settings: Settings, paths: list[Path] | None = None, *, dry_run: bool = False,
               rebuild: bool = False, progress: bool = True, changelog: bool = False,
               pack: bool = False) -> IngestReport:
    """Validate, then bring the store in step with the vetted articles under `paths`.
    With `changelog`, a run that changed the index appends a line to kb/CHANGELOG.md; with
    `pack`, the vector pack beside the articles is brought in step with them too."""
    if pack and paths:
        raise ConfigError("--pack writes the vectors of the whole knowledge base: give no paths")
    started = time.perf_counter()
    report = IngestReport(dry_run=dry_run)
    files, problems = find_articles(paths or [settings.kb_dir], settings.kb_dir, documents=True)
    articles, found = load_and_check(files, dt.date.today())
    problems += found
    clock = _stage(report, "read", started)
    errors = [p for p in problems if p.severity == "error"]
    report.warnings = [p for p in problems if p.severity == "warning"]
    if errors:
        raise ValidationFailed(errors)
    model = model_id(settings.embed_model)  # keys the cache rows and article hashes
    store = open_store(settings)
    with writer_lock(settings, store, dry_run):
        manifest = _load_manifest(settings, store, model, rebuild)
        plan, wanted = _plan(articles, manifest, model, report)
        _stage(report, "open", clock)
        if not dry_run:
            _apply(settings, store, manifest, plan, model, progress, report)
            if pack:
                _write_pack(settings, model, wanted, progress, report)
            if changelog:
                append_changelog(settings.kb_dir / "CHANGELOG.md", report, manifest.get("kb_version", ""))
        report.chunks_total = sum(len(v["chunks"]) for v in manifest["articles"].values())
    report.kb_version = manifest.get("kb_version", "")
    report.seconds = time.perf_counter() - started
    return report


def _checkpoint(settings, name: str) -> None:
    """Fault-injection point for tests: with REFUGE_FAULT_PAUSE=name the ingest says so on
    stderr and waits, so a test can kill it at exactly this step. Inert otherwise."""
    if settings.fault_pause == name:
        print(f"checkpoint: {name}", file=sys.stderr, flush=True)
        time.sleep(600)


def _apply(settings, store, manifest, plan: Plan, model: str, progress: bool, report: IngestReport) -> None:
    """Write new versions, flip the live map in one state write, then delete old versions.
    Until the flip readers see only the old version of every article; after it, only the
    new one (see chat/index.py). A crash anywhere leaves one or the other live."""
    clock = time.perf_counter()
    chunked = _chunk_all(settings, model, plan)
    all_chunks = [c for chunks in chunked.values() for c in chunks]
    clock = _stage(report, "chunk", clock)
    chunk_vecs, sent_vecs = _cached_vectors(settings, model, all_chunks, progress, report)
    clock = _stage(report, "embed", clock)
    _checkpoint(settings, "embedded")
    _upsert_all(store, all_chunks, chunk_vecs, sent_vecs)
    for art_id, chunks in chunked.items():
        art = plan.write[art_id]
        manifest["articles"][art_id] = {"hash": article_hash(art, model), "chunks": [c.id for c in chunks],
                                        "path": str(art.path), "title": art.title}
        report.chunks_written += len(chunks)
    for art_id in plan.remove:
        manifest["articles"].pop(art_id, None)
    manifest["model"] = model
    manifest["kb_version"] = _kb_version(manifest)
    live = json.dumps({k: v["hash"] for k, v in sorted(manifest["articles"].items())})
    _checkpoint(settings, "written")
    state = store.read_state()
    if state.get("kb_version") != manifest["kb_version"] or state.get("live_json") != live:
        store.write_state({"kb_version": manifest["kb_version"], "model": model, "live_json": live,
                           "updated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")})
    _checkpoint(settings, "flipped")
    for art_id, chunks in chunked.items():
        _delete_article(store, art_id, keep={c.id for c in chunks})
    for art_id in plan.remove:
        _delete_article(store, art_id)
    mf.save(settings.manifest_path, manifest)
    _stage(report, "write", clock)


def _stage(report: IngestReport, name: str, since: float) -> float:
    """Record the seconds since `since` as step `name`; returns the time now."""
    now = time.perf_counter()
    report.stage_s[name] = round(now - since, 3)
    return now

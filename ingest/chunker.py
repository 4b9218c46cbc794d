"""Split one article into passages ("chunks") of roughly 150-300 words.

Sections (`##`) are never mixed in one chunk; within a section, whole paragraphs are
grouped until the next would pass the limit; a paragraph longer than the limit is cut
between sentences. Each chunk also carries its sentences, so chat can quote them.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from kb.article import Article, Paragraph
from kb.text import split_sentences, words

CHUNKER_VERSION = "2"  # 2: chunk metadata records its sentence count
MIN_WORDS, MAX_WORDS = 150, 300


@dataclass
class Chunk:
    id: str
    text: str
    embed_text: str
    metadata: dict
    sentences: list[str] = field(default_factory=list)


def _n_words(text: str) -> int:
    return len(words(text))


def _split_long(para: Paragraph, lang: str) -> list[Paragraph]:
    pieces, current = [], []
    for sent in split_sentences(para.text, lang):
        if current and _n_words(" ".join(current + [sent])) > MAX_WORDS:
            pieces.append(Paragraph(para.section, " ".join(current), para.keys, para.raw))
            current = []
        current.append(sent)
    if current:
        pieces.append(Paragraph(para.section, " ".join(current), para.keys, para.raw))
    return pieces


def group_paragraphs(paragraphs: list[Paragraph], lang: str = "en") -> list[list[Paragraph]]:
    """Group paragraphs of the same section into chunks within the word limits."""
    groups: list[list[Paragraph]] = []
    for para in paragraphs:
        parts = _split_long(para, lang) if _n_words(para.text) > MAX_WORDS else [para]
        for part in parts:
            last = groups[-1] if groups else None
            fits = last and last[0].section == part.section and \
                _n_words(" ".join(p.text for p in last + [part])) <= MAX_WORDS
            if fits:
                last.append(part)
            else:
                groups.append([part])
    return _merge_small(groups)


def _merge_small(groups: list[list[Paragraph]]) -> list[list[Paragraph]]:
    """Fold a chunk under half the minimum into its neighbour in the same section."""
    out: list[list[Paragraph]] = []
    for group in groups:
        small = _n_words(" ".join(p.text for p in group)) < MIN_WORDS // 2
        prev = out[-1] if out else None
        if small and prev and prev[0].section == group[0].section and \
                _n_words(" ".join(p.text for p in prev + group)) <= MAX_WORDS + 60:
            prev.extend(group)
        else:
            out.append(group)
    return out


def _source_records(article: Article, keys: list[str]) -> list[dict]:
    by_key = {str(s.get("key")): s for s in article.meta.get("sources") or [] if isinstance(s, dict)}
    records = []
    for key in dict.fromkeys(keys):
        src = by_key.get(key)
        if src:
            records.append({"key": key, "title": str(src.get("title", "")), "publisher": str(src.get("publisher", "")),
                            "url": str(src.get("url", "")), "published": str(src.get("published", ""))})
    return records


def article_hash(article: Article, model: str) -> str:
    """Changes when the file, the chunker or the embedding model changes."""
    return hashlib.sha256(f"{article.raw_hash}|{CHUNKER_VERSION}|{model}".encode()).hexdigest()[:16]


def chunk_article(article: Article, model: str = "") -> list[Chunk]:
    """The chunks of a (valid) article, with ids that are stable for unchanged text."""
    meta = article.meta
    lang = str(meta.get("language") or "en")
    a_hash = article_hash(article, model)
    chunks = []
    for i, group in enumerate(group_paragraphs(article.paragraphs(), lang[:2])):
        text = "\n\n".join(p.text for p in group)
        keys = [k for p in group for k in p.keys]
        section = group[0].section
        c_hash = hashlib.sha256(text.encode()).hexdigest()[:10]
        chunk_id = f"{article.id}:{i:03d}:{c_hash}"
        metadata = {
            "article_id": article.id, "title": article.title, "section": section,
            "topic": str(meta.get("topic", "")), "language": lang, "chunk_index": i,
            "source_keys": ",".join(dict.fromkeys(keys)),
            "sources_json": json.dumps(_source_records(article, keys), ensure_ascii=False),
            "reviewed_on": str(meta.get("reviewed_on", "")), "content_hash": c_hash,
            "article_hash": a_hash, "path": article.path.name,
        }
        embed_text = f"{article.title}. {section}.\n{text}" if section else f"{article.title}.\n{text}"
        sentences = split_sentences(text, lang[:2])
        metadata["sentences"] = len(sentences)  # chat fetches them by id: <chunk id>:s00, :s01, ...
        chunks.append(Chunk(chunk_id, text, embed_text, metadata, sentences))
    return chunks

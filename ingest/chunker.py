"""Split one article into passages ("chunks") of roughly 150-300 words.

Sections (`##`) are never mixed in one chunk; within a section, whole paragraphs are
grouped until the next would pass the limit; a paragraph longer than the limit is cut
between sentences. Each chunk also carries its sentences, so chat can quote them.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import re

from kb.article import FOOTNOTE_RE, Article, Faq, Paragraph, clean_text
from kb.claim import ClaimReview
from kb.text import split_sentences, words

CHUNKER_VERSION = "4"  # 2: chunk metadata records its sentence count; 3: each sentence's footnote keys, FAQ pairs;
# 4: sentences embedded under their headings
MIN_WORDS, MAX_WORDS = 150, 300


@dataclass
class Chunk:
    id: str
    text: str
    embed_text: str
    metadata: dict
    sentences: list[str] = field(default_factory=list)
    asks: list[str] = field(default_factory=list)  # a FAQ pair's question and paraphrases (embedded to match questions)
    ask_languages: list[str] = field(default_factory=list)  # per ask, when not all in the chunk's language (claims)
    heading: str = ""  # "<article title>. <section>." embedded with each sentence, which often lacks its subject

    def embed_texts(self) -> list[str]:
        """What is embedded for the sentences (each under its headings), then the asks."""
        return [f"{self.heading}\n{s}" if self.heading else s for s in self.sentences] + self.asks


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


def marked_spans(raw: str) -> list[tuple[str, list[str]]]:
    """(clean text, footnote keys) of each run of text a footnote marker covers: a marker
    covers the text since the previous marker."""
    spans, start = [], 0
    for m in re.finditer(r"(?:\[\^[^\]\s]+\][.,;:]?\s*)+", raw):
        text = clean_text(raw[start:m.end()])
        if text:
            spans.append((text, FOOTNOTE_RE.findall(m.group(0))))
        start = m.end()
    tail = clean_text(raw[start:])
    if tail:
        spans.append((tail, []))
    return spans


def sentence_keys(sentences: list[str], paragraphs: list) -> list[list[str]]:
    """The footnote keys behind each sentence: those of every marked run it overlaps."""
    text, runs = "", []  # runs: (end offset in the joined text, keys)
    for para in paragraphs:
        if text:
            text += "\n\n"
        for span, keys in marked_spans(para.raw):
            text += ("" if not text or text.endswith("\n\n") else " ") + span
            runs.append((len(text), keys))
    out, pos = [], 0
    for sent in sentences:
        start = text.find(sent, pos)
        start = pos if start < 0 else start
        end = pos = start + len(sent)
        keys = [k for i, (stop, ks) in enumerate(runs) for k in ks
                if stop > start and (i == 0 or runs[i - 1][0] < end)]
        out.append(list(dict.fromkeys(keys)))
    return out


def _metadata(article: Article, a_hash: str, i: int, section: str, keys: list[str], c_hash: str) -> dict:
    meta = article.meta
    return {
        "article_id": article.id, "title": article.title, "section": section,
        "topic": str(meta.get("topic", "")), "language": str(meta.get("language") or "en"), "chunk_index": i,
        "source_keys": ",".join(dict.fromkeys(keys)),
        "sources_json": json.dumps(_source_records(article, keys), ensure_ascii=False),
        "reviewed_on": str(meta.get("reviewed_on", "")), "content_hash": c_hash,
        "article_hash": a_hash, "path": article.path.name,
    }


def chunk_article(article: Article, model: str = "") -> list[Chunk]:
    """The chunks of a (valid) article, with ids that are stable for unchanged text; then
    one chunk per "Questions people ask" pair. A claim review is one chunk of kind "claim"."""
    if isinstance(article, ClaimReview):
        return [claim_chunk(article, model)]
    lang = str(article.meta.get("language") or "en")
    a_hash = article_hash(article, model)
    chunks = []
    for i, group in enumerate(group_paragraphs(article.paragraphs(), lang[:2])):
        text = "\n\n".join(p.text for p in group)
        section = group[0].section
        c_hash = hashlib.sha256(text.encode()).hexdigest()[:10]
        metadata = _metadata(article, a_hash, i, section, [k for p in group for k in p.keys], c_hash)
        embed_text = f"{article.title}. {section}.\n{text}" if section else f"{article.title}.\n{text}"
        sentences = split_sentences(text, lang[:2])
        metadata["sentences"] = len(sentences)  # chat fetches them by id: <chunk id>:s00, :s01, ...
        metadata["sentence_keys"] = json.dumps(sentence_keys(sentences, group))
        chunks.append(Chunk(f"{article.id}:{i:03d}:{c_hash}", text, embed_text, metadata, sentences,
                            heading=f"{article.title}. {section}." if section else f"{article.title}."))
    for faq in article.faqs():
        chunks.append(_faq_chunk(article, faq, a_hash, len(chunks), lang))
    return chunks


def _faq_chunk(article: Article, faq: Faq, a_hash: str, i: int, lang: str) -> Chunk:
    """A "Questions people ask" pair as a chunk of its own: its text is the answer, and its
    question and paraphrases are embedded one by one (`asks`) to match what people ask."""
    c_hash = hashlib.sha256(f"{faq.question}\n{faq.text}".encode()).hexdigest()[:10]
    metadata = _metadata(article, a_hash, i, faq.question, faq.keys, c_hash)
    sentences = split_sentences(faq.text, lang[:2])
    para = Paragraph(faq.question, faq.text, faq.keys, faq.raw)
    metadata.update(kind="faq", sentences=len(sentences), asks=len(faq.asks),
                    sentence_keys=json.dumps(sentence_keys(sentences, [para])))
    return Chunk(f"{article.id}:{i:03d}:{c_hash}", faq.text, f"{faq.question}\n{faq.text}", metadata, sentences,
                 faq.asks, f"{article.title}. {faq.question}")


def claim_chunk(review: ClaimReview, model: str = "") -> Chunk:
    """A claim review as one chunk: its text is the explanation, and the claim and its
    paraphrases (English, then Russian) are embedded one by one to match pasted sentences."""
    a_hash = article_hash(review, model)
    paragraphs = review.paragraphs()
    text = " ".join(p.text for p in paragraphs)
    raw = " ".join(p.raw for p in paragraphs)
    asks = review.asks()
    c_hash = hashlib.sha256("\n".join([text, review.rating, review.article] + [a for a, _ in asks]).encode()).hexdigest()[:10]
    keys = [k for p in paragraphs for k in p.keys]
    metadata = _metadata(review, a_hash, 0, "", keys, c_hash)
    sentences = split_sentences(text, "en")
    metadata.update(kind="claim", topic="claims", language="en", rating=review.rating, article=review.article,
                    sentences=len(sentences), asks=len(asks), ask_languages=json.dumps([lang for _, lang in asks]),
                    sentence_keys=json.dumps(sentence_keys(sentences, [Paragraph("", text, keys, raw)])))
    return Chunk(f"{review.id}:000:{c_hash}", text, f"{review.title}\n{text}", metadata, sentences,
                 [a for a, _ in asks], [lang for _, lang in asks], f"{review.title}.")

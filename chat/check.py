"""Check a pasted text claim by claim: `check_text(assistant, text)` returns the object that
DESIGN.md fixes for `refuge check --json` (chars, claims, timings_ms); the web page and
/basic call the same function.

The text is split into sentences (kb.text.split_sentences, language detected); each is a
question, a call to action, an opinion or a claim (plain rules, `kind_of`). Only claims are
looked up:
1. a curated claim review (kb/claims) matches when one of its wordings is close to the
   sentence by cosine, clearly closer than any other review's, and the sentence agrees with
   it on the specifics (counts, years, places, names, the credited speaker, negation and
   stance: chat/review_match.py, chat/claim_specifics.py): then its rating and cited
   explanation are shown;
2. otherwise, when retrieval finds passages relevant enough (the chat's own retrieval and
   relevance check), the 1-2 closest verbatim sentences are shown, cited, with no rating
   (`related`);
3. otherwise `not_covered`.
A wrong rating is worse than none, so the review bar was calibrated for precision
(kb.settings.CheckSettings, evals/claims.py). The pasted text is never logged or stored.
"""
from __future__ import annotations

import re
import time

from chat import compose
from chat.claim_kinds import KINDS, LIST_MARK, Sentence, clean_text, kind_of, split_claims  # noqa: F401 (the module's API)
from chat.messages import message
from chat.question import read
from chat.relevance import is_relevant, measure
from chat.retrieve import retrieve
from chat.review_match import Match, Reviews, agrees, closest_review, match_review, reviews  # noqa: F401
from kb.settings import CHECK, CheckSettings
from kb.text import split_sentences, words

VERDICTS = ("documented", "disputed", "misattributed", "unsupported", "misleading", "outdated", "related", "not_covered")


def review_result(table: Reviews, match: Match, index, lang: str) -> dict:
    """Verdict, note and citation for a matched review: its explanation, each sentence
    cited [1], and a pointer to the article that tells the full story."""
    chunk = table.chunks[match.chunk_id]
    sentences = table.sentences.get(match.chunk_id) or split_sentences(chunk.text, "en")
    note = " ".join(f"{s} [1]" for s in sentences)
    article = chunk.meta.get("article", "")
    title = next((c.meta.get("title", "") for c in index.chunks if c.meta.get("article_id") == article), "")
    if title:
        note += "\n\n" + message("full_story", lang, title=title)
    cite = compose.citation(chunk, 1, set(range(len(sentences))))
    return {"verdict": chunk.meta.get("rating", ""), "review_id": chunk.meta.get("article_id"), "note": note,
            "citations": [cite]}


# --- related passages --------------------------------------------------------------------

LEANS_ON = re.compile(r"^\W*(he|she|it|they|this|these|those|his|her|their|its)\b|\b(there|here)\W*$|"
                      r"^\W*(он|она|оно|они|это|эти|его|её|их|там)\b", re.I)


def with_context(claim: str, previous: str) -> str:
    """The claim as searched: with the sentence before it when it leans on it ("He has set up
    camps...", "... for a whole family there")."""
    return f"{previous} {claim}" if previous and LEANS_ON.search(claim) else claim


def related(assistant, claim: str, vec, lang: str, settings: CheckSettings = CHECK) -> dict | None:
    """The closest 1-2 verbatim sentences of relevant passages, cited, or None when retrieval
    finds nothing relevant enough (the chat's own rule, chat/relevance.py). Curated FAQ answers
    are left out: their "Yes, ..." / "No, ..." openings would read as a rating."""
    index = assistant.index
    asked = read(claim, index)
    for search_lang in ([lang] if lang == "en" else [lang, None]):  # Russian: then across languages
        hits, _ = retrieve(index, assistant.embedder, claim, lang=search_lang, query_vec=vec)
        if hits and is_relevant(measure(index, asked, claim, hits), lang if search_lang else "en", "hybrid",
                                assistant.relevance):
            break
    else:
        return None
    passages = [h for h in hits if index.by_id[h.chunk_id].meta.get("kind") != "faq"][:settings.related_passages]
    cands = [c for c in compose.candidates(SentenceRows(assistant.store, index), passages, vec, asked, index,
                                                settings=assistant.answer)
             if c.eligible and not c.reach]
    cands.sort(key=lambda c: (-c.score, c.passage_rank, c.position))
    if not cands:
        return None
    chosen = [cands[0]]
    for cand in cands[1:]:
        if len(chosen) >= settings.related_sentences or cand.score < cands[0].score * settings.related_floor:
            break
        if not compose._repeats(cand, chosen, assistant.answer):
            chosen.append(cand)
    note, _, cites = compose.render(chosen, [], index)
    return {"verdict": "related", "review_id": None, "note": note, "citations": cites}


class SentenceRows:
    """The store as `compose.candidates` reads it, with the knowledge-base sentences it fetched
    kept per index version: a pasted text's claims draw on the same passages many times."""
    MAX_ROWS = 100_000

    def __init__(self, store, index):
        self.store, self.rows = store, index.per_version.setdefault("check_rows", {})
        self.sentences = self

    def get(self, ids=None, include=(), **kwargs):
        if ids is None:
            return self.store.sentences.get(include=include, **kwargs)
        missing = [i for i in ids if i not in self.rows]
        if missing:
            got = self.store.sentences.get(ids=missing, include=["documents", "metadatas", "embeddings"])
            fetched = zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"])
            if len(self.rows) + len(missing) > self.MAX_ROWS:
                self.rows.clear()
            self.rows.update({sid: (doc, meta, vec) for sid, doc, meta, vec in fetched})
        found = [i for i in ids if i in self.rows]
        return {"ids": found, "documents": [self.rows[i][0] for i in found], "metadatas": [self.rows[i][1] for i in found],
                "embeddings": [self.rows[i][2] for i in found]}


# --- the whole text ----------------------------------------------------------------------

PUBLIC_CITATION = ("n", "article_id", "chunk_id", "title", "section", "quote", "sources")


def check_text(assistant, text, settings: CheckSettings | None = None) -> dict:
    """DESIGN.md's `refuge check --json` object for a pasted text: what `refuge check`, the
    web page's "Check a text" mode and /basic show. Raises BadQuestion with a message for the
    reader (empty, too long, not text) and StoreUnavailable when the store cannot be reached.
    Nothing of the text is logged or written anywhere."""
    with assistant.store.guard():
        return _check(assistant, text, settings or assistant.check)


def _check(assistant, text, settings: CheckSettings) -> dict:
    started = time.perf_counter()
    cleaned = clean_text(text, settings)
    assistant.index.refresh()
    sentences = split_claims(cleaned)
    claims = [s for s in sentences if s.kind == "claim" and len(words(s.text)) >= settings.min_words]
    vectors = assistant.embedder.embed_queries([LIST_MARK.sub("", s.text) for s in claims]) if claims else []
    vec_of = {id(s): v for s, v in zip(claims, vectors)}
    table = reviews(assistant.index)
    out, previous = [], ""
    for sent in sentences:
        item = {"text": sent.text, "kind": sent.kind, "verdict": None, "review_id": None, "note": "", "citations": []}
        if sent.kind == "claim":
            item.update(look_up(assistant, table, sent, vec_of.get(id(sent)), settings, previous))
        out.append(item)
        previous = LIST_MARK.sub("", sent.text)
    return {"chars": len(cleaned), "claims": out,
            "timings_ms": {"check": round((time.perf_counter() - started) * 1000, 2)}}


def look_up(assistant, table: Reviews, sent: Sentence, vec, settings: CheckSettings = CHECK, previous: str = "") -> dict:
    """verdict, review_id, note and citations for one claim (`previous`: the sentence before)."""
    found = None
    if vec is not None:
        claim = LIST_MARK.sub("", sent.text)
        match = match_review(table, claim, vec, sent.lang, settings)
        if match:
            found = review_result(table, match, assistant.index, sent.lang)
        else:
            searched = with_context(claim, previous)
            found = related(assistant, searched, assistant.embedder.embed_query(searched) if searched != claim else vec,
                            sent.lang, settings)
    if found is None:
        return {"verdict": "not_covered", "review_id": None, "note": message("not_covered", sent.lang), "citations": []}
    found["citations"] = [{k: c[k] for k in PUBLIC_CITATION} for c in found["citations"]]
    return found

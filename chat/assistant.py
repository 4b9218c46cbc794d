"""The chat's front door: `Assistant.ask(question, history)` returns the answer object
that DESIGN.md fixes (question, answer, refused, citations, notices, timings_ms).

It checks the question, looks for danger and misuse, retrieves, refuses when nothing
retrieved is relevant enough, and otherwise composes an extractive, cited answer.
"""
from __future__ import annotations

import time

from chat import compose
from chat.index import Index
from chat.messages import message
from chat.retrieve import retrieve, search_query
from chat.safety import asks_private_data, is_injection, normalise_question, signals_danger
from kb.embedder import get_embedder
from kb.errors import BadQuestion
from kb.settings import Settings
from kb.store import open_store
from kb.text import language_of, split_sentences

# Calibrated on the gold set (see evals/reports/latest): the best passage's cosine
# similarity to the question must reach this, or the answer is a refusal.
REFUSE_BELOW = 0.40
CRISIS_ID = "crisis-notice"
CITATION_KEYS = ("n", "article_id", "chunk_id", "title", "section", "quote", "sources")
PUBLIC_KEYS = ("question", "answer", "refused", "citations", "notices", "timings_ms")


class Assistant:
    def __init__(self, settings: Settings, store=None, embedder=None):
        self.settings = settings
        self.store = store or open_store(settings)
        self.embedder = embedder or get_embedder(settings.embed_model)
        self.index = Index(self.store).load()
        self.refuse_below = REFUSE_BELOW

    def check_question(self, question) -> str:
        """The cleaned question, or BadQuestion with a message for the reader."""
        if isinstance(question, bytes):
            try:
                question = question.decode("utf-8")
            except UnicodeDecodeError:
                raise BadQuestion(message("not_text")) from None
        if not isinstance(question, str):
            raise BadQuestion(message("not_text"))
        cleaned = normalise_question(question)
        limit = self.settings.max_question_chars
        if not cleaned:
            raise BadQuestion(message("empty"))
        if len(cleaned) > limit:
            raise BadQuestion(message("too_long", language_of(cleaned[:2000]), n=len(cleaned), limit=limit))
        if "\ufffd" in cleaned and cleaned.count("\ufffd") > len(cleaned) // 4:
            raise BadQuestion(message("not_text"))
        return cleaned

    def ask(self, question, history: list[dict] | None = None, mode: str = "hybrid",
            composer: str = "extractive") -> dict:
        question = self.check_question(question)
        lang = language_of(question)
        notices = ["crisis"] if signals_danger(question) else []
        result = {"question": question, "answer": "", "refused": False, "citations": [], "notices": notices,
                  "timings_ms": {"retrieve": 0.0, "answer": 0.0}}
        if asks_private_data(question):
            return dict(result, answer=message("private", lang), refused=True)
        if is_injection(question):
            return dict(result, answer=message("injection", lang), refused=True)
        self.index.refresh()
        t0 = time.perf_counter()
        query = search_query(question, history)
        if notices:  # someone in danger also needs to know where help is
            query = f"{query} {message('help_query', lang)}"
        hits, qvec = retrieve(self.index, self.embedder, query, mode=mode)
        t1 = time.perf_counter()
        result["timings_ms"]["retrieve"] = round((t1 - t0) * 1000, 2)
        result["hits"] = hits
        top_dense = max((h.dense for h in hits[:3]), default=0.0)
        if not hits or (mode != "bm25" and top_dense < self.refuse_below):
            return dict(result, answer=message("no_source", lang), refused=True)
        if composer == "top-passage":
            chunk = self.index.by_id[hits[0].chunk_id]
            answer = " ".join(f"{s} [1]" for s in split_sentences(chunk.text, chunk.meta.get("language", "en")[:2]))
            cites = [compose.citation(chunk, 1)]
        else:
            chosen = compose.select(compose.candidates(self.store, hits, qvec))
            answer, cites = compose.render(chosen, self.index)
        result["timings_ms"]["answer"] = round((time.perf_counter() - t1) * 1000, 2)
        if not cites:
            return dict(result, answer=message("no_source", lang), refused=True)
        return dict(result, answer=answer, citations=cites)

    def crisis_notice(self) -> dict | None:
        """The crisis notice article, verbatim from the index, or None if not indexed."""
        chunks = sorted((c for c in self.index.chunks if c.meta.get("article_id") == CRISIS_ID),
                        key=lambda c: c.meta.get("chunk_index", 0))
        if not chunks:
            return None
        sources = {s["url"]: s for c in chunks for s in c.sources}
        return {"title": chunks[0].meta.get("title", ""), "text": "\n\n".join(c.text for c in chunks),
                "sources": list(sources.values())}


def public(result: dict) -> dict:
    """Exactly DESIGN.md's JSON object: internal fields dropped."""
    out = {k: result[k] for k in PUBLIC_KEYS}
    out["citations"] = [{k: c[k] for k in CITATION_KEYS} for c in result["citations"]]
    return out

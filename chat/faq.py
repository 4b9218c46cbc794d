"""Curated direct answers: match a question to a "Questions people ask" pair.

Articles end with question/answer pairs written and vetted like any paragraph (kb/article.py);
ingest stores each pair as a passage of its own, and its question and paraphrases as vectors
in the sentences collection (ids <chunk>:qNN). A reader's question matches a pair when it is
close to one of the pair's questions: by cosine similarity (question to question is what the
embedding model was trained for), or, for Russian (the bundled model is English-only), by
the share of the question's terms the pair's question holds.
"""
from __future__ import annotations

import numpy as np

from chat.index import bm25_tokens
from kb.settings import ANSWER, AnswerSettings
from kb.store import ask_id


def _table(index):
    """(chunk id per row, matrix of question vectors, tokens per row) for this index version."""
    if "faq" not in index.per_version:
        wanted = [(c.id, ask_id(c.id, j)) for c in index.chunks if c.meta.get("kind") == "faq"
                  for j in range(int(c.meta.get("asks") or 0))]
        rows, vecs, toks = [], [], []
        if wanted:
            got = index.store.sentences.get(ids=[sid for _, sid in wanted], include=["documents", "embeddings"])
            owner = dict((sid, cid) for cid, sid in wanted)
            for sid, doc, vec in zip(got["ids"], got["documents"], got["embeddings"]):
                rows.append(owner[sid])
                vecs.append(np.asarray(vec, dtype=np.float32))
                toks.append(frozenset(bm25_tokens(doc)))
        matrix = np.vstack(vecs) if vecs else np.zeros((0, 1), dtype=np.float32)
        index.per_version["faq"] = (rows, matrix, toks)
    return index.per_version["faq"]


def match(index, question_vec, question: str, lang: str, settings: AnswerSettings = ANSWER) -> tuple[str, float] | None:
    """(chunk id, score) of the pair whose question is closest to `question`, if close enough."""
    rows, matrix, toks = _table(index)
    if not rows:
        return None
    cosines = matrix @ np.asarray(question_vec, dtype=np.float32)
    terms = set(index.query_terms(question))
    best = None
    for i, cid in enumerate(rows):
        if index.languages.get(cid) != lang:
            continue
        score = float(cosines[i])
        if lang != "en" and len(terms) >= settings.faq_min_terms:
            shared = index.token_overlap(terms, toks[i])
            score = max(score, shared * settings.faq_cosine / settings.faq_terms)
        if best is None or score > best[1]:
            best = (cid, score)
    return best if best and best[1] >= settings.faq_cosine else None

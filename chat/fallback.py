"""Russian questions that no Russian article covers: answered from the English articles.

Only part of the knowledge base is translated. A Russian question about a topic that only
an English article covers (Toonen v. Australia, the WHO's classification, Russia's 1993
repeal) finds nothing Russian that answers it: its Russian search either finds nothing
relevant or, worse, finds Russian passages that share a few generic words ("закон",
"суд") and answers off-topic.

So a Russian question is also searched in English: `english_query` puts it into English
words (the learnt table of chat/bridge.py plus the hand-written `glossary_ru_en.txt`,
which knows the words of the untranslated topics), and the English articles are searched
as an English question is. `decide` then decides which attempt answers, by
scoring every article with the same English query vector: a Russian article through its
English original, an untranslated one directly. The English attempt wins when its best
passage is from an article with no Russian version, is close to the question on its own
(FALLBACK_DENSE), and beats every translated article's best passage (by FALLBACK_MARGIN
when the Russian search found something relevant, which may be right); the answer is then
English and carries the `sources_in_english` notice. Articles overlap, though: the Bayev
judgment has a paragraph in the (translated) 2013-law article and another in the
(untranslated) ECtHR-cases article. So when the Russian search found something relevant and a
translated passage is nearly the same as the English top passage (SAME_PASSAGE), the
answer stays Russian and opens with that translated passage.

Unlike chat/bridge.py (which only ranks Russian passages), this module chooses the
language of the answer.
"""
from __future__ import annotations

import numpy as np

from chat.bridge import SUFFIX, bridge_for, original_vectors, to_english
from chat.places import with_official_names
from chat.relevance import Signals, is_relevant, measure
from chat.retrieve import Hit, retrieve
from kb.settings import RELEVANCE

FALLBACK_DENSE = RELEVANCE.dense_sure  # the English attempt must be close on meaning alone, as for an English question
FALLBACK_MARGIN = 0.05       # ...and beat the best translated article by this much cosine
SAME_PASSAGE = 0.80          # a translated passage this close to the English one says the same: stay Russian


def english_query(index, question: str) -> str:
    """A Cyrillic question in English words ('' when no word could be put into English)."""
    english, _ = to_english(index, bridge_for(index), question, glossary=True)
    return with_official_names(english) if english else ""


def search_english(index, embedder, question, searched: str, mode: str):
    """(hits, query vector, signals, English query) of the English attempt, or None.
    `question`: the turn's chat.question.Question."""
    english = english_query(index, searched)
    if not english:
        return None
    hits, qvec = retrieve(index, embedder, english, mode=mode, lang="en")
    return hits, qvec, measure(index, question, english, hits), english


def decide(index, hits, query_vec, sig: Signals, mode: str, russian_found: bool = True,
           query: str = "") -> tuple[bool, str | None]:
    """(whether the English attempt answers, a Russian chunk that says what its top passage
    says). English answers when its top passage is from an untranslated article, relevant
    on its own, and closer to the question than any translated article's English original
    (all scored with `query_vec`, the English query's vector): by FALLBACK_MARGIN when the
    Russian search found something relevant, else by any amount; by any amount too when that
    passage holds a rare name the English `query` gives (a case or person: "Toonen"). When the Russian search
    found something and a translated passage is nearly the same as that top passage, the
    Russian answer should open with that passage instead: its chunk id is returned."""
    if not hits or not is_relevant(sig, "en", mode) or sig.dense < FALLBACK_DENSE:
        return False, None
    if _translated(index, hits[0].chunk_id):
        return False, None
    untranslated = max(h.dense for h in hits[:3] if not _translated(index, h.chunk_id))
    margin = FALLBACK_MARGIN if russian_found and not _names_rare_term(index, query, hits[0].chunk_id) else 0.0
    if untranslated - best_translated(index, query_vec) < margin:
        return False, None
    if not russian_found:
        return True, None
    twin = _twin(index, hits[0].chunk_id)
    return twin is None, twin


def _names_rare_term(index, query: str, chunk_id: str) -> bool:
    """Whether the passage holds a rare name of the query (a case, a person: chat.question)."""
    from chat.question import rare_names

    return bool(rare_names(query, index) & index.tokens.get(chunk_id, set()))


def translations(index, hits, sig: Signals, mode: str) -> list:
    """When the English attempt's top passage is from a translated article and relevant on
    its own, the Russian translations of its translated hits, in its order (else []): the
    Russian search missed what the English one found ("хоум офис", a typo)."""
    if not hits or not _translated(index, hits[0].chunk_id) or not is_relevant(sig, "en", mode) \
            or sig.dense < FALLBACK_DENSE:
        return []
    russian = {en: ru for ru, en in bridge_for(index).chunks.items()}
    return [Hit(russian[h.chunk_id], h.score, h.dense, h.bm25) for h in hits if h.chunk_id in russian]


def _twin(index, chunk_id: str) -> str | None:
    """The Russian chunk whose English original is nearly the same as this English chunk."""
    top = index.store.chunks.get(ids=[chunk_id], include=["embeddings"])["embeddings"]
    twin, score = _closest_original(index, top[0]) if len(top) else (None, 0.0)
    return twin if score >= SAME_PASSAGE else None


def best_translated(index, vector) -> float:
    """The highest cosine between `vector` and any English original of a Russian chunk."""
    return _closest_original(index, vector)[1]


def _closest_original(index, vector) -> tuple[str | None, float]:
    """(Russian chunk id, cosine) of the English original closest to `vector`."""
    ids, vectors = original_vectors(index, bridge_for(index))
    if not len(vectors) or vectors.shape[1] != len(vector):
        return None, 0.0
    scores = vectors @ np.asarray(vector, dtype=np.float32)
    best = int(np.argmax(scores))
    return ids[best], float(scores[best])


def _translated(index, chunk_id: str) -> bool:
    """Whether the article of this English chunk has a Russian version in the index."""
    article = str(index.by_id[chunk_id].meta.get("article_id", ""))
    return f"{article}{SUFFIX}" in _articles(index)


def _articles(index) -> set[str]:
    if "articles" not in index.per_version:  # emptied whenever the index loads a new version
        index.per_version["articles"] = {str(c.meta.get("article_id", "")) for c in index.chunks}
    return index.per_version["articles"]

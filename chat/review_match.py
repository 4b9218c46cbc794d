"""Match a claim to a curated claim review (kb/claims): the closest wording by cosine, clearly
closer than any other review's, and agreeing with the sentence on distinctive words, counts,
years, places, names, the credited speaker, a law's audience, polls, polarity and stance
(`disagreement`; the text rules are chat/claim_specifics.py). A wrong rating is worse than
none; the thresholds are kb.settings.CheckSettings, calibrated by evals/claims.py. Used by
chat/check.py."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from chat import claim_specifics as specifics
from chat.index import Chunk, bm25_tokens
from kb.settings import CHECK, CheckSettings
from kb.store import ask_id, sentence_id
from kb.text import language_of, numbers

ALLOWED = re.compile(r"\b(legal|legali[sz]\w*|decriminali[sz]\w*|allow\w*|permit\w*|lifted|repeal\w*|recogni[sz]\w*|"
                     r"законн\w*|легализ\w*|разреш\w*|отмен\w*)\b", re.I)
FORBIDDEN = re.compile(r"\b(illegal|ban|bans|banned|outlaw\w*|forbid\w*|prohibit\w*|criminali[sz]\w*|crime|criminal|"
                       r"unlawful|against the law|запрещ\w*|запрет\w*|незаконн\w*|преступлени\w*)\b", re.I)
SOVIET = re.compile(r"\b(soviet|ussr|ссср|советск\w*)\b", re.I)
NEGATION = re.compile(r"\b(not|no|never|nothing|none|nobody|neither|nor|without|cannot|den(y|ies|ied))\b|n't\b|"
                      r"(?<![\w-])(не|нет|никогда|ничего|никто|ни|отрица\w*)(?![\w-])", re.I)
NOT_NEGATION = re.compile(r"\b(not (only|just|merely)|no longer just|не только)\b", re.I)  # "not just children": no negation


@dataclass
class Reviews:
    """The live claim reviews of one index version: each wording's review and vector."""
    chunks: dict  # review chunk id -> chat.index.Chunk
    sentences: dict  # review chunk id -> its explanation sentences
    rows: list  # per wording: (review chunk id, language, text)
    matrix: np.ndarray
    distinct: dict = None  # (review chunk id, language) -> stemmed terms of its wordings that few other reviews use
    known_names: frozenset = frozenset()  # stems of the names any review's wordings or explanation give


def reviews(index) -> Reviews:
    """The live reviews and their wordings' vectors, read once per index version."""
    if "claims" not in index.per_version:
        got = index.store.get_all("claims", ["documents", "metadatas"])
        chunks = {cid: Chunk(cid, doc, meta) for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])
                  if index.live.get(meta.get("article_id")) == meta.get("article_hash")}
        asks = [ask_id(cid, j) for cid, c in chunks.items() for j in range(int(c.meta.get("asks") or 0))]
        texts = [sentence_id(cid, j) for cid, c in chunks.items() for j in range(int(c.meta.get("sentences") or 0))]
        found = index.store.get_by_ids("sentences", asks + texts if asks else [], ["documents", "metadatas", "embeddings"])
        rows, vecs, sentences = [], [], {}
        for sid, doc, meta, vec in zip(found["ids"], found["documents"], found["metadatas"], found["embeddings"]):
            if meta.get("kind") == "ask":
                rows.append((meta["chunk_id"], meta.get("language", "en"), doc))
                vecs.append(np.asarray(vec, dtype=np.float32))
            else:
                sentences.setdefault(meta["chunk_id"], []).append((int(meta["position"]), doc))
        matrix = np.vstack(vecs) if vecs else np.zeros((0, 1), dtype=np.float32)
        explained = {k: [d for _, d in sorted(v)] for k, v in sentences.items()}
        index.per_version["claims"] = Reviews(chunks, explained, rows, matrix, distinctive_terms(rows),
                                              known_names(rows, explained))
    return index.per_version["claims"]


def distinctive_terms(rows: list, share: float = CHECK.distinct_share) -> dict:
    """Per review, the stemmed terms of its English wordings that at most a few reviews use
    ("ramadan", "siren", "canada"): a sentence must share one to be rated with that review."""
    terms: dict[tuple, set] = {}  # (review chunk id, language) -> terms
    for cid, lang, text in rows:
        terms.setdefault((cid, lang), set()).update(bm25_tokens(text))
    out = {}
    for lang in {lang for _, lang in terms}:
        per = {cid: toks for (cid, lg), toks in terms.items() if lg == lang}
        df: dict[str, int] = {}
        for toks in per.values():
            for tok in toks:
                df[tok] = df.get(tok, 0) + 1
        limit = max(2, int(share * len(per)))
        out.update({(cid, lang): frozenset(t for t in toks if df[t] <= limit) for cid, toks in per.items()})
    return out


def known_names(rows: list, explained: dict) -> frozenset:
    """The stems of every name the reviews give (a sentence may open with one: "Putin said...")."""
    texts = [text for _, _, text in rows] + [s for sentences in explained.values() for s in sentences]
    return frozenset().union(*(specifics.proper_names(text) for text in texts)) if texts else frozenset()


@dataclass
class Match:
    chunk_id: str
    cosine: float
    margin: float  # over the best wording of any other review
    wording: str  # the closest wording


def closest_review(table: Reviews, vec, lang: str) -> Match | None:
    """The review with the wording closest to `vec` among wordings in `lang`, with its lead."""
    if not table.rows:
        return None
    cosines = table.matrix @ np.asarray(vec, dtype=np.float32)
    best: dict[str, tuple[float, str]] = {}
    for (cid, row_lang, text), score in zip(table.rows, cosines.tolist()):
        if row_lang == lang and score > best.get(cid, (-1.0, ""))[0]:
            best[cid] = (score, text)
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
    if not ranked:
        return None
    (cid, (score, text)), runner_up = ranked[0], ranked[1][1][0] if len(ranked) > 1 else -1.0
    return Match(cid, score, score - runner_up, text)


def agrees(sentence: str, match: Match, table: Reviews, settings: CheckSettings = CHECK) -> bool:
    """The sentence says the same thing as the matched review (no rule in `disagreement` objects)."""
    return disagreement(sentence, match, table, settings) is None


def disagreement(sentence: str, match: Match, table: Reviews, settings: CheckSettings = CHECK) -> str | None:
    """The first specific on which the sentence and the matched review differ, or None:
    - distinctive: it shares none of the review's distinctive terms (a sentence about Kadyrov is not the Ramadan claim);
    - counts: it states a count the review's wordings do not ("27 executed" is not "over 100 detained"; when the
      wordings state no count, the explanation's count);
    - years: it names a year the wordings never name (or, when they name none, the explanation);
    - places: it names a place the wordings never name;
    - names: it names a person, group, court or city the review never names;
    - speaker: the review is a misattributed quote and the sentence credits it to someone the wordings do not name
      (the person who really said it, a spokesman, a minister);
    - audience: it says a law reaches minors (or adults) and the wordings do not;
    - poll: it reports an opinion poll ("most Russians oppose...") and the wordings are not about one;
    - polarity: a negation in one and not in the closest wording ("is illegal" / "is not illegal");
    - stance: allowed against banned ("legalised" / "bans"), by the closest wording or, if it says neither, the review's wordings in its language."""
    lang = language_of(sentence)
    distinct = (table.distinct or {}).get((match.chunk_id, lang))
    wordings = " ".join(text for cid, _, text in table.rows if cid == match.chunk_id)
    in_language = " ".join(text for cid, lg, text in table.rows if cid == match.chunk_id and lg == lang)
    explanation = " ".join(table.sentences.get(match.chunk_id, []))
    misattributed = table.chunks[match.chunk_id].meta.get("rating") == "misattributed" \
        if match.chunk_id in table.chunks else False
    stance = _stance(sentence)
    checks = [("distinctive", lambda: not distinct or bool(distinct & set(bm25_tokens(sentence))))]
    if settings.strict_specifics:
        checks += [
            ("counts", lambda: specifics.counts_agree(sentence, wordings, explanation)),
            ("years", lambda: specifics.years_agree(sentence, wordings, explanation)),
            ("places", lambda: places(sentence) <= places(wordings)),
            ("names", lambda: specifics.names_agree(sentence, f"{wordings} {explanation}", table.known_names)),
            ("speaker", lambda: not misattributed or specifics.credits_no_one_else(sentence, wordings, table.known_names)),
            ("audience", lambda: specifics.audience_agrees(sentence, wordings)),
            ("poll", lambda: specifics.poll_agrees(sentence, wordings)),
            ("polarity", lambda: negated(sentence) == negated(match.wording)),
            ("stance", lambda: stance is None or (_stance(match.wording) or _stance(in_language)) in (None, stance)),
        ]
    else:  # the rules before the specifics (evals.claims --before)
        checks += [
            ("counts", lambda: _numbers_overlap(sentence, wordings)),
            ("places", lambda: places(sentence) <= places(wordings)),
            ("polarity", lambda: negated(sentence) == negated(match.wording)),
            ("stance", lambda: stance is None or _stance(match.wording) in (None, stance)),
        ]
    return next((name for name, ok in checks if not ok()), None)


def _numbers_overlap(sentence: str, wordings: str) -> bool:
    """The old, looser number rule: when both give numbers, they share one."""
    told, theirs = numbers(sentence), numbers(wordings)
    return not (told and theirs and not told & theirs)


def negated(text: str) -> bool:
    return bool(NEGATION.search(NOT_NEGATION.sub(" ", text)))


def places(text: str) -> set[str]:
    """Countries and regions named (the Soviet Union counted apart from Russia)."""
    from chat.places import places_in

    return places_in(text) | ({"ussr"} if SOVIET.search(text) else set())


def _stance(text: str) -> str | None:
    """'allowed' or 'forbidden' when the text says only one of them, else None."""
    allowed, forbidden = bool(ALLOWED.search(text)), bool(FORBIDDEN.search(text))
    return "allowed" if allowed and not forbidden else "forbidden" if forbidden and not allowed else None


def match_review(table: Reviews, sentence: str, vec, lang: str, settings: CheckSettings = CHECK) -> Match | None:
    """The curated review this claim states, when the match is clear enough to show its rating."""
    if lang not in settings.review_languages:
        return None
    match = closest_review(table, vec, lang)
    if match is None or match.cosine < settings.review_cosine or match.margin < settings.review_margin:
        return None
    return match if agrees(sentence, match, table, settings) else None

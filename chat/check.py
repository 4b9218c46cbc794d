"""Check a pasted text claim by claim: `check_text(assistant, text)` returns the object that
DESIGN.md fixes for `refuge check --json` (chars, claims, timings_ms); the web page and
/basic call the same function.

The text is split into sentences (kb.text.split_sentences, language detected); each is a
question, a call to action, an opinion or a claim (plain rules, `kind_of`). Only claims are
looked up:
1. a curated claim review (kb/claims) matches when one of its wordings is close to the
   sentence by cosine, clearly closer than any other review's, and the sentence agrees with
   it on numbers and negation: then its rating and cited explanation are shown;
2. otherwise, when retrieval finds passages relevant enough (the chat's own retrieval and
   relevance check), the 1-2 closest verbatim sentences are shown, cited, with no rating
   (`related`);
3. otherwise `not_covered`.
A wrong rating is worse than none, so the review bar was calibrated for precision
(kb.settings.CheckSettings, evals/claims.py). The pasted text is never logged or stored.
"""
from __future__ import annotations

import json
import re
import time
import unicodedata
from dataclasses import dataclass

import numpy as np

from chat import compose
from chat.index import Chunk
from chat.messages import message
from chat.relevance import is_relevant, measure
from chat.retrieve import retrieve
from kb.errors import BadQuestion
from kb.settings import CHECK, CheckSettings
from kb.store import ask_id, sentence_id
from kb.text import language_of, numbers, split_sentences, words

KINDS = ("claim", "opinion", "question", "call")
VERDICTS = ("documented", "disputed", "misattributed", "unsupported", "misleading", "outdated", "related", "not_covered")

LIST_MARK = re.compile(r"^\s*(?:[-*•▪►–—>]+|\(?\d{1,2}\s*(?:/\d{1,2})?[/.)]|#\d+)\s*")
QUESTION_START = re.compile(
    r"^\W*(who|what|when|where|why|how|which|whose|is|are|was|were|do|does|did|can|could|would|will|has|have|"
    r"isn'?t|aren'?t|doesn'?t|didn'?t|кто|что|когда|где|почему|зачем|как|какой|какая|какие|каким|сколько|разве|"
    r"неужели|правда ли)\b", re.I)
WONDER = re.compile(r"\b(i wonder|i'?m wondering|does anyone know|мне интересно|кто-нибудь знает)\b", re.I)
CALL_START = re.compile(
    r"^\W*(please\s+|пожалуйста,?\s+)?(share|sign|donate|repost|retweet|spread|email|join|demand|boycott|contact|"
    r"delete|remove|avoid|tag|follow|read|watch|learn|check|report|protect|stay safe|"
    r"(help|support|call|act|stand|write|tell|speak|raise|keep|don'?t|do not|never|let'?s|let us|remember)"
    r"\s+(us|them|this|these|the|your|our|a|an|him|her|everyone|people|now|up|with|for|by|to|out|look|forget|"
    r"let|stay|be|silent|quiet|away)|"
    r"подпишите|поделитесь|распространите|репостните|сделайте|помогите|присоединяйтесь|пишите|напишите|звоните|"
    r"позвоните|требуйте|давайте|пожертвуйте|поддержите|расскажите|не молчите|не проходите|не будьте)\b", re.I)
CALL_ANYWHERE = re.compile(r"\b(we|you|everyone|all of us) (must|need to|have to|gotta) (act|share|sign|speak|stand|"
                           r"do|demand|call|write|help|support|raise|tell|keep|not stay|not be|push|pressure)\b|"
                           r"\bмы должны\b|\bнужно действовать\b|\bнадо действовать\b", re.I)
FIRST_PERSON_VIEW = re.compile(
    r"\b(i|we) (really |honestly |strongly )?(think|believe|feel|guess|suppose|fear|doubt|find it)\b|"
    r"\bin my (view|opinion)\b|\bimo\b|\bimho\b|\bpersonally\b|\bto me,|"
    r"\bя (думаю|считаю|полагаю|уверен|уверена|верю|чувствую)\b|\bпо-моему\b|\bпо моему мнению\b|\bмне кажется\b|"
    r"\bна мой взгляд\b|\bимхо\b", re.I)
EVALUATIVE = re.compile(
    r"\b(disgusting|horrific|horrifying|horrible|shameful|outrageous|terrible|awful|heartbreaking|heart-breaking|"
    r"sickening|appalling|evil|monstrous|barbaric|unacceptable|unforgivable|disgrace(ful)?|despicable|vile|"
    r"abhorrent|inhumane|cruel|brave|heroic|inspiring|amazing|wonderful|beautiful|pathetic|cowardly|hypocritical|"
    r"should|shouldn'?t|ought to|must be (stopped|condemned|punished|held)|"
    r"отвратительн\w*|ужасн\w*|позор\w*|чудовищн\w*|возмутительн\w*|бесчеловечн\w*|варварск\w*|омерзительн\w*|"
    r"мерзк\w*|жесток\w*|стыдно|должн[аоы]?|следует|недопустим\w*)\b", re.I)
REPORTED = re.compile(
    r"\b(said|says|called|calls|described|describes|told|stated|wrote|writes|reported|reports|according to|"
    r"warned|argued|claimed|claims|urged|urges|asked|found|ruled|held|заявил\w*|назвал\w*|сказал\w*|сообщил\w*|"
    r"написал\w*|по словам|по данным|призвал\w*|признал\w*|постановил\w*)\b", re.I)
ALLOWED = re.compile(r"\b(legal|legali[sz]\w*|decriminali[sz]\w*|allow\w*|permit\w*|lifted|repeal\w*|recogni[sz]\w*|"
                     r"законн\w*|легализ\w*|разреш\w*|отмен\w*)\b", re.I)
FORBIDDEN = re.compile(r"\b(illegal|ban|bans|banned|outlaw\w*|forbid\w*|prohibit\w*|criminali[sz]\w*|crime|criminal|"
                       r"unlawful|against the law|запрещ\w*|запрет\w*|незаконн\w*|преступлени\w*)\b", re.I)
SOVIET = re.compile(r"\b(soviet|ussr|ссср|советск\w*)\b", re.I)
NEGATION = re.compile(r"\b(not|no|never|nothing|none|nobody|neither|nor|without|cannot|den(y|ies|ied))\b|n't\b|"
                      r"(?<![\w-])(не|нет|никогда|ничего|никто|ни|отрица\w*)(?![\w-])", re.I)
NOT_NEGATION = re.compile(r"\b(not (only|just|merely)|no longer just|не только)\b", re.I)  # "not just children": no negation


@dataclass
class Sentence:
    text: str  # as pasted
    lang: str
    kind: str


def clean_text(text, settings: CheckSettings = CHECK) -> str:
    """The pasted text, or BadQuestion with a message for the reader (empty, too long,
    not text). Control characters are dropped; line breaks are kept (they end sentences)."""
    if isinstance(text, bytes):
        if b"\x00" in text:
            raise BadQuestion(message("check_not_text"))
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise BadQuestion(message("check_not_text")) from None
    if not isinstance(text, str) or "\x00" in text:
        raise BadQuestion(message("check_not_text"))
    cleaned = "".join(ch for ch in unicodedata.normalize("NFC", text)
                      if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    cleaned = "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in cleaned.splitlines()).strip()
    if not cleaned:
        raise BadQuestion(message("check_empty"))
    if len(cleaned) > settings.max_chars:
        raise BadQuestion(message("check_too_long", language_of(cleaned[:2000]), n=len(cleaned), limit=settings.max_chars))
    if cleaned.count("\ufffd") > len(cleaned) // 4 or not any(ch.isalpha() for ch in cleaned):
        raise BadQuestion(message("check_not_text"))
    return cleaned


def split_claims(text: str) -> list[Sentence]:
    """The text's sentences, each with its language and kind. Bare list markers, emoji and
    links alone ("1/", "🧵") are not sentences."""
    out = []
    for sent in split_sentences(text, language_of(text)):
        if len(re.findall(r"[^\W\d_]{2,}", LIST_MARK.sub("", sent))) < 2:
            continue
        lang = language_of(sent)
        out.append(Sentence(sent, lang, kind_of(sent)))
    return out


def kind_of(sentence: str) -> str:
    """question, call, opinion or claim, by plain rules, in that order: a question mark or a
    question word; an imperative call to action ("share", "sign", "we must", "подпишите");
    first-person or evaluative / modal language that is not reported speech ("I think",
    "disgusting", "should", but not "the minister called it barbaric"); else a claim."""
    text = LIST_MARK.sub("", sentence).strip()
    ends = text.rstrip(" \"'”»)")
    if ends.endswith("?") or WONDER.search(text) or (QUESTION_START.match(text) and not ends.endswith((".", "!"))):
        return "question"
    if CALL_START.match(text) or CALL_ANYWHERE.search(text):
        return "call"
    if FIRST_PERSON_VIEW.search(text) or (EVALUATIVE.search(text) and not REPORTED.search(text)):
        return "opinion"
    return "claim"


# --- curated reviews ---------------------------------------------------------------------

@dataclass
class Reviews:
    """The live claim reviews of one index version: each wording's review and vector."""
    chunks: dict  # review chunk id -> chat.index.Chunk
    sentences: dict  # review chunk id -> its explanation sentences
    rows: list  # per wording: (review chunk id, language, text)
    matrix: np.ndarray
    distinct: dict = None  # (review chunk id, language) -> stemmed terms of its wordings that few other reviews use


def reviews(index) -> Reviews:
    """The live reviews and their wordings' vectors, read once per index version."""
    if "claims" not in index.per_version:
        got = index.store.get_all("claims", ["documents", "metadatas"])
        chunks = {cid: Chunk(cid, doc, meta) for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])
                  if index.live.get(meta.get("article_id")) == meta.get("article_hash")}
        asks = [ask_id(cid, j) for cid, c in chunks.items() for j in range(int(c.meta.get("asks") or 0))]
        texts = [sentence_id(cid, j) for cid, c in chunks.items() for j in range(int(c.meta.get("sentences") or 0))]
        found = index.store.sentences.get(ids=asks + texts, include=["documents", "metadatas", "embeddings"]) \
            if asks else {"ids": [], "documents": [], "metadatas": [], "embeddings": []}
        rows, vecs, sentences = [], [], {}
        for sid, doc, meta, vec in zip(found["ids"], found["documents"], found["metadatas"], found["embeddings"]):
            if meta.get("kind") == "ask":
                rows.append((meta["chunk_id"], meta.get("language", "en"), doc))
                vecs.append(np.asarray(vec, dtype=np.float32))
            else:
                sentences.setdefault(meta["chunk_id"], []).append((int(meta["position"]), doc))
        matrix = np.vstack(vecs) if vecs else np.zeros((0, 1), dtype=np.float32)
        index.per_version["claims"] = Reviews(chunks, {k: [d for _, d in sorted(v)] for k, v in sentences.items()},
                                              rows, matrix, distinctive_terms(rows))
    return index.per_version["claims"]


DISTINCT_SHARE = 0.1  # a term in the wordings of at most this share of reviews (and at least 2) is distinctive


def distinctive_terms(rows: list) -> dict:
    """Per review, the stemmed terms of its English wordings that at most a few reviews use
    ("ramadan", "siren", "canada"): a sentence must share one to be rated with that review."""
    from chat.index import bm25_tokens

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
        limit = max(2, int(DISTINCT_SHARE * len(per)))
        out.update({(cid, lang): frozenset(t for t in toks if df[t] <= limit) for cid, toks in per.items()})
    return out


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


def agrees(sentence: str, match: Match, table: Reviews) -> bool:
    """The sentence says the same kind of thing as the matched review: it shares one of the
    review's distinctive terms (a sentence about Kadyrov is not the Ramadan claim), no number or year
    that none of the review's wordings has (when both give numbers), no place they never
    name, and the same polarity as the closest wording (a negation in one and not the
    other, "is illegal" / "is not illegal"; or allowed against banned, "legalised" / "bans")."""
    from chat.index import bm25_tokens

    distinct = (table.distinct or {}).get((match.chunk_id, language_of(sentence)))
    if distinct and not distinct & set(bm25_tokens(sentence)):
        return False
    wordings = " ".join(text for cid, _, text in table.rows if cid == match.chunk_id)
    told, theirs = numbers(sentence), numbers(wordings)
    if told and theirs and not told & theirs:
        return False
    if not places(sentence) <= places(wordings):
        return False
    if negated(sentence) != negated(match.wording):
        return False
    return _stance(sentence) in (None, _stance(match.wording)) or _stance(match.wording) is None


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
    return match if agrees(sentence, match, table) else None


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
    for search_lang in ([lang] if lang == "en" else [lang, None]):  # Russian: then across languages
        hits, _ = retrieve(index, assistant.embedder, claim, lang=search_lang, query_vec=vec)
        if hits and is_relevant(measure(index, claim, claim, hits), lang if search_lang else "en"):
            break
    else:
        return None
    passages = [h for h in hits if index.by_id[h.chunk_id].meta.get("kind") != "faq"][:settings.related_passages]
    cands = [c for c in compose.candidates(SentenceRows(assistant.store, index), passages, vec, claim, index)
             if c.eligible and not c.reach]
    cands.sort(key=lambda c: (-c.score, c.passage_rank, c.position))
    if not cands:
        return None
    chosen = [cands[0]]
    for cand in cands[1:]:
        if len(chosen) >= settings.related_sentences or cand.score < cands[0].score * settings.related_floor:
            break
        if not compose._repeats(cand, chosen, compose.ANSWER.duplicate):
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


def check_text(assistant, text, settings: CheckSettings = CHECK) -> dict:
    """DESIGN.md's `refuge check --json` object for a pasted text (BadQuestion for an empty,
    too long or binary input). Nothing of the text is logged or written anywhere."""
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


def to_json(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, indent=1)

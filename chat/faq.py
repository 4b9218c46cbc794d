"""Curated direct answers: match a question to a "Questions people ask" pair.

Articles end with question/answer pairs written and vetted like any paragraph (kb/article.py);
ingest stores each pair as a passage of its own, and its question and paraphrases as vectors
in the sentences collection (ids <chunk>:qNN). A reader's question matches a pair when it is
close to one of the pair's questions: by cosine similarity (question to question is what the
embedding model was trained for), when no other pair comes near. The multilingual model matches a
Russian question against the Russian pairs directly (evals/faq_match.py, evals/pair_labels.py).
"""
from __future__ import annotations

import re

import numpy as np

from kb.settings import ANSWER, AnswerSettings
from kb.store import ask_id


def _table(index):
    """(chunk id per row, matrix of question vectors) for this index version: one row per
    question or paraphrase of every pair. The same read keeps each row's stemmed words (`row_words`)."""
    if "faq" not in index.per_version:
        from chat.index import bm25_tokens

        wanted = [(c.id, ask_id(c.id, j)) for c in index.chunks if c.meta.get("kind") == "faq"
                  for j in range(int(c.meta.get("asks") or 0))]
        rows, vecs, words = [], [], []
        if wanted:
            got = index.store.get_by_ids("sentences", [sid for _, sid in wanted], ["embeddings", "documents"])
            owner = dict((sid, cid) for cid, sid in wanted)
            for sid, vec, text in zip(got["ids"], got["embeddings"], got["documents"]):
                rows.append(owner[sid])
                vecs.append(np.asarray(vec, dtype=np.float32))
                words.append(frozenset(bm25_tokens(text or "")))
        matrix = np.vstack(vecs) if vecs else np.zeros((0, 1), dtype=np.float32)
        index.per_version["faq"] = (rows, matrix)
        index.per_version["faq_row_words"] = words
    return index.per_version["faq"]


def closest_part(index, cid: str, part_vecs: list) -> int:
    """Which of a question's parts (their query vectors) pair `cid` answers: the one nearest one of its questions."""
    rows, matrix = _table(index)
    own = matrix[[i for i, row in enumerate(rows) if row == cid]]
    return int(np.argmax([float(np.max(own @ np.asarray(v, dtype=np.float32))) if len(own) else 0.0 for v in part_vecs]))


def row_words(index) -> list[frozenset]:
    """The stemmed words of each row of `_table` (a question or paraphrase), in its order."""
    _table(index)
    return index.per_version["faq_row_words"]


ARTICLES = 5  # a pair leads only when its article is among this many best retrieved articles
def fits(asked, chunk, clear: bool = False) -> bool:
    """Whether a pair's answer has the form the question (a chat.question.Question) asks for:
    an answer that opens with yes or no only for a yes/no question; a who / when / how-many
    question only a pair that asks the same kind of thing. A pair `clear`ly closer than any other
    fits when its first sentence gives what the kind asks for (a date, a number, a ruling...), and its
    "Yes" or "No" is then left out (chat/assistant.py)."""
    from chat.compose import YES_NO_ANSWER, answer_type

    if YES_NO_ANSWER.match(chunk.text) and not asked.yes_no and not clear:
        return False
    if asked.kind is None or asked.kind == answer_type(str(chunk.meta.get("section", ""))):
        return True
    return clear and _first_answers(chunk, asked.kind)


def _fitting(index, question, near: list[str]) -> str | None:
    """The nearest of `near` pairs whose answer has the form asked for (`fits`); for a question that opens with
    how, what, why... (and is no yes/no question), one that is no yes/no question either when there is one ("how do i
    stay safe using dating apps" is "How can I meet someone from an app more safely?", not "Is it safe to use dating
    apps...?": set z, z06)."""
    from chat.compose import WH_WORD, asks_yes_or_no

    form = [c for c in near if fits(question, index.by_id[c])]
    yes_no = _per_pair(index, "faq_yes_no", asks_yes_or_no)
    wh = not question.yes_no and WH_WORD.match(question.text.strip())
    return next((c for c in form if wh and not yes_no.get(c)), form[0] if form else None)


def _first_answers(chunk, kind: str) -> bool:
    """Whether a pair's first sentence gives what a question of `kind` asks for (a date, a number, a ruling...)."""
    from chat.compose import ANSWER_TYPES

    return bool(ANSWER_TYPES[kind][1].search(_first_sentence(chunk)))


def _places(index) -> list[set[str]]:
    """The places each row's pair names (its question, its answer or its article's title), once per version."""
    if "faq_places" not in index.per_version:
        from chat.places import named_places

        rows = _table(index)[0]
        index.per_version["faq_places"] = [
            named_places(f"{index.by_id[cid].meta.get('title', '')} {index.by_id[cid].meta.get('section', '')} "
                         f"{index.by_id[cid].text}")
            for cid in rows]
    return index.per_version["faq_places"]


def match(index, question_vec, question, lang: str, articles: list[str] = (),
          settings: AnswerSettings = ANSWER, anywhere: bool = False, how: list | None = None) -> tuple[str, float] | None:
    """(chunk id, cosine) of the pair one of whose questions is closest to `question`, when
    it is close enough, clearly closer than any other pair's (sibling pairs of one article
    are often near each other: a wrong curated answer is worse than none), its article is
    among the retrieved `articles` (when given; `anywhere`: or it is clearly the closest), and
    its answer fits the question's form. `how` (a list) gets "tie" when a sibling came within the margin, so that
    a tie-break chose.
    `question`: a chat.question.Question."""
    if lang not in settings.faq_languages:
        return None
    best = _best(index, question_vec, question, lang)
    asked_places, asks_about = question.places, _asked_places(index)
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    if not asked_places and not EUROPE.search(question.text) and len(ranked) > 1 and _abroad(asks_about[ranked[0][0]]) \
            and ranked[0][1] - ranked[1][1] < 2 * settings.faq_margin:  # a question naming no country, nearest a pair for
        ranked = [(c, v) for c, v in ranked if not _abroad(asks_about[c])]  # one, not clearly: the general pairs only
        # ("Are Dutch asylum centres safe...?" for "is being bullied enough to get asylum?": reader set n, n55)
    if not ranked or ranked[0][1] < settings.faq_cosine:
        return None
    cid = ranked[0][0]
    clear = len(ranked) < 2 or ranked[0][1] - ranked[1][1] >= settings.faq_margin
    if not asked_places and not _abroad(asks_about[cid]):  # a general question, matched by a general pair: the
        ranked = [(c, v) for c, v in ranked if c == cid or not _abroad(asks_about[c])]  # pair for one country is no rival
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < settings.faq_margin:  # a sibling comes near
        near = [c for c, s in ranked if s >= ranked[0][1] - settings.faq_margin]
        fitting = _fitting(index, question, near) or cid  # the search may agree on the best
        cid = _same_kind(index, question, near, articles) or _by_words(index, question, near, articles, settings) \
            or (fitting if _agreed(index, fitting, best[fitting], question, articles, settings) else None) \
            or _unless_outworded(index, question, near, _by_pair(index, question_vec, near, settings), settings)
        if how is not None:
            how.append("tie")
        cid = cid or _closest(index, question, question_vec, near, best, articles, settings)
        if cid is None or best[cid] < settings.faq_cosine:  # whatever breaks the tie, the pair itself is close
            return None  # ("Will the 2030 Winter Olympics have a Pride House?" got the Moscow Pride pair at 0.83 under e5)
        ranked = [(cid, best[cid])]
    if articles and cid.split(":")[0] not in articles and not (anywhere and clear):
        return None
    chunk = index.by_id[cid]
    return ranked[0] if fits(question, chunk, clear) and same_bodies(question.text, f"{chunk.meta.get('section', '')} {chunk.text}") \
        and _for_support(question, chunk) else None


SAME_KINDS = ("who", "date")  # the kinds a question opens with a word of its own: who, when (not "how many", whose pairs
# include "How much is asylum support?": set bb, bb34 "how many gay asylum claims actually get accepted" got its rate)


HOW_LONG = re.compile(r"^(.*[.!?]\s+)?\W*(and\s+|so\s+)?how long\b", re.I)  # a question (or its last sentence) asking how long
DURATION = re.compile(r"\b\d+\s+(calendar\s+|working\s+)?(days?|weeks?|months?|years?)\b", re.I)
# a question about a deadline (not "срок" alone, which is also a prison term: "какой срок грозит")
DEADLINE = re.compile(r"\b(deadline|time limit|too late|срок\w*\s+(подачи|прош\w*|пропущ\w*|уже)|пропустил\w*\s+срок|"
                      r"поздно|опоздал\w*)\b", re.I)


def _first_sentence(chunk) -> str:
    """A pair's first answer sentence."""
    from kb.text import split_sentences

    return (split_sentences(chunk.text, str(chunk.meta.get("language", "en"))[:2]) or [""])[0]


def _shares_word(index, question, cid: str) -> bool:
    """Whether pair `cid`'s question holds one of the asked words besides "how long" and the places named ("appeal";
    not "uk")."""
    from chat.index import bm25_tokens

    asked = set(bm25_tokens(question.focus or question.text)) - {"long"} - set(bm25_tokens(" ".join(question.place_words)))
    return bool(asked & set(bm25_tokens(str(index.by_id[cid].meta.get("section", "")))))


def _same_kind(index, question, near: list[str], articles) -> str | None:
    """Of pairs within the margin, the only one that asks the same kind of thing as a who / when question
    and gives it in its first sentence, when its article was retrieved ("who first reported that gay men were being
    rounded up in chechnya" is "Who first reported the Chechnya purge?", not "What happened in Chechnya in 2017?").
    A how-long question likewise takes the one near how-long pair about the same thing (`_shares_word`) whose first
    sentence gives a duration ("how long have i got to appeal": set oo, oo27 got "What can I do if my asylum claim is
    refused?", the 14 days folded; "how long can they keep me" in detention is not "How long does refugee status last
    in the UK?": set p, p24). A question whose first asking piece asks for a penalty, in either language, takes the
    one near pair asking for a penalty whose first sentence gives one ("какие штрафы за «пропаганду»... после закона
    2022 года": set oo, oo47 got "Что сейчас запрещает..."; "what did it ban and whats the penalty" asks first what
    it banned). A question about a deadline ("...можно ли мне ещё просить убежище как гею или срок прошёл?": set qq, qq23
    got "Могу ли я получить убежище в США...", the deadline never given) takes the one near pair asking about one, in
    either language. Who and when are English only: a Russian "кто помогает..." got the past "Кто помогал людям выбраться из Чечни?" (pair
    labels, b49).
    Pair labels (`python -m evals.pair_labels`): 2 more right, none fewer; "ruling" as well gained 2 and led 1 wrong.
    reader_diff: better nn06, ff13, y40, z47, k34; worse j23 (who broke the story, not what then happened to her)."""
    from chat.compose import PART_TYPES, answer_type

    penalty, gives = PART_TYPES["penalty"]
    if penalty.search(question.first_asked or question.text):
        same = [c for c in near if penalty.search(str(index.by_id[c].meta.get("section", "")))
                and gives.search(_first_sentence(index.by_id[c]))]
    elif DEADLINE.search(question.text):
        same = [c for c in near if DEADLINE.search(str(index.by_id[c].meta.get("section", "")))]
    elif question.language != "en":
        return None
    elif HOW_LONG.match(question.focus or question.text):
        same = [c for c in near if HOW_LONG.match(str(index.by_id[c].meta.get("section", "")))
                and DURATION.search(_first_sentence(index.by_id[c])) and _shares_word(index, question, c)]
    elif question.kind in SAME_KINDS:
        same = [c for c in near if answer_type(str(index.by_id[c].meta.get("section", ""))) == question.kind
                and _first_answers(index.by_id[c], question.kind)]
    else:
        return None
    return same[0] if len(same) == 1 and (not articles or same[0].split(":")[0] in articles) else None


def _for_support(question, chunk) -> bool:
    """Whether a pair may answer as to asylum support: a pair on it only a question about it (chat.compose.SUPPORT)."""
    from chat.compose import ASKS_SUPPORT, SUPPORT

    return not SUPPORT.search(str(chunk.meta.get("section", ""))) or bool(ASKS_SUPPORT.search(question.text))


# A question about now (or "can I be...", "меня могут..."): a pair that asks in the past tense about a year it does not
# name answers another time
NOW = re.compile(r"\b(now|nowadays|currently|today|these days|at the moment|rn|сейчас|теперь|сегодня|на данный момент|"
                 r"в наши дни|нынче)\b|\b(can|could|will)\s+(i|we|you|they|he|she|someone|people)\s+(still\s+)?(be|get|go)\b|"
                 r"\b(могут|mogut)\s+(ли\s+)?(меня|нас|его|её|ее|их|menya|nas)\b|\b(меня|нас)\s+могут\b|\bгрозит\b", re.I)
PAST = re.compile(r"\b(was|were|did|had|happened|used to|был\w*|было|запрещал\w*|грозил\w*|действовал\w*)\b", re.I)
# Foreigners in Russia: a pair asked about them answers only a question from or about a visitor
VISITORS = re.compile(r"\b(foreigners?|foreign (citizens?|nationals?|visitors?)|tourists?|visit\w*|holiday|vacation|trip|"
                      r"travel\w*|(british|american|german|french|dutch|canadian|eu) (citizens?|nationals?|passports?)|"
                      r"иностран(ец|ца|цу|цем|це|цы|цев|цам|цами|цах|ка|ки|ку|кой|ок)|иностранн\w+\s+граждан\w*|"
                      r"турист\w*|поездк\w*|путешеств\w*|в гост(и|ях)|приед\w+|приезжа\w*)\b", re.I)


def _best(index, question_vec, question, lang: str) -> dict[str, float]:
    """Pair -> the cosine of its closest question to `question`, over the pairs in `lang` that may answer it: for
    the places it names, if any, and the period it asks about."""
    from chat.compose import laws_named
    from chat.places import PART_OF, origins, with_eu

    rows, matrix = _table(index)
    if not rows:
        return {}
    cosines = matrix @ np.asarray(question_vec, dtype=np.float32)
    asked_places = with_eu(question.places if question.places - origins(question.text) else ())  # only where one came
    # from: no place asked about ("I left Russia ... is my case ruined?" is the late-disclosure pair's: set z, z28)
    periods, pair_periods = _periods(question.text, question.years), _pair_periods(index)
    visiting = bool(VISITORS.search(question.text))
    for_visitors = _per_pair(index, "faq_visitors", lambda t: bool(VISITORS.search(t)))
    now, pair_laws = bool(NOW.search(question.text)), _per_pair(index, "faq_laws", laws_named)
    past = _per_pair(index, "faq_past", lambda t: bool(PAST.search(t)))
    best: dict[str, float] = {}
    home = asked_places <= {"russia", *PART_OF}  # Russia, where the people Refuge serves come from, is no asylum country
    for cid, score, places in zip(rows, cosines.tolist(), _places(index)):
        if index.languages.get(cid) != lang or (asked_places and places and not places & asked_places
                                                and not (home and index.by_id[cid].meta.get("topic") == "asylum")):
            continue  # "asylum in Canada" is not the US pair's question, however alike the words; "...nothing
            # happened to me in russia before i left" may be (set aa, aa27: the sur place pair)
        if _other_period(periods, pair_periods[cid]):
            continue  # "did it happen again after 2017?" is not "What happened in Chechnya in 2017?", nor the reverse
        if now and past.get(cid) and pair_periods[cid][0] and not pair_periods[cid][0] & periods[0]:
            continue  # "какой сейчас штраф", "меня могут за это оштрафовать?": not "Какое наказание было по закону о
            # пропаганде 2013 года?" (set hh, hh11; set ii, ii54 got the 2018 version's fines)
        if question.laws and pair_laws[cid] and not pair_laws[cid] & question.laws:
            continue  # a fine for "propaganda" is not what "foreign agent" means
        if not visiting and for_visitors.get(cid):
            continue  # "какой сейчас штраф за лгбт пропаганду ... я обычный человек" is not the deported foreigner's
            # (set hh, hh11 and set ii, ii32 opened with a foreigner's 15 days and expulsion)
        if score > best.get(cid, -1.0):
            best[cid] = score
    return best


def _others(index, question_vec, question, lang: str, leading: str) -> list[tuple[str, float]]:
    """(pair, cosine) of the pairs that may answer `question` (`_best`), nearest first, without the `leading` one."""
    return sorted(((c, v) for c, v in _best(index, question_vec, question, lang).items() if c != leading),
                  key=lambda kv: -kv[1])


def nearest(index, question_vec, question, lang: str, articles: list[str], leading: str, names: frozenset,
            settings: AnswerSettings = ANSWER, own_words: frozenset = frozenset()) -> str | None:
    """The pair closest to a later part of a message (`question`), other than the `leading` pair, when it is this
    close (`faq_closest_cosine`), in one of the search's `articles`, of the form asked, and about a name the message
    names (of the knowledge base's `names`: chat.question.kb_names) and none it doesn't; or, at `faq_cosine`, a
    sibling of the `leading` pair asked with one of the part's `own_words` (`_asks_with`) and about no name the message
    doesn't name ("...the two chechen brothers... what happened to them" is not Khalimat Taramova's). Its first sentence follows
    the lead, so its siblings need not be told apart ("who is maxim lapunov and did he ever get justice": the
    Lapunov judgment's pair; "bayev v russia ... what did strasbourg decide" is not Lapunov's)."""
    from chat.compose import answer_type

    if lang not in settings.faq_languages:
        return None
    best = _best(index, question_vec, question, lang)
    ranked = sorted(((c, v) for c, v in best.items() if c != leading), key=lambda kv: -kv[1])
    cid, score = ranked[0] if ranked else ("", 0.0)
    if question.kind:  # "...and who first reported it?": the lead's sibling asking the same kind, and answering it
        sibling = next((c for c, v in ranked if c.split(":")[0] == leading.split(":")[0]  # in its first sentence
                        and v >= settings.faq_closest_cosine  # ("Canada did, in 2017, ..." holds no count: set z, z47)
                        and answer_type(str(index.by_id[c].meta.get("section", ""))) == question.kind
                        and _first_answers(index.by_id[c], question.kind)), None)
        if sibling:
            return sibling
    if cid.split(":")[0] == leading.split(":")[0] and score >= settings.faq_cosine and fits(question, index.by_id[cid]) \
            and _asks_with(index, cid, own_words, settings) and not pair_names(index, cid) - names \
            and score > best.get(leading, 0.0):  # nearer the part than the lead is
        return cid  # the lead's sibling, the part's nearest pair of all, asked with one of the part's own words ("what is
        # the osce moscow mechanism and what did it find": "What did the OSCE report find...?"; sets gg, jj)
    if score < settings.faq_closest_cosine or cid.split(":")[0] not in articles or not fits(question, index.by_id[cid]):
        return None
    about = pair_names(index, cid)
    return cid if about and about <= names else None


def pair_names(index, cid: str) -> set[str]:
    """The knowledge base's names (chat.question.kb_names) that pair `cid`'s question names."""
    from chat.question import kb_names

    return {w.lower() for w in re.findall(r"\w+", str(index.by_id[cid].meta.get("section", "")))} & kb_names(index)


def _asks_with(index, cid: str, own_words: set[str], settings: AnswerSettings) -> bool:
    """Whether pair `cid`'s question holds one of a later part's `own_words` (not the first part's) that few passages
    use (`leaning_word_share`: "find", "lawyer"; not "gay")."""
    from chat.index import bm25_tokens

    asked = set(bm25_tokens(str(index.by_id[cid].meta.get("section", ""))))
    return any(index.term_share(t) < settings.leaning_word_share for t in asked & own_words)


def leaning(index, question_vec, question, own_words: set[str], lang: str, articles: list[str], leading: str,
            settings: AnswerSettings = ANSWER) -> str | None:
    """The pair for a later part that points back ("...in detention in the uk? is it safe in there"), matched with
    the first part's words in place of its pronoun (`question`, `question_vec`): the nearest pair other than the
    `leading` one, when it is `faq_cosine_agreed` close, in one of the search's `articles`, and its question holds
    one of the part's `own_words` (stemmed: "safe") that few passages use (`leaning_word_share`; not "gay"), which
    the first part's words cannot bring."""
    if lang not in settings.faq_languages or not own_words:
        return None
    ranked = _others(index, question_vec, question, lang, leading)
    cid, score = ranked[0] if ranked else ("", 0.0)
    return cid if score >= settings.faq_cosine_agreed and cid.split(":")[0] in articles \
        and _asks_with(index, cid, own_words, settings) else None  # "safe", not "gay"


def _per_pair(index, name: str, of_question) -> dict:
    """Pair -> `of_question(its question)`, worked out once per index version."""
    if name not in index.per_version:
        index.per_version[name] = {c.id: of_question(str(c.meta.get("section", ""))) for c in index.chunks
                                   if c.meta.get("kind") == "faq"}
    return index.per_version[name]


EUROPE = re.compile(r"\b(europe|европ[аеуы])\b", re.I)  # a region, not a country: "asylum in europe" may get the EU's pair


def _asked_places(index) -> dict[str, set[str]]:
    """Pair -> the places its own question names ("Can I get asylum in the US for being gay?"; a Russian region comes
    with "russia")."""
    from chat.places import named_places

    return _per_pair(index, "faq_asked_places", named_places)


def _abroad(places: set[str]) -> bool:
    """Whether a pair's question names a country other than Russia, the KB's own ("...in the US...")."""
    return bool(places) and "russia" not in places


def _periods(text: str, years=None) -> tuple[set[str], set[str]]:
    """(the years `text` asks about, the years it names only as a bound: "after 2017", "since 2013", "in 2017 or did it
    happen again later")."""
    from chat.compose import AGAIN_RE, PERIOD_YEAR_RE, years_about

    asked = set(years if years is not None else years_about(text))
    again = bool(AGAIN_RE.search(text))  # "...in 2017 or did it happen again later": every year a bound
    bounds = {m.group(2) for m in PERIOD_YEAR_RE.finditer(text) if m.group(1) or again}
    return asked, bounds - asked


def _pair_periods(index) -> dict[str, tuple[set[str], set[str]]]:
    """Pair -> the `_periods` of its question."""
    return _per_pair(index, "faq_periods", _periods)


def _other_period(asked: tuple[set[str], set[str]], pair: tuple[set[str], set[str]]) -> bool:
    """Whether one asks about a year that the other names only as a bound, or both ask about years and
    none is the same ("how many people in the 2019 wave" is not "How many ... in the 2017 Chechnya purge?")."""
    return bool(asked[0] & pair[1] or asked[1] & pair[0] or (asked[0] and pair[0] and not asked[0] & pair[0]))


def _agreed(index, cid: str, cosine: float, question, articles, settings: AnswerSettings) -> bool:
    """A pair with a sibling within the margin still leads when the search agrees: its article is the
    one ranked first, its question is `faq_cosine_agreed` close, and it turns the same way ("When did
    Russia stop treating it as a crime?" is not "When was it made a crime?", however alike)."""
    pair_question = str(index.by_id[cid].meta.get("section", ""))
    return bool(articles) and cid.split(":")[0] == articles[0] and cosine >= settings.faq_cosine_agreed \
        and asked_the_same_way(question.text, pair_question)


def _asked_words(index, question) -> set[str]:
    """The stemmed words of the question (its focus, for a long message) that the knowledge base knows."""
    from chat.index import bm25_tokens

    return set(bm25_tokens(question.focus or question.text)) & index.idf.keys()


def _by_words(index, question, near: list[str], articles, settings: AnswerSettings) -> str | None:
    """Of sibling pairs within the margin of each other, the one whose questions share clearly more of the
    asked words (weighted by rarity) than any other's, when its article is the one the search ranks first:
    "which countries took in people from Chechnya" is the "Which countries...?" pair, not "Who helped...?"."""
    asked = _asked_words(index, question)
    if not articles or not asked:
        return None
    words = _words(index)
    shares = sorted(((index.token_overlap(asked, words[cid]), cid) for cid in near), reverse=True)
    (top, cid), second = shares[0], shares[1][0] if len(shares) > 1 else 0.0
    return cid if top - second >= settings.faq_word_gap and cid.split(":")[0] in articles[:settings.faq_word_articles] else None


def _unless_outworded(index, question, near: list[str], cid: str | None, settings: AnswerSettings) -> str | None:
    """Pair `cid`, unless the nearest pair (`near[0]`, by its questions) has questions sharing `faq_word_gap` more of
    the asked words (weighted by rarity) than its own: "home office letter says i could just 'live discreetly'... can
    they actually refuse me for that" is the HJ (Iran) pair's ("discreet"), not "Can they refuse me because I could
    have moved to another part of my country?", whose whole pair happened to sit closer (set pp, pp44: a WRONG
    answer)."""
    asked = _asked_words(index, question)
    if cid is None or not asked:
        return cid
    words = _words(index)
    mine = index.token_overlap(asked, words[cid])
    return None if near[0] != cid and index.token_overlap(asked, words[near[0]]) - mine >= settings.faq_word_gap else cid


def _by_pair(index, question_vec, near: list[str], settings: AnswerSettings) -> str | None:
    """Of sibling pairs within the margin, the one whose whole pair (its question and answer, as the passage is
    stored) is `faq_pair_cosine` close and `faq_pair_gap` closer to the question than any other's: "what
    happened in chechnya in 2017 with gay ppl" is nearly as close to "Who helped people get out of Chechnya?" as to
    "What happened in Chechnya in 2017?", but not to what the first pair answers (`python -m evals.faq_match`: leave-one-out on the cases
    the margin and the words leave open)."""
    vecs = _pair_vectors(index)
    near = [c for c in near if c in vecs]
    if len(near) < 2:
        return None
    asked = np.asarray(question_vec, dtype=np.float32)
    closeness = sorted(((float(vecs[c] @ asked), c) for c in near), reverse=True)
    (top, cid), second = closeness[0], closeness[1][0]
    return cid if top >= settings.faq_pair_cosine and top - second >= settings.faq_pair_gap else None


def _closest(index, question, question_vec, near: list[str], best: dict[str, float], articles,
             settings: AnswerSettings) -> str | None:
    """Of sibling pairs within the margin that no other rule tells apart, the one closest all told (its question's
    cosine, plus its whole pair's, plus a fifth of the asked rare words its questions share) when it is
    `faq_closest_gap` ahead of the rest, its question is `faq_closest_cosine` close, and its article is the one the
    search ranks first. On the reader sets' labelled questions (which pair answers each, labelled by people who never
    saw the answers: evals/datasets/pair_labels/) it turned 186 questions that no pair led into 150, 32 more answered by
    their pair, 3 more by a wrong one ("when did russia stop jailing gay men" now opens with 1993). Not for a Russian
    question matched through its rough English words: on the Russian labels it led 21 more right pairs and 8 more
    wrong ones, but held-out Russian lead accuracy fell 0.659 -> 0.561."""
    if not articles:
        return None
    vecs, words = _pair_vectors(index), _words(index)
    asked = _asked_words(index, question)
    vec = np.asarray(question_vec, dtype=np.float32)
    score = sorted(((best[c] + float(vecs[c] @ vec) + (index.token_overlap(asked, words[c]) if asked else 0.0) / 5, c)
                    for c in near if c in vecs), reverse=True)
    if not score or len(score) > 1 and score[0][0] - score[1][0] < settings.faq_closest_gap:
        return None
    cid = score[0][1]
    return cid if best[cid] >= settings.faq_closest_cosine and cid.split(":")[0] == articles[0] else None


def _pair_vectors(index) -> dict[str, np.ndarray]:
    """Pair -> its passage vector (question and answer under the article title), once per index version."""
    if "faq_pairs" not in index.per_version:
        ids = sorted({c.id for c in index.chunks if c.meta.get("kind") == "faq"})
        got = index.store.get_by_ids("chunks", ids, ["embeddings"])
        index.per_version["faq_pairs"] = {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"])}
    return index.per_version["faq_pairs"]


def _words(index) -> dict[str, set[str]]:
    """Pair -> the stemmed words of its question and paraphrases, once per index version."""
    if "faq_words" not in index.per_version:
        found: dict[str, set[str]] = {}
        for cid, words in zip(_table(index)[0], row_words(index)):
            found.setdefault(cid, set()).update(words)
        index.per_version["faq_words"] = found
    return index.per_version["faq_words"]


# Words that turn a yes/no question around: "Did Germany stop refusing...?" wants "yes" where "Does Germany
# still refuse...?" wants "no"
TURNS = (re.compile(r"\b(still|any\s?more|всё ещё|все еще|до сих пор)\b", re.I),
         re.compile(r"\b(no longer|stop(ped|s)?|ended|end(s)?|abolish\w*|scrap\w*|lift(ed)?|repeal\w*|chang(e|ed|es)|"
                    r"больше не|перестал\w*|прекратил\w*|отменил\w*|измени\w*|"
                    # "since when is it not a crime" asks when it stopped being one (under e5, "с какого года
                    # гомосексуальность не преступление" lost its pair to this rule and got the ICD-10 change of 1997)
                    r"(not|no longer)\s+(a\s+)?(crime|criminal|illegal)|не\s+(является\s+)?(преступлени\w*|уголовн\w*|"
                    r"наказуем\w*|незаконн\w*))\b", re.I))


# "was it a one time thing in 2017 or did it happen again later", "is it over or did it happen again": a question whose
# second answer is that it went on is not answered by "Yes" or "No" (set hh, hh10 read "Yes:" as "a one time thing");
# other either-or questions keep theirs ("was there an investigation or only journalists": readers of sets ii and jj
# preferred "Yes:" in ii13, ii14 and jj54)
EITHER_OR = re.compile(r"\bor\s+(is|are|was|were|did|does|do|has|have|had)\s+(it|they|there|this|that)\s+(\w+\s+){0,3}?"
                       r"(again|later|still|continu\w*|go(ing)? on|went on)\b|"
                       r"\bили\s+(же\s+)?(это\s+)?(потом\s+|снова\s+)?(повтор\w*|продолжал\w*|продолжи\w*)\b", re.I)


def shows_yes_no(meant, typed, pair_question: str) -> bool:
    """Whether a pair's "Yes" / "No" may open the answer to the question (chat.question.Question: as meant, and
    as typed): only for a yes/no question that turns the same way as the pair's own ("what if I only came
    out after that?" is no yes/no question, though the one it follows was) and offers no two answers of its own
    (`EITHER_OR`)."""
    return (meant.yes_no or typed.yes_no) and asked_the_same_way(typed.text, pair_question) and \
        not EITHER_OR.search(typed.text)


def asked_the_same_way(asked: str, pair_question: str) -> bool:
    """Whether the question turns as the pair's own question does ("still..." / "stopped...", and asked
    the negative way or not): only then may the pair's answer open with its "Yes" or "No" (reader set h,
    k16: "Is it true Germany stopped the discretion refusals?" was answered "No: since 1 October 2022..."
    written for "...still...?"; set n, n15: "isnt that illegal now?" was answered "...no:")."""
    return all(bool(p.search(asked)) == bool(p.search(pair_question)) for p in TURNS) \
        and _asked_negatively(asked) == _asked_negatively(pair_question)


NEGATIVE_QUESTION = re.compile(r"^\W*(isn'?t|aren'?t|doesn'?t|don'?t|didn'?t|wasn'?t|weren'?t|won'?t|can'?t|shouldn'?t|"
                               r"haven'?t|hasn'?t|разве)\b", re.I)


def _asked_negatively(text: str) -> bool:
    """Whether a part of the question is asked the negative way ("isn't that illegal now?")."""
    from chat.question import asked_pieces

    return any(NEGATIVE_QUESTION.search(piece) for sentence in re.split(r"(?<=[.?!])\s+", text.strip())
               for piece in asked_pieces(sentence))


# The bodies people ask about by name; a curated answer about the European Court does not answer
# "has any UN body said...", however alike the questions read.
BODIES = {name: re.compile(pattern, re.I) for name, pattern in {
    "un": r"\b(UN|U\.N\.|united nations|оон)\b",
    "echr": r"\b(echr|ecthr|european court(?! of justice)|strasbourg|еспч|европейск\w* суд\w*(?! ЕС))",
    "cjeu": r"\b(cjeu|eu court|court of justice|суд\w* ЕС|суд\w* европейского союза)",
    "osce": r"\b(osce|обсе)\b",
    "unhcr": r"\b(unhcr|увкб)",
    "coe": r"\b(council of europe|совет\w* европы)",
}.items()}


def same_bodies(asked: str, pair: str) -> bool:
    """Whether every body (court, UN, OSCE...) that one part of the question names is one the pair names too
    ("russia left the council of europe right? so can i still bring a case to strasbourg..." is answered by a
    pair on the Strasbourg court that never names the Council: set m, m60)."""
    from chat.question import asked_pieces

    return any(all(pattern.search(pair) for pattern in BODIES.values() if pattern.search(piece))
               for piece in asked_pieces(asked))

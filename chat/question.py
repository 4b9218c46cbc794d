"""The question, understood once at the door (`understand`) and then only read.

`Assistant.ask` calls `understand` once per turn. The value it returns holds everything the
rooms after it need to know about the text: its language (transliterated Russian counts as
Russian), its Cyrillic form, the question as meant (a follow-up resolved against the
conversation), the kind of danger it signals, misuse, the places, years and names it names,
the kind of answer it wants, and its terms. Retrieval, relevance, the FAQ match and the
composer read these fields and detect nothing again. `read` gives the same facts for any
other text (a claim in `refuge check`, the query the passages were found with).

The follow-up rule lives here too: a question that leans on the previous turn ("and in
Germany?") is the previous question with the new country, year or name in place of the old one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from chat.compose import AGAIN_RE, answer_type, asks_yes_or_no, groups_named, laws_named, years_about
from chat.messages import message
from chat.places import COUNTRIES, DEMONYMS, FORMS, named_places, places_in, where_one_is
from chat.safety import asks_for_a_service, asks_private_data, danger_kind, is_injection, kind_of
from kb.text import content_words, language_of
from kb.translit import is_translit, to_cyrillic, with_soft_signs

RARE = 0.05  # a question word in fewer than this share of passages names something specific (a case, a person)
NAME_RE = re.compile(r"(?<!^)(?<![.?!]\s)(?<![.?!]\s\s)\b[A-ZА-ЯЁ][\w-]+")  # capitalised, not opening a sentence
                                                                        # ("...for me. Now a friend says": "Now" is no name)
# a case however it is typed: "fedotova v russia", "bayev and others v. russia", "the lapunov case", "дело лапунова"
CASE_RE = re.compile(r"\b([^\W\d_][\w-]+)(?=(?:\s+and\s+others)?\s+(?:v\.?|vs\.?|против)\s|\s+case\b)|"
                     r"(?<=\bдел[оуеа]\s)([^\W\d_][\w-]+)", re.I)
EMPTY: frozenset = frozenset()


@dataclass(frozen=True)
class Question:
    """What a text asks. `read` fills the facts of one text; `understand` adds the turn's
    own fields (Cyrillic form, the question as meant and its facts, misuse)."""
    text: str
    language: str = "en"
    danger: str | None = None  # chat.safety.danger_kind: self_harm | violence | flee | danger
    places: frozenset = EMPTY  # one name per country, with the country a region is part of
    place_words: frozenset = EMPTY  # place names as written (in the Cyrillic form, for a turn)
    years: frozenset = EMPTY  # the years it asks about (not "after 2017")
    names: frozenset = EMPTY  # capitalised words after the first: a case, a person (Bayev, Лапунов)
    rare: frozenset = EMPTY  # the terms of `names` that few passages use (needs the index)
    kind: str | None = None  # the kind of answer wanted: date | count | ruling | who (chat.compose.answer_type)
    yes_no: bool = False
    terms: frozenset = EMPTY  # the terms the knowledge base uses, with the help query's in danger
    cyrillic: str = ""  # a turn: the text in Cyrillic letters when typed in Latin ones
    asked: str = ""  # a turn: the question as meant, in its Cyrillic form
    previous: str = ""  # a turn: the previous question in the conversation
    misuse: str | None = None  # a turn: private | injection | service (a message key)
    meant: "Question | None" = None  # a turn: the facts of `asked`
    parts: tuple = ()  # a question that asks two things or more: each part's own terms (`parts_of`)
    part_texts: tuple = ()  # ...and each part's text (`parts_of`)
    focus: str = ""  # a long message: its question sentences, what is asked (`focus_of`); "" otherwise
    setting: str = ""  # ...and the places and years its story names that the question leaves out (`setting_of`)
    groups: frozenset = EMPTY  # the groups of people it names: men | women | trans (chat.compose.groups_named)
    laws: frozenset = EMPTY  # the Russian laws it names: propaganda | extremism | ... (chat.compose.laws_named)
    location: frozenset = EMPTY  # where the writer is, as far as it says (chat.places.where_one_is)
    way_out: bool = False  # asks who can get someone out, or how to get out (`asks_way_out`): the ways in lead
    asks_more: bool = False  # asks something besides help ("...does that count as persecution?"; `asks_beyond_help`)
    first_asked: str = ""  # the first piece that asks, with the story before it in that piece (`first_question`)

    @property
    def in_danger(self) -> bool:
        return self.danger is not None


def _cyrillic(text: str, index=None) -> str:
    """Translit in Cyrillic letters, spelt with the soft signs the knowledge base's words have (kb.translit)."""
    if index is None:
        return to_cyrillic(text)
    from chat.index import bm25_tokens

    cyrillic = to_cyrillic(text, keep=index.written_in_latin)
    def known(word: str) -> bool:  # a word the stemmer drops ("как") is known
        tokens = bm25_tokens(word)
        return not tokens or any(t in index.idf for t in tokens)
    return with_soft_signs(cyrillic, known)


def understand(text: str, history: list[dict] | None = None, index=None) -> Question:
    """The turn `text` (already cleaned) in its conversation, understood once. `index` (when
    given) keeps words its Russian articles write in Latin letters, and finds terms."""
    cyrillic = _cyrillic(text, index) if is_translit(text) else text
    asked = search_query(cyrillic, history)
    meant = read(asked, index)
    typed = meant if asked == text else read(text, index)
    previous = _previous(history)
    return replace(typed, language=question_language(text), place_words=frozenset(places_in(cyrillic)),
                   asks_more=typed.asks_more and asks_beyond_help(cyrillic),
                   cyrillic=cyrillic, asked=asked, previous=previous[-1] if previous else "", misuse=_misuse(text) or
                   (_misuse(cyrillic) if cyrillic != text else None), meant=meant)


def in_danger_by_meaning(q: Question, index=None, self_harm: bool = False) -> Question:
    """`q` (a turn) read as danger although its words name none (chat/danger.py): the kind its words tell of, or
    thoughts of suicide when its meaning tells of them (`self_harm`; that kind comes first, as in `danger_kind`), and
    the help query's terms, as `read` gives a message whose words name danger."""
    kind = "self_harm" if self_harm else kind_of([q.cyrillic or q.text])

    def marked(x: Question) -> Question:
        return replace(x, danger=kind, terms=_terms(x.text, kind, index))
    return replace(marked(q), meant=marked(q.meant) if q.meant is not None else None)


def read(text: str, index=None) -> Question:
    """The facts of one text; the terms and rare names only with an index."""
    if not text:
        return Question(text)
    danger = danger_kind(text)
    names = frozenset(NAME_RE.findall(text.strip())) | _cases(text, index)
    pieces = asked_pieces(text)
    focus = focus_of(text)
    texts, parts = parts_of(pieces, index)
    return Question(text, language_of(text), danger, frozenset(named_places(text)), frozenset(places_in(text)),
                    frozenset(_years_asked(text)), names,
                    _rare(text, names, index), answer_type(text), any(asks_yes_or_no(p) for p in pieces),
                    _terms(text, danger, index), part_texts=texts, parts=parts, focus=focus,
                    setting=setting_of(text, focus),
                    groups=frozenset(groups_named(text)), laws=frozenset(laws_named(text)),
                    location=frozenset(where_one_is(text)),
                    way_out=asks_way_out(text), asks_more=asks_beyond_help(text),
                    first_asked=first_question(pieces))


# "who can help a gay person get out of chechnya", "how can i escape", "are there organisations that help people
# from Dagestan leave?", "кто поможет уехать": asked now (can / will / helps), not "who helped people get out in
# 2017" (set q, q30: a reader asking who can help got 2017 counts)
WAY_OUT = re.compile(r"\b(who|which\s+(organi[sz]ations?|groups?|charit(y|ies))|where|how|"
                     r"(are|is)\s+there\s+(any\s+|an\s+)?(organi[sz]ations?|groups?|charit(y|ies)))\b[^.?!]{0,60}?"
                     r"\b(can|could|will|would|helps?|should)\b[^.?!]{0,40}?"
                     r"\b(get\s+(\w+\s+)?out|escape|flee|evacuate|leave\s+(chechnya|dagestan|ingushetia|grozny|"
                     r"the\s+north\s+caucasus)|leave(?=\s*[?.!]|\s*$))\b|"
                     r"(кто|как|куда|где|какие\s+организации)[^.?!]{0,90}?(выбраться|бежать|сбежать|вывезти|эвакуир\w+|эвакуаци\w*|"
                     r"помо\w+\s+(\w+\s+)?(у|вы)ех\w*|(у|вы)ех\w*\s+(из|с)\s+(чечн|дагестан|ингушет|грозн|северн))", re.I)


def asks_way_out(text: str) -> bool:
    """Whether the question asks who can get someone out, or how to get out, now: its answer is a way in."""
    return bool(WAY_OUT.search(text))


LONG_MESSAGE = 25  # words: a message this long tells a story around its question


def focus_of(text: str) -> str:
    """The question sentences of a long message ("I came to the UK 3 years ago... Will late disclosure ruin my
    case?"), which a curated question is matched against; "" for a short question or one with no such sentence."""
    sentences = re.split(r"(?<=[.?!])\s+", text.strip())
    asked = [i for i, s in enumerate(sentences) if s.rstrip().endswith("?")]
    if len(text.split()) < LONG_MESSAGE or not asked or len(asked) == len(sentences):
        return ""
    with_before = sorted({j for i in asked for j in ((i - 1, i) if i and _points_back(sentences[i]) else (i,))})
    return " ".join(sentences[j] for j in with_before)


def setting_of(text: str, focus: str) -> str:
    """The places (and, for "back then", the years) a long message's story names when its question (`focus`) names
    none: "Chechnya, 2017"; "" otherwise."""
    return ", ".join(_setting(focus, text)) if focus else ""


# a pronoun that points back at what the first part of a message named ("who is lapunov and did he win?")
POINTER = re.compile(r"\b(he|she|it|they|him|her|them|his|its|their|он|она|оно|они|его|её|ее|их|ему|ей|им|нему|ней|ним)\b",
                     re.I)


# a body named by its initials (OSCE, ECHR, UNHCR, BAMF), which a later part's "it" may mean; not LGBT, not a place
ACRONYM = re.compile(r"\b(?!LGBT|ЛГБТ|UK\b|US\b|USA\b|EU\b|РФ\b|США\b|ЕС\b)[A-ZА-ЯЁ]{2,6}\b")


def with_subject(piece: str, first: str, known: frozenset = EMPTY) -> str:
    """A later part of a message with its first pronoun replaced by the places, years and names the first part names
    ("who first reported it?" after "what happened in chechnya in 2017": "who first reported chechnya 2017?"); the
    part itself when it has no pronoun or the first part names nothing. `known`: names the knowledge base writes
    with a capital (`kb_names`), found in the first part however it is typed ("who is maxim lapunov").
    """
    if not POINTER.search(piece):
        return piece
    found = [(m.start(), m.group(0)) for m in re.finditer(r"\w+", first) if m.group(0).lower() in known]
    found += [(m.start(), m.group(0)) for m in ACRONYM.finditer(first)]  # "what's the OSCE ... report? what did it find"
    named = [t for kind, t in _subjects(first) if kind in ("place", "year", "name")]
    named += [t for _, t in sorted(found) if not any(t.lower() in n.lower() for n in named)]
    return POINTER.sub(" ".join(named), piece, count=1) if named else piece


def _cases(text: str, index) -> frozenset:
    """The cases `text` names however it is typed ("fedotova v russia", "дело лапунова"): a word before "v" or
    "case" (after "дело") that the passages never write in lowercase ("criminal case", "на самом деле" are none)."""
    if index is None or not index.chunks:
        return EMPTY
    return frozenset(m.group(0) for m in CASE_RE.finditer(text) if m.group(0).lower() not in lowercase_words(index))


def lowercase_words(index) -> frozenset:
    """The words the passages write in lowercase (never a name), once per index version."""
    if "lowercase_words" not in index.per_version:
        index.per_version["lowercase_words"] = frozenset(w for c in index.chunks
                                                         for w in re.findall(r"\b[a-zа-яё]\w+", c.text))
    return index.per_version["lowercase_words"]


def kb_names(index) -> frozenset:
    """The names the knowledge base's pair questions write with a capital after their first word (Lapunov,
    Milashina, Магамадов), lowercased, that its passages never write in lowercase and few use (not "Court",
    "Pride"), once per index version."""
    if index is None or not index.chunks:
        return EMPTY
    if "kb_names" not in index.per_version:
        asked = {str(c.meta.get("section", "")) for c in index.chunks if c.meta.get("kind") == "faq"}
        words_ = {w for q in asked for kind, n in _subjects(q) if kind == "name" for w in n.split() if len(w) > 3}
        index.per_version["kb_names"] = frozenset(
            w.lower() for w in words_ if w.lower() not in lowercase_words(index) and w.lower() not in DEMONYMS
            and not w.isupper() and not named_places(w) and all(index.term_share(t) < RARE for t in index.query_terms(w)))
    return index.per_version["kb_names"]


# a question that points at the time or place its story told of
THEN_OR_THERE = re.compile(r"\b(back then|then|at the time|at that time|there|back there|тогда|в то время|там)\b", re.I)


def _setting(focus: str, text: str) -> list[str]:
    """The places and years a message's story names, when its question points at them and names none ("My cousin
    fled Chechnya in 2017... What actually happened back then?": set x, x27 got stories of later flights)."""
    if any(kind in ("place", "year") for kind, _ in _subjects(focus)):
        return []
    kinds = ("place", "year") if THEN_OR_THERE.search(focus) else ("place",)
    return list(dict.fromkeys(t for kind, t in _subjects(text) if kind in kinds))


POINTS_BACK = re.compile(r"\b(that|this|it|these|those|это|этого|так|такое)\b", re.I)


def _points_back(sentence: str) -> bool:
    """A short question that points back at the sentence before it ("Someone told me it's too late because of the
    one year rule. Is that true??": set m, m35), which then belongs to what is asked."""
    return len(sentence.split()) <= 6 and bool(POINTS_BACK.search(sentence))


# Where a question asks a second thing: after a question mark, or at "and" / "," / "и" before a question word
# ("what did it ban and what's the penalty?", "is it prison? what are the fines")
QUESTION_WORD = (r"(?=(?:what|whats|what's|how|when|where|who|which|why|is|are|can|could|do|does|did|will|would|should|"
                 r"isn'?t|aren'?t|wasn'?t|weren'?t|"
                 r"что|как|когда|где|кто|какие|какой|сколько|почему|зачем|можно|могу|есть ли)\b)")
# (not after "после того, как", "то, что", "так, как", "тех, кто": a clause of the same question; set kk, kk16 asked
# "имеет ли это значение после того, как Россия вышла...")
PART_SPLIT = re.compile(rf"\?+\s+|(?<!того)(?<!\bто)(?<!\bтак)(?<!\bтем)(?<!\bтех)(?<!\bпор)\s*[,;]\s*"
                        rf"(?:(?:and|also|plus|а|и|также)\s+)?{QUESTION_WORD}|"
                        rf"\s+(?:and|also|plus|а|и|также)\s+(?:(?:roughly|approximately|about|exactly)\s+)?"
                        rf"(?:{QUESTION_WORD}|(?=чем\b))", re.I)  # "...и чем он отличается", "...and roughly how many"


# a piece that opens with a question word (QUESTION_WORD's, and a few that only open a question: "was", "правда")
ASKING = re.compile(rf"^\W*((and|but|so|а|и|но)\s+)?({QUESTION_WORD}|(was|were|како\w*|могут|был\w*|правда|чем)\b)", re.I)


def asks(piece: str) -> bool:
    """Whether a piece of a message is itself a question: it ends with "?", opens with a question word ("is it
    thru phones?", "and what happens to their marriages"; not "Говорят он в Германии") or with a word and "ли"."""
    return piece.rstrip().endswith("?") or bool(ASKING.match(piece) or RU_LI.match(piece))


def first_question(pieces: list[str]) -> str:
    """The first question a message's pieces ask: the first piece whose last sentence asks, with the story before it
    in that piece ("Подруга — трансгендерная женщина, документы сменила в 2022 году. Что с ней будет после закона...":
    without its story, "what will happen to her" got the pair on marriages; blind set oo, oo01); "" if none."""
    return next((piece for piece in pieces if asks(last_sentence(piece))), "")


def last_sentence(text: str) -> str:
    """The last sentence of a piece of a message ("home office refused me yesterday. how long have i got to appeal")."""
    return re.split(r"(?<=[.!?])\s+", text.strip())[-1]


RU_LI = re.compile(r"^\W*((а|и|но)\s+)?[а-яё-]+\s+ли\b", re.I)  # "Обязаны ли в ЕС поверить мне на слово": a question
ANY_QUESTION_WORD = re.compile(rf"\b{QUESTION_WORD}|\bли\b", re.I)


def only_names(piece: str) -> bool:
    """Whether a piece of a message names a topic, a case or a condition and asks nothing: no "?", no question word
    anywhere ("yogyakarta principles", "Maxim Lapunov", "if a gay guy leaves chechnya and moves to moscow"; not "мне
    отказали в убежище в британии((( сколько дней есть чтобы подать апелляцию")."""
    return not asks(piece) and not ANY_QUESTION_WORD.search(piece)


# A plea, not a question about anything: "what do i do", "pls help", "что мне делать", "помогите"
PLEA = re.compile(r"^\W*((and|so|pls|please|now|а|и|ну)\s+)*(help(\s+(me|us))?|what\s+(do|should|can|must)\s+(i|we)\s+do"
                  r"(\s+now)?|what\s+now|where\s+(can|do|should)\s+(i|we)\s+(go|hide|run)|who\s+can\s+help(\s+(me|us))?|"
                  r"what\s+are\s+my\s+options|что\s+(мне\s+|нам\s+)?(теперь\s+|сейчас\s+)?делат\w*|помогите|подскажите|"
                  r"куда\s+(мне\s+)?(бежать|идти|обратиться|деваться)|кто\s+(мне\s+)?(может\s+)?помо\w+)"
                  r"(\s+(now|please|pls|tonight|right now|сейчас|пожалуйста))*\W*$", re.I)


def asks_beyond_help(text: str) -> bool:
    """Whether a message asks something besides help ("my family beats me. does that count as persecution for
    asylum?"), not only "what do I do" or "help": in danger, only then does a sentence on what it asks follow the
    ways to reach help (reader sets: an arrest story from Dagestan followed them for "помогите")."""
    return any(asks(piece) and not PLEA.match(piece.strip()) and not (i and SAID.search(pieces[i - 1]))
               for sentence in re.split(r"(?<=[.?!])\s+", text.strip())
               for pieces in [asked_pieces(sentence)] for i, piece in enumerate(pieces))


# "...а дядя сказал, что если я не перестану..., он сам со мной разберётся": what someone said, not a question (set mm,
# mm52 read it as asking something besides help, and its answer opened with what relatives were urged to do in 2017)
SAID = re.compile(r"\b(сказал\w*|говорит|говорят|говорил\w*|пишет|писал\w*|угрожает|угрожал\w*|обещал\w*|"
                  r"said|says|told me|wrote|threatened)\s*$", re.I)


DASH_SPLIT = re.compile(r"\s+[-–—:]\s+")  # "germany asylum for gay ppl - do they still tell people to hide?"


def asked_pieces(text: str) -> list[str]:
    """The question's pieces: one, or one per thing it asks ("what are they, and are they binding?")."""
    return [p for piece in DASH_SPLIT.split(text) for p in PART_SPLIT.split(piece) if p and p.strip()] or [text]


# Words that stress a question and ask nothing ("when exactly did russia scrap it" is not answered by "Exact numbers
# are not fully known"; set kk, kk56)
HEDGES = "exactly precisely even"


def parts_of(pieces: list[str], index=None) -> tuple[tuple, tuple]:
    """A question that asks two things or more (its `asked_pieces`): (each part's text, each part's terms that no
    other part has: its own words), so that the answer can hold a sentence for each part; ((), ()) for a question
    that asks one thing. A piece with no term of its own (or only a small number: "is there 2 interviews") is not
    a part."""
    pieces = [p for p in pieces if content_words(p)] if index is not None else []
    if len(pieces) < 2:
        return (), ()
    from chat.index import bm25_tokens

    hedges = frozenset(bm25_tokens(HEDGES))
    terms = [frozenset(t for t in index.query_terms(p) if not (t.isdigit() and len(t) < 4) and t not in hedges)
             for p in pieces]
    own = [(p, t - frozenset().union(*(o for j, o in enumerate(terms) if j != i))) for i, (p, t) in enumerate(zip(pieces, terms))]
    own = [(p, t) for p, t in own if t]
    return (tuple(p for p, _ in own), tuple(t for _, t in own)) if len(own) >= 2 else ((), ())


FIRST_PERSON = re.compile(r"\b(i|i'?m|i'?ve|my|me|we|our|я|мне|меня|мы|нас|мой|моя|мои|моё|ya|mne|menya)\b", re.I)


# "i heard / read / saw that ...", "я слышал, что ...": what follows is what was heard, not the asker's own story
# (set ff, ff03: "i heard there was a 2nd purge in chechnya in 2019?? how many" lost its year and got 2017's numbers)
HEARSAY = re.compile(r"\b(i|we)\s+(have\s+|'ve\s+)?(heard|read|saw|seen|was\s+told|were\s+told)\b|"
                     r"\b(я|мы)\s+(слышал\w*|читал\w*|видел\w*)\b|\bмне\s+(сказали|говорили)\b", re.I)


def _years_asked(text: str) -> set[str]:
    """The years the question asks about; a year in a sentence about oneself ("i was attacked in
    2023", "я поменяла паспорт в 2021") is when it happened to the asker, not what is asked, unless
    the sentence only tells what one heard or read ("i heard there was a purge in 2019"); nor is a year in a sentence
    that asks whether it happened again (compose.AGAIN_RE: there the year is a bound, faq._periods)."""
    parts = re.split(r"(?<=[.?!])\s+", text.strip())
    return set().union(*(years_about(p) for p in parts if not AGAIN_RE.search(p) and
                         (len(parts) == 1 or not FIRST_PERSON.search(HEARSAY.sub(" ", p)))))


def question_language(text: str) -> str:
    """'ru' for Cyrillic or transliterated Russian, else 'en'."""
    return "ru" if is_translit(text) else language_of(text)


def _misuse(text: str) -> str | None:
    """Why the question is not answered from the articles at all, as a message key, or None."""
    if asks_private_data(text):
        return "private"
    if is_injection(text):
        return "injection"
    return "service" if asks_for_a_service(text) else None


# a Russian name's case ending: the stemmer cuts "Баева" to "баев" but "Баев" to "ба", so both forms are kept
RU_NAME_ENDING = re.compile(r"(?<=[а-яё]{3})(ого|ому|ыми|ым|ой|ом|ую|ая|ы|а|у|е)$", re.I)


def _rare(text: str, names: frozenset, index) -> frozenset:
    """The terms of the capitalised words (and cases) that are neither places, nor acronyms (IND, BAMF, IRB: the
    body that decides, context like a place, not what is asked about), nor common in the passages; a Russian name
    in both its form as typed and without its case ending."""
    if index is None or not index.chunks:
        return EMPTY
    capitalised = {t for w in names if w.lower() not in DEMONYMS and not w.isupper()
                   for form in {w, RU_NAME_ENDING.sub("", w)} for t in index.query_terms(form)}
    places = {t for p in named_places(text) for t in index.query_terms(p.replace("-", " "))}
    return frozenset(t for t in capitalised - places if index.term_share(t) < RARE)  # places have their own rule


def _terms(text: str, danger: str | None, index) -> frozenset:
    """The question's terms; in danger also those of the help query, so that sentences
    naming who can help rank with those that echo the question."""
    if index is None:
        return EMPTY
    terms = index.query_terms(text)
    if danger:
        terms |= index.query_terms(message("help_query", language_of(text)))
    return frozenset(terms)


def _previous(history: list[dict] | None) -> list[str]:
    return [m.get("content", "") for m in history or [] if m.get("role") == "user" and m.get("content")]


# The follow-up rule.
FOLLOW_UP_START = re.compile(
    r"^\s*(and|or|but|also|what about|how about|and what|and in|in|for|same|then|what if|а|и|ну а|а как|а что)\b", re.I)
PRONOUNS = {"it", "they", "them", "that", "this", "there", "he", "she", "those", "these", "his", "her", "their",
            "он", "она", "они", "это", "там", "его", "их"}
QUESTION_WORDS = {"what", "how", "who", "when", "why", "where", "which", "is", "are", "can", "does", "do",
                  "что", "как", "кто", "когда", "почему", "где", "какой", "можно"}


def is_follow_up(question: str) -> bool:
    """Leans on the previous turn: starts like a continuation, is a bare fragment
    ("germany?"), refers back with a pronoun in a short question, or is a short question
    that names no subject of its own ("what is the fine?", "how many were killed?")."""
    words_ = content_words(question)
    lowered = set(re.findall(r"\w+", question.lower()))
    fragment = len(words_) <= 2 and not lowered & QUESTION_WORDS
    subjectless = len(words_) <= 3 and not _subjects(question) and bool(re.search(r"\bthe\b|\bhow (many|much|long)\b|"
                                                                                    r"\bсколько\b|\bкакой\b", question, re.I))
    return bool(FOLLOW_UP_START.match(question)) or fragment or subjectless or \
        (bool(lowered & PRONOUNS) and len(words_) <= 6)


# Words that carry no question ("wait so is it actually illegal rn or nah"): left out of the question as meant
FILLER_RE = re.compile(r"^\W*((wait|ok|okay|so|hey|hi|hello|um+|uh+|guys|like)\b[\s,.!]*)+|"
                       r"\b(rn|lol|lmao|tbh|idk|ngl|fr|actually|literally|basically|or\s+nah|or\s+not)\b[\s,]*", re.I)


# Chat spellings, read as the words they stand for ("wat happened to gay ppl in chechnya"): the embedding
# model was trained on written English
CHAT_WORDS = {"wat": "what", "wut": "what", "ppl": "people", "u": "you", "ur": "your", "r": "are", "im": "I'm",
              "abt": "about", "pls": "please", "plz": "please", "bc": "because", "cuz": "because", "coz": "because",
              "govt": "government", "smth": "something", "b4": "before", "rly": "really", "dont": "don't",
              "cant": "can't", "wont": "won't", "whats": "what's", "hows": "how's", "thats": "that's"}
CHAT_RE = re.compile(r"\b(" + "|".join(map(re.escape, CHAT_WORDS)) + r")\b", re.I)


def plain(question: str) -> str:
    """The question without filler words and with chat spellings written out; the question itself when
    nothing else is left."""
    text = CHAT_RE.sub(lambda m: CHAT_WORDS[m.group(1).lower()], FILLER_RE.sub("", question))
    return re.sub(r"\s+([?.!,])", r"\1", re.sub(r"\s{2,}", " ", text)).strip(" ,") or question


def search_query(question: str, history: list[dict] | None) -> str:
    """The question as meant, without filler words. A follow-up that names a new country, year
    or name ("and in Canada?") is the previous question with that thing in place of the old
    one; any other follow-up ("how long does it take?") is asked about the previous question's topic."""
    question = plain(question)
    previous = _previous(history)
    if not previous or not is_follow_up(question):
        return question
    swapped = swap_subject(previous[-1], question)
    if swapped is None:
        return f"{previous[-1]} {question}"
    return swapped if len(content_words(question)) <= 3 else f"{swapped} {question}"


def _subjects(text: str) -> list[tuple[str, str]]:
    """(kind, surface text) of the countries, years and capitalised names `text` names."""
    found = [("place", m.group(0)) for p in COUNTRIES.values() for m in re.finditer(f"(?:{p})\\w*", text, re.I)]
    found += [("place", m.group(0)) for m in re.finditer(r"[^\W\d_]+", text)
              if m.group(0).lower() in FORMS and not any(m.group(0) in f for _, f in found)]
    found += [("year", m.group(0)) for m in re.finditer(r"\b(1[89]\d\d|20\d\d)\b", text)]
    found += [("name", m.group(0)) for m in re.finditer(r"(?<!^)(?<![.?!] )\b[A-ZА-ЯЁ][a-zа-яё]{2,}(?:\s+v\.?\s+\w+)?",
                                                         text.strip()) if not any(m.group(0) in f for _, f in found)]
    return found


def swap_subject(previous: str, follow_up: str) -> str | None:
    """`previous` with the subject that `follow_up` names put in place of the one of the
    same kind it named, or None when the follow-up names nothing new to swap."""
    new = [(k, t) for k, t in _subjects(follow_up) if t.lower() not in previous.lower()]
    old = _subjects(previous)
    out = previous
    for kind, text in new:
        same = [t for k, t in old if k == kind]
        if not same:
            return None
        out = out.replace(same[0], text, 1)
    return out if new else None

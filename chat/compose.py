"""The extractive answer composer: no language model, only quoted sentences.

The rule, in one sentence: every sentence of the top passages is scored by its cosine (as a share of the room above the model's unrelated level)
similarity to the question (each sentence is embedded under its article title and section
heading) plus the IDF-weighted share of the question's terms in it, and the answer is the best-scoring sentences that fit a short
budget, best first; further sentences that add something go to `more`. Passage rank only
breaks ties. Three filters keep quotes honest (`eligible`):
- a sentence that leans on the one before ("These rulings...", "The court also...", "He...")
  is shown with that sentence, or not at all;
- a sentence about another year, country or named case than the question names is not
  shown (its year comes from its section heading when the sentence has none);
- a who / when / how-many question opens with a sentence that holds a name, date or number.
A curated "Questions people ask" answer that matches the question (chat/faq.py) leads
instead, and the quoted sentences follow in `more`. A question in danger opens with ways
to reach help that the crisis notice curates. The numbers are `kb.settings.AnswerSettings`.

History: until 2026-12-05 the composer was a ten-weight sum swept for key-fact recall on the
gold sets, with up to 8 sentences in passage order (en key-fact 0.903). Recall rose with
length, and a reader found half the answers did not open with the answer (issue 20).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from chat.places import beyond_russia, elsewhere, named_places, with_eu
from chat.retrieve import CRISIS_ID, NOT_SEARCHED
from kb.settings import ANSWER, AnswerSettings
from kb.store import sentence_id
from kb.text import words

MONTHS = r"(january|february|march|april|may|june|july|august|september|october|november|december|январ|феврал|" \
         r"март|апрел|мая|май|июн|июл|август|сентябр|октябр|ноябр|декабр)"
DATE_RE = re.compile(rf"\b(1[89]\d\d|20\d\d)\b|\b{MONTHS}", re.I)
COUNT_RE = re.compile(rf"(?<![\d.,])(?!(1[89]\d\d|20\d\d)\b)(?!\d{{1,2}}\s+{MONTHS})\d|\b(dozens?|hundreds?|thousands?|two|three|four|five|six|seven|eight|nine|ten|twelve|"
                      r"twenty|thirty|forty|fifty|десят\w*|сот\w*|тысяч\w*)\b", re.I)
NAME_RE = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-ZА-ЯЁ][a-zа-яё]+")
ANSWER_TYPES = {
    "date": (re.compile(r"^\W*(and\s+)?(when|what year|what date|since when|how long ago|в каком году|когда|с какого)", re.I),
             DATE_RE),
    # how many years asks how long, as "how long" does, not for a count ("skolko let davali v sssr za
    # gomoseksualizm": set gg, gg51, got the number of men convicted)
    "count": (re.compile(r"\b(how many|how much|number of|сколько)\b(?!\s+(years?|лет|год\w*)\b)", re.I), COUNT_RE),
    # "what did X decide" asks for a ruling; "how does X decide" asks about a process ("how does canadas refugee board
    # decide if someone is really gay": set ii, ii05 never got Canada's Guideline 9)
    "ruling": (re.compile(r"\b(court|echr|ecthr|cjeu|tribunal|committee|judges?)\s+(\w+\s+){0,2}(say|said|find|found|hold|held|"
                          r"rule)\b|"
                          r"\bwhat\s+did\s+(\S+\s+){0,5}decide\b|\b(decides|decided|ruled|ruling|judg(e)?ment|verdict|win|won(?!'t)|lose|lost|outcome|выиграл\w*|проиграл\w*|решил\w*|постановил\w*|решени\w*)\b", re.I),
               re.compile(r"\b((found|held)(?!\s+(and|in|at|by|for|captive|incommunicado|hostage|without|until|there|illegally|"
                          r"secretly|on)\b)|ruled|decided\s+(that|to)|violat\w*|breach\w*|award\w*|rejected|upheld|"
                          r"установил\w*|признал\w*|"
                          r"постановил\w*|присудил\w*|наруш\w+)\b", re.I)),
    "who": (re.compile(r"^\W*(and\s+)?(who|whom|whose|which (organi[sz]ations?|groups?|country|countries|court|"
                       r"people)|кто|какие организации)", re.I), NAME_RE),
    "procedure": (re.compile(r"\bhow\s+(do|can|could|should|to|would)\s+(i|we|you|one|people|a person|someone)?\s*"
                             r"(get|apply|claim|ask|seek|request|file|lodge|submit)\b|\bhow\s+to\s+(get|apply|claim)\b|"
                             r"\bкак\s+(мне\s+)?(получить|подать|попросить|запросить|обратиться)", re.I),
                  re.compile(r"\b(appl(y|ies|ied|ication\w*)|claim(s|ed|ing)?\s+(asylum|protection)|register\w*|lodg\w+|"
                             r"submit\w*|decided by|decides|прошени\w*|заявлени\w*|ходатайств\w*|подать|пода[её]т|подают|"
                             r"обратиться|обращаться|принимает|решает)", re.I)),
}
# What a later part of a question asks for, besides the kinds above: "whats the penalty", "какой штраф", answered
# by a fine, a term or an arrest ("the law ... is also fined" does not)
PART_TYPES = {**ANSWER_TYPES, "penalty": (
    re.compile(r"\b(penalt(y|ies)|punishments?|(the|a|any|what)\s+fines?|fines?\s+(for|if)|штраф\w*|наказани\w*)\b", re.I),
    re.compile(r"\b(fined\s+up\s+to|fines?\s+of|\d[\d,. ]*\s*(roubles|rubles)|\d+\s+(days|years)|years?\s+in\s+prison|"
               r"штраф\w*\s+(до|от)|\d[\d ]*\s*рубл\w*|\d+\s+(сут\w*|лет|год\w*))\b", re.I))}


# A way to reach help: a web address given as a website or page ("according to ravny.org" is a
# source, not a contact), or the emergency number. Which ones count is curated in the crisis
# notice article: a sentence "reaches help" when it names a contact the notice gives.
CONTACT_RE = re.compile(r"(?:website|\bsite|page|сайт\w*|страниц\w*)\W[^.]{0,60}?\b([\w-]+\.(?:org|io|net|com|ru|de|nl|uk|eu))\b|"
                        r"\b(112)\b", re.I)
HELP_ARTICLES = "help-"  # the articles on getting help (organisations, crisis lines)
HELP_PASSAGES = 4  # for a question in danger, this many extra passages of `help` articles that say how to reach help
# shown on their own / not about getting help / lines for thoughts of suicide, which only that kind of
# danger opens with (`_reach_passages`): "113 Zelfmoordpreventie" is no help against a family's threat /
# written for the friends of someone at risk, not for the person in danger
NOT_HELP = (CRISIS_ID, "about-refuge", "help-mental-health-support", "help-crisis-lines", "help-supporting-someone")
ON_TOPIC = 0.5  # see `on_topic`
YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
# A year a text is about, not one that starts or ends a period ("after 2017", "up to 16 September 2022")
# "was it a one time thing in 2017 or did it happen again later": the year is where the asked period starts (set hh, hh10);
# not so after a bare "again" ("в начале 2019 года снова начали хватать": 2019 is asked)
AGAIN_RE = re.compile(r"\b(later|since then|after that|ever since|afterwards|one[- ]time|one[- ]off|после этого|с тех пор|"
                      r"потом|позже|один раз)\b", re.I)
PERIOD_YEAR_RE = re.compile(r"(?:\b(after|before|since|until|till|up to|from|post|pre|после|до|с|начиная с|по)\s+"
                            r"(?:\d{1,2}\s+[^\W\d]+\s+)?)?\b(1[89]\d\d|20\d\d)\b", re.I)


def years_about(text: str) -> set[str]:
    """The years `text` is about: not those that bound a period."""
    return {m.group(2) for m in PERIOD_YEAR_RE.finditer(text) if not m.group(1)}
STARTED_RE = re.compile(r"\b(start\w*|begin|began|begun|first|originally|впервые|начал\w*|появил\w*)\b", re.I)
# A sentence that opens by saying yes or no ("Yes: ...", "Not always, ...", "In the EU, yes: ..."): a curated
# answer to its own question
YES_NO_ANSWER = re.compile(r"^([^.:;]{0,60},\s*)?\W*(yes|no|possibly|sometimes|not necessarily|not always|usually|often|"
                           r"rarely|it depends|maybe|да|нет|возможно|иногда|не всегда|обычно|скорее)\b\s*[:,.;—–-]", re.I)
YES_NO_QUESTION = re.compile(r"^\W*((and|but|so|also|а|и|но)\s+)?(is|are|am|was|were|can|could|do|does|did|will|would|"
                             r"should|shall|may|might|must|has|have|had|isn'?t|aren'?t|can'?t|don'?t|doesn'?t|won'?t|"
                             r"можно|могу|могут|может|есть ли|правда ли|должен|должны)\b|\bли\b|\b(или нет|or not)\W*$", re.I)
DEPENDENT_RE = re.compile(
    r"^\W*(these|this|that|those|such|it|its|he|she|they|them|their|his|her|both|however|but|also|in addition|moreover|"
    r"furthermore|as a result|the latter|the former|then|the same|"
    r"the (court|courts|judges?|committee|group|network|law|ruling|report|tribunal|experts?|authorities|"
    r"organisation|organization|government|minister|man|men|woman)\s+(also|further|then|later|again|therefore)|"
    r"эт[иоа]т?|так(ие|ой|ая|им)|он|она|они|оно|его|её|ее|их|кроме того|однако|но|также|при этом|тем не менее|"
    r"(суд|ЕСПЧ|комитет|группа|сеть|закон)\s+(также|затем|далее)|"
    # "In that interview...", "Muižnieks also said...", "The order was...", "According to the same lawyers..."
    r"(in|at|from|for|by|under|after|before|during|according to|like)\s+(that|this|these|those|the same|such|its|their|"
    r"his|her)|"
    r"[\w-]+\s+(also|further|too)|[\w-]+\s+(added|continued|replied)(\s+in\s+\d{4})?(?=\s*(that\b|:|,))|"
    r"[\w-]+\s+(добавил|продолжил|ответил)\w*(?=,)|(the|this|that)\s+(order|post|interview|statement|memo|memorandum|letter)|"
    r"the\s+(examples|exceptions|reasons|figures|numbers|changes|rules|cases)\s+(include|are|were)|"
    r"([\w'-]+\s+){0,5}(likewise|similarly|as well|in turn|therefore|thus|hence|consequently|accordingly)\b|"
    r"([\w-]+\s+){0,5}(поэтому|следовательно|таким образом|соответственно)\b|"
    # a body named only by its common noun ("The Court found...") leans on the sentence that names it
    r"the\s+(court|committee|tribunal|commission|judges|grand chamber|chamber)(?!\s+of\b)(?=\s+[a-z])|"
    r"суд(?!\s+(ЕС|европейского|по))(?=\s+[а-яё])|комитет(?=\s+[а-яё])|"
    r"(\w+\s+){0,4}the same (lawyers?|report|source|study|group|court|interview|guidance|article|organi[sz]ation))\b",
    re.I)
# ...or refers back within its first dozen words: "In many detention centres this segregation is...", "...allowed
# only after such a commission's report" (later in a sentence, "this" mostly points inside it; Russian "этой даты" too)
REFERS_BACK = re.compile(r"^(\S+\s+){1,11}((this|these|those|such)\s+(an?\s+)?(?!as\b|house\b|article\b|page\b)|"
                         r"(of|at|in|from|after|during|before|for|on)\s+that\s+(?!is\b|was\b|are\b|were\b))[a-z]+|"
                         # Russian "such" ("почти 100 таких отказов": set gg, gg48), not "что такое" nor "такие как"
                         r"^(\S+\s+){1,11}(?<!что )(?<!кто )так(ой|ая|ое|ие|их|им|ими|ого|ому|ую)\s+(?!как\b|же\b|образом\b)[а-яё]+",
                         re.I)


def from_mid(rest: str) -> str:
    """The part of a sentence quoted on its own, its first letter capitalised as quotations do ("since 1 October
    2022, ..." -> "Since 1 October 2022, ..."); readers took the "… since..." shown before for broken text."""
    return rest[:1].upper() + rest[1:]


def leans_on_previous(text: str) -> bool:
    """Whether a sentence leans on the one before: it opens with a reference back, or has one early on."""
    return bool(DEPENDENT_RE.match(text) or REFERS_BACK.search(text))


def trim_yes_no(text: str) -> str | None:
    """A curated answer's sentence without its "Yes:" / "In the EU, no:" head (`from_mid`), so that its fact can
    answer another question without its yes or no (which was written for its own question); None when the rest is
    a qualifier ("..., though not...")."""
    head = YES_NO_ANSWER.match(text)
    if not head:
        return text
    colon = text.find(":", 0, head.end() + 80)
    rest = text[colon + 1 if colon >= 0 else head.end():].strip()
    if not rest or re.match(r"^(though|but|only|not|хотя|но|только|не)\b|^(\S+\s+){0,4}(its|their|his|her|it|they|them|"
                            r"его|её|ее|их)\b", rest, re.I):  # a qualifier, or "its Grand Chamber" (whose?)
        return None
    return from_mid(rest)


# A curated answer's head before its colon ("Lapunov won: the Court ruled...", "Not only gay people: in 2017...")
ANSWER_HEAD = re.compile(r"^([^:.;]{1,90}):\s+(?![a-zа-яё]+,)(?=\S)")


# A head that answers a yes/no question without "yes" or "no" ("They should not: ...", "It can: ...")
VERDICT_HEAD = re.compile(r"^((they|it|you|he|she|this|that)\s+(should|cannot|can|could|may|might|must|will|would|do|does|did|is|"
                          r"are|was|were)(n'?t|\s+not)?|((они|это|вы)\s+)?(не\s+)?(должны|должен|может|могут|будут))\s*:\s+(?=\S)",
                          re.I)


def trim_verdict(text: str) -> str:
    """A curated answer's first sentence without a head that answers its own yes/no question ("They should not:
    UK guidance says the interview should explore..." for "what kind of stuff do they ask": set x, x60)."""
    head = VERDICT_HEAD.match(text)
    return from_mid(text[head.end():]) if head else text


def trim_head(text: str, terms: set[str], index) -> str:
    """A curated answer's first sentence quoted for another question: its head (written for its own
    question) is kept when it has a word of the question, else its fact is shown from there (`from_mid`; reader set
    h, k35: "Behind closed doors, ...: on 30 November 2023..." for a question on the date)."""
    head = ANSWER_HEAD.match(text)
    if not head or YES_NO_ANSWER.match(text) or (terms and index.sentence_overlap(terms, head.group(1)) > 0):
        return text
    return from_mid(text[head.end():])


@dataclass
class Candidate:
    chunk_id: str
    position: int
    text: str
    vec: np.ndarray
    passage_rank: int
    score: float = 0.0
    features: dict = field(default_factory=dict)
    lead_in: "Candidate | None" = None  # the sentence before, shown first when this one leans on it
    eligible: bool = True  # may be shown (see `eligible`)
    reach: bool = False  # says how to reach help (a question in danger)

    @property
    def shown(self) -> list["Candidate"]:
        return [self.lead_in, self] if self.lead_in is not None else [self]

    @property
    def n_words(self) -> int:
        return sum(len(words(c.text)) for c in self.shown)


# "...said i could just be discreet back home is that even legal??": a yes/no question that ends a message
LAST_CLAUSE = re.compile(r"([^.,;:!?–—]*)\?+\s*$")
INVERTED = re.compile(r"\b(is|are|was|can|could|do|does|did|will|would)\s+(that|this|it|they)\b", re.I)
# "If I get asylum in America can my husband come too?", "been waiting 14 months, am i allowed to work": a yes/no
# question after an if-clause or a comma
LATE_YES_NO = re.compile(r"(^|,\s*|^\W*(if|when|once|now that|after)\s+\S+(\s+[^\s,?]+)*?\s+)"
                         r"((is|are|am|was|were|can|could|will|would|should|may|must)\s+(i|you|we|he|she|it|they|this|that|"
                         r"my|our|his|her|their|your|someone|anyone|people)|(do|does|did|have|has)\s+(i|you|we|he|she|it|they))\b",
                         re.I)
WH_WORD = re.compile(r"\b(what|how|why|where|when|who|which|whom|whose|что|как|почему|где|когда|кто)\b", re.I)


def _ends_yes_no(question: str) -> bool:
    clause = LAST_CLAUSE.search(question)
    inverted = INVERTED.search(clause.group(1)) if clause else None
    return bool(inverted) and not WH_WORD.search(clause.group(1)[:inverted.start()])


def asks_yes_or_no(question: str) -> bool:
    """Whether any sentence of the message is a yes/no question ("...won't post about us. Is that real?"),
    or it ends with one ("...be discreet back home is that even legal??")."""
    return any(YES_NO_QUESTION.search(part) or LATE_YES_NO.search(part)
               for part in re.split(r"(?<=[.?!])\s+", question.strip())) or _ends_yes_no(question)


# What a ruling means for someone is its consequence, not what the court decided ("what does the 'LGBT movement is
# extremist' ruling mean for normal people? can I go to jail": reader sets h, i, j, p, r took the pair on how the
# ruling was made)
WHAT_IT_MEANS = re.compile(r"\b(ruling|judg(e)?ment|decision|verdict|решени\w*)\b.{0,60}\b(mean|means|значит|означает)\b|"
                           r"\b(mean|means|значит|означает)\b.{0,15}\b(ruling|judg(e)?ment|decision|verdict|решени\w*)\b", re.I)


# "prosecuted under the 'extremism' ruling", "после решения верховного суда": a ruling named as a point in time or a law
# one is punished under, not asked about (set hh, hh34 and gg26 got the pair on how the ruling was made)
NAMED_RULING = re.compile(r"\b(under|after|since|before|following|because of|после|из-за|по|согласно)\s+(\S+\s+){0,3}?"
                          r"(ruling|judg(e)?ment|decision|verdict|решени\w*)\b", re.I)


def answer_type(question: str) -> str | None:
    for name, (asks, _) in ANSWER_TYPES.items():
        text = NAMED_RULING.sub(" ", question) if name == "ruling" else question
        if asks.search(text) and not (name == "ruling" and WHAT_IT_MEANS.search(question)):
            return name
    return None


def scaled(cosine: float, settings: AnswerSettings) -> float:
    """A cosine as its share of the room above the model's unrelated level (settings.cosine_zero): the same
    number under MiniLM (level 0) and multilingual-e5, whose cosines sit in a narrow band above 0.75."""
    return (cosine - settings.cosine_zero) / (1.0 - settings.cosine_zero)


def _sentences(store, ids: list[str], index=None) -> list[tuple[str, dict, np.ndarray]]:
    """(text, metadata, vector) of every sentence of the given passages, in reading order:
    by id when the chunks record their sentence count (a key lookup), else by a filter on
    chunk_id (a scan: 48 ms at 100,000 chunks)."""
    include = ["documents", "metadatas", "embeddings"]
    counts = [index.by_id[cid].meta.get("sentences") if index is not None and cid in index.by_id else None for cid in ids]
    if all(isinstance(n, int) for n in counts):
        got = store.sentences.get(ids=[sentence_id(cid, j) for cid, n in zip(ids, counts) for j in range(n)], include=include)
    else:
        got = store.sentences.get(where={"chunk_id": {"$in": ids}}, include=include)
    rows = [(d, m, np.asarray(v, dtype=np.float32)) for d, m, v in zip(got["documents"], got["metadatas"], got["embeddings"])
            if m.get("kind") != "ask"]  # a FAQ pair's questions sit next to its answer's sentences
    order = {cid: i for i, cid in enumerate(ids)}
    return sorted(rows, key=lambda row: (order[row[1]["chunk_id"]], int(row[1]["position"])))


def lead_of(store, chunk_id: str, index, question=None) -> list["Candidate"]:
    """A curated pair's answer sentences, to open the answer (`select`'s `lead`); with the `question`, how much of
    each of its parts' own words each holds (as in `candidates`)."""
    lead = [Candidate(meta["chunk_id"], int(meta["position"]), doc, vec, -1) for doc, meta, vec in _sentences(store, [chunk_id], index)]
    for cand in lead if question is not None and question.parts else ():
        cand.features["parts"] = tuple(index.sentence_overlap(set(own), cand.text) for own in question.parts)
    return lead


def on_topic(ids: list[str], terms: set[str], index) -> list[str]:
    """The passages that share a question term, when the first passage shares none and
    another holds at least ON_TOPIC of the terms ("ergänzungsausweis" must not be
    answered from a passage the English-only model happened to rank first); else all."""
    if not terms or index is None:
        return ids
    share = {cid: index.sentence_overlap(terms, index.by_id[cid].text) if cid in index.by_id else 0.0 for cid in ids}
    if share[ids[0]] > 0 or max(share.values(), default=0.0) < ON_TOPIC:
        return ids
    return [cid for cid in ids if share[cid] > 0]


def crisis_contacts(index) -> frozenset[str]:
    """The web addresses and numbers the crisis notice gives (in any language)."""
    notice = [c.text for c in index.chunks if c.meta.get("article_id") in NOT_SEARCHED]
    return frozenset((m.group(1) or m.group(2)).lower() for text in notice for m in CONTACT_RE.finditer(text))


def reaches_help(text: str, contacts: frozenset[str]) -> bool:
    return any((m.group(1) or m.group(2)).lower() in contacts for m in CONTACT_RE.finditer(text))


def help_passages(index, lang: str, terms: set[str]) -> tuple[list[str], frozenset[str]]:
    """Passages of `help` articles in `lang` that name a contact from the crisis notice (most
    question terms first), and those contacts: a question in danger gets a way to reach
    someone even when retrieval found only background (who the groups are, their status).
    Found once per index version and language, with each passage's tokens (at 100,000
    chunks a rescan per danger question cost ~0.7 s)."""
    per_lang = index.per_version.setdefault("help", {})  # lang -> (contacts, [(passage id, its tokens)])
    if lang not in per_lang:
        from chat.index import bm25_tokens

        contacts = crisis_contacts(index)
        per_lang[lang] = (contacts, [(c.id, frozenset(bm25_tokens(c.text))) for c in index.chunks
                                     if c.meta.get("topic") == "help"
                                     and not str(c.meta.get("article_id", "")).startswith(NOT_HELP)
                                     and index.languages.get(c.id) == lang and reaches_help(c.text, contacts)])
    contacts, found = per_lang[lang]
    ranked = sorted(found, key=lambda item: -index.token_overlap(terms, item[1]))
    return [cid for cid, _ in ranked[:HELP_PASSAGES]], contacts


LINE_RE = re.compile(r"\b\d[\d\- ]{1,12}\d\b|\b[\w-]+\.(?:org|nl|de|ca|io|ru|uk)\b")  # a number or site to reach


def _notice_order(index, lang: str, question) -> dict[str, int]:
    """Way in (a site or number) -> its place among those the crisis notice gives, as this question would see it
    (chat/crisis.py: the short first step for its kind of danger, the lines of where the writer is first)."""
    from chat.crisis import notice

    key = (lang, question.danger, question.location)  # the notice reads the whole index: once per version and key
    orders = index.per_version.setdefault("notice_order", {})
    if key not in orders:
        shown = notice(index, lang, question.danger, question.location)
        order: dict[str, int] = {}
        for m in LINE_RE.finditer(shown["text"] if shown else ""):
            order.setdefault(m.group(0).lower(), len(order))
        orders[key] = order
    return orders[key]


def _reach_passages(index, lang: str, terms: set[str], question, settings: AnswerSettings):
    """(passages whose sentences say how to reach help, the contacts that count): for thoughts of
    suicide or self-harm, the crisis-line articles' passages, where a number or site counts (an
    empty contact set); for any other danger, `help_passages`."""
    if question.danger == "self_harm":
        lines = [c.id for c in index.chunks if str(c.meta.get("article_id", "")).removesuffix(f"-{lang}") in settings.self_harm_help
                 and index.languages.get(c.id) == lang and c.meta.get("kind") != "faq"]
        if lines:
            ranked = sorted(lines, key=lambda cid: -index.token_overlap(terms, index.tokens.get(cid, set())))
            return ranked, frozenset()  # every crisis line: the notice's order picks (set z, z14)
    return help_passages(index, lang, terms)


def candidates(store, hits, query_vec, question=None, index=None, searched=None,
               settings: AnswerSettings = ANSWER) -> list[Candidate]:
    """Sentences of the top passages, each scored by the rule in the module docstring.
    `question`: a chat.question.Question (its facts are read, not worked out here).
    `searched`: the Question of the query the passages were found with, if not the question."""
    ways_in = question is not None and (question.in_danger or question.way_out)  # the ways in lead
    terms = set(question.terms) if question is not None else set()
    searched_terms = set(searched.terms) if searched is not None and searched.text != question.text else terms
    ids = on_topic([h.chunk_id for h in hits[:settings.passages]], searched_terms, index)
    if not ids:
        return []
    reach_ids, contacts = ([], frozenset()) if not ways_in or index is None else \
        _reach_passages(index, index.languages.get(ids[0], "en"), terms, question, settings)
    ids += [cid for cid in reach_ids if cid not in ids]
    in_notice = _notice_order(index, index.languages.get(ids[0], "en"), question) \
        if reach_ids and (question.danger != "self_harm" or not question.location) else {}  # thoughts of suicide from
    # a place named: the line that fits what was asked first ("I'm in Germany... is there a chat?"); from none: the
    # notice's order (in English, the lines abroad first: set z, z14 read Russia's 112 and Canada's 9-8-8)
    q = np.asarray(query_vec, dtype=np.float32)
    rank = {cid: i for i, cid in enumerate(ids)}
    subject = Subject.of(question)
    out, previous = [], {}
    for doc, meta, vec in _sentences(store, ids, index):
        cid, position = meta["chunk_id"], int(meta["position"])
        chunk = index.by_id.get(cid) if index is not None else None
        section = str(chunk.meta.get("section", "")) if chunk else ""
        cosine = scaled(float(vec @ q), settings)
        overlap = index.sentence_overlap(terms, doc) if terms and index is not None else 0.0
        cand = Candidate(cid, position, doc, vec, rank[cid], cosine + overlap, {"cosine": cosine, "overlap": overlap})
        if question is not None and question.parts and index is not None:  # how much of each part's own words it has
            cand.features["parts"] = tuple(index.sentence_overlap(set(own), doc) for own in question.parts)
        cand.reach = cid in reach_ids and (  # an organisation's dated report ("in 2023, 10,000 requests") is no way in
            reaches_help(doc, contacts) and not YEAR_RE.search(doc) if contacts else
            position == 0 and bool(LINE_RE.search(doc)))  # crisis lines: each passage leads with its action
        if cand.reach:  # where the crisis notice first gives one of its ways in
            cand.features["notice"] = min((in_notice.get(m.group(0).lower(), len(in_notice)) for m in LINE_RE.finditer(doc)),
                                          default=len(in_notice))
        trimmed = trim_yes_no(doc)
        if trimmed == doc and position == 0 and chunk is not None and chunk.meta.get("kind") == "faq":
            trimmed = trim_head(doc, terms, index)
        cand.text = trimmed or doc
        cand.eligible = trimmed is not None and _shows_alone(cand.text, settings) and \
            (cand.reach or subject.allows(cand.text, section, chunk, index))  # a way in is for anyone; where: `select`
        before = previous.get(cid)
        previous[cid] = cand
        if leans_on_previous(cand.text):  # shown with the sentence it leans on, or not at all
            cand.lead_in = before if before is not None and not before.lead_in and before.eligible else None
            cand.eligible = cand.eligible and cand.lead_in is not None
            if cand.lead_in is not None:  # shown as a pair, scored as one: the mean of the two
                cand.score = (cand.score + cand.lead_in.score) / 2
        out.append(cand)
    if out and not any(c.eligible for c in out) and (subject.rare or subject.places):
        return _relaxed(out, settings)
    return out


def _relaxed(cands: list[Candidate], settings: AnswerSettings) -> list[Candidate]:
    """When the question names so much that no passage keeps to all of it (a long message),
    the sentences may be shown on their own merits: better an answer than a refusal."""
    for cand in cands:
        cand.eligible = _shows_alone(cand.text, settings) and (not leans_on_previous(cand.text) or cand.lead_in is not None)
    return cands


# "The judgments below...", "...which is explained in a separate article", "The Refuge article ... sets out": a
# sentence that points to other text says its fact where it points (a reader saw "...described in a separate
# article" quoted as an answer: reader sets h k45, k35)
POINTS_ELSEWHERE = re.compile(r"\b(below|as follows|the following|listed here|ниже|следующ\w+)\b|"
                              r"\b(separate|refuge)\s+article|отдельн\w+\s+стат\w+|стать\w+\s+refuge", re.I)


def _shows_alone(text: str, settings: AnswerSettings) -> bool:
    """Long enough to say something, not a lead-in to a list ("...the following:"), and not a
    yes or no: only a curated answer matched to its own question says that (a "Yes:" written
    for "is hormone therapy banned?" misleads someone who asked "can I still get hormones?")."""
    return len(words(text)) >= settings.min_words and not text.rstrip().endswith(":") and not YES_NO_ANSWER.match(text) \
        and not POINTS_ELSEWHERE.search(text)


# The groups of people a text is about. A sentence about one group only is no answer to a question about
# another ("women cannot be safe just by moving elsewhere in Russia" is not about a gay man who moves; set j);
# a sentence that names LGBT people as a whole is about everyone.
GROUPS = {
    "men": re.compile(r"\b(men|man|guys?|boys?|males?|husbands?|boyfriends?|мужчин\w*|муж(а|у|ем)?|парн\w*|парен\w*|"
                      r"ге(й|и|ев|ям|ями|ях)|гомосексуал(ы|ов|ам|ами|ах)?)\b", re.I),
    "women": re.compile(r"\b(women|woman|girls?|females?|lesbians?|wives|wife|girlfriends?|женщин\w*|девуш\w*|"
                        r"девоч\w*|лесби\w*|жен(а|ы|е|у|ой)|квир-женщин\w*)\b", re.I),
    "trans": re.compile(r"\b(trans|transgender|transsexual\w*|трансгендер\w*|транс-?(люд|персон|женщин|мужчин)\w*)\b", re.I),
}
EVERYONE = re.compile(r"\b(lgbt\w*|queer|лгбт\w*|квир)\b", re.I)
CONTRAST = re.compile(r"\b(unlike|в отличие от)\s+(\w+\s+){0,2}\w+", re.I)  # "women, unlike some men, ...": about women
# Russia's laws against LGBT people, each named by its own words: a sentence about one is no answer about another
# (set x, x49: asked about the "extremism" ban, "violations of the 2022 ban are administrative offences", the
# propaganda law's, told a reader it was all fines)
LAWS = {
    "propaganda": re.compile(r"propaganda(?![\"'”»]?\s+of\s+paedophil)|пропаганд(?!\w*[\"'”»]?\s+педофил)", re.I),
    "paedophilia": re.compile(r"paedophil|pedophil|педофил", re.I),  # its "propaganda", which the 2022 laws also ban
    "extremism": re.compile(r"extremis|экстремис", re.I),
    "transition": re.compile(r"(gender|sex)[- ](change|transition|reassignment)|transition\w*\s+ban|смен\w*\s+пола|"
                             r"(трансгендерн\w+|гендерн\w+)\s+переход", re.I),
    "foreign agent": re.compile(r"foreign[- ]agent|иноагент|иностранн\w+\s+агент", re.I),
    "undesirable": re.compile(r"undesirable|нежелательн", re.I),
}


def laws_named(text: str) -> set[str]:
    """The Russian laws `text` names (`LAWS`)."""
    return {law for law, pattern in LAWS.items() if pattern.search(text)}


def groups_named(text: str) -> set[str]:
    """men / women / trans: the groups of people `text` names ("gay men", "lesbians", "трансгендерных людей"),
    not those it names only to contrast ("unlike some men")."""
    text = CONTRAST.sub(" ", text)
    return {group for group, pattern in GROUPS.items() if pattern.search(text)}


# Asylum support (housing and payments while a claim is decided) answers only a question about that support: its
# 3-day appeal deadline, given for "home office refused me yesterday. how long do i have to appeal" (set dd, dd57; set
# bb, bb37; set cc, cc35), is not the 14 days for appealing a refused claim (a pair's question or a sentence that names it)
SUPPORT = re.compile(r"\basylum support\b|поддержк\w*\s+(как\s+)?просител", re.I)
ASKS_SUPPORT = re.compile(r"\b(support|housing|hotel|accommodation|room|payments?|paying|paid|allowance|aspen|section\s*(4|95)|"
                          r"evict\w*)\b|(?<!cost )(?<!costs )\bmoney\b|поддержк\w*|жиль\w*|пособи\w*|выплат\w*|гостиниц\w*|"
                          r"комнат\w*|выселя\w*|(?<!стоит )\bденьг\w*|\bdeng\w*", re.I)


@dataclass
class Subject:
    """What the question names: years, countries, and rare words (a case, a person, a law).
    A sentence about another year or country, or from a passage that never names the rare
    word, is not shown: a Lapunov sentence in a Bayev answer, a 2019 sentence in a 2017 one."""
    years: set[str]
    places: set[str]
    rare: set[str]
    language: str = "en"
    groups: set[str] = field(default_factory=set)  # men / women / trans, when the question names any
    laws: set[str] = field(default_factory=set)  # the Russian laws it names (`LAWS`)
    support: bool = True  # whether it asks about asylum support (`ASKS_SUPPORT`)

    @classmethod
    def of(cls, question) -> "Subject":
        """What a chat.question.Question names (read from it)."""
        if question is None or not question.text:
            return cls(set(), set(), set())
        return cls(question.years, with_eu(question.places), question.rare, question.language, set(question.groups),
                   set(question.laws), bool(ASKS_SUPPORT.search(question.text)))

    def allows(self, text: str, section: str, chunk, index) -> bool:
        """Whether a sentence may be shown: no other year than the question's, and, in a
        passage of the question's language (names and places are compared as written), no
        other country (its section heading's or article title's when it names none: "An unmarried
        partner is included..." under "...in the EU" is no answer for the UK), and a passage that
        names one of the question's rare words."""
        years = years_about(text) if YEAR_RE.search(text) else years_about(section)
        if self.years and years and not years & self.years:
            return False
        about = groups_named(text) if self.groups and not EVERYONE.search(text) else set()
        if about and not about & self.groups:
            return False  # a sentence about women alone, for a question about a gay man
        laws = laws_named(text) or laws_named(f"{section} {chunk.meta.get('title', '')}" if chunk is not None else "")
        if self.laws and laws and not laws & self.laws:
            return False  # a sentence about the propaganda law, for a question about the "extremism" ban
        if not self.support and SUPPORT.search(text):
            return False  # asylum support's appeal, for a question about appealing a refused claim
        if chunk is None or index is None or index.languages.get(chunk.id, "en") != self.language:
            return True
        places = named_places(text) or named_places(f"{section} {chunk.meta.get('title', '')}")
        if self.places and places and not places & self.places:
            return False
        return not self.rare or bool(self.rare & index.tokens.get(chunk.id, set()))


# "...should get advice from an immigration lawyer": kind, and never the answer to anything but a request for help
ADVICE_RE = re.compile(r"\b(get|seek|ask for|take)\s+(\w+\s+){0,2}advice\b|\b(lawyers?|solicitors?|attorneys?|organi[sz]ations?|"
                       r"charit(y|ies))\s+(\w+\s+){0,4}(can|could|may|should)\s+(help|advise|explain|tell|check)\b|"
                       r"\bcheck\s+(\w+\s+){0,2}with\b|\bcontact\s+an?\s+(\w+\s+)?(lawyer|solicitor)|"
                       r"(юрист|адвокат)\w*\s+(\w+\s+){0,8}(может|могут|поможет|помогут|подскаж\w+|объясн\w+)|"
                       r"обратиться\s+к\s+(юрист|адвокат)|проконсультир\w+", re.I)
ASKS_HELP_RE = re.compile(r"\b(help|lawyers?|solicitors?|attorneys?|advice|advise|who can|where (can|do|should)|"
                          r"organi[sz]ations?|charit(y|ies)|support|contact|юрист\w*|адвокат\w*|помо\w+|консульт\w*|"
                          r"организаци\w*|куда|к кому)\b", re.I)


def _first(rest: list[Candidate], kind: str | None, places: set[str], settings: AnswerSettings,
           question=None) -> Candidate:
    """The answer's opening sentence. Of the sentences scoring within `more_floor` of the best
    (advice to see a lawyer only when help is asked for): the best one of the asked kind (a date for "when"...); of those, when the question names
    a country, the best one that names it (a UK question opens with the UK, not with "in many
    countries"); for "when did it start", the earliest-dated of those within `answer_floor`."""
    near = [c for c in rest if c.score >= rest[0].score * settings.more_floor]
    if question is not None and not ASKS_HELP_RE.search(question.cyrillic or question.text):  # the answer, then advice
        near = [c for c in near if not ADVICE_RE.search(c.text)] or near
    pool = [c for c in near if _unit_type_ok(c, kind)] or rest
    places = beyond_russia(places)  # naming Russia or Chechnya says nothing (set p, p27 got "79 people fled Chechnya")
    if places:
        local = [c for c in pool if named_places(" ".join(u.text for u in c.shown)) & places]
        if local and local[0].score >= pool[0].score * settings.more_floor:
            pool = local
    if kind == "date" and question is not None and STARTED_RE.search(question.text):  # "when did it start": the earliest of the near ones
        dated = [c for c in pool if YEAR_RE.search(c.shown[0].text) and c.score >= pool[0].score * settings.answer_floor]
        if dated:
            return min(dated, key=lambda c: (min(YEAR_RE.findall(" ".join(u.text for u in c.shown))), -c.score))
    return pool[0]


def _unit_type_ok(cand: Candidate, kind: str | None) -> bool:
    return not kind or _gives(cand, kind)


def _gives(cand: Candidate, kind: str | None) -> bool:
    """Whether what `cand` shows gives what a question of `kind` (PART_TYPES) asks for; False for no kind."""
    return bool(kind) and any(PART_TYPES[kind][1].search(c.text) for c in cand.shown)


def part_kind(text: str) -> str | None:
    """What one part of a question asks for, when a sentence's form tells whether it is given: a name ("who") or a
    penalty. (Dates and numbers are in most sentences: "30 ноября 2023" does not say when the ruling took effect, nor
    "16 по 28 марта 2017" how much Lapunov was awarded.)"""
    kind = answer_type(text)
    return kind if kind == "who" else "penalty" if PART_TYPES["penalty"][0].search(text) else None


def _repeats(cand: Candidate, chosen: list[Candidate], settings: AnswerSettings = ANSWER) -> bool:
    """Whether `cand` adds nothing to what is shown already: the same sentence, a vector
    closer than `settings.duplicate`, one closer than `settings.near_duplicate` with at most half of its words new
    (the same fact retold: "...also reported that it was unclear how..."), or hardly a word that is not shown yet
    (the same fact told in two articles, or once in a curated answer and once in a passage)."""
    shown = [c for u in chosen for c in u.shown]
    if any(c is s or c.text == s.text or _retells(c, s, settings) for c in cand.shown for s in shown):
        return True
    return _new_share(cand.shown, shown) < settings.new_words


def _retells(c: Candidate, s: Candidate, settings: AnswerSettings) -> bool:
    """Whether sentence `c` says what `s` says: a vector closer than `settings.duplicate`, closer than
    `settings.near_duplicate` with at most half of its words new, or closer than `settings.retold` with at most a
    third new and no new number ("US law generally requires a person to apply for asylum within one year..." after
    "One year, with exceptions: US law requires an asylum application within one year..."; blind set oo, oo22; but not
    "More than 100 people, according to Novaya Gazeta in April 2017" after its count of the killed: set bb, bb03)."""
    closeness = scaled(float(c.vec @ s.vec), settings)
    if closeness > settings.duplicate:
        return True
    if closeness <= min(settings.near_duplicate, settings.retold):
        return False
    new = _new_share([c], [s])
    return closeness > settings.near_duplicate and new < 0.5 or \
        closeness > settings.retold and new <= 1 / 3 and not _new_figures(c, s)


def _new_figures(c: Candidate, s: Candidate) -> bool:
    """Whether sentence `c` gives a number that `s` does not."""
    return bool(set(re.findall(r"\d+", c.text)) - set(re.findall(r"\d+", s.text)))


def _new_share(mine: list[Candidate], shown: list[Candidate]) -> float:
    """The share of the words of the sentences `mine` that none of the sentences `shown` holds (1.0 for no words)."""
    from chat.index import bm25_tokens

    said = set().union(*(bm25_tokens(s.text) for s in shown)) if shown else set()
    words = set().union(*(bm25_tokens(c.text) for c in mine))
    return len(words - said) / len(words) if words else 1.0


def select(cands: list[Candidate], question=None, settings: AnswerSettings = ANSWER,
           lead: list[Candidate] | None = None, part_vecs: list | None = None,
           known_names: frozenset = frozenset()) -> tuple[list[Candidate], list[Candidate]]:
    """(answer, more). The answer opens with any ways to reach help (a question in danger),
    then the best sentence (of the asked kind, for who / when / how many), then the next best
    while they score near it and fit the word budget. `lead`: a curated answer that opens
    instead; then quoted sentences go to `more`, but for a part of the question it leaves unanswered
    (`_answer_parts`, with each part's query vector in `part_vecs` and the knowledge base's names of people and cases in
    `known_names`). `question`: a chat.question.Question."""
    kind = question.kind if question is not None else None
    kinds = [part_kind(t) for t in question.part_texts] if question is not None else []  # what each part asks for
    lead = _about_the_place(lead, question) if lead else lead
    pool = sorted((c for c in cands if c.eligible), key=lambda c: (-c.score, c.passage_rank, c.position))
    if not pool:
        return list(lead or []), []
    reach = []
    asked = question.location if question is not None else ()  # where the writer is: their lines first
    english = question is not None and question.language == "en"
    far = {id(c): elsewhere(c.text, asked, english) for c in pool if c.reach}
    lines = _fullest(sorted((c for c in pool if c.reach), key=lambda c: (far[id(c)], c.features.get("notice", 0), -c.score)))
    if asked and lines and not far[id(lines[0])]:  # where they are is known: only its lines
        lines = [c for c in lines if not far[id(c)]]
    for cand in lines:
        if len(reach) < settings.reach_slots and all(r.chunk_id != cand.chunk_id for r in reach) \
                and not _same_way_in(cand, reach):
            reach.append(cand)
    rest = [c for c in pool if c not in reach and not (reach and _repeats(c, reach, settings))]
    answer = reach + [c for c in lead or [] if not _repeats(c, reach, settings) and not _same_way_in(c, reach)]  # help first
    if reach and lead and _answer_first(question, lead):
        answer = answer[len(reach):] + reach  # a curated answer to what was asked, then the ways to reach help
    if reach and question is not None and not question.asks_more:  # a plea for help: more on where the ways lead
        rest = [c for c in rest if _about_the_ways_in(c, reach) and not _same_way_in(c, reach)]
    if lead is None and rest and not (reach and question is not None and question.danger == "self_harm"):
        first = _first(rest, kind, question.places if question is not None else set(), settings, question)
        answer.append(first)
        best, limit = first.score, 1 if reach else settings.short_answer_sentences if kind in ("date", "count", "who") \
            else settings.answer_sentences  # in danger: the ways to reach help, then one sentence on what was asked
        for cand in rest:
            if sum(len(u.shown) for u in answer) >= limit + len(reach) or cand.score < best * settings.answer_floor:
                break
            fits = sum(u.n_words for u in answer[len(reach):]) + cand.n_words <= settings.answer_words
            if fits and not _repeats(cand, answer, settings):
                answer.append(cand)
        if not reach:
            _cover_parts(answer, rest, settings, kinds)
    elif lead and part_vecs and not reach:
        _answer_parts(answer, rest, part_vecs, settings, question.text if question is not None else "", known_names, kinds)
    best = rest[0].score if rest else pool[0].score
    more: list[Candidate] = []
    for cand in rest:
        if len(more) >= settings.more_sentences or cand.score < best * settings.more_floor:
            break
        if not _repeats(cand, answer + more, settings):
            more.append(cand)
    if reach and question is not None and question.danger == "self_harm":
        more = []  # thoughts of suicide: nothing is quoted but the ways to reach help (reader set j, j29)
    return answer, sorted(more, key=lambda c: (c.passage_rank, c.position))


def _answer_first(question, lead: list[Candidate]) -> bool:
    """Whether a curated answer comes before the ways to reach help: someone in danger who asks something besides
    help, and not how to get out or in thoughts of suicide ("its my own family beating me. does that even count as
    persecution": reader sets a, q and blind sets aa, bb read two evacuation groups before the answer), and not when
    the curated answer is itself about getting help (an article `HELP_ARTICLES`: set cc, cc36 read Rainbow Railroad's
    queue before NC SOS)."""
    return question is not None and question.in_danger and question.asks_more and not question.way_out and \
        question.danger != "self_harm" and not lead[0].chunk_id.startswith(HELP_ARTICLES)


def _about_the_place(lead: list[Candidate], question) -> list[Candidate]:
    """A curated answer without its sentences about another country than the one the question asks about, when
    that is a country other than Russia ("how long do i have to appeal" after a Home Office refusal: the UK's
    14 days, not Germany's two weeks and Canada's 15 days; but "who got people out of chechnya" keeps Canada), its
    first one too when it names another country and another sentence keeps to the place (a Dutch interview
    question: the EU's rule, not UK guidance; but a UK asker keeps the EU Court's "Not necessarily: ..."); the first
    alone when none does."""
    places = Subject.of(question).places
    if not places or "russia" in places:
        return lead
    kept = [c for i, c in enumerate(lead) if _keeps_to(named_places(c.text), places) or i == 0 and
            not named_places(c.text) - {"eu"}]  # an EU court's rule is cited beyond the EU; a country's guidance is not
    return kept or lead[:1]


def _keeps_to(named: set[str], places: set[str]) -> bool:
    """Whether a sentence that names `named` keeps to the `places` asked about: it names none, one of them, or
    Russia (the knowledge base's own subject: "Chechen authorities detained him", asked about Germany)."""
    return not named or "russia" in named or bool(with_eu(named) & places)


def _about_the_ways_in(cand: Candidate, reach: list[Candidate]) -> bool:
    """Whether `cand` tells more about where the ways to reach help lead: from the article of one of them, and
    undated ("NC SOS works mainly with people from Chechnya, Ingushetia and Dagestan"; not a 2024 arrest story,
    which read to people in danger as a warning rather than help: reader sets, "помогите" got Yusuf's arrest)."""
    return any(c.chunk_id.split(":")[0] == r.chunk_id.split(":")[0] for r in reach for c in cand.shown) and \
        not any(YEAR_RE.search(c.text) for c in cand.shown)


def _fullest(lines: list[Candidate]) -> list[Candidate]:
    """`lines` in their order, each in its fullest wording among those giving the same ways in ("NC SOS helps people
    flee...; its website is ncsos.io", not the bare "The official website of NC SOS is ncsos.io")."""
    def ways(c: Candidate) -> frozenset:
        return frozenset(m.group(0).lower() for m in LINE_RE.finditer(c.text))

    fullest: dict[frozenset, Candidate] = {}
    for c in lines:
        if ways(c) and (ways(c) not in fullest or c.n_words > fullest[ways(c)].n_words):
            fullest[ways(c)] = c
    out: list[Candidate] = []
    for c in lines:
        c = fullest.get(ways(c), c)
        if not any(c is o for o in out):
            out.append(c)
    return out


def _same_way_in(cand: Candidate, reach: list[Candidate]) -> bool:
    """Whether `cand` only repeats the ways in (sites, numbers) of a line already chosen ("The official website
    of NC SOS is ncsos.io." after the NC SOS line)."""
    ways = {m.group(0).lower() for m in LINE_RE.finditer(cand.text)}
    return bool(ways) and any(ways <= {m.group(0).lower() for m in LINE_RE.finditer(r.text)} for r in reach)


def _part_score(cand: Candidate, k: int) -> float:
    """The share of part k's own words in what `cand` shows (features["parts"], set by `candidates`)."""
    return sum(sum(c.features.get("parts", ())[k:k + 1]) for c in cand.shown)


def _cover_parts(answer: list[Candidate], rest: list[Candidate], settings: AnswerSettings,
                 kinds: list = ()) -> None:
    """A question that asks two things gets a sentence for each: when no answer sentence holds
    `settings.part_share` of the (IDF-weighted) words of a later part's own ("...and what are the fines?"),
    the sentence with most of them (the best-scoring of those, and near the best) joins the answer, in place
    of the answer's weakest sentences after the first when the words would run over. (The first sentence
    answers the question as a whole.)"""
    if not rest or not rest[0].features.get("parts"):
        return
    floor, added = rest[0].score * settings.more_floor, []
    n = len(rest[0].features["parts"])
    kinds = _per_part(kinds, n)
    for k in range(1, n):
        if any(_part_score(u, k) >= settings.part_share or _gives(u, kinds[k]) for u in answer):
            continue  # its words are shown, or what it asks for ("...who even asked for it": the Ministry of Justice)
        fitting = [c for c in rest if c not in answer and c.score >= floor and _part_score(c, k) >= settings.part_share
                   and not _repeats(c, answer, settings)]
        if not fitting:
            continue
        pick = max(fitting, key=lambda c: (_part_score(c, k), c.score))
        while len(answer) > 1 + len(added) and sum(u.n_words for u in answer) + pick.n_words > settings.answer_words:
            answer.remove(min((u for u in answer[1:] if u not in added), key=lambda u: u.score))
        answer.append(pick)
        added.append(pick)


def _per_part(kinds, n: int) -> list:
    """What each of a question's `n` parts asks for (`part_kind`), or None for each when the parts were counted
    from another reading of the question."""
    return list(kinds) if len(kinds) == n else [None] * n


def names_in(text: str, known_names: frozenset) -> set[str]:
    """The names of people and cases among `known_names` that `text` names."""
    return {w.lower() for w in words(text)} & known_names


def _answer_parts(answer: list[Candidate], rest: list[Candidate], part_vecs: list, settings: AnswerSettings,
                  question_text: str = "", known_names: frozenset = frozenset(), kinds: list = ()) -> None:
    """A curated answer to a question that asks two things or more, followed by one sentence for each later part it
    leaves untouched: a part that asks (its query vector in `part_vecs`; None for one that asks nothing) and of whose
    own words it holds none gets the sentence of the curated answer's own article closest in meaning to that part,
    when that sentence holds some of the part's words (or gives what the part asks for: a penalty for "whats the
    penalty", `part_kind`), is `settings.part_margin` closer to it than any sentence of the curated answer, and names
    no one (of `known_names`) and no law (`LAWS`) that neither the question nor the curated answer names.
    Examples: "Что решил Европейский суд по делу Лапунова и какой в этом смысл, если Россия уже вышла из конвенции?"
    gets the ruling, then that the Court kept the case; "the chechen singer who vanished in 2017 - what was his name"
    is not told of Lapunov; "what did the 2022 law ban and whats the penalty" is not told the fines for "propaganda
    of paedophilia". Sentences of other articles are left out: read by a reader, they answered a later part rightly
    less often than wrongly (reader sets, session 24). The curated answer's later sentences that hold no part's words
    make room when the words would run over."""
    lead, article = list(answer), answer[0].chunk_id.split(":")[0]
    said = " ".join([question_text, *(c.text for c in lead)])
    named, laws, kinds = names_in(said, known_names), laws_named(said), _per_part(kinds, len(part_vecs))
    for k, vec in enumerate(part_vecs):
        if k == 0 or vec is None or any(_part_score(c, k) or _gives(c, kinds[k]) for c in lead):
            continue
        vec = np.asarray(vec, dtype=np.float32)
        near = max(scaled(float(c.vec @ vec), settings) for c in lead)
        fitting = [c for c in rest if c.chunk_id.split(":")[0] == article and
                   (_part_score(c, k) > 0 or kinds[k] == "penalty" and _gives(c, "penalty")) and
                   scaled(float(c.vec @ vec), settings) >= near + settings.part_margin and not _repeats(c, answer, settings)
                   and not any(names_in(s.text, known_names) - named or laws_named(s.text) - laws for s in c.shown)]
        if fitting:  # the part's own words first, then its meaning
            answer.append(max(fitting, key=lambda c: (_part_score(c, k) > 0, float(c.vec @ vec))))
    while len(answer) > len(lead) and sum(u.n_words for u in answer) > settings.answer_words:
        spare = [u for u in lead[1:] if u.chunk_id == lead[0].chunk_id and not any(u.features.get("parts", ()))
                 and any(u is a for a in answer)]  # not a later part's own pair's sentence (set q, q25 lost who did it)
        if not spare:
            break
        del answer[next(i for i, u in enumerate(answer) if u is spare[-1])]


def render(answer: list[Candidate], more: list[Candidate], index) -> tuple[str, str, list[dict]]:
    """(answer Markdown, more Markdown, numbered citations): `[n]` after each sentence, one
    number per passage, shared by both parts; a citation lists only the sources behind the
    sentences shown from its passage."""
    numbers: dict[str, int] = {}
    shown: dict[str, set[int]] = {}

    def mark(cand: Candidate) -> str:
        n = numbers.setdefault(cand.chunk_id, len(numbers) + 1)
        shown.setdefault(cand.chunk_id, set()).add(cand.position)
        return f"{cand.text} [{n}]"

    answer_md = " ".join(mark(c) for unit in answer for c in unit.shown)
    more_md = "\n\n".join(" ".join(mark(c) for c in unit.shown) for unit in more)
    return answer_md, more_md, [citation(index.by_id[cid], n, shown[cid]) for cid, n in numbers.items()]


def citation(chunk, n: int, positions: set[int] | None = None) -> dict:
    """A numbered citation; with `positions`, only the sources whose footnotes cover those
    sentences of the passage (DESIGN.md), else every source of the passage."""
    import json

    meta = chunk.meta
    sources = chunk.sources
    per_sentence = json.loads(meta.get("sentence_keys") or "null")
    if positions is not None and per_sentence:
        keys = {k for p in positions if p < len(per_sentence) for k in per_sentence[p]}
        sources = [s for s in sources if s.get("key") in keys] or sources
    return {
        "n": n, "article_id": meta["article_id"], "chunk_id": chunk.id, "title": meta.get("title", ""),
        "section": meta.get("section", ""), "quote": chunk.text,
        "sources": [{k: s.get(k, "") for k in ("title", "publisher", "url", "published")} for s in sources],
        "reviewed_on": meta.get("reviewed_on", ""), "language": meta.get("language", "en"),
    }

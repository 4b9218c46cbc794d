"""The specifics a pasted claim and a curated claim review must agree on before the review's
rating is shown (chat/review_match.py): counts and years, names of people, groups, courts
and cities, who is credited with a quote, and whom a law is said to reach. Pure text rules,
no model; each returns plain sets or booleans so it can be tested on its own."""
from __future__ import annotations

import re

from chat.index import bm25_tokens
from kb.text import NUMBER_RE, STOPWORDS_EN, WORD_RE, language_of, split_sentences

UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                     "fourteen fifteen sixteen seventeen eighteen nineteen".split())}
TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i >= 2}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
VAGUE = {"dozens": (13, 99), "hundreds": (200, 999), "thousands": (2000, 999_999)}  # "dozens" agrees with 40
YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
MONTHS = frozenset("january february march april may june july august september october november december".split())
_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december|" \
         r"январ\w*|феврал\w*|март\w*|апрел\w*|ма[йя]|июн\w*|июл\w*|август\w*|сентябр\w*|октябр\w*|ноябр\w*|декабр\w*)"
DAY_RE = re.compile(rf"\b([0-3]?\d(\s*[–-]\s*| and | to ))?[0-3]?\d(st|nd|rd|th)? (of )?{_MONTH}\b|"
                    rf"\b{_MONTH} [0-3]?\d(st|nd|rd|th)?\b|"
                    r"\b(articles?|art\.|стать[яи]|ст\.)\s*\d+(\.\d+)?(\s*(and|и|,)\s*\d+(\.\d+)?)*", re.I)
# adjectives of a place: the place itself has its own rule (review_match.places)
DEMONYMS = frozenset("chechen chechens russian russians soviet european ukrainian american british canadian "
                     "lithuanian german french muslim caucasus north".split())


def quantities(text: str) -> tuple[set[int], set[str]]:
    """(exact counts, vague counts) the text states, years left out: '27' and 'thirty-one'
    and 'three hundred' are counts; 'hundreds', 'dozens', 'thousands' are vague. 'One' is
    not a count ('one night')."""
    dated = DAY_RE.sub(" ", text)  # "30 November", "16 and 28 March", "Article 10": not counts
    exact = {int(n.replace(",", "")) for n in NUMBER_RE.findall(dated) if "." not in n} - years(dated)
    exact -= {1}
    vague: set[str] = set()
    value = None
    for word in re.findall(r"[a-z]+", dated.lower()) + [""]:
        if word in UNITS or word in TENS:
            value = (value or 0) + UNITS.get(word, TENS.get(word, 0))
        elif word in SCALES:
            value = (value or 1) * SCALES[word]
        else:
            if value not in (None, 0, 1):
                exact.add(value)
            value = None
            if word in VAGUE:
                vague.add(word)
    return exact, vague


def years(text: str) -> set[int]:
    return {int(y) for y in YEAR_RE.findall(text)}


def counts_agree(sentence: str, review_wordings: str, explanation: str = "") -> bool:
    """Every count the sentence states is one the review's wordings state (or, when they
    state none, one its explanation states); a vague count such as 'dozens' agrees with a
    stated number in its range. '27 executed' is not the 'over 100 detained' review, and
    the 300 review's mention of 100 does not make '100 detained' its claim."""
    exact, vague = quantities(sentence)
    theirs, their_vague = quantities(review_wordings)
    if not theirs and not their_vague:
        theirs, their_vague = quantities(explanation)
    if not exact <= theirs:
        return False
    return all(word in their_vague or any(VAGUE[word][0] <= n <= VAGUE[word][1] for n in theirs) for word in vague)


def years_agree(sentence: str, review_wordings: str, explanation: str) -> bool:
    """Every year the sentence names is one the review's wordings name (or, when they name
    none, one its explanation names): "the 2013 law" is not the 2022 law's review."""
    return years(sentence) <= (years(review_wordings) or years(explanation))


def proper_names(text: str, known: frozenset = frozenset()) -> set[str]:
    """Stems of the capitalised words after the first of each sentence (people, groups,
    courts, cities), without months, places and their adjectives (places have their own
    rule); a sentence's first word counts too when it is one of the `known` names ("Putin
    said..."). Of a hyphenated word only its capitalised parts count ("Toronto-based")."""
    from chat.places import places_in

    skip = MONTHS | DEMONYMS | places_in(text)
    found = set()
    for sentence in split_sentences(text, language_of(text)):
        for i, token in enumerate(WORD_RE.findall(sentence)):
            for part in re.split(r"[-’']", token):
                if not part[:1].isupper() or len(part) < 2 or part.lower() in STOPWORDS_EN or part.lower() in skip:
                    continue
                stems = set(bm25_tokens(part))
                found |= stems if i else stems & known
    return found - GENERIC


GENERIC = frozenset({"lgbt", "lgbtq", "lgbti", "lgbtqi", "tv", "articl"})  # capitalised, but not names


def names_agree(sentence: str, review_text: str, known: frozenset = frozenset()) -> bool:
    """Every name the sentence gives occurs in the review (its wordings or explanation):
    a claim about Elena Milashina or the OSCE is not a review that never names them.
    `known`: the names any review gives, so that a sentence may open with one."""
    return proper_names(sentence, known) <= set(bm25_tokens(review_text))


OTHER_SPEAKER = re.compile(r"\b(spokes(man|woman|person)|press secretary|aide|ministers?|MPs?|officials?|deputy|"
                           r"пресс-секретар\w*|министр\w*|депутат\w*)\b", re.I)


def credits_no_one_else(sentence: str, review_wordings: str, known: frozenset = frozenset()) -> bool:
    """For a misattributed quote: the sentence credits the words to no one but the person the
    review's wordings credit them to. Every name it gives is in the wordings (the person who
    really said it is named only in the explanation), and it names no spokesman, minister or
    MP the wordings do not."""
    if not proper_names(sentence, known) <= set(bm25_tokens(review_wordings)):
        return False
    return not (OTHER_SPEAKER.search(sentence) and not OTHER_SPEAKER.search(review_wordings))


AUDIENCE = {"minors": re.compile(r"\b(minors?|child\w*|young|youth|teen\w*|under[- ]18|несовершеннолетн\w*|дет\w*)\b", re.I),
            "adults": re.compile(r"\b(adults?|all ages|everyone|взросл\w*)\b", re.I)}


def audience(text: str) -> set[str]:
    """Whom the text says a law reaches: 'minors', 'adults', both or neither."""
    return {name for name, pattern in AUDIENCE.items() if pattern.search(text)}


def audience_agrees(sentence: str, review_wordings: str) -> bool:
    """Whom the sentence says a law reaches (minors, adults) is said in the review's wordings too."""
    return audience(sentence) <= audience(review_wordings)


POLL = re.compile(r"\b(polls?|polled|polling|surveys?|surveyed|respondents|most (russians|people|chechens)|"
                  r"(the )?majority of (russians|people|chechens)|опрос\w*|респондент\w*|большинство (россиян|людей))\b", re.I)


def poll_agrees(sentence: str, review_wordings: str) -> bool:
    """A sentence reporting what people think ('most Russians oppose...', 'according to polls')
    is only rated with a review whose wordings are about such a poll."""
    return not POLL.search(sentence) or bool(POLL.search(review_wordings))

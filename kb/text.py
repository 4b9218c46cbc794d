"""Plain-text helpers shared by ingest, chat and evals: sentences, words, numbers, names.

Rule-based and offline: sentences come from pysbd (its rules ship with it), words
from a regular expression, and the stop-word lists are written out here.
"""
from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from functools import lru_cache

WORD_RE = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*", re.UNICODE)
NUMBER_RE = re.compile(r"\b\d+(?:[.,]\d+)*\b")
CYRILLIC_RE = re.compile(r"[\u0400-\u04FF]")

STOPWORDS_EN = frozenset("""
a about above after again against all also am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here
here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself
let's me more most mustn't my myself no nor not of off on once only or other ought our ours ourselves
out over own same shan't she she'd she'll she's should shouldn't so some such than that that's the their
theirs them themselves then there there's these they they'd they'll they're they've this those through
to too under until up very was wasn't we we'd we'll we're we've were weren't what what's when when's
where where's which while who who's whom why why's with won't would wouldn't you you'd you'll you're
you've your yours yourself yourselves will may might must shall just via per said says tell know please
whats hows whos wheres whens whys im ive id ill youre theyre dont doesnt didnt cant isnt arent wasnt werent
wont wouldnt shouldnt couldnt hasnt havent u ur pls plz hi hello thanks thank anyone someone something mean
meaning means explain explained actually really rn nah wait literally basically yeah yep ok okay lol idk tbh
kinda sorta gonna wanna hey guys bro
""".split())

STOPWORDS_RU = frozenset("""
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот
от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять
уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без
будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один
почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после
над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед
иногда лучше чуть том нельзя такой им более всегда конечно всю между это как ли
вообще вообщем типа короче блин реально просто щас плиз пж пжл
""".split())


def language_of(text: str) -> str:
    """'ru' if the text is mostly Cyrillic letters, else 'en'. Mixed input counts letters."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "en"
    cyr = sum(1 for c in letters if CYRILLIC_RE.match(c))
    return "ru" if cyr / len(letters) >= 0.4 else "en"


RE_CACHE = 4096  # pysbd builds ~2,500 distinct patterns over the shipped KB; Python's `re` keeps 512


@lru_cache(maxsize=4)
def _segmenter(lang: str):
    import pysbd

    # pysbd formats a regular expression per abbreviation and calls re.sub with it, so with
    # the default cache it compiled 9,186 patterns per ingest (more than half its time).
    if getattr(re, "_MAXCACHE", RE_CACHE) < RE_CACHE:
        re._MAXCACHE = RE_CACHE
    return pysbd.Segmenter(language=lang if lang in ("en", "ru") else "en", clean=False)


SPLITTER_VERSION = "1"  # bump when split_sentences' rules change: it keys the ingest's cached splits
_remembered: dict | None = None  # line key -> sentences while `remembered_splits` is active


def splitter_version() -> str:
    """What cached splits are keyed by: this module's rules and pysbd's version."""
    from importlib.metadata import version

    return f"{SPLITTER_VERSION}|pysbd-{version('pysbd')}"


@contextmanager
def remembered_splits(known: dict):
    """Within the block, `split_sentences` looks each line up in `known` (`line_key` ->
    sentences) before running pysbd, and adds what it splits. Ingest fills `known` from
    its cache (kb/embedcache.py), so unchanged text is not split again; outside the block
    nothing is remembered (a server's questions never grow a table)."""
    global _remembered
    before, _remembered = _remembered, known
    try:
        yield known
    finally:
        _remembered = before


def line_key(line: str, lang: str) -> str:
    """sha256 of the language and the line: the key of a remembered split."""
    return hashlib.sha256(f"{lang}\n{line}".encode("utf-8")).hexdigest()


def _split_line(line: str, lang: str) -> list[str]:
    memo = _remembered
    if memo is None:
        return _segment(line, lang)
    key = line_key(line, lang)
    if key not in memo:
        memo[key] = _segment(line, lang)
    return memo[key]


def _segment(line: str, lang: str) -> list[str]:
    """pysbd's sentences of one line, stripped."""
    return [s.strip() for s in _segmenter(lang).segment(line) if s.strip()]


def split_sentences(text: str, lang: str = "en") -> list[str]:
    """Sentences of `text`, each stripped; line breaks always end a sentence."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        out += _split_line(line, lang)
    return out


def words(text: str) -> list[str]:
    """Lower-cased word tokens; a possessive 's is dropped ("HBO's" -> "hbo")."""
    return [re.sub(r"['’]s$", "", w.lower()) for w in WORD_RE.findall(text)]


def content_words(text: str) -> list[str]:
    """Word tokens without stop words and one-letter words."""
    stop = STOPWORDS_RU if language_of(text) == "ru" else STOPWORDS_EN
    return [w for w in words(text) if w not in stop and len(w) > 1]


NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80",
                     "ninety": "90", "hundred": "100", "thousand": "1000", "dozen": "12", "dozens": "dozens"})


def numbers(text: str) -> set[str]:
    """Numbers and years in the text, normalised ('1,000' -> '1000', 'twelve' -> '12');
    'one' is left out because it is mostly not a count ('one of the men')."""
    found = {n.replace(",", "") for n in NUMBER_RE.findall(text)}
    found |= {NUMBER_WORDS[w] for w in words(text) if w in NUMBER_WORDS and w not in ("one", "zero")}
    return found


def names(text: str) -> set[str]:
    """Capitalised words that are not at the start of a sentence (likely names)."""
    found: set[str] = set()
    for sent in split_sentences(text, language_of(text)):
        toks = WORD_RE.findall(sent)
        for tok in toks[1:]:
            if tok[:1].isupper() and tok.lower() not in STOPWORDS_EN and len(tok) > 1:
                found.add(tok.lower())
    return found

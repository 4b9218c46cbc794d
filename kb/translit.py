"""Latin-script ("translit") Russian back to Cyrillic, so that "kak poluchit ubezhishche v
germanii" finds the Russian articles. Rule-based and approximate: it only has to be close
enough for the Russian stemmer and BM25."""
from __future__ import annotations

import re

MARKERS = {"chto", "kak", "gde", "kto", "ya", "menya", "mne", "eto", "esli", "dlya", "mozhno", "pochemu",
           "kogda", "takoe", "takoy", "takaya", "ne", "nuzhno", "kakie", "kakoy", "vy", "moi", "ili", "skolko",
           "pomogite", "ubezhishche", "ubezhishe", "zakon", "prava", "sluchilos", "eti", "ego", "ikh", "nas",
           "bezhat", "chechne", "chechni", "rossii", "gey", "geev", "politsiya", "delat", "byt", "est", "li",
           "kakaya", "kakoe", "chem", "goda", "godu", "kem", "byl", "byla", "byli", "bylo", "budet", "mogut",
           "mozhet", "pravda", "nado", "zachem", "kuda", "chtoby", "tolko", "seychas", "teper", "sebya", "normalno",
           "ochen", "uzhe", "vsyo"}
MULTI = [("shch", "щ"), ("sch", "щ"), ("yo", "ё"), ("zh", "ж"), ("kh", "х"), ("tsya", "тся"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
         ("yu", "ю"), ("ya", "я"), ("iy", "ий"), ("yy", "ый"), ("vye", "вые"), ("ye", "е"),
         ("ey", "ей"), ("ei", "ей"), ("oy", "ой"), ("ay", "ай"), ("uy", "уй")]
SINGLE = dict(zip("abvgdezijklmnoprstufhcyw'x", ["а", "б", "в", "г", "д", "е", "з", "и", "й", "к", "л", "м", "н",
                                                  "о", "п", "р", "с", "т", "у", "ф", "х", "ц", "ы", "в", "ь", "кс"]))


# Spellings English words almost never have: zh/kh/shch, Russian case and verb endings.
RUSSIAN_LIKE = re.compile(r"zh|kh|shch|^v?ne[a-z]{4}|(yut|ayut|iyu|ii|iy|yy|yye|iye|oye|ogo|ego|ami|yami|akh|yakh|"
                          r"ovat|ost|nost|osti|ishche|ishchem|stvo|stva|tsy)$")
PREPOSITIONS = {"v", "s", "k", "o", "u", "na", "po", "za", "iz", "ot"}
RUSSIAN_SHARE = 0.4  # ...at least this share of the words, and two of them


def is_translit(text: str) -> bool:
    """Latin-script text that reads as Russian: two marker words (a one-letter preposition
    before a Russian word counts as one; one marker is enough in a short text), or at least
    two and RUSSIAN_SHARE of the words spelt as only Russian words are."""
    if re.search(r"[\u0400-\u04FF]", text):
        return False
    words = re.findall(r"[a-z']+", text.lower())
    hits = sum(w in MARKERS for w in words) + _prepositions(words)
    if hits >= 2 or (hits == 1 and len(words) <= 3 and words[0] in MARKERS):
        return True
    russian = sum(w in MARKERS or bool(RUSSIAN_LIKE.search(w)) for w in words)
    return russian >= 2 and russian >= RUSSIAN_SHARE * len(words)


def _prepositions(words: list[str]) -> int:
    """Short Russian prepositions ("o chem", "v rossii", "po ubezhishchu") before a marker word or a word
    spelt the Russian way: in a mixed question ("film welcome to chechnya o chem on") they
    are often the only Russian besides one marker."""
    return sum(w in PREPOSITIONS and (nxt in MARKERS or bool(RUSSIAN_LIKE.search(nxt)))
               for w, nxt in zip(words, words[1:]))


def to_cyrillic(text: str, keep=None) -> str:
    """Latin letters to Cyrillic, word by word; `keep(word)` true leaves a word as written
    (a term Russian texts also write in Latin script, like "non-refoulement")."""
    out = []
    for word in re.findall(r"[A-Za-z'-]+|[^A-Za-z'-]+", text):
        if not re.match(r"[A-Za-z]", word) or (keep and keep(word)):
            out.append(word)
            continue
        w = word.lower()
        for latin, cyr in MULTI:
            w = w.replace(latin, cyr)
        out.append("".join(SINGLE.get(c, c) for c in w))
    return "".join(out)


SOFT = "бвгдзклмнпрстфхчшщ"  # letters a soft sign may follow


def with_soft_signs(text: str, known) -> str:
    """Each Cyrillic word of `text` that `known(word)` does not know, with the one soft sign that makes it known
    (Latin spelling drops it: "skolko" -> "сколко" -> "сколько", "sluchilos" -> "случилось"); others as they are."""
    def mend(match: re.Match) -> str:
        word = match.group(0)
        if known(word):
            return word
        return next((word[:i] + "ь" + word[i:] for i in range(len(word), 1, -1)
                     if word[i - 1] in SOFT and known(word[:i] + "ь" + word[i:])), word)
    return re.sub(r"[а-яё]{3,}", mend, text)

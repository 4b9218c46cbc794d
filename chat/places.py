"""Country and territory names (English and Russian, lower case) used to notice when a
question asks about a place that the retrieved passages never mention."""
from __future__ import annotations

import re

PLACES_EN = """
afghanistan albania algeria andorra angola antigua argentina armenia australia austria azerbaijan bahamas
bahrain bangladesh barbados belarus belgium belize benin bhutan bolivia bosnia botswana brazil brunei
bulgaria burkina burundi cambodia cameroon canada chad chile china colombia comoros congo costa-rica
croatia cuba cyprus czechia czech denmark djibouti dominica dominican ecuador egypt salvador eritrea estonia
eswatini ethiopia fiji finland france gabon gambia georgia germany ghana greece grenada guatemala guinea
guyana haiti honduras hungary iceland india indonesia iran iraq ireland israel italy jamaica japan jordan
kazakhstan kenya kiribati kosovo kuwait kyrgyzstan laos latvia lebanon lesotho liberia libya liechtenstein
lithuania luxembourg madagascar malawi malaysia maldives mali malta mauritania mauritius mexico micronesia
moldova monaco mongolia montenegro morocco mozambique myanmar namibia nauru nepal netherlands new-zealand
nicaragua niger nigeria north-korea macedonia norway oman pakistan palau palestine panama papua paraguay
peru philippines poland portugal qatar romania russia rwanda samoa san-marino saudi senegal serbia
seychelles sierra-leone singapore slovakia slovenia solomon somalia south-africa south-korea korea
south-sudan spain sri-lanka sudan suriname sweden switzerland syria taiwan tajikistan tanzania thailand
timor togo tonga trinidad tunisia turkey türkiye turkmenistan tuvalu uganda ukraine emirates uae
united-kingdom uk britain england scotland wales united-states usa america uruguay uzbekistan vanuatu
vatican venezuela vietnam yemen zambia zimbabwe hong-kong puerto-rico
chechnya dagestan ingushetia tatarstan crimea
""".split()
PLACES_RU = """
япония японии аргентина аргентине тайвань тайване узбекистан узбекистане швеция швеции киргизия киргизии
кыргызстан таиланд таиланде корея корее мексика мексике китай китае индия индии турция турции иран иране
казахстан казахстане беларусь белоруссии украина украине грузия грузии армения армении азербайджан
""".split()


def places_in(text: str) -> set[str]:
    """Place names mentioned in `text` (multi-word names joined with '-')."""
    low = text.lower()
    words = re.findall(r"[^\W\d_]+", low)
    joined = set(words) | {f"{a}-{b}" for a, b in zip(words, words[1:])}
    found = {p for p in PLACES_EN + PLACES_RU if p in joined}
    if "new-zealand" in found or "south-korea" in found or "south-africa" in found:
        found -= {"zealand", "korea", "africa"}
    return found


def mentioned(place: str, text: str) -> bool:
    """Whether `place` (or its first word, for multi-word names) occurs in `text`."""
    word = place.split("-")[0]
    return word[: min(7, max(4, len(word) - 2))] in text.lower()


# Everyday names for countries the articles call by their official name: the search adds
# the official one ("asylum in Holland" also searches "Netherlands"). Whole words only:
# "английский" (the English language) is not England.
EVERYDAY_NAMES = [
    (re.compile(r"\bholland\b", re.I), "Netherlands"),
    (re.compile(r"\b(england|britain|great britain)\b", re.I), "United Kingdom"),
    (re.compile(r"\bгол+анди[яиюей]\b", re.I), "Нидерланды"),
    (re.compile(r"\b(англи[яиюей]|британи[яиюей])\b", re.I), "Великобритания"),
    (re.compile(r"\b(америк[аеиу]|штат(ы|ах|ов))\b", re.I), "США"),
]


def with_official_names(query: str) -> str:
    """`query` plus the official name of every country it calls by an everyday name."""
    extra = [official for pattern, official in EVERYDAY_NAMES
             if pattern.search(query) and official.lower() not in query.lower()]
    return " ".join([query, *extra])


# Destination countries that have an article of their own, as a question or an article's
# title may name them: English, everyday names, Russian (case endings) and transliterated
# Russian. A question naming one of them prefers passages of that country's article
# (chat/retrieve.py, `prefer_named_countries`). Add a row with a new country article.
# "English"/"английский" (the language) and "Latin/South America" are not countries here.
COUNTRIES = {
    "germany": r"\bgerman|\bdeutschland|\bгермани|\bgermani",
    "netherlands": r"\bnetherland|\bholland|\bdutch\b|\bнидерланд|\bгол+анд|\bgol+and|\bniderland",
    "united-kingdom": r"\bunited kingdom\b|\buk\b|\bbritain\b|\bbritish\b|\bengland\b|\bhome office\b"
                      r"|\bвеликобритан|\bбритани|\bангли[яиюей]\b|\bangli(ya|i|yu|ei)\b|\bbritani",
    "canada": r"\bcanad|\bканад|\bkanad",
    "united-states": r"\bunited states\b|\busa?\b|\bu\.s\.|(?<!latin )(?<!south )(?<!inter-)\bamerica\b"
                     r"|\bсша\b|(?<!латинской )(?<!южной )\bамерик[аеиу]\b|\bштат(ы|ах|ов)\b|\bssha\b|\bamerik[aeiu]\b",
}
_COUNTRY_RES = {name: re.compile(pattern, re.I) for name, pattern in COUNTRIES.items()}


def countries_in(text: str) -> set[str]:
    """The destination countries of `COUNTRIES` that `text` names."""
    return {name for name, pattern in _COUNTRY_RES.items() if pattern.search(text)}


SAME_PLACE = {"uk": "united-kingdom", "britain": "united-kingdom", "england": "united-kingdom",
              "scotland": "united-kingdom", "wales": "united-kingdom", "usa": "united-states",
              "america": "united-states", "czech": "czechia", "türkiye": "turkey", "uae": "emirates"}


PART_OF = {"chechnya": "russia", "dagestan": "russia", "ingushetia": "russia", "tatarstan": "russia"}


def named_places(text: str) -> set[str]:
    """The countries and regions `text` names, one name each (UK, Britain -> united-kingdom),
    with the country a region is part of (a sentence about Russia may answer one about Chechnya)."""
    found = {SAME_PLACE.get(p, p) for p in places_in(text)} | countries_in(text)
    return found | {PART_OF[p] for p in found if p in PART_OF}

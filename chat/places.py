"""The one table of places (countries, territories, regions, and cities people say they are in) and what is read from it:
the places a text names, as written and one name each; the destination countries that have
an article of their own; and the official names of countries called by everyday names.

A question about a place that the retrieved passages never mention is refused
(chat/relevance.py); a sentence about another place than the question's is not shown
(chat/compose.py); a country's everyday name is searched with its official one (chat/assistant.py).
Add a row with a new country article.
"""
from __future__ import annotations

import re
from typing import NamedTuple


class Place(NamedTuple):
    names: str = ""  # other names: English words, and Russian ones with their case endings in brackets
    find: str = ""  # a destination with an article of its own: the pattern that finds it in any text
    everyday: tuple = ()  # (pattern of an everyday name, the official name the search adds)
    part_of: str = ""  # a region: the country it is part of; a city: the country or region it is in
    city: bool = False  # where a person may say they are ("I live in Moscow" names Russia), never a subject


# Places known by their English name alone (lower case, words joined by '-').
PLAIN = """
afghanistan albania algeria andorra angola antigua austria bahamas bahrain bangladesh barbados belgium belize
benin bhutan bolivia bosnia botswana brazil brunei bulgaria burkina burundi cambodia cameroon chad chile colombia
comoros congo costa-rica croatia cuba cyprus denmark djibouti dominica dominican ecuador egypt salvador eritrea
estonia eswatini ethiopia fiji finland france gabon gambia ghana greece grenada guatemala guinea guyana haiti
honduras hungary iceland indonesia iraq ireland israel italy jamaica jordan kenya kiribati kosovo kuwait
laos latvia lebanon lesotho liberia libya liechtenstein lithuania luxembourg madagascar malawi malaysia maldives
mali malta mauritania mauritius micronesia moldova monaco mongolia montenegro morocco mozambique myanmar namibia
nauru nepal new-zealand nicaragua niger nigeria north-korea macedonia norway oman pakistan palau palestine panama
papua paraguay peru philippines poland portugal qatar romania rwanda samoa san-marino saudi senegal serbia
seychelles sierra-leone singapore slovakia slovenia solomon somalia south-africa south-korea south-sudan spain
sri-lanka sudan suriname switzerland syria tajikistan tanzania timor togo tonga trinidad tunisia turkmenistan
tuvalu uganda uruguay vanuatu vatican venezuela vietnam yemen zambia zimbabwe hong-kong puerto-rico
""".split()
PLACES = {
    **dict.fromkeys(PLAIN, Place()),
    "argentina": Place("аргентин(а|ы|е|у|ой)"),
    "russia": Place("росси(я|и|ю|ей) рф russias"),  # "what did russias supreme court ban"
    "armenia": Place("армени(я|и|ю|ей)"),
    "australia": Place(),
    "azerbaijan": Place("азербайджан(|а|е|у|ом)"),
    "belarus": Place("беларус(ь|и|ью) белорусси(я|и|ю|ей)"),
    "china": Place("кита(й|я|е|ю|ем)"),
    "czechia": Place("czech"),
    "emirates": Place("uae"),
    "georgia": Place("грузи(я|и|ю|ей)"),
    "india": Place("инди(я|и|ю|ей)"),
    "iran": Place("иран(|а|е|у|ом)"),
    "japan": Place("япони(я|и|ю|ей)"),
    "kazakhstan": Place("казахстан(|а|е|у|ом)"),
    "korea": Place("коре(я|и|е|ю|ей)"),
    "kyrgyzstan": Place("кыргызстан(|а|е|у|ом) киргизи(я|и|ю|ей)"),
    "mexico": Place("мексик(а|и|е|у|ой)"),
    "sweden": Place("швеци(я|и|ю|ей)"),
    "taiwan": Place("тайван(ь|я|е|ю|ем)"),
    "thailand": Place("таиланд(|а|е|у|ом)"),
    "turkey": Place("türkiye турци(я|и|ю|ей)"),
    "ukraine": Place("украин(а|ы|е|у|ой)"),
    "uzbekistan": Place("узбекистан(|а|е|у|ом)"),
    "chechnya": Place("чечн(я|и|е|ю|ей)", part_of="russia"),
    "dagestan": Place("дагестан(|а|е|у|ом)", part_of="russia"),
    "ingushetia": Place("ингушети(я|и|ю|ей)", part_of="russia"),
    "tatarstan": Place(part_of="russia"),
    "crimea": Place(),
    # Cities a person may say they are in: only `named_places` reads them, as the place they are part of (the
    # crisis notice then opens with that country's lines); a city is no subject the sources must mention.
    **{city: Place(names, part_of=where, city=True) for city, names, where in (
        ("moscow", "москв(а|ы|е|у|ой) moskv(a|y|e|u|oi)", "russia"),
        ("petersburg", "spb петербург(|а|е|у|ом) питер(|а|е|у|ом) piter", "russia"),
        ("kazan", "казан(ь|и|ью)", "russia"), ("novosibirsk", "новосибирск(|а|е|у|ом)", "russia"),
        ("yekaterinburg", "ekaterinburg екатеринбург(|а|е|у|ом)", "russia"), ("krasnodar", "краснодар(|а|е|у|ом)", "russia"),
        ("rostov", "ростов(|а|е|у|ом)", "russia"), ("samara", "самар(а|ы|е|у|ой)", "russia"),
        ("grozny", "groznyi грозн(ый|ого|ом|ому|ым)", "chechnya"),
        ("makhachkala", "махачкал(а|ы|е|у|ой)", "dagestan"), ("derbent", "дербент(|а|е|у|ом)", "dagestan"),
        ("nazran", "назран(ь|и|ью)", "ingushetia"), ("magas", "магас(|а|е|у|ом)", "ingushetia"),
        ("london", "лондон(|а|е|у|ом)", "united-kingdom"), ("manchester", "", "united-kingdom"),
        ("birmingham", "", "united-kingdom"), ("glasgow", "", "united-kingdom"),
        ("berlin", "берлин(|а|е|у|ом)", "germany"), ("munich", "", "germany"), ("hamburg", "", "germany"),
        ("amsterdam", "амстердам(|а|е|у|ом)", "netherlands"), ("toronto", "торонто", "canada"),
        ("montreal", "монреаль", "canada"), ("vancouver", "ванкувер(|а|е|у|ом)", "canada"),
        ("tbilisi", "тбилиси", "georgia"), ("yerevan", "ереван(|а|е|у|ом)", "armenia"),
        ("istanbul", "стамбул(|а|е|у|ом)", "turkey"), ("almaty", "алмат(ы|е)", "kazakhstan"),
        ("bishkek", "бишкек(|а|е|у|ом)", "kyrgyzstan"), ("tashkent", "ташкент(|а|е|у|ом)", "uzbekistan"),
        ("belgrade", "белград(|а|е|у|ом)", "serbia"))},
    # Destinations with an article of their own, as a question or an article's title may name them:
    # English, everyday names, Russian (case endings) and transliterated Russian. "English"/
    # "английский" (the language) and "Latin/South America" are not countries here. Everyday
    # names match whole words only: "английский" (the English language) is not England.
    "germany": Place(find=r"\bgerman|\bdeutschland|\bгермани|\bgermani|\bbamf\b"),  # a country's asylum authority names it
    "netherlands": Place(find=r"\bnetherland|\bholland|\bdutch\b|\bнидерланд|\bгол+анд|\bgol+and|\bniderland|\bIND\b",
                         everyday=((r"\bholland\b", "Netherlands"), (r"\bгол+анди[яиюей]\b", "Нидерланды"))),
    "united-kingdom": Place("uk britain england scotland wales",
                            r"\bunited kingdom\b|\buk\b|\bbritain\b|\bbritish\b|\bengland\b|\bhome office\b"
                            r"|\bвеликобритан|\bбритани|\bангли[яиюей]\b|\bangli(ya|i|yu|ei)\b|\bbritani",
                            ((r"\b(england|britain|great britain)\b", "United Kingdom"),
                             (r"\b(англи[яиюей]|британи[яиюей])\b", "Великобритания"))),
    "canada": Place(find=r"\bcanad|\bканад|\bkanad|\birb\b|\bircc\b"),
    "united-states": Place("usa america",
                           r"\bunited states\b|\busa?\b|\bu\.s\.|(?<!latin )(?<!south )(?<!inter-)\bamerica\b"
                           r"|\buscis\b|\bсша\b|(?<!латинской )(?<!южной )\bамерик[аеиу]\b|\bштат(ы|ах|ов)\b|\bssha\b|\bamerik[aeiu]\b",
                           ((r"\b(америк[аеиу]|штат(ы|ах|ов))\b", "США"),)),
}


def _forms(name: str) -> list[str]:
    """The written forms of one name: "япони(я|и|ю|ей)" -> япония, японии, японию, японией."""
    stem, _, endings = name.partition("(")
    return [stem + end for end in endings.rstrip(")").split("|")] if endings else [name]


def _written(place: str, row: Place) -> list[str]:
    return [place, *(f for name in row.names.split() for f in _forms(name))]


FORMS = {form: place for place, row in PLACES.items() if not row.city for form in _written(place, row)}  # form -> place
CITIES = {form: row.part_of for place, row in PLACES.items() if row.city for form in _written(place, row)}  # form -> where
PART_OF = {place: row.part_of for place, row in PLACES.items() if row.part_of and not row.city}
COUNTRIES = {place: row.find for place, row in PLACES.items() if row.find}
_COUNTRY_RES = {name: re.compile(pattern, re.I) for name, pattern in COUNTRIES.items()}
EVERYDAY_NAMES = [(re.compile(p, re.I), official) for row in PLACES.values() for p, official in row.everyday]


def places_in(text: str) -> set[str]:
    """Place names mentioned in `text`, as written (lower case; multi-word names joined with '-')."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    found = (set(words) | {f"{a}-{b}" for a, b in zip(words, words[1:])}) & FORMS.keys()
    if "new-zealand" in found or "south-korea" in found or "south-africa" in found:
        found -= {"zealand", "korea", "africa"}
    return found


def mentioned(place: str, text: str) -> bool:
    """Whether `place` (or its first word, for multi-word names) occurs in `text`."""
    word = place.split("-")[0]
    return word[: min(7, max(4, len(word) - 2))] in text.lower()


_WRITTEN = {}  # place -> every written form of it
for _form, _place in FORMS.items():
    _WRITTEN.setdefault(_place, set()).add(_form)


def place_mentioned(word: str, text: str) -> bool:
    """Whether `text` names the place `word` names, in any of its forms ("america": "United States")."""
    place = FORMS.get(word, word)
    return any(mentioned(form, text) for form in _WRITTEN.get(place, set()) | {word, place})


def countries_in(text: str) -> set[str]:
    """The destination countries (rows with `find`) that `text` names."""
    return {name for name, pattern in _COUNTRY_RES.items() if pattern.search(text)}


# "Chechen", "Russian": a people names its place; such a word is a place, not a rare name
DEMONYMS = {"chechen": "chechnya", "chechens": "chechnya", "russian": "russia", "russians": "russia",
            "ingush": "ingushetia", "dagestani": "dagestan", "german": "germany", "dutch": "netherlands",
            "british": "united-kingdom", "american": "united-states", "canadian": "canada"}


EU = re.compile(r"\b(EU|E\.U\.|European Union|Court of Justice|CJEU|ЕС|Евросоюз\w*|Европейск\w+ союз\w*)\b")
EU_MEMBERS = {"austria", "belgium", "bulgaria", "croatia", "cyprus", "czechia", "denmark", "estonia", "finland", "france",
              "germany", "greece", "hungary", "ireland", "italy", "latvia", "lithuania", "luxembourg", "malta",
              "netherlands", "poland", "portugal", "romania", "slovakia", "slovenia", "spain", "sweden"}


def beyond_russia(places) -> set[str]:
    """`places` without Russia and its regions, the knowledge base's own subject, which nearly every sentence names."""
    return {p for p in places if p != "russia" and PART_OF.get(p) != "russia"}


def with_eu(places) -> set[str]:
    """`places` with the EU when one of them is a member state: EU law answers a question about
    Germany, not one about the UK."""
    return set(places) | {"eu"} if set(places) & EU_MEMBERS else set(places)


def named_places(text: str) -> set[str]:
    """The countries and regions `text` names, one name each (UK, Britain -> united-kingdom;
    Японии, Японию -> japan; Chechen -> chechnya), with the country a region is part of (a
    sentence about Russia may answer one about Chechnya)."""
    found = {FORMS[p] for p in places_in(text)} | countries_in(text) | \
        {DEMONYMS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in DEMONYMS} | ({"eu"} if EU.search(text) else set()) | \
        {CITIES[w] for w in re.findall(r"[^\W\d_]+", text.lower()) if w in CITIES}
    return found | {PART_OF[p] for p in found if p in PART_OF}


# Where someone comes from or must not be sent back to is not where they are: "im in manchester, cant go back
# to russia" is someone in the UK (reader set l, l14 read Russia's 112 first)
ORIGIN = re.compile(r"\b(from|back to|return(ed)? to|sen[dt] (me )?back to|deport\w* (me )?to|back home (to|in)|out of|fled|"
                    r"escaped|left|leave|из|вернуться в|обратно в|отправ\w+ (меня )?в|депорт\w+ в|уехал\w* из|бежал\w* из)"
                    # an authority is no place one comes from ("a refusal from the home office": set o, o15 got Canada's line)
                    r"\s+(?!(the\s+)?(home\s+office|bamf|ind|uscis|irb|border\s+force|tribunal)\b)(the\s+)?[^\W\d_]+(-[^\W\d_]+)?",
                    re.I)


def where_one_is(text: str) -> set[str]:
    """The places `text` names as where the writer is: the places it names, without those named as where they
    come from, fled or must not return to ("i fled russia" names no place where the writer is)."""
    return named_places(ORIGIN.sub(" ", text))


def origins(text: str) -> set[str]:
    """The places `text` names only as where the writer comes from, fled or must not return to ("I left Russia
    because of the war... is my case ruined?" asks about an asylum interview, not about Russia: set z, z28)."""
    return named_places(text) - where_one_is(text)


def elsewhere(text: str, asked, english: bool) -> bool:
    """Whether a way to reach help (a sentence or a paragraph of the crisis notice) is for somewhere the
    person is probably not: another country than the ones they name (`asked`), or, for someone writing in
    English who names none, Russia alone; most who write in English are outside Russia (reader sets i and
    j: "refused twice, cant go home" read Russia's 112 first), and, for someone writing in Russian who names
    none, a line for other countries alone (set k: "не хочу больше жить..." opened with Canada's 9-8-8).
    "112 in Russia or any EU country" is not."""
    where = named_places(text)
    if asked:
        return not where & set(asked)
    if english:
        return where == {"russia"}
    return bool(where) and not where & {"russia", "eu"}  # in Russian, no place named: not Canada's 988 first (set k, k60)


# "the Supreme Court" with no country, in a question that is not about asylum, is Russia's: the one whose ruling people
# fear ("после решения верховного суда меня могут арестовать...?" was answered with the UK Supreme Court's HJ (Iran))
SUPREME_COURT = re.compile(r"\b(supreme\s+court|верховн\w+\s+суд\w*|verhovn\w*\s+sud\w*)\b", re.I)
ASYLUM = re.compile(r"\b(asylum|refugee|home\s+office|appeal|убежищ\w*|беженц\w*|апелляц\w*|ubezhishch\w*)\b", re.I)


def with_official_names(query: str) -> str:
    """`query` plus the official name of every country it calls by an everyday name
    ("asylum in Holland" also searches "Netherlands"), and Russia's for a Supreme Court that names none."""
    extra = [official for pattern, official in EVERYDAY_NAMES
             if pattern.search(query) and official.lower() not in query.lower()]
    if SUPREME_COURT.search(query) and not named_places(query) and not ASYLUM.search(query):
        extra.append("России" if re.search(r"[а-яё]", query, re.I) else "Russia")
    return " ".join([query, *extra])

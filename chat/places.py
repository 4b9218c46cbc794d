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

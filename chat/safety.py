"""Signals read from the question before anything is retrieved: danger (show the crisis
notice), requests for private people's data, and attempts to re-instruct the system.
Plain regular expressions in English and Russian: deterministic and testable.
"""
from __future__ import annotations

import re
import unicodedata

_I = re.I | re.S
DANGER = [re.compile(p, _I) for p in (
    r"\b(kill|hurt|harm|beat|torture|murder|shoot)\w*\s+(me|us|myself)\b",
    r"\b(want|going|plan\w*|trying|thinking about)\s+(to\s+)?(kill|hurt|harm|killing|hurting)\s+(myself|me)\b",
    r"\bsuicid\w*|\bend (my|it all)\b.*\blife\b|\btake my (own )?life\b|\bdon'?t want to live\b",
    r"\bi('m| am)\s+(in danger|not safe|scared for my life|afraid for my life|hiding|being (followed|watched|"
    r"hunted|held|threatened|blackmailed|beaten))",
    r"\b(my|our)\s+(family|relatives|father|dad|mother|brother|uncle|cousins?|husband|parents)\b.{0,60}"
    r"\b(kill|murder|threat\w*|beat\w*|honou?r|found out|will find)\b",
    r"\b(police|officers|kadyrov\w*|security|they|men)\b.{0,40}\b(looking for|came for|coming for|threaten\w*|"
    r"took|take)\s+(me|us|my)\b",
    r"\b(i|we)\s+(was|were|am|are|have been|'ve been|got)\s+(detained|arrested|kidnapped|abducted|beaten|tortured|"
    r"outed|threatened|blackmailed)\b",
    r"\bmy\s+(friend|partner|boyfriend|girlfriend|brother|sister|husband|wife)\s+(was|has been|is being|got)\s+"
    r"(detained|arrested|taken|kidnapped|abducted|beaten|tortured|killed)\b",
    r"\b(help me|i need to|i have to|how (can|do) i)\s+(escape|flee|get out of|run away|hide)\b",
    r"\bthreaten\w*\s+(me|us)\b|\bblackmail\w*\s+(me|us)\b|\bi('m| am) in danger\b",
    r"\b(убь[её]т|убить|убьют)\s+меня|меня\s+(убь[её]т|убьют|убить)|угрожа\w*\s+(мне|нам)|(мне|нам)\s+угрожа",
    r"я\s+в\s+опасности|помогите\s+(мне\s+)?(сбежать|уехать|спрятаться|выбраться)|покончить\s+с\s+собой|суицид",
    r"меня\s+(задержали|ищут|похитили|избили|шантажир\w*|пытали)|семья\s+узнала|родственники\s+узнали",
)]
PRIVATE_DATA = [re.compile(p, _I) for p in (
    r"\b(home\s+)?address(es)?\s+(of|for)\s+(a\s+|the\s+)?(?!unhcr|the office|an? office|the embassy)\w+",
    r"\bwhere\s+(does|do|did)\s+\w+(\s+\w+)?\s+live\b",
    r"\b(phone|telephone|mobile)\s+number\s+(of|for)\b(?!.*\b(organi[sz]ation|hotline|network|unhcr)\b)",
    r"\b(list|names?|identit\w+|who)\b.{0,40}\b(of\s+)?(gay|lesbian|trans\w*|bi|lgbt\w*|queer|homosexual)\s*"
    r"(men|women|people|persons|guys)?\b.{0,40}\b(in|from|living|live|lives)\b",
    r"\b(is|are)\s+[A-Z][a-z]+\s+[A-Z][a-z]+\s+(gay|lesbian|trans|bi|homosexual)\b",
    r"\b(find|identify|expose|out|track)\w*\s+(gay|lesbian|trans\w*|lgbt\w*|homosexual)\b",
    r"(адрес|где\s+живет|где\s+живёт|телефон)\s+\w+|список\s+(геев|лгбт)",
)]
INJECTION = [re.compile(p, _I) for p in (
    r"\b(ignore|disregard|forget|override)\b.{0,30}\b(instructions|rules|prompt|guidelines|previous|above)\b",
    r"\b(you are now|pretend (to be|you are)|act as|roleplay as|from now on you)\b",
    r"\b(system prompt|developer mode|jailbreak|do anything now|DAN mode)\b",
    r"игнорируй\w*\s+(все\s+)?(предыдущие\s+)?инструкци",
)]


def normalise_question(text: str) -> str:
    """Drop control and direction-override characters; fold runs of white space."""
    cleaned = "".join(
        ch for ch in unicodedata.normalize("NFC", text)
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    return re.sub(r"\s+", " ", cleaned).strip()


def signals_danger(question: str) -> bool:
    return any(p.search(question) for p in DANGER)


def asks_private_data(question: str) -> bool:
    return any(p.search(question) for p in PRIVATE_DATA)


def is_injection(question: str) -> bool:
    return any(p.search(question) for p in INJECTION)

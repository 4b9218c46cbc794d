"""What each sentence of a pasted text is: a claim, an opinion, a question or a call to
action (plain rules, `kind_of`), and the text's cleaning and splitting (`clean_text`,
`split_claims`). Used by chat/check.py."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from chat.messages import message
from kb.errors import BadQuestion
from kb.settings import CHECK, CheckSettings
from kb.text import language_of, split_sentences

KINDS = ("claim", "opinion", "question", "call")
LIST_MARK = re.compile(r"^\s*(?:[-*•▪►–—>]+|\(?\d{1,2}\s*(?:/\d{1,2})?[/.)]|#\d+)\s*")
QUESTION_START = re.compile(
    r"^\W*(who|what|when|where|why|how|which|whose|is|are|was|were|do|does|did|can|could|would|will|has|have|"
    r"isn'?t|aren'?t|doesn'?t|didn'?t|кто|что|когда|где|почему|зачем|как|какой|какая|какие|каким|сколько|разве|"
    r"неужели|правда ли)\b", re.I)
WONDER = re.compile(r"\b(i wonder|i'?m wondering|does anyone know|мне интересно|кто-нибудь знает)\b", re.I)
CALL_START = re.compile(
    r"^\W*(please\s+|пожалуйста,?\s+)?(share|sign|donate|repost|retweet|spread|email|join|demand|boycott|contact|"
    r"delete|remove|avoid|tag|follow|read|watch|learn|check|report|protect|stay safe|"
    r"(help|support|call|act|stand|write|tell|speak|raise|keep|don'?t|do not|never|let'?s|let us|remember)"
    r"\s+(us|them|this|these|the|your|our|a|an|him|her|everyone|people|now|up|with|for|by|to|out|look|forget|"
    r"let|stay|be|silent|quiet|away)|"
    r"подпишите|поделитесь|распространите|репостните|сделайте|помогите|присоединяйтесь|пишите|напишите|звоните|"
    r"позвоните|требуйте|давайте|пожертвуйте|поддержите|расскажите|не молчите|не проходите|не будьте)\b", re.I)
CALL_ANYWHERE = re.compile(r"\b(we|you|everyone|all of us) (must|need to|have to|gotta) (act|share|sign|speak|stand|"
                           r"do|demand|call|write|help|support|raise|tell|keep|not stay|not be|push|pressure)\b|"
                           r"\bмы должны\b|\bнужно действовать\b|\bнадо действовать\b", re.I)
FIRST_PERSON_VIEW = re.compile(
    r"\b(i|we) (really |honestly |strongly )?(think|believe|feel|guess|suppose|fear|doubt|find it)\b|"
    r"\bin my (view|opinion)\b|\bimo\b|\bimho\b|\bpersonally\b|\bto me,|"
    r"\bя (думаю|считаю|полагаю|уверен|уверена|верю|чувствую)\b|\bпо-моему\b|\bпо моему мнению\b|\bмне кажется\b|"
    r"\bна мой взгляд\b|\bимхо\b", re.I)
EVALUATIVE = re.compile(
    r"\b(disgusting|horrific|horrifying|horrible|shameful|outrageous|terrible|awful|heartbreaking|heart-breaking|"
    r"sickening|appalling|evil|monstrous|barbaric|unacceptable|unforgivable|disgrace(ful)?|despicable|vile|"
    r"abhorrent|inhumane|cruel|brave|heroic|inspiring|amazing|wonderful|beautiful|pathetic|cowardly|hypocritical|"
    r"should|shouldn'?t|ought to|must be (stopped|condemned|punished|held)|"
    r"отвратительн\w*|ужасн\w*|позор\w*|чудовищн\w*|возмутительн\w*|бесчеловечн\w*|варварск\w*|омерзительн\w*|"
    r"мерзк\w*|жесток\w*|стыдно|должн[аоы]?|следует|недопустим\w*)\b", re.I)
REPORTED = re.compile(
    r"\b(said|says|called|calls|described|describes|told|stated|wrote|writes|reported|reports|according to|"
    r"warned|argued|claimed|claims|urged|urges|asked|found|ruled|held|заявил\w*|назвал\w*|сказал\w*|сообщил\w*|"
    r"написал\w*|по словам|по данным|призвал\w*|признал\w*|постановил\w*)\b", re.I)


@dataclass
class Sentence:
    text: str  # as pasted
    lang: str
    kind: str


def clean_text(text, settings: CheckSettings = CHECK) -> str:
    """The pasted text, or BadQuestion with a message for the reader (empty, too long,
    not text). Control characters are dropped; line breaks are kept (they end sentences)."""
    if isinstance(text, bytes):
        if b"\x00" in text:
            raise BadQuestion(message("check_not_text"))
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise BadQuestion(message("check_not_text")) from None
    if not isinstance(text, str) or "\x00" in text:
        raise BadQuestion(message("check_not_text"))
    cleaned = "".join(ch for ch in unicodedata.normalize("NFC", text)
                      if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    cleaned = "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in cleaned.splitlines()).strip()
    if not cleaned:
        raise BadQuestion(message("check_empty"))
    if len(cleaned) > settings.max_chars:
        raise BadQuestion(message("check_too_long", language_of(cleaned[:2000]), n=len(cleaned), limit=settings.max_chars))
    if cleaned.count("\ufffd") > len(cleaned) // 4 or not any(ch.isalpha() for ch in cleaned):
        raise BadQuestion(message("check_not_text"))
    return cleaned


def split_claims(text: str) -> list[Sentence]:
    """The text's sentences, each with its language and kind. Bare list markers, emoji and
    links alone ("1/", "🧵") are not sentences."""
    out = []
    for sent in split_sentences(text, language_of(text)):
        if len(re.findall(r"[^\W\d_]{2,}", LIST_MARK.sub("", sent))) < 2:
            continue
        lang = language_of(sent)
        out.append(Sentence(sent, lang, kind_of(sent)))
    return out


def kind_of(sentence: str) -> str:
    """question, call, opinion or claim, by plain rules, in that order: a question mark or a
    question word; an imperative call to action ("share", "sign", "we must", "подпишите");
    first-person or evaluative / modal language that is not reported speech ("I think",
    "disgusting", "should", but not "the minister called it barbaric"); else a claim."""
    text = LIST_MARK.sub("", sentence).strip()
    ends = text.rstrip(" \"'”»)")
    if ends.endswith("?") or WONDER.search(text) or (QUESTION_START.match(text) and not ends.endswith((".", "!"))):
        return "question"
    if CALL_START.match(text) or CALL_ANYWHERE.search(text):
        return "call"
    if FIRST_PERSON_VIEW.search(text) or (EVALUATIVE.search(text) and not REPORTED.search(text)):
        return "opinion"
    return "claim"

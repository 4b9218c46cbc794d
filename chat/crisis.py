"""The crisis notice, shown verbatim from the vetted article `crisis-notice` (or its
translation `crisis-notice-<lang>`): a short first step that fits the kind of danger
(`chat.safety.danger_kind`), then every contact, one tap away.

The article opens with one short section per kind of danger, named below by their headings;
every other section is the full notice (emergency numbers and who answers them, crisis lines,
organisations, staying safe). A maintainer who renames one of these headings renames it here
too (tests/test_chat.py checks that every heading is in the shipped articles).
"""
from __future__ import annotations

from chat.messages import message
from chat.retrieve import CRISIS_ID

SHORT = {
    "en": {"people": "If someone is threatening or hunting you",
           "self_harm": "If you are thinking of ending your life"},
    "ru": {"people": "Если вам угрожают или вас ищут",
           "self_harm": "Если вы думаете о том, чтобы покончить с собой"},
}
# danger_kind -> the short section that opens the notice. Violence from family or police and an
# urgent need to flee both lead with the groups that get people out; a danger of no named kind too.
FOR_KIND = {"self_harm": "self_harm", "violence": "people", "flee": "people", "danger": "people"}


def notice(index, lang: str = "en", kind: str | None = None, places=()) -> dict | None:
    """{"title", "kind", "ack" (one fixed line that acknowledges the person, chat/messages.py; not a quote),
    "first" (the short section's paragraphs), "more" ([{"section", "text"}],
    the rest of the notice), "text" (all of it), "sources"} in `lang` (English if the article
    has no translation), or None if the article is not indexed. `places`: the countries the person
    names; the short section's paragraphs about them come first (Samaritans before Russia's 112
    for someone in the UK)."""
    translated, found = f"{CRISIS_ID}-{lang}", {}
    for c in index.chunks:  # one pass over the index
        if c.meta.get("article_id") in (CRISIS_ID, translated):
            found.setdefault(c.meta["article_id"], []).append(c)
    use = translated if found.get(translated) else CRISIS_ID
    chunks = sorted(found.get(use) or [], key=lambda c: c.meta.get("chunk_index", 0))
    if not chunks:
        return None
    headings = SHORT.get(lang if use == translated else "en", SHORT["en"])
    wanted = headings.get(FOR_KIND.get(kind or "danger", "people"))
    short = set(headings.values())
    first = _where_first([p for c in chunks if c.meta.get("section") == wanted for p in c.text.split("\n\n")], places,
                         abroad=use == CRISIS_ID and FOR_KIND.get(kind or "") == "self_harm")
    more: list[dict] = []
    for c in chunks:
        section = c.meta.get("section", "")
        if section in short:
            continue
        if more and more[-1]["section"] == section:
            more[-1]["text"] += "\n\n" + c.text
        else:
            more.append({"section": section, "text": c.text})
    if not first:  # a heading renamed in the article but not here: the whole notice, in order
        first, more = [more[0]["text"]], more[1:]
    sources = {s["url"]: s for c in chunks for s in c.sources}
    ack = message(f"crisis_ack_{FOR_KIND.get(kind or 'danger', 'people')}", lang if use == translated else "en")
    return {"title": chunks[0].meta.get("title", ""), "kind": kind, "ack": ack, "first": "\n\n".join(first),
            "more": more, "text": "\n\n".join([ack] + first + [m["text"] for m in more]),
            "sources": list(sources.values())}


def _where_first(paragraphs: list[str], places, abroad: bool = False) -> list[str]:
    """The paragraphs that name one of `places` first, the rest in the article's order. `abroad` (thoughts of
    suicide written in English, no place named): the lines for other countries first and those for Russia
    alone last (chat.places.elsewhere; reader sets i and j: a suicidal asylum seeker abroad read "in Russia,
    call 112" first and Samaritans fourth)."""
    from chat.places import elsewhere, named_places

    return sorted(paragraphs, key=lambda p: (elsewhere(p, places, abroad),
                                             abroad and not places and not named_places(p) - {"russia"}))

"""The Russian-to-English bridge (chat/bridge.py) and the country vote (chat/places.py,
chat/retrieve.py): a word table learnt from the knowledge base's own translations, a
Russian question searched through the English originals, and a question that names a
destination country answered from that country's article."""
from __future__ import annotations

import subprocess
import sys

import pytest

from chat import bridge
from chat.places import countries_in
from chat.retrieve import retrieve


def test_model1_credits_each_english_word_to_the_russian_word_that_explains_it():
    """Toy corpus where plain co-occurrence misleads: 'пытк' and 'пыта' both translate
    'tortur', and 'московск' sits next to 'mechan' as often as next to 'moscow'."""
    pairs = [({"пытк", "мужчин"}, {"tortur", "men"}), ({"пыта", "мужчин"}, {"tortur", "men"}),
             ({"пытк", "полиц"}, {"tortur", "polic"}), ({"пыта", "полиц"}, {"tortur", "polic"}),
             ({"московск", "механизм"}, {"moscow", "mechan"}), ({"московск", "активист"}, {"moscow", "activist"}),
             ({"механизм", "обсе"}, {"mechan", "osce"}), ({"активист", "полиц"}, {"activist", "polic"})]
    table = bridge._term_table(pairs, {})
    assert table["пытк"] == table["пыта"] == "tortur"
    assert table["московск"] == "moscow" and table["механизм"] == "mechan"
    assert table["мужчин"] == "men"


TIED = """
from chat.bridge import _term_table
pairs = [({"брат", "отец", "сказал"}, {"brother", "father", "said"})] * 3 + [({"сказал"}, {"said"})]
print(sorted(_term_table(pairs, {}).items()))
"""


def test_the_table_is_the_same_in_every_process():
    """Equal probabilities (words that always occur together) must break the same way
    whatever PYTHONHASHSEED is: the eval's floors sit within one key fact of the figure."""
    runs = {subprocess.run([sys.executable, "-c", TIED], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout for seed in (1, 2, 3, 4)}
    assert len(runs) == 1 and "brother" in runs.pop()


def test_the_table_is_learnt_from_aligned_translations_of_the_shipped_kb(shipped):
    _, assistant = shipped
    b = bridge.bridge_for(assistant.index)
    ru_chunks = [c.id for c in assistant.index.chunks if assistant.index.languages[c.id] == "ru"
                 and not c.meta["article_id"].startswith("crisis-notice")]
    assert len(b.chunks) >= 0.9 * len(ru_chunks)  # nearly every Russian chunk has its English original
    for ru, en in list(b.chunks.items())[:20]:
        assert assistant.index.by_id[en].meta["article_id"] + "-ru" == assistant.index.by_id[ru].meta["article_id"]
    expected = {"убежищ": "asylum", "пыта": "tortur", "московск": "moscow", "чечн": "chechnya", "ге": "gay"}
    for ru, en in expected.items():
        assert b.terms.get(ru, "").lower().startswith(en), (ru, b.terms.get(ru))
    assert bridge.bridge_for(assistant.index) is b  # learnt once per index version


@pytest.mark.parametrize("question, article_id", [  # phrasings that are not in the gold set
    ("кого пытали в аргуне и как", "chechnya-detainee-accounts-ru"),
    ("что решил европейский суд по жалобе лапунова", "chechnya-court-cases-ru"),
    # "выслать" left the learnt table when the 2026-12-05 translations changed its counts (the
    # bridge only knows what the translations teach: issue 21); "выдворить" is what they use
    ("можно ли выдворить человека туда где его будут пытать", "asylum-non-refoulement-ru"),
])
def test_bridged_search_finds_the_russian_article(shipped, question, article_id):
    _, assistant = shipped
    english, share = bridge.to_english(assistant.index, bridge.bridge_for(assistant.index), question)
    assert english and share >= 0.5
    hits, _ = retrieve(assistant.index, assistant.embedder, question, lang="ru")
    assert article_id in [h.chunk_id.split(":")[0] for h in hits[:3]]


@pytest.mark.parametrize("text, expected", [
    ("asylum in Holland", {"netherlands"}), ("в голандии в лагере", {"netherlands"}),
    ("gde v anglii pomogayut", {"united-kingdom"}), ("what does the Home Office ask", {"united-kingdom"}),
    ("Убежище для ЛГБТ-людей в Германии", {"germany"}), ("в США", {"united-states"}),
    ("английский язык", set()), ("the Inter-American Court", set()), ("Latin America", set()),
    ("use a virus scanner", set()),
])
def test_countries_named_in_questions_and_titles(text, expected):
    assert countries_in(text) == expected


@pytest.mark.parametrize("question, article_id", [
    ("gde v anglii pomogayut lgbt bezhentsam s ubezhishchem", "asylum-united-kingdom-ru"),
    ("кто помогает геям с убежищем в голландии", "asylum-netherlands-ru"),
])
def test_a_russian_question_naming_a_country_is_answered_from_its_article(shipped, question, article_id):
    _, assistant = shipped
    result = assistant.ask(question)
    assert not result["refused"]
    assert result["hits"][0].chunk_id.split(":")[0] == article_id  # the country's own article is found first
    assert any(c["article_id"] == article_id for c in result["citations"])


def test_the_table_is_cached_per_index_version_and_a_damaged_file_is_relearnt(shipped, monkeypatch):
    from chat.index import Index

    _, assistant = shipped
    learnt = bridge.bridge_for(assistant.index)
    path = bridge._cache_file(assistant.index)
    assert path is not None and path.is_file()

    def refuse(index):
        raise AssertionError("learnt again although cached")

    with monkeypatch.context() as m:  # a new process's index: read from the file, not learnt
        m.setattr(bridge, "learn", refuse)
        again = bridge.bridge_for(Index(assistant.store).load())
    assert again == learnt

    path.write_text("{not json", encoding="utf-8")
    relearnt = bridge.bridge_for(Index(assistant.store).load())
    assert relearnt == learnt
    assert bridge._load(Index(assistant.store).load()) == learnt  # the damaged file was rewritten


def test_ru_bridge_off_searches_russian_plainly_and_never_builds_the_tables(shipped):
    """REFUGE_RU_BRIDGE=off (for a multilingual model): no word table, no English fallback
    (neither builds its per-version tables), no verb-prefix rule; the question is still
    answered from a Russian article."""
    import dataclasses

    from chat.assistant import Assistant
    from kb.errors import ConfigError
    from kb.settings import get_settings

    assert get_settings({}).ru_bridge and not get_settings({"REFUGE_RU_BRIDGE": "off"}).ru_bridge
    with pytest.raises(ConfigError, match="REFUGE_RU_BRIDGE"):
        get_settings({"REFUGE_RU_BRIDGE": "maybe"})
    settings, assistant = shipped
    plain = Assistant(dataclasses.replace(settings, ru_bridge=False), store=assistant.store,
                      embedder=assistant.embedder)
    # (the KB now writes "посоветовать", so a rarer prefixed form shows the prefix rule)
    assert plain.index.correct("насоветуй") == ["насовет"] and assistant.index.correct("насоветуй") == ["совет"]
    got = plain.ask("Как в 2017 году «Новая газета» узнала о задержаниях в Чечне?")
    assert not got["refused"] and got["citations"][0]["article_id"].endswith("-ru")
    assert "bridge" not in plain.index.per_version and "articles" not in plain.index.per_version

"""Russian questions on topics only English articles cover (chat/fallback.py): answered
from the English articles with the "sources are in English" notice, while questions a
Russian article answers stay Russian. Worded differently from every eval item."""
from __future__ import annotations

import pytest

from chat import bridge, fallback
from evals.runner import other_language
from kb.translit import is_translit


@pytest.mark.parametrize("question, article_id", [
    ("жалоба тунена в комитет оон", "rights-toonen-v-australia"),
    ("с какого года воз не считает гомосексуальность психическим расстройством", "rights-who-classification"),
    ("когда россия вышла из совета европы", "russia-exit-from-echr"),
    ("что такое конверсионная терапия", "rights-conversion-practices"),
    ("что такое иноагент", "russia-foreign-agent-rules"),
])
def test_russian_question_on_an_english_only_topic_is_answered_from_english(partly_translated, question, article_id):
    _, assistant = partly_translated
    result = assistant.ask(question)
    assert not result["refused"]
    assert article_id in {c["article_id"] for c in result["citations"]}
    assert all(not c["article_id"].endswith("-ru") for c in result["citations"])
    assert "sources_in_english" in result["notices"]


def test_english_attempt_does_not_answer_what_no_article_covers(partly_translated):
    _, assistant = partly_translated
    for question in ("разрешены ли однополые браки в японии", "какой сериал посмотреть про любовь"):
        assert assistant.ask(question)["refused"], question


def test_glossary_puts_untranslated_topics_into_english(partly_translated):
    _, assistant = partly_translated
    english = fallback.english_query(assistant.index, "принципы Джокьякарты и дело Тунена")
    assert "Yogyakarta" in english and "Toonen" in english
    # a misspelt word finds its glossary entry; the learnt table alone doesn't know the topic
    assert "propaganda" in fallback.english_query(assistant.index, "пропоганда")
    learnt, _ = bridge.to_english(assistant.index, bridge.bridge_for(assistant.index), "Джокьякарты")
    assert "Yogyakarta" not in learnt


def test_glossary_file_parsing(tmp_path):
    path = tmp_path / "glossary.txt"
    path.write_text("# comment\n\nзакон, законы = law\nновая зеландия = New Zealand\nбез знака\nпакт =\n",
                    encoding="utf-8")
    table = bridge.glossary_terms.__wrapped__(path)
    assert table == {"закон": "law"}  # both forms stem alike; two-word keys and empty sides are skipped


def test_every_glossary_line_is_used():
    """Each non-comment line names at least one Russian word (not a phrase): a line the parser
    skips entirely would be a silent mistake of the maintainer who wrote it."""
    from chat.index import bm25_tokens

    for line in bridge.GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            left, sep, right = line.partition("=")
            assert sep and right.strip(), line
            assert any(bm25_tokens(w) and " " not in w.strip() for w in left.split(",")), line


def test_other_language_items():
    assert other_language({"language": "ru", "gold_article_ids": ["rights-toonen-v-australia"]})
    assert not other_language({"language": "ru", "gold_article_ids": ["asylum-germany-ru"]})
    assert not other_language({"language": "en", "gold_article_ids": ["asylum-germany"]})
    assert not other_language({"language": "ru", "gold_article_ids": []})


def test_translit_with_common_verbs_is_found():
    assert is_translit("kogda i kem byli prinyaty eti pravila")
    assert not is_translit("when and by whom were the principles adopted")


def test_a_knowledge_base_with_no_translation_answers_russian_from_english(tmp_path, embedder):
    """No `-ru` article at all: no word table to learn, and the English attempt still answers."""
    from chat.assistant import Assistant
    from ingest.pipeline import run_ingest
    from tests.conftest import copy_articles, settings_from

    root = copy_articles(tmp_path, ["rights-toonen-v-australia", "rights-yogyakarta-principles"])
    settings = settings_from({"REFUGE_DATA_DIR": str(tmp_path / "data"), "REFUGE_KB_DIR": str(root)})
    run_ingest(settings, progress=False)
    assistant = Assistant(settings, embedder=embedder)
    result = assistant.ask("что такое принципы джокьякарты")
    assert not result["refused"] and "sources_in_english" in result["notices"]
    assert result["citations"][0]["article_id"] == "rights-yogyakarta-principles"
    assert assistant.ask("как приготовить борщ")["refused"]

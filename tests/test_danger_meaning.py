"""Danger read from a question's meaning (chat/danger.py), where its words name none that chat/safety.py knows.

Set cc (2026-12-07): three of four messages in danger got no crisis notice, because their words were new to the
regular expressions. These messages were written for this test, in none of the sets the regression learnt from.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from chat.danger import WEIGHTS, likelihood, reads_danger
from chat.safety import danger_kind

IN_DANGER = [
    "my dad scrolled my phone and my brothers say they will fix me when i get home. where can i go",
    "i cant keep going. everything is pointless and i just want to disappear forever",
    "мои братья прочитали мою переписку и сказали, что вечером со мной разберутся. я сижу в комнате",
]
CALM = [
    "how long does the home office take to decide an asylum claim",
    "what did the 2013 propaganda law ban",
    "my friend got beaten after a grindr date in 2019, can that count for his asylum case",
    "is it safe to use dating apps in moscow",
    "i'm scared of the asylum interview, what will they ask",
]


@pytest.mark.parametrize("message", IN_DANGER)
def test_danger_is_read_from_the_meaning_where_the_words_name_none(shipped, message):
    settings, assistant = shipped
    assert danger_kind(message) is None  # the words alone miss it
    assert reads_danger(assistant.embedder.embed_query(message), settings.embed_model)
    result = assistant.ask(message)
    assert "crisis" in result["notices"] and result["danger"]


@pytest.mark.parametrize("message", CALM)
def test_calm_questions_are_not_read_as_danger(shipped, message):
    settings, assistant = shipped
    assert not reads_danger(assistant.embedder.embed_query(message), settings.embed_model)
    assert "crisis" not in assistant.ask(message)["notices"]


def test_the_weights_are_for_the_shipped_model_and_nothing_else(shipped, tmp_path):
    settings, _ = shipped
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert data["model"] == settings.embed_model and len(data["weights"]) == len(data["mean"])
    vec = np.zeros(len(data["weights"]), dtype=np.float32)
    assert likelihood(vec, "another-model") is None  # another model's vectors are never read with these weights
    assert likelihood(vec, data["model"], tmp_path / "none.json") is None  # no weights: the words alone decide
    assert 0.0 < likelihood(vec, data["model"]) < 1.0

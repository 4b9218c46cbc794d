"""Follow-ups that follow (issue 20): a short follow-up that names something new puts it in
place of the previous turn's country, year or name; any other follow-up is asked about the
previous question's topic. Pure rewriting first (no model), then a few end to end."""
import pytest

from chat.question import search_query


def _history(question: str) -> list[dict]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": "..."}]


SWAPS = [  # (previous question, follow-up, the question as meant)
    ("Can I get asylum in Germany because I am gay?", "and in Canada?", "Can I get asylum in Canada because I am gay?"),
    ("Can I get asylum in Germany because I am gay?", "What about Canada?",
     "Can I get asylum in Canada because I am gay?"),
    ("Can I get asylum in Germany because I am gay?", "and the netherlands", "Can I get asylum in netherlands because I am gay?"),
    ("how long does an asylum claim take in the UK", "and in germany?", "how long does an asylum claim take in the germany"),
    ("is the interview recorded in the Netherlands?", "what about in the US?", "is the interview recorded in the US?"),
    ("who decides asylum claims in Canada", "and in Germany", "who decides asylum claims in Germany"),
    ("What happened to gay men in Chechnya in 2017?", "and in 2019?", "What happened to gay men in Chechnya in 2019?"),
    ("how many were detained in 2017", "what about 2019", "how many were detained in 2019"),
    ("What did the ECtHR decide in Bayev?", "and in Fedotova?", "What did the ECtHR decide in Fedotova?"),
    ("Можно ли получить убежище в Германии?", "а в Канаде?", "Можно ли получить убежище в Канаде?"),
    ("Как долго ждать решения в Германии?", "а в Нидерландах?", "Как долго ждать решения в Нидерландах?"),
    ("Что случилось в Чечне в 2017 году?", "а в 2019?", "Что случилось в Чечне в 2019 году?"),
    ("Что решил ЕСПЧ по делу Баев?", "а по делу Лапунов?", "Что решил ЕСПЧ по делу Лапунов?"),
    ("mozhno li poluchit ubezhishe v Germanii?", "a v Kanade?", "mozhno li poluchit ubezhishe v Kanade?"),
]

ON_TOPIC = [  # (previous question, follow-up): asked about the previous topic
    ("Can I get asylum in Germany because I am gay?", "How long does it take?"),
    ("Can I get asylum in Germany because I am gay?", "and for trans people?"),
    ("What is the 2013 propaganda law?", "what is the fine?"),
    ("What is the 2013 propaganda law?", "is it still in force?"),
    ("What did the OSCE report say about Chechnya?", "who wrote it?"),
    ("How do I appeal a refusal in the UK?", "what is the deadline?"),
    ("What is non-refoulement?", "does it apply to me?"),
    ("What happened in Chechnya in 2017?", "how many were killed?"),
    ("Что такое закон о пропаганде 2013 года?", "а какой штраф?"),
    ("Как проходит интервью в Германии?", "а переводчик будет?"),
    ("Что такое принцип невыдворения?", "а это касается меня?"),
    ("Кто помогает уехать из Чечни?", "а это бесплатно?"),
]


@pytest.mark.parametrize("previous, follow_up, meant", SWAPS)
def test_a_follow_up_naming_something_new_replaces_it(previous, follow_up, meant):
    assert search_query(follow_up, _history(previous)) == meant


@pytest.mark.parametrize("previous, follow_up", ON_TOPIC)
def test_a_follow_up_asking_something_new_keeps_the_topic(previous, follow_up):
    assert search_query(follow_up, _history(previous)) == f"{previous} {follow_up}"


@pytest.mark.parametrize("question", ["What is the Yogyakarta Principles?", "Can I get asylum in Canada?",
                                      "how does the uk decide gay asylum claims"])
def test_a_new_question_stands_alone(question):
    assert search_query(question, _history("What happened in Chechnya in 2017?")) == question


@pytest.mark.parametrize("follow_up, country", [("and in Canada?", "canad"), ("What about Canada?", "canad"),
                                                ("and the netherlands", "netherlands")])
def test_a_swapped_follow_up_is_answered_about_the_new_country(shipped, follow_up, country):
    _, assistant = shipped
    result = assistant.ask(follow_up, history=_history("Can I get asylum in Germany because I am gay?"))
    assert not result["refused"]
    shown = f"{result['answer']} {result['more']}".lower()
    assert country in shown and "germany" not in shown  # about the new country, and nothing about the old one


def test_a_follow_up_on_the_same_topic_stays_there(shipped):
    _, assistant = shipped
    result = assistant.ask("How long does it take?", history=_history("Can I get asylum in Germany because I am gay?"))
    assert not result["refused"]
    assert result["hits"][0].chunk_id.split(":")[0] in ("asylum-germany", "asylum-germany-ru")

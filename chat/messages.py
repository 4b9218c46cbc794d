"""Fixed texts the chat returns, in English and Russian. Never generated."""
from __future__ import annotations

TEXT = {
    "en": {
        "no_source": ("I don't have a vetted source for that. Refuge answers questions about LGBTQ people's rights, "
                      "asylum for LGBTQ people, and the persecution of LGBTQ people in Chechnya and Russia, only from "
                      "its reviewed articles. You could try asking about one of those topics."),
        "private": ("I can't help find, identify or locate any private person, or say who is LGBTQ. Sharing that "
                    "could put people in serious danger. I can explain people's rights, asylum procedures, or where "
                    "to find help."),
        "service": ("I can't recommend a particular lawyer, venue or service, or give opening hours or the weather."
                    " Refuge explains LGBTQ people's rights, asylum procedures and the situation in Chechnya "
                    "and Russia from reviewed articles, including how to find legal help."),
        "injection": ("I can only answer questions from Refuge's vetted articles and can't change how I work. "
                      "You're welcome to ask about LGBTQ rights, asylum, or the situation in Chechnya and Russia."),
        "empty": "Please type a question.",
        "too_long": "That question is too long ({n:,} characters). Please keep it under {limit:,} characters.",
        "too_long_body": "That question is too long. Please keep it under {limit:,} characters.",
        "not_text": "That doesn't look like text. Please type your question in words.",
        "unavailable": "The knowledge base is temporarily unavailable. Please try again in a minute.",
        "busy": "Refuge is busy right now. Please try again in a moment.",
        "rate_limited": "That's a lot of questions in a short time. Please wait a minute, then ask again.",
        "help_query": "organisations that help LGBTQ people leave danger and get support",
        "check_empty": "Please paste a text to check.",
        "check_too_long": "That text is too long ({n:,} characters). Please paste at most {limit:,} characters.",
        "check_not_text": "That doesn't look like text. Please paste the words of the post or article.",
        "not_covered": "No vetted source in Refuge covers this claim, so it is neither confirmed nor rated here.",
        "full_story": "The full story: “{title}”.",
        "crisis_ack_self_harm": ("I'm so sorry you're going through this. You don't have to face it alone: "
                                 "please talk to someone now:"),
        "crisis_ack_people": "If you are in danger, your safety comes first. These people can help now:",
    },
    "ru": {
        "no_source": ("У меня нет проверенного источника по этому вопросу. Refuge отвечает на вопросы о правах "
                      "ЛГБТК+ людей, о предоставлении убежища ЛГБТК+ людям и о преследованиях ЛГБТК+ людей в Чечне "
                      "и России — только по своим проверенным статьям."),
        "private": ("Я не могу помочь найти или опознать частное лицо или сказать, кто является ЛГБТК+. Это может "
                    "подвергнуть людей серьёзной опасности. Я могу рассказать о правах, процедурах убежища и о том, "
                    "где найти помощь."),
        "service": ("Я не могу порекомендовать конкретного юриста, заведение или услугу и не знаю часов работы "
                    "или погоды. Refuge рассказывает о правах ЛГБТК+ людей, процедурах убежища и ситуации "
                    "в Чечне и России по проверенным статьям — в том числе о том, как найти юридическую помощь."),
        "injection": ("Я отвечаю только по проверенным статьям Refuge и не могу изменить то, как я работаю. "
                      "Спросите о правах ЛГБТК+ людей, убежище или ситуации в Чечне и России."),
        "empty": "Пожалуйста, введите вопрос.",
        "too_long": "Вопрос слишком длинный ({n:,} символов). Пожалуйста, сократите его до {limit:,} символов.",
        "too_long_body": "Вопрос слишком длинный. Пожалуйста, сократите его до {limit:,} символов.",
        "not_text": "Это не похоже на текст. Пожалуйста, задайте вопрос словами.",
        "unavailable": "База знаний временно недоступна. Пожалуйста, попробуйте через минуту.",
        "busy": "Сейчас Refuge перегружен. Пожалуйста, попробуйте чуть позже.",
        "rate_limited": "Слишком много вопросов за короткое время. Пожалуйста, подождите минуту и спросите снова.",
        "help_query": "организации которые помогают ЛГБТ людям уехать из опасности и получить поддержку",
        "check_empty": "Пожалуйста, вставьте текст для проверки.",
        "check_too_long": "Текст слишком длинный ({n:,} символов). Пожалуйста, вставьте не больше {limit:,} символов.",
        "check_not_text": "Это не похоже на текст. Пожалуйста, вставьте слова поста или статьи.",
        "not_covered": "В проверенных источниках Refuge нет сведений об этом утверждении, поэтому здесь оно не "
                       "подтверждается и не оценивается.",
        "full_story": "Подробнее: «{title}».",
        "crisis_ack_self_harm": ("Мне очень жаль, что вам сейчас так тяжело. Вы не обязаны справляться с этим "
                                 "в одиночку: пожалуйста, поговорите с кем-нибудь прямо сейчас:"),
        "crisis_ack_people": "Если вам грозит опасность, важнее всего ваша безопасность. Помочь прямо сейчас могут:",
    },
}


def message(key: str, lang: str = "en", **fmt) -> str:
    table = TEXT.get(lang, TEXT["en"])
    return table.get(key, TEXT["en"][key]).format(**fmt)

"""Every piece of interface text, in English and Russian. The page title ("Notes") is
the same neutral word in both, so a browser tab says nothing about the subject."""
from __future__ import annotations

UI = {
    "en": {
        "exit": "Exit now",
        "exit_note": "Leaves at once (or press Shift 3 times). It does not erase your browser history.",
        "exit_note_basic": "Leaves this page. It does not erase your browser history.",
        "notice": "Educational information from reviewed sources, not legal advice. Questions are not stored.",
        "placeholder": "Ask a question",
        "new": "New conversation",
        "answers": "Answers",
        "sources": "Sources",
        "sources_n": "Sources ({n})",
        "source_n": "Source {n}",
        "and_more": "and {n} more",
        "all_contacts": "All contacts, who answers them, and staying safe",
        "heading": "Questions and answers",
        "question": "Your question",
        "send": "Send",
        "ask": "Ask",
        "examples_label": "Example questions",
        "answer_ready": "Answer ready.",
        "crisis_ready": "Ways to get help now are shown first.",
        "working": "Looking in the sources…",
        "noscript": "This page needs JavaScript. The basic page works without it:",
        "basic_link": "Open the basic page",
        "basic_title": "Ask a question (basic page, no JavaScript)",
        "full_link": "Full page (needs JavaScript)",
        "other_language": "Русский",
        "more": "More from the sources",
        "passage": "Show the passage",
        "reviewed": "last reviewed",
        "examples": ["What happened to gay men in Chechnya in 2017?", "Can I get asylum because I am gay?",
                     "Is it legal to be gay in Russia?", "What are the Yogyakarta Principles?"],
        "sources_in_english": "There is no reviewed article on this in Russian yet; the sources are in English.",
        "crisis_fallback": "If you are in danger now: 112 is the emergency number; in Russia it also reaches the police.",
        "language": "Language",
        "draft": "Draft from a language model, being checked against the sources…",
        "llm_checked": "Written by a language model; every sentence was checked against the passage it cites.",
        "llm_removed": "{n} sentence(s) that the sources do not support were left out.",
        "llm_fallback": "The language model's answer could not be checked against the sources, "
                        "so sentences quoted from them are shown instead.",
        "ask_tab": "Ask a question",
        "check_tab": "Check a text",
        "check_label": "Text to check",
        "check_placeholder": "Paste a post, a thread or an article (up to 20,000 characters)",
        "check_intro": "Each sentence is marked as a claim, an opinion, a question or a call to action. Claims are "
                       "looked up in reviewed sources; only a curated review gives a rating. The text is not stored.",
        "check_button": "Check",
        "check_too_long_body": "That text is too long. Please paste at most {limit:,} characters.",
        "checked_n": "Sentences checked: {n}",
        "kind_claim": "Claim", "kind_opinion": "Opinion", "kind_question": "Question", "kind_call": "Call to action",
        "verdict_documented": "Documented", "verdict_disputed": "Disputed", "verdict_misattributed": "Misattributed",
        "verdict_unsupported": "Unsupported", "verdict_misleading": "Misleading", "verdict_outdated": "Outdated",
        "verdict_related": "Related vetted sources (no rating)",
        "verdict_not_covered": "No vetted source covers this",
        "rating": "Rating of a curated review",
        "check_link": "Check a text instead",
        "ask_link": "Ask a question instead",
    },
    "ru": {
        "exit": "Выйти",
        "exit_note": "Сразу закрывает страницу (или нажмите Shift 3 раза). История браузера при этом не стирается.",
        "exit_note_basic": "Уводит с этой страницы. История браузера при этом не стирается.",
        "notice": "Справочная информация из проверенных источников, не юридическая консультация. "
                  "Вопросы не сохраняются.",
        "placeholder": "Задайте вопрос",
        "new": "Новый разговор",
        "answers": "Ответы",
        "sources": "Источники",
        "sources_n": "Источники ({n})",
        "source_n": "Источник {n}",
        "and_more": "и ещё {n}",
        "all_contacts": "Все контакты, кто по ним отвечает, и как оставаться в безопасности",
        "heading": "Вопросы и ответы",
        "question": "Ваш вопрос",
        "send": "Отправить",
        "ask": "Спросить",
        "examples_label": "Примеры вопросов",
        "answer_ready": "Ответ готов.",
        "crisis_ready": "Сначала показано, где получить помощь прямо сейчас.",
        "working": "Ищу в источниках…",
        "noscript": "Для этой страницы нужен JavaScript. Простая страница работает без него:",
        "basic_link": "Открыть простую страницу",
        "basic_title": "Задайте вопрос (простая страница, без JavaScript)",
        "full_link": "Полная страница (нужен JavaScript)",
        "other_language": "English",
        "more": "Ещё из источников",
        "passage": "Показать фрагмент",
        "reviewed": "проверено",
        "examples": ["Что произошло с геями в Чечне в 2017 году?", "Могу ли я получить убежище, потому что я гей?",
                     "Как получить убежище в Германии?", "Кто помогает уехать из Чечни?"],
        "sources_in_english": "Проверенной статьи на русском об этом пока нет; источники на английском языке.",
        "crisis_fallback": "Если вы в опасности прямо сейчас: 112 — номер экстренных служб; в России он соединяет и с полицией.",
        "language": "Язык",
        "draft": "Черновик языковой модели, идёт проверка по источникам…",
        "llm_checked": "Текст написан языковой моделью; каждое предложение проверено по фрагменту, на который оно ссылается.",
        "llm_removed": "Предложений, не подтверждённых источниками, убрано: {n}.",
        "llm_fallback": "Ответ языковой модели не удалось проверить по источникам, "
                        "поэтому показаны предложения, процитированные из них.",
        "ask_tab": "Задать вопрос",
        "check_tab": "Проверить текст",
        "check_label": "Текст для проверки",
        "check_placeholder": "Вставьте пост, ветку или статью (до 20 000 символов)",
        "check_intro": "Каждое предложение помечено как утверждение, мнение, вопрос или призыв к действию. "
                       "Утверждения сверяются с проверенными источниками; оценку даёт только подготовленный разбор. "
                       "Текст не сохраняется.",
        "check_button": "Проверить",
        "check_too_long_body": "Текст слишком длинный. Пожалуйста, вставьте не больше {limit:,} символов.",
        "checked_n": "Проверено предложений: {n}",
        "kind_claim": "Утверждение", "kind_opinion": "Мнение", "kind_question": "Вопрос",
        "kind_call": "Призыв к действию",
        "verdict_documented": "Подтверждено", "verdict_disputed": "Оспаривается",
        "verdict_misattributed": "Приписано не тому", "verdict_unsupported": "Не подтверждено",
        "verdict_misleading": "Вводит в заблуждение", "verdict_outdated": "Устарело",
        "verdict_related": "Связанные проверенные источники (без оценки)",
        "verdict_not_covered": "Проверенных источников об этом нет",
        "rating": "Оценка подготовленного разбора",
        "check_link": "Проверить текст",
        "ask_link": "Задать вопрос",
    },
}


def ui_text(lang: str) -> dict:
    return UI.get(lang, UI["en"])


def pick_language(accept_language: str | None) -> str:
    """'ru' when the browser prefers Russian over English, else 'en'."""
    best, best_q = "en", -1.0
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        lang = tag.strip().lower()[:2]
        if lang in ("ru", "en") and weight > best_q:
            best, best_q = lang, weight
    return best

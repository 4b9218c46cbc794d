"""The chat's front door: `Assistant.ask(question, history)` returns the answer object
that DESIGN.md fixes (question, answer, refused, citations, notices, timings_ms).

It checks the question, looks for danger and misuse, retrieves, refuses when nothing
retrieved is relevant enough, and otherwise composes an extractive, cited answer (or, with
a language model selected, a generated one verified sentence by sentence: chat/generate.py).
"""
from __future__ import annotations

import re
import time
from dataclasses import replace

from chat import compose, faq
from chat.index import Index, bm25_tokens
from chat.llm import parse as parse_llm
from chat.messages import message
from chat.places import with_official_names
from chat.danger import reads_danger, reads_self_harm
from chat.question import POINTER, Question, asked_pieces, asks, first_question, in_danger_by_meaning, kb_names, last_sentence, only_names, question_language, read, understand, with_subject  # noqa: F401 (question_language: the UI's)
from chat.relevance import is_relevant, measure
from chat.retrieve import retrieve
from chat.safety import normalise_question
from kb.embedder import get_embedder
from kb.errors import BadQuestion
from kb.settings import Settings, answer_settings, check_settings, relevance_settings
from kb.store import guarded, open_store
from kb.text import content_words, language_of, split_sentences, words

CITATION_KEYS = ("n", "article_id", "chunk_id", "title", "section", "quote", "sources")
PUBLIC_KEYS = ("question", "answer", "more", "refused", "citations", "notices", "timings_ms")


class Assistant:
    def __init__(self, settings: Settings, store=None, embedder=None):
        self.settings = settings
        self.store = store or open_store(settings, fresh=True)
        self.embedder = embedder or get_embedder(settings.embed_model, settings)
        self.index = Index(self.store).load()
        self.answer = answer_settings(settings.embed_model)  # the pair match's numbers for this model
        self.relevance = relevance_settings(settings.embed_model)  # ...and its refusal thresholds
        self.check = check_settings(settings.embed_model)  # ...and refuge check's claim-review thresholds

    def warm(self) -> None:
        """Make now what the first question of a kind would otherwise wait for, once per
        index version: the help passages that a question in danger opens with (~0.5 s at
        100,000 chunks). Safe in a thread while questions are
        answered."""
        for lang in ("en", "ru"):
            compose.help_passages(self.index, lang, set())

    def check_question(self, question) -> str:
        """The cleaned question, or BadQuestion with a message for the reader."""
        if isinstance(question, bytes):
            try:
                question = question.decode("utf-8")
            except UnicodeDecodeError:
                raise BadQuestion(message("not_text")) from None
        if not isinstance(question, str):
            raise BadQuestion(message("not_text"))
        cleaned = normalise_question(question)
        limit = self.settings.max_question_chars
        if not cleaned:
            raise BadQuestion(message("empty"))
        if len(cleaned) > limit:
            raise BadQuestion(message("too_long", language_of(cleaned[:2000]), n=len(cleaned), limit=limit))
        if "\ufffd" in cleaned and cleaned.count("\ufffd") > len(cleaned) // 4:
            raise BadQuestion(message("not_text"))
        return cleaned

    @guarded
    def ask(self, question, history: list[dict] | None = None, mode: str = "hybrid",
            composer: str = "extractive", llm: str | None = None, on_text=None) -> dict:
        """The answer object. `llm` (default: settings.llm, i.e. REFUGE_LLM) selects a
        language model for the generative path; "none" forces the extractive answer.
        `on_text(text so far)` receives the model's unverified reply as it streams."""
        llm = self.settings.llm if llm is None else llm
        parse_llm(llm)  # a bad spec is a ConfigError before any work
        self.index.refresh()
        q = understand(self.check_question(question), history, self.index)
        q, door_vec = self._danger_by_meaning(q)
        lang, danger = q.language, q.in_danger
        result = reply(q.text, "", refused=False, notices=["crisis"] if danger else [])
        if danger:
            result["danger"] = q.danger  # internal: which short crisis notice opens
        if q.misuse and not (q.misuse == "service" and danger):
            return dict(result, answer=message(q.misuse, lang), refused=True)
        t0 = time.perf_counter()
        hits, qvec, sig, used_lang, query, asked, found_relevant = self._search(q, mode, door_vec)
        t1 = time.perf_counter()
        result.update(hits=hits, signals=sig.as_dict())
        result["timings_ms"]["retrieve"] = round((t1 - t0) * 1000, 2)
        if query != asked:
            qvec = self.embedder.embed_query(asked)  # pick sentences for what was asked now
        top = top_articles(hits)
        meant = q.meant if asked == q.asked else read(asked, self.index)  # the English query, when it answers
        curated = self._curated(qvec, meant, used_lang, top, found_relevant) \
            if composer == "extractive" and not sig.missing_places else None  # "...in Taiwan?" is not Russia's pair
        if curated and danger and not q.asks_more and self.index.by_id[curated[0]].meta.get("topic") == "chechnya":
            curated = None  # a plea for help in danger is not answered with what was done to others in Chechnya ("my
            # father took my passport... i'm locked in my room in grozny. please what do i do" got "captors urged
            # relatives to kill them")
        if curated and q.danger == "self_harm" and self.index.by_id[curated[0]].meta.get("topic") in ("chechnya", "russia"):
            curated = None  # thoughts of suicide: what was done to others is not quoted, though what was asked may be
            # (set p, p52: a young woman threatened by her family got how police in Dagestan entrap gay men; set g, g59
            # keeps the appeal deadline after a second refusal)
        result["curated"] = curated[0] if curated else None  # internal: the "Questions people ask" pair that leads
        also = self._later_pair(meant, used_lang, top, curated[0]) if curated and not danger else None
        relevant = danger and bool(hits) or found_relevant
        if not curated and not relevant:
            return dict(result, answer=message("no_source", lang), refused=True)
        answer, more, cites, generation = self._compose(hits if relevant else [], qvec, composer, meant, llm, used_lang, on_text,
                                                        query, curated=curated, kind_of=q, also=also)
        result["timings_ms"]["answer"] = round((time.perf_counter() - t1) * 1000, 2)
        if generation:  # internal keys; public() drops them
            result.update({k: generation[k] for k in ("generated", "removed", "fallback", "llm_stats")},
                          llm_message=generation["message"])
            if generation["fallback"]:
                result["notices"].append("llm_fallback")
        if not cites:
            return dict(result, answer=message("no_source", lang), refused=True)
        if used_lang != lang and any(self.index.languages.get(c["chunk_id"]) != lang for c in cites):
            result["notices"].append("sources_in_english")  # the search fell back to English and used it
        return dict(result, answer=answer, more=more, citations=cites)

    def _danger_by_meaning(self, q: Question) -> tuple:
        """(the turn, read as danger from its meaning when its words name none: chat/danger.py; the query vector of
        its text, reused by the search, or None)."""
        if q.in_danger or q.misuse:  # a request for a hostel is a service's, not read for danger (set hh, hh57)
            return q, None
        vec, model = self.embedder.embed_query(q.text), self.settings.embed_model
        return (in_danger_by_meaning(q, self.index, reads_self_harm(vec, model)) if reads_danger(vec, model) else q), vec

    def _search(self, q: Question, mode: str, door_vec=None):
        """The answer's language, in one rule: the passages in the question's language, unless none of them is
        relevant and the best English passage (counted `RelevanceSettings.language_gap` higher, as if it were in
        the question's language) is relevant and from an article with no translation into it; then the answer
        carries the "sources in English" note. A question that might lean on the conversation is also searched
        with the previous question."""
        lang, question, first = q.language, q.cyrillic, q.asked
        extra = f" {message('help_query', lang)}" if q.in_danger else ""
        queries = [first] + ([f"{q.previous} {question}"] if q.previous and first == question else [])
        best = None
        for query in queries:
            query = with_official_names(query)  # "asylum in Holland" also searches "Netherlands"
            vec = door_vec if query + extra == q.text else None  # embedded at the door already
            own = self._attempt(q, query + extra, lang, mode, first, vec)
            if lang != "en" and not own[6]:
                english = self._attempt(q, query + extra, "en", mode, first, own[1], self.relevance.language_gap)
                if english[6] and not self._translated(english[0][0].chunk_id, lang):
                    own = english
            best = best or own
            if own[6]:
                return own
        return best

    def _translated(self, chunk_id: str, lang: str) -> bool:
        """Whether the article of `chunk_id` has a translation into `lang` in the index."""
        if "article_ids" not in self.index.per_version:  # once per index version
            self.index.per_version["article_ids"] = {c.meta.get("article_id") for c in self.index.chunks}
        return f"{chunk_id.split(':')[0]}-{lang}" in self.index.per_version["article_ids"]

    def _attempt(self, q: Question, query: str, search_lang: str, mode: str, first: str, query_vec=None,
                 gap: float = 0.0) -> tuple:
        """(hits, query vector, signals, the language answered in, query, asked, relevant) for one search; `gap`:
        what a passage in another language than the question's is counted higher (its cosine and the signals')."""
        hits, qvec = retrieve(self.index, self.embedder, query, mode=mode, lang=search_lang, query_vec=query_vec)
        for hit in hits:
            hit.dense += gap if hit.dense else 0.0
        sig = measure(self.index, q, query, hits)
        relevant = bool(hits) and is_relevant(sig, q.language if search_lang == q.language else "en", mode, self.relevance)
        return hits, qvec, sig, search_lang, query, first, relevant

    def _compose(self, hits, qvec, composer: str, question: Question, llm: str | None = None, lang: str = "en",
                 on_text=None, searched: str = "", curated=None, kind_of: Question | None = None, also=None):
        """(answer, more, citations, generation): generation is chat.generate's report when a
        language model was asked (its answer is used if any sentence survived), else None.
        `question`: what was asked, as meant; `curated`: a matching "Questions people ask" pair
        (chat/faq.py), which then leads; `also`: (a later part's own pair, the part it answers: `_later_pair`);
        `kind_of`: the turn as typed, whose wording says what kind of answer is wanted."""
        if composer == "top-passage":
            chunk = self.index.by_id[hits[0].chunk_id]
            answer = " ".join(f"{s} [1]" for s in split_sentences(chunk.text, chunk.meta.get("language", "en")[:2]))
            return answer, "", [compose.citation(chunk, 1)], None
        generation = None
        if parse_llm(llm):
            from chat import generate

            chunks = [self.index.by_id[h.chunk_id] for h in hits[:generate.PASSAGES]]
            generation = generate.answer(llm, self.settings, question.text, chunks, lang, on_text)
            if not generation["fallback"]:
                return generation["answer"], "", generation["citations"], generation
        searched_q = read(searched, self.index) if searched and searched != question.text else None
        cands = compose.candidates(self.store, hits, qvec, question, self.index, searched_q,
                                   settings=self.answer) if hits else []
        lead = None
        if curated:
            lead = compose.lead_of(self.store, curated[0], self.index, question)
            pair_question = str(self.index.by_id[curated[0]].meta.get("section", ""))
            if lead and not faq.shows_yes_no(question, kind_of or question, pair_question):  # its yes or no was for another question
                lead[0].text = compose.trim_yes_no(lead[0].text) or lead[0].text
                lead[0].text = compose.trim_verdict(lead[0].text)  # ...as was its "They should not:"
            later = self._part_lead(also[0], question, lead) if also else []
            also = also if later else None  # a later part whose pair is not shown is still unanswered (set ll, ll18)
            lead += later  # the lead whole: its later sentences
            # answer more than its first (set dd, dd34: "does it say anything about being 'discreet'" lost its answer
            # when the lead's third sentence made room; set cc, cc04 its compensation when the second did)
        parts = self._unanswered_parts(question, curated[0], also) if lead and cands else None
        answer, more = compose.select(cands, kind_of or question, self.answer, lead=lead, part_vecs=parts,
                                      known_names=kb_names(self.index))
        return *compose.render(answer, more, self.index), generation

    def _unanswered_parts(self, question: Question, curated: str, also) -> list | None:
        """The query vector of each later part of a question that asks and that neither the `curated` pair (the part
        nearest its questions: "guys burst in and said my date was underage..., is this a known scam" asks one thing)
        nor the `also` pair answers; None in place of every other part (compose._answer_parts)."""
        if not any(asks(t) for t in question.part_texts[1:]):
            return None  # nothing later is asked: no embedding spent
        vecs = [self.embedder.embed_query(t) for t in question.part_texts]
        answered = faq.closest_part(self.index, curated, vecs) if vecs else 0
        return [v if k and k != answered and asks(t) and not (also and also[1] in ("", t)) else None
                for k, (t, v) in enumerate(zip(question.part_texts, vecs))]

    def _curated(self, qvec, meant: Question, lang: str, top: list[str], relevant: bool):
        """The "Questions people ask" pair that answers, if any, matched in the language the passages were found in;
        last, for a short question the passages answer, the clearly closest pair wherever the search ranks its
        article ("how many gay men were detained in chechnya in 2017": its pair's article was not in the top five)."""
        how: list = []
        found = faq.match(self.index, qvec, meant, lang, top, self.answer, how=how)
        pieces = asked_pieces(meant.cyrillic or meant.text) if not meant.in_danger or meant.asks_more else []
        asked = first_question(pieces)
        first = asked if pieces and (asked == pieces[0] or _questions(pieces) > 1) else ""  # the first piece, or a story
        # then two questions
        if found and how and not meant.focus and len(pieces) > 1 and len(words(first)) >= 4:
            own = self._piece_pair(first, lang, top, meant.places)  # a tie-break chose the whole message's pair: its
            found = own if own and own[1] > found[1] else found  # first question's, when closer to it ("is the russian
            # lgbt network still operating?? i heard theyre 'foreign agents' now...": set hh, hh30, got "foreign agent";
            # set nn, nn16: "was there another wave after 2017? someone said..." got how the 2019 wave started; "home
            # office refused me yesterday, how long do i have to appeal? does it cost money": the fee, not the deadline)
        if found is None and meant.focus:  # a long message: what it asks, without the story around it; then read
            found = self._focus_pair(meant, lang, top)  # with its story's setting
        if found is None and len(pieces) > 1 and len(words(pieces[0])) >= 4:  # two questions: the first one's pair
            # ("when did russia decriminalise homosexuality? was it...": set s); else, when that piece asks and the
            # message is not a plea in danger, among the articles its own search ranks, as the second part may have
            # steered the message's ("who first exposed the chechnya gay prisons and roughly how many men were taken?":
            # set pp, pp06)
            found = self._piece_pair(pieces[0], lang, top,
                                     own_search_places=None if meant.in_danger or not asks(pieces[0]) else meant.places)
            last = last_sentence(asked)  # ...asked without the story before it
            if found is None and last != pieces[0] and len(words(last)) >= 4:
                found = self._piece_pair(last, lang, top, meant.places)  # ("home office refused me yesterday. how many
                # days do i have to appeal and do i need a lawyer": set ii, ii58)
        if found is None and len(pieces) > 1 and only_names(pieces[0]):  # a first part that names a topic or a case
            found = self._later_part_lead(pieces, meant, lang, top)  # and asks nothing: "yogyakarta principles?? how many and
            # what is YP+10", "if a gay guy leaves chechnya and moves to moscow..., is he safe there??"
        if found is None and relevant and not meant.focus and len(pieces) < 2:
            found = faq.match(self.index, qvec, meant, lang, top, self.answer, anywhere=True)
        return found

    def _piece_pair(self, typed: str, lang: str, top: list[str], places: frozenset = frozenset(),
                    own_search_places: frozenset | None = None):
        """The pair for one piece of a message read on its own, about `places` when it names none (faq.match), among
        the `top` articles; with `own_search_places`, when none is found there, among the articles the piece's own
        search ranks, read about those places when it names none (its vector is embedded once)."""
        part, vec = self._read_piece(typed, places)
        found = faq.match(self.index, vec, part, lang, top, self.answer)
        if found is None and own_search_places is not None:
            part = part if part.places or not own_search_places else replace(part, places=own_search_places)
            hits, _ = retrieve(self.index, self.embedder, part.text, lang=lang, query_vec=vec)
            found = faq.match(self.index, vec, part, lang, top_articles(hits), self.answer)
        return found

    def _read_piece(self, typed: str, places: frozenset = frozenset()) -> tuple:
        """(the facts of one piece of a message, about `places` when it names none; its query vector)."""
        part = read(typed, self.index)
        return (part if part.places or not places else replace(part, places=places)), self.embedder.embed_query(typed)

    def _later_part_lead(self, pieces: list[str], meant: Question, lang: str, top: list[str]):
        """The pair of the first later part that asks (of three words or more), read with what the first part names in
        its pronoun's place; none when that part has none (a part further on, read alone, is matched less surely:
        "...сколько дней есть чтобы подать апелляцию и можно ли если опоздал" is not led by "Да: ... онлайн")."""
        piece = next((p for p in pieces[1:] if len(words(p)) >= 3 and asks(p)), None)
        return self._piece_pair(with_subject(piece, pieces[0], kb_names(self.index)), lang, top, meant.places) \
            if piece else None

    def _focus_pair(self, meant: Question, lang: str, top: list[str]):
        """The pair for a long message's question: matched as usual; else, read with the places and years its story
        names ("What actually happened back then? (Chechnya, 2017)": set x, x27), or as it is, when clearly the
        closest pair wherever the search, which reads the whole story, ranks its article."""
        vec = self.embedder.embed_query(meant.focus)
        found = faq.match(self.index, vec, meant, lang, top, self.answer)
        if found is None and meant.setting:
            found = faq.match(self.index, self.embedder.embed_query(f"{meant.focus} ({meant.setting})"), meant, lang, (),
                              self.answer)
        return found or faq.match(self.index, vec, meant, lang, (), self.answer)

    def _later_pair(self, meant: Question, lang: str, top: list[str], first: str):
        """The pair for the first later part of a two-part question that a pair of its own answers, other than the
        `first` pair that leads ("...what did it ban and whats the penalty"); when none does and a later part's own
        pair is the one that leads, the first part's own pair ("what actually happened in chechnya in 2017? who broke
        the story": the lead says who, the first part's pair what happened). With it, the later part it answers ("" when
        the leading pair answers them)."""
        pieces = asked_pieces(meant.cyrillic or meant.text)
        names = frozenset(compose.names_in(meant.cyrillic or meant.text, kb_names(self.index)))
        led = False  # a later part asks what the leading pair answers
        for piece in pieces[1:]:
            found, same = self._part_pair(piece, pieces[0], meant, lang, top, first, names) \
                if len(words(piece)) >= 3 and asks(piece) else (None, False)
            if found:
                return found, piece
            led = led or same
        found = self._first_part_pair(pieces[0], meant, lang, top, first) if led else None
        return (found, "") if found else None

    def _first_part_pair(self, typed: str, meant: Question, lang: str, top: list[str], first: str):
        """The own pair of a message's first part (its last sentence, when it asks), other than the `first` pair."""
        piece = last_sentence(typed)
        if len(words(piece)) < 3 or not asks(piece):
            return None
        found = self._piece_pair(piece, lang, top, meant.places)
        return found[0] if found and found[0] != first else None

    def _part_pair(self, typed: str, first_part: str, meant: Question, lang: str, top: list[str], first: str,
                   names: frozenset):
        """(the pair for one later part, other than the `first` pair; whether the part's own match is `first`): matched
        as a question of its own, with what the first part names in its pronoun's place ("...did he win?": did Lapunov
        win) and the message's places when it names none ("...what happens after?": the UK); else the nearest pair
        about one of the message's `names`, or the lead's sibling asking the same kind (faq.nearest); else read with
        the first part's words (`_leaning_pair`); else, when a name took its pronoun's place, matched as typed
        (`_typed_pair`)."""
        part, vec = self._read_piece(with_subject(typed, first_part, kb_names(self.index)), meant.places)
        found = faq.match(self.index, vec, part, lang, top, self.answer)
        if found and found[0] != first:
            return found[0], False
        own = frozenset(bm25_tokens(typed)) - frozenset(bm25_tokens(first_part))  # the part's words, not the first's
        other = faq.nearest(self.index, vec, part, lang, top, first, names, self.answer, own) or \
            self._leaning_pair(typed, first_part, part, lang, top, first)
        if other is None and found is None and part.text != typed:
            other = self._typed_pair(typed, meant, lang, top, first, names)
        return other, bool(found)

    def _typed_pair(self, typed: str, meant: Question, lang: str, top: list[str], first: str, names: frozenset):
        """The pair of a later part matched as typed, when the first part's name is not what its pronoun means ("home
        office refused me... how long have i got to appeal and do i have to pay for it?": not "pay for home office"; set
        nn, nn24), and about no one the message doesn't name ("...Lapunov... what happened to him in Grozny" is not
        Bakaev's; set d, d46)."""
        part, vec = self._read_piece(typed, meant.places)
        found = faq.match(self.index, vec, part, lang, top, self.answer)
        return found[0] if found and found[0] != first and not faq.pair_names(self.index, found[0]) - names else None

    def _leaning_pair(self, piece: str, first_part: str, part: Question, lang: str, top: list[str], first: str):
        """The pair for a later part that points back, read with the first part's words in its pronoun's place
        (faq.leaning); None for a part without a pronoun."""
        if not POINTER.search(piece):
            return None
        leaning = POINTER.sub(" ".join(content_words(first_part)), piece, count=1)
        own = set(bm25_tokens(piece)) - set(bm25_tokens(first_part))
        return faq.leaning(self.index, self.embedder.embed_query(leaning), part, own, lang, top, first, self.answer)

    def _part_lead(self, cid: str, question: Question, lead: list) -> list:
        """The first sentence of a later part's own pair, to follow the leading pair's answer, without its Yes or No
        (the part, read alone, is matched less surely: set y, y01, "можно ли если опоздал" got "Да:" from the pair
        on appealing without a lawyer); none when that pair asks about years of which the question names none, or
        about a group of people it never names (the part alone, "whats the penalty", has lost what the question is
        about), when it opens with a pronoun for its own question's subject ("It is a label under Russia's 'foreign
        agents' laws...", read after the lead, is about the lead's subject: set aa, aa29), or when it repeats what the
        lead says."""
        first = compose.lead_of(self.store, cid, self.index)[:1]
        asked = str(self.index.by_id[cid].meta.get("section", ""))
        years = compose.years_about(asked)
        if not first or years and not years & set(question.years) or \
                compose.groups_named(asked) - set(question.groups) or compose._repeats(first[0], lead, self.answer):
            return []
        first[0].text = compose.trim_verdict(compose.trim_yes_no(first[0].text) or first[0].text)
        return [] if PRONOUN_FIRST.match(first[0].text) else first

    def crisis_notice(self, lang: str = "en", kind: str | None = None, question: str = "") -> dict | None:
        """The crisis notice in `lang` (English if there is none), verbatim from the index,
        opening with the short first step for `kind` (chat/crisis.py), the lines of a country
        the `question` names first; None if not indexed."""
        from chat.crisis import notice
        from chat.places import where_one_is

        return notice(self.index, lang, kind, where_one_is(question) if question else ())


PRONOUN_FIRST = re.compile(r"^\W*(it|its|he|she|they|their|his|her|он|она|оно|они|его|её|ее|их)\b", re.I)


def top_articles(hits) -> list[str]:
    """The articles of the search's hits, in rank order, as many as a curated pair may come from (faq.ARTICLES)."""
    return list(dict.fromkeys(h.chunk_id.split(":")[0] for h in hits))[:faq.ARTICLES]


def _questions(pieces: list[str]) -> int:
    """How many questions a message's pieces ask (each piece's last sentence): "im a russian queer activist, is there
    still a way to get a german humanitarian visa" asks one, after a first piece that asks nothing (set w, w54 lost its
    answer when the first-question rule took its only question for a first of two)."""
    return sum(asks(last_sentence(p)) for p in pieces)


def reply(question: str, answer: str, refused: bool = True, notices: list | None = None) -> dict:
    """An answer object with no sources: for a message given without searching (a bad
    question, busy, unavailable), and the start of every answer."""
    return {"question": question, "answer": answer, "more": "", "refused": refused, "citations": [], "notices": notices or [],
            "timings_ms": {"retrieve": 0.0, "answer": 0.0}}


def public(result: dict) -> dict:
    """DESIGN.md's JSON object, internal fields dropped; when a language model was asked, also
    "generation": sentences generated, the ones verification removed (with reasons), fallback."""
    out = {k: result[k] for k in PUBLIC_KEYS}
    out["citations"] = [{k: c[k] for k in CITATION_KEYS} for c in result["citations"]]
    if "generated" in result:  # the language model was asked: what verification did to its reply
        out["generation"] = {"model": result["llm_stats"].get("model", ""), "sentences_generated": result["generated"],
                             "removed": result["removed"], "fallback": result["fallback"],
                             "message": result.get("llm_message")}
    return out

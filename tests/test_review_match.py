"""Claim review matching (chat/review_match.py, chat/claim_specifics.py): the rules a pasted
sentence and a curated review must agree on before the review's rating is shown. Pure logic:
hand-written reviews and vectors, no model, no store."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from chat import claim_specifics as spec
from chat.index import Chunk
from chat.review_match import Match, Reviews, disagreement, distinctive_terms, known_names, match_review
from kb.settings import CHECK

REVIEWS = {  # id: (rating, wordings, explanation)
    "executed": ("misleading", ["Chechnya executed 27 gay men in a single night.",
                                "Chechen forces killed 27 gay men without trial in January 2017.",
                                "Novaya Gazeta named 27 gay men who were executed in Chechnya."],
                 ["In July 2017 Novaya Gazeta published the names of 27 people shot in Grozny."]),
    "detained": ("documented", ["More than 100 men were detained in Chechnya in 2017.",
                                "Over a hundred gay men were arrested in Chechnya."],
                 ["Novaya Gazeta reported in April 2017 that more than 100 men had been detained."]),
    "wave": ("documented", ["In 2019 Chechnya detained about 40 LGBT people and two died."],
             ["In January 2019 the Russian LGBT Network said about 40 people had been detained."]),
    "siren": ("misattributed", ["Kadyrov called for the strongest possible siren message to be sent to Russia.",
                                "The Chechen leader spoke of giving Russia the strongest possible siren message.",
                                "Ramzan Kadyrov said he hoped the House would be united in sending a siren message to Russia."],
              ["PinkNews attributes the words to Foreign Office minister Sir Alan Duncan, not to Ramzan Kadyrov."]),
    "law2013": ("misleading", ["Russia's 2013 gay propaganda law made it a crime to be gay."],
                ["The June 2013 law banned propaganda among minors, not being gay."]),
    "all_ages": ("documented", ["In 2022 Russia banned LGBT propaganda for adults as well as children."],
                 ["The December 2022 law extended the 2013 ban to all ages."]),
    "retro": ("unsupported", ["Russia's 2023 law cancels the documents of trans people who transitioned earlier.",
                              "Russia's transition ban applies retroactively."],
              ["The 2023 ban does not apply to people who changed their gender before it."]),
    "marriage": ("documented", ["Russia's constitution defines marriage as a union of a man and a woman."],
                 ["Since 4 July 2020 Article 72 has included the protection of marriage."]),
    "putin": ("unsupported", ["Vladimir Putin ordered the persecution of gay men in Chechnya."],
              ["No vetted source shows that Putin ordered it."]),
}


@pytest.fixture(scope="module")
def table() -> Reviews:
    chunks = {rid: Chunk(rid, " ".join(expl), {"article_id": rid, "rating": rating})
              for rid, (rating, _, expl) in REVIEWS.items()}
    rows = [(rid, "en", text) for rid, (_, wordings, _) in REVIEWS.items() for text in wordings]
    explained = {rid: expl for rid, (_, _, expl) in REVIEWS.items()}
    return Reviews(chunks, explained, rows, np.eye(len(rows), dtype=np.float32), distinctive_terms(rows),
                   known_names(rows, explained))


def rule(table, sentence: str, review: str) -> str | None:
    """The rule that stops `sentence` from being rated with `review` (its first wording closest)."""
    wording = REVIEWS[review][1][0]
    return disagreement(sentence, Match(review, 0.9, 0.2, wording), table)


@pytest.mark.parametrize("sentence, review", [
    ("Chechen police executed 27 gay men on a single night in January 2017.", "executed"),
    ("In January 2017, twenty-seven gay men were shot in a single night in Chechnya.", "executed"),
    ("Over 100 gay men were detained in Chechnya in 2017.", "detained"),
    ("Dozens of LGBT people were detained in Chechnya in 2019.", "wave"),  # dozens agrees with 40
    ("Ramzan Kadyrov called for a siren message to be sent to Russia.", "siren"),
    ("The Chechen leader demanded the strongest possible siren message to Russia.", "siren"),
    ("Since 2013 the propaganda law has made it a crime to be gay in Russia.", "law2013"),
    ("Putin personally ordered the purge of gay men in Chechnya.", "putin"),
    ("He was even quoted calling for the strongest possible siren message to Russia.", "siren"),  # no one else credited
])
def test_the_claim_a_review_states_agrees(table, sentence, review):
    assert rule(table, sentence, review) is None


@pytest.mark.parametrize("sentence, review, why", [
    # a count the review's wordings never state: "27 executed" is not the "over 100 detained" review
    ("27 gay men were detained in Chechnya in 2017.", "detained", "counts"),
    ("Chechnya executed 40 gay men in a single night.", "executed", "counts"),
    # the explanation's numbers are not the claim's: the detained review mentions no 300
    ("More than three hundred men were detained in Chechnya.", "detained", "counts"),
    ("Hundreds of men were detained in Chechnya.", "detained", "counts"),  # 100 is not "hundreds"
    # a year the wordings never name
    ("Over 100 men were detained in Chechnya in 2019.", "detained", "years"),
    ("Russia's 2013 law banned gay propaganda among adults as well as children.", "all_ages", "years"),
    # a person or group the review never names
    ("Elena Milashina said 27 gay men were executed in a single night.", "executed", "names"),
    ("Kadyrov said Chechnya executed 27 gay men in a single night.", "executed", "names"),
    # a misattributed quote credited to the one who really said it, or to a spokesman, minister or MP
    ("Sir Alan Duncan called for the strongest possible siren message to be sent to Russia.", "siren", "speaker"),
    ("A British minister called for the strongest possible siren message to be sent to Russia.", "siren", "speaker"),
    ("Kadyrov's spokesman called for the strongest possible siren message to Russia.", "siren", "speaker"),
    ("MPs called for the strongest possible siren message to be sent to Russia.", "siren", "speaker"),
    # whom a law reaches
    ("Russia's 2013 gay propaganda law made it a crime to share LGBT content with young people.", "law2013", "audience"),
    # an opinion poll is not the fact it is about
    ("Most Russians oppose marriage between a man and a man, according to polls.", "marriage", "poll"),
    # allowed against banned, read from the review's other wordings when the closest says neither
    ("Russia's 2023 law allows trans people to change their documents.", "retro", "stance"),
])
def test_a_review_that_differs_on_a_specific_is_not_shown(table, sentence, review, why):
    assert rule(table, sentence, review) == why


def test_the_looser_rules_before_this_change_let_those_through(table):
    """The comparison setting (evals.claims --before) keeps the old behaviour: proof the new
    rules, not something else, stop the cases above."""
    loose = replace(CHECK, strict_specifics=False)
    stopped = [("Over 100 men were detained in Chechnya in 2019.", "detained"),
               ("Elena Milashina said 27 gay men were executed in a single night.", "executed"),
               ("A British minister called for the strongest possible siren message to be sent to Russia.", "siren")]
    for sentence, review in stopped:
        assert disagreement(sentence, Match(review, 0.9, 0.2, REVIEWS[review][1][0]), table, loose) is None


@pytest.mark.parametrize("text, exact, vague", [
    ("27 gay men", {27}, set()),
    ("Thirty-one LGBT Chechens in 2017", {31}, set()),
    ("over three hundred people", {300}, set()),
    ("a hundred men in one night", {100}, set()),
    ("a fine of 1,000 roubles or a million", {1000, 1_000_000}, set()),
    ("hundreds, even thousands, of men", set(), {"hundreds", "thousands"}),
    ("In January 2017 one man", set(), set()),  # years and "one" are not counts
])
def test_quantities(text, exact, vague):
    assert spec.quantities(text) == (exact, vague)


def test_names_leave_out_months_places_and_their_adjectives():
    assert spec.proper_names("In April the Chechen police in Russia arrested men, said Human Rights Watch.") == \
        {"human", "right", "watch"}
    assert spec.proper_names("Putin said so.") == set()  # a first word is not taken for a name...
    assert spec.proper_names("Putin said so.", frozenset({"putin"})) == {"putin"}  # ...unless a review names it


def _vectors(*rows):
    out = np.asarray(rows, dtype=np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_a_match_needs_the_cosine_and_a_margin_over_the_second_best_review():
    rows = [("a", "en", "Chechnya executed 27 gay men in a single night."),
            ("b", "en", "More than 100 men were detained in Chechnya in 2017.")]
    chunks = {cid: Chunk(cid, "", {"article_id": cid, "rating": "documented"}) for cid in "ab"}
    table = Reviews(chunks, {}, rows, _vectors([1, 0, 0], [0.8, 0.6, 0]), {}, frozenset())
    sentence = "Chechnya executed 27 gay men in one night."
    clear = _vectors([1, 0, 0])[0]  # cosine 1.0 to a, 0.8 to b: margin 0.2
    assert match_review(table, sentence, clear, "en").chunk_id == "a"
    tight = replace(CHECK, review_margin=0.25)
    assert match_review(table, sentence, clear, "en", tight) is None
    between = _vectors([0.95, 0.32, 0])[0]  # nearly as close to b as to a
    assert match_review(table, sentence, between, "en") is None
    far = _vectors([0.5, 0, 0.87])[0]  # cosine 0.5: below the bar
    assert match_review(table, sentence, far, "en") is None
    assert match_review(table, sentence, clear, "ru") is None  # Russian matching is off

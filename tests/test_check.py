"""`refuge check`: pasted texts checked claim by claim against curated reviews and the
knowledge base (real Chroma, real model, the shipped knowledge base)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from chat import check
from kb.claim import RATINGS
from kb.errors import BadQuestion
from kb.settings import PROJECT_ROOT
from ui.cli import cli

REFUGE = [sys.executable, "-m", "ui"]
CLAIM_KEYS = {"text", "kind", "verdict", "review_id", "note", "citations"}
CITATION_KEYS = {"n", "article_id", "chunk_id", "title", "section", "quote", "sources"}
TEXT = ("Chechnya set up concentration camps for gay men. I think this is disgusting. "
        "Is anyone talking about this? Sign the petition and share this post! "
        "Kadyrov vowed to eliminate every gay man in Chechnya by the start of Ramadan. "
        "Homosexuality is a crime in Russia. Novaya Gazeta first reported the purge in April 2017. "
        "Sourdough bread needs a long, slow rise in a cool kitchen.")


def run(args, settings, stdin=None):
    env = dict(os.environ, REFUGE_DATA_DIR=str(settings.data_dir), REFUGE_KB_DIR=str(settings.kb_dir))
    return subprocess.run(REFUGE + args, input=stdin, capture_output=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def checked(shipped):
    _, assistant = shipped
    return check.check_text(assistant, TEXT)


def test_the_text_is_split_into_claims_opinions_questions_and_calls(checked):
    kinds = [(c["text"], c["kind"]) for c in checked["claims"]]
    assert [k for _, k in kinds] == ["claim", "opinion", "question", "call", "claim", "claim", "claim", "claim"]
    assert checked["chars"] == len(TEXT) and set(checked["timings_ms"]) == {"check"}
    for item in checked["claims"]:
        assert set(item) == CLAIM_KEYS
        if item["kind"] != "claim":  # only claims get a verdict
            assert item["verdict"] is None and item["review_id"] is None and not item["citations"]


@pytest.mark.parametrize("sentence, kind", [
    ("Подпишите петицию и поделитесь постом!", "call"),
    ("Почему об этом никто не пишет?", "question"),
    ("Мне кажется, это ужасно.", "opinion"),
    ("В 2023 году Верховный суд признал ЛГБТ-движение экстремистским.", "claim"),
    ("We must act before it is too late.", "call"),
    ("The minister called the reports utterly barbaric.", "claim"),  # reported speech is a claim
    ("Russia should investigate.", "opinion"),
    ("why is nobody talking about this", "question"),
])
def test_plain_rules_classify_sentences(sentence, kind):
    assert check.kind_of(sentence) == kind


def test_a_rating_is_shown_only_from_a_curated_review(checked, shipped):
    _, assistant = shipped
    by_text = {c["text"]: c for c in checked["claims"]}
    camps = by_text["Chechnya set up concentration camps for gay men."]
    ramadan = by_text["Kadyrov vowed to eliminate every gay man in Chechnya by the start of Ramadan."]
    assert (camps["verdict"], camps["review_id"]) == ("misleading", "chechnya-concentration-camps")
    assert (ramadan["verdict"], ramadan["review_id"]) == ("unsupported", "chechnya-ramadan-deadline")
    for item in (camps, ramadan):
        cite = item["citations"][0]
        assert set(cite) == CITATION_KEYS and cite["article_id"] == item["review_id"]
        assert cite["sources"] and all(s["url"].startswith("https://") for s in cite["sources"])
        sentences = re.findall(r"(.+?) \[1\]", item["note"].split("\n\n")[0])
        assert sentences and all(s.strip() in cite["quote"] for s in sentences)
    many = check.check_text(assistant, "Being gay is not illegal in Russia. Homosexuality was a crime in the Soviet Union. "
                                       "Russia legalised same-sex marriage in 2020.")
    for item in checked["claims"] + many["claims"]:
        assert (item["verdict"] in RATINGS) == (item["review_id"] is not None)  # no rating without a review
        assert item["verdict"] in (None, *check.VERDICTS)
    assert [c["review_id"] for c in many["claims"]] == [None, None, None]  # opposite or different claims


def test_related_sources_are_verbatim_and_cited(checked, shipped):
    related = [c for c in checked["claims"] if c["verdict"] == "related"]
    assert related, [(c["text"], c["verdict"]) for c in checked["claims"]]
    for item in related:
        quotes = {c["n"]: c["quote"] for c in item["citations"]}
        marked = re.findall(r"(.+?) \[(\d+)\]", item["note"].replace("\n\n", " "))
        assert 1 <= len(marked) <= check.CHECK.related_sentences
        for sentence, n in marked:
            assert sentence.strip() in quotes[int(n)]
        for cite in item["citations"]:
            assert set(cite) == CITATION_KEYS and cite["sources"]
            assert not cite["article_id"].startswith(tuple(_claim_ids()))  # passages, not reviews
    bread = next(c for c in checked["claims"] if c["text"].startswith("Sourdough"))
    assert bread["verdict"] == "not_covered" and not bread["citations"] and bread["review_id"] is None


def _claim_ids() -> list[str]:
    return [p.stem for p in (PROJECT_ROOT / "kb" / "claims").glob("*.md")]


@pytest.mark.parametrize("bad, fragment", [
    ("", "paste a text"), ("  \n\t ", "paste a text"), ("x " * 10_001, "too long"),
    (b"\x00\x01\x02binary\xff", "doesn't look like text"), (b"\xff\xfe\xfa\xfb", "doesn't look like text"),
    ("12345 67890 !!!", "doesn't look like text"),
])
def test_size_empty_and_binary_input_get_clear_messages(shipped, bad, fragment):
    _, assistant = shipped
    with pytest.raises(BadQuestion, match=fragment):
        check.check_text(assistant, bad)


def test_the_limit_is_20000_characters(shipped):
    _, assistant = shipped
    text = ("Russia decriminalised homosexuality in 1993. " * 500)[:20_000]
    assert check.check_text(assistant, text)["chars"] == 20_000
    with pytest.raises(BadQuestion, match="20,000"):
        check.check_text(assistant, text + "x")


def test_cli_json_messages_and_exit_codes(shipped, tmp_path):
    settings, _ = shipped
    good = run(["check", "-", "--json"], settings, stdin="Homosexuality is a crime in Russia. Share this!".encode())
    assert good.returncode == 0, good.stderr
    obj = json.loads(good.stdout)
    assert set(obj) == {"chars", "claims", "timings_ms"}
    assert [c["kind"] for c in obj["claims"]] == ["claim", "call"]
    assert obj["claims"][0]["review_id"] == "russia-being-gay-illegal"
    text = run(["check", "-"], settings, stdin=b"Homosexuality is a crime in Russia.")
    assert text.returncode == 0 and b"MISLEADING" in text.stdout
    for stdin, message in ((b"", b"paste a text"), (b"\x00\x00PNG\x89", b"look like text"), (b"a " * 12_000, b"too long")):
        bad = run(["check", "-"], settings, stdin=stdin)
        assert bad.returncode != 0 and message in bad.stderr, bad.stderr
        assert b"Traceback" not in bad.stderr
    missing = run(["check", str(tmp_path / "nope.txt")], settings)
    assert missing.returncode != 0 and b"not a readable file" in missing.stderr


def test_no_pasted_text_is_persisted(shipped):
    settings, assistant = shipped
    marker = "Zanzibarquokka Velociraptorhedgehog claimed nine hundred ninety nine umbrellas in Grozny."
    check.check_text(assistant, f"{marker} Kadyrov vowed to eliminate gay men by Ramadan.")
    assert run(["check", "-"], settings, stdin=marker.encode()).returncode == 0
    needle = b"Velociraptorhedgehog"
    for path in Path(settings.data_dir).rglob("*"):
        if path.is_file():
            assert needle not in path.read_bytes(), path


def test_claim_reviews_are_kept_out_of_question_answering(shipped):
    _, assistant = shipped
    assert not any(c.meta.get("kind") == "claim" for c in assistant.index.chunks)
    assert assistant.store.claims.count() == len(_claim_ids())
    result = assistant.ask("were there concentration camps for gay men in chechnya")
    assert result["citations"] and not {c["article_id"] for c in result["citations"]} & set(_claim_ids())


def test_export_claims_is_claimreview_json_ld(tmp_path):
    out = tmp_path / "claims.jsonld"
    got = CliRunner().invoke(cli, ["kb", "export-claims", "--out", str(out), "--base-url", "https://example.org/claims"])
    assert got.exit_code == 0, got.output
    data = json.loads(out.read_text())
    assert data["@context"] == "https://schema.org"
    vetted = [p for p in (PROJECT_ROOT / "kb" / "claims").glob("*.md")
              if yaml.safe_load(p.read_text().split("---")[1])["status"] == "vetted"]
    assert len(data["@graph"]) == len(vetted) >= 30
    for record in data["@graph"]:
        assert record["@type"] == "ClaimReview" and record["claimReviewed"]
        assert record["itemReviewed"] == {"@type": "Claim", "name": record["claimReviewed"]}
        assert record["reviewRating"]["@type"] == "Rating"
        assert record["reviewRating"]["alternateName"].lower() in RATINGS
        assert record["url"] == f"https://example.org/claims/{record['identifier']}"
        assert re.match(r"\d{4}-\d{2}-\d{2}$", record["datePublished"]) and record["reviewBody"]
        assert "[^" not in record["reviewBody"]
        assert record["citation"] and all(c["url"].startswith("http") for c in record["citation"])


GOOD_REVIEW = {
    "id": "test-review", "claim": "Test claim about Chechnya.", "paraphrases": ["Another wording of the test claim."],
    "rating": "documented", "article": "chechnya-official-denials",
    "sources": [{"key": "hrw-2017", "title": "A report", "publisher": "Human Rights Watch",
                 "url": "https://www.hrw.org/report/2017/05/26/x", "published": "2017-05-26"}],
    "status": "vetted", "reviewed_by": "Second reader", "reviewed_on": "2026-12-01",
}


def _write_review(root: Path, body: str = "Human Rights Watch reported the purge in May 2017.[^hrw-2017]", **changes) -> Path:
    meta = {k: v for k, v in {**GOOD_REVIEW, **changes}.items() if v is not None}
    path = root / "claims" / f"{meta.get('id', 'test-review')}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)}---\n\n{body}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("changes, body, field, reason", [
    ({}, None, None, None),
    ({"rating": "false"}, None, "rating", "unknown rating"),
    ({"article": "no-such-article"}, None, "article", "names no existing article"),
    ({"paraphrases": "one string"}, None, "paraphrases", "list of sentences"),
    ({"paraphrases_ru": ["An English sentence here."]}, None, "paraphrases_ru[0]", "not in Russian"),
    ({"claim": None}, None, "claim", "missing"),
    ({}, "First sentence without a source. Second one.[^hrw-2017]", "body", "footnote"),
    ({}, "One.[^hrw-2017] Two.[^hrw-2017] Three.[^hrw-2017] Four.[^hrw-2017]", "body", "1-3"),
    ({}, "Cited to a missing key.[^nope]", "body", "no source with that key"),
    ({"id": "other-id"}, None, "id", "does not match the file name"),
])
def test_claim_review_problems_name_file_and_field(tmp_path, changes, body, field, reason):
    from ingest.loader import find_articles, load_and_check
    from tests.conftest import copy_articles

    root = copy_articles(tmp_path, ["chechnya-official-denials"])
    path = _write_review(root, **({"body": body} if body else {}), **changes)
    if "id" in changes:
        path = path.rename(path.with_name("test-review.md"))
    files, problems = find_articles([root], root)
    _, found = load_and_check(files)
    errors = [p for p in problems + found if p.severity == "error"]
    if field is None:
        assert errors == []
        return
    assert any(p.file == str(path) and p.field == field and reason in p.reason for p in errors), errors

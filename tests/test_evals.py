"""Metric functions on hand-made cases with known answers, and a tiny real eval run."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from evals import metrics as m

A = "Toonen v. Australia was decided in 1994."
B = "The Committee found a violation of the right to privacy under the Covenant."


def test_retrieval_metrics():
    ranked = m.ranked_articles(["x:000:aa", "x:001:bb", "gold:000:cc", "y:000:dd"])
    assert ranked == ["x", "gold", "y"]
    assert m.recall_at(ranked, ["gold"], 1) == 0.0 and m.recall_at(ranked, ["gold"], 3) == 1.0
    assert m.mrr_at(ranked, ["gold"]) == 0.5
    assert m.ndcg_at(["gold", "x"], ["gold"]) == 1.0
    assert round(m.ndcg_at(ranked, ["gold"]), 4) == round(1 / __import__("math").log2(3), 4)


def test_alce_zero_citations_scores_zero():
    assert m.citation_scores("A sentence with no marker at all.", {1: A}) == (0.0, 0.0, 1, 0)


def test_alce_supported_and_relevant():
    recall, precision, n_sent, n_cit = m.citation_scores(f"{A} [1]", {1: A})
    assert (recall, precision, n_sent, n_cit) == (1.0, 1.0, 1, 1)


def test_alce_redundant_citation_is_irrelevant():
    recall, precision, _, n_cit = m.citation_scores(f"{A} [1][2]", {1: A, 2: B})
    assert recall == 1.0 and n_cit == 2 and precision == 0.5


def test_alce_citation_out_of_range():
    recall, precision, _, _ = m.citation_scores(f"{A} [3]", {1: A})
    assert recall == 0.0 and precision == 0.0


def test_alce_sentence_supported_only_by_two_passages_together():
    claim = "Toonen v. Australia, decided in 1994, found a violation of the right to privacy."
    recall, precision, _, _ = m.citation_scores(f"{claim} [1][2]", {1: A, 2: B})
    assert recall == 1.0 and precision == 1.0  # each is needed: neither alone, both together
    assert m.citation_scores(f"{claim} [1]", {1: A})[0] == 0.0


def test_key_facts_and_refusal_and_percentiles():
    assert m.key_fact_recall("Decided in 1994 by the Committee", ["1994", "toonen"]) == 0.5
    assert m.precision_recall([True, True, False], [True, False, False]) == (0.5, 1.0)
    assert m.percentile([1, 2, 3, 4], 50) == 2.5


def test_support_check_meets_its_reported_accuracy_on_the_audit():
    from evals.datasets import DATASETS, load_audit
    from evals.runner import calibrate_support

    if not (DATASETS / "support_audit.jsonl").exists():
        pytest.skip("no audit file yet")
    report = calibrate_support(load_audit())
    assert report["n"] >= 100
    assert report["shipped"]["accuracy"] >= 0.85, report["shipped"]


def test_gold_files_are_valid_against_the_shipped_index(shipped):
    from evals.datasets import default_gold_files, load_gold

    _, assistant = shipped
    known = {c.meta["article_id"] for c in assistant.index.chunks}
    if not default_gold_files():
        pytest.skip("no gold set yet")
    items = load_gold(known_articles=known)
    assert len([i for i in items if i.get("language", "en") == "en"]) >= 150


def test_refuge_eval_writes_every_report_file(shipped, tmp_path):
    from evals.report import gate, write_report
    from evals.runner import run_eval

    settings, assistant = shipped
    gold = tmp_path / "gold.jsonl"
    items = [
        {"id": "t1", "question": "what did the osce moscow mechanism find", "topic": "chechnya", "answerable": True,
         "gold_article_ids": ["chechnya-osce-moscow-mechanism"], "key_facts": ["OSCE"]},
        {"id": "t2", "question": "how do i make pancakes", "topic": "out_of_scope", "answerable": False,
         "gold_article_ids": [], "key_facts": []},
        {"id": "t3", "question": "and in germany?", "topic": "asylum", "answerable": True,
         "gold_article_ids": ["asylum-germany"], "key_facts": ["BAMF"],
         "history": [{"role": "user", "content": "lgbt asylum in canada"}, {"role": "assistant", "content": "."}]},
    ]
    gold.write_text("\n".join(json.dumps(i) for i in items))
    result = run_eval(settings, [gold], assistant=assistant, progress=False)
    assert set(result.rows) == {f"{r}+{c}" for r in ("dense", "bm25", "hybrid") for c in ("top-passage", "extractive")}
    out = write_report(result, tmp_path / "report", gate(result, {"floors": {"recall@5": 0.5}}))
    for name in ("report.md", "metrics.json", "per_question.jsonl", "recall_at_k.png", "per_topic.png"):
        assert (out.parent / name).stat().st_size > 0, name
    assert len((out.parent / "per_question.jsonl").read_text().splitlines()) == 3 * 6
    primary = result.rows["hybrid+extractive"]
    assert primary["recall@5"] == 1.0 and primary["refusal_recall"] == 1.0
    assert gate(result, {"floors": {"recall@5": 1.01}}) == ["recall@5 = 1.000 < floor 1.01"]
    assert Path(out).read_text().count("|") > 50


def test_eval_gate_holds_on_the_shipped_knowledge_base(shipped):
    """The CI gate: the primary configuration on the whole gold set meets every floor."""
    from evals.report import gate, load_floors
    from evals.runner import run_eval

    settings, assistant = shipped
    result = run_eval(settings, retrievers=("hybrid",), composers=("extractive",), assistant=assistant,
                      progress=False)
    assert result.n_items >= 200
    assert gate(result, load_floors()) == []


def test_faq_siblings_blames_the_pair_that_blocks_and_counts_wrong_answers():
    """evals/faq_siblings.py: a paraphrase whose own pair is matched, or that is too far from every
    pair, blames nobody; one within the margin of another pair (or below it) blames that pair, and
    counts as a wrong answer only when the other pair would be shown."""
    from evals.faq_siblings import couples, rival, table

    assert rival("a", [("a", 0.9), ("b", 0.7)], 0.6, 0.1) is None  # own pair leads clearly
    assert rival("a", [("a", 0.5), ("b", 0.45)], 0.6, 0.1) is None  # both too far: not a sibling's fault
    assert rival("a", [("a", 0.9), ("b", 0.85)], 0.6, 0.1) == ("b", False)  # within the margin
    assert rival("a", [("b", 0.9), ("c", 0.7), ("a", 0.65)], 0.6, 0.1) == ("b", True)  # b answers instead
    cases = [("a", [("a", 0.9), ("b", 0.85)]), ("a", [("b", 0.9), ("c", 0.7), ("a", 0.65)]),
             ("b", [("b", 0.8), ("a", 0.78)]), ("c", [("c", 0.9), ("a", 0.5)])]
    assert table(*couples(cases, 0.6, 0.1)) == [("a", "b", 2, 1, 1)]


def test_a_reader_set_is_answered_as_the_page_shows_it(shipped, tmp_path):
    """`python -m evals.reader_run SET_DIR`: every question answered once, a crisis item with the notice as the
    page shows it (title, acknowledgement, first step, folded headings), a bad question with its calm message."""
    import json

    from evals.reader_run import answer_set

    _, assistant = shipped
    rows = [{"id": "t01", "lang": "en", "q": "Are the Yogyakarta Principles legally binding?", "kind": "answerable"},
            {"id": "t02", "lang": "en", "q": "they know about me and my uncle is coming tonight, where can i go",
             "kind": "crisis"},
            {"id": "t03", "lang": "en", "q": "   ", "kind": "answerable"}]
    (tmp_path / "blind60.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert answer_set(tmp_path, assistant) == 3
    run = [json.loads(line) for line in (tmp_path / "run.jsonl").read_text().splitlines()]
    assert [r["id"] for r in run] == ["t01", "t02", "t03"]
    assert run[0]["result"]["citations"] and "crisis_notice_text" not in run[0]["result"]
    notice = run[1]["result"]["crisis_notice_text"]
    assert "crisis" in run[1]["result"]["notices"] and "[folded under 'All ways to get help', one tap:" in notice
    assert run[2]["result"]["refused"] and not run[2]["result"]["citations"]


def test_the_reader_diff_shows_each_changed_answer_with_its_verdict(shipped, tmp_path, monkeypatch, capsys):
    """`python -m evals.reader_diff OUT [BEFORE]`: every reader-set question answered, and the answers a change
    moved printed with the verdict their reader gave."""
    import json

    from evals import reader_diff

    _, assistant = shipped
    sets = tmp_path / "reader"
    (sets / "x").mkdir(parents=True)
    rows = [{"id": "x01", "lang": "en", "q": "Are the Yogyakarta Principles legally binding?", "kind": "answerable"},
            {"id": "x02", "lang": "en", "q": "   ", "kind": "answerable"}]
    (sets / "x" / "blind60.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (sets / "x" / "verdicts.jsonl").write_text(json.dumps({"id": "x01", "verdict": "PARTIAL"}) + "\n")
    (sets / "y").mkdir()  # a spent A/B set: the verdict is the later version's
    (sets / "y" / "blind60.jsonl").write_text(json.dumps({"id": "y01", "lang": "en", "q": "hi", "kind": "refuse"}) + "\n")
    (sets / "y" / "verdicts.jsonl").write_text(
        json.dumps({"id": "y01", "A": {"verdict": "WRONG"}, "B": {"verdict": "CORRECT"}}) + "\n")
    (sets / "y" / "ab_key.json").write_text(json.dumps({"y01": {"A": "base", "B": "new"}}))
    monkeypatch.setattr(reader_diff, "set_dirs", lambda: [sets / "x", sets / "y"])
    after = reader_diff.answer_all(assistant)
    assert set(after) == {"x01", "x02", "y01"} and after["x01"]["answer"] and after["x02"]["notices"] == []
    before = {k: dict(v) for k, v in after.items()}
    before["x01"]["answer"] = "an older answer"
    assert reader_diff.changed(before, after) == ["x01"]
    assert reader_diff.verdicts() == {"x01": "PARTIAL", "y01": "CORRECT"}
    monkeypatch.setattr(reader_diff, "answer_all", lambda: after)
    (tmp_path / "before.json").write_text(json.dumps(before))
    assert reader_diff.main([str(tmp_path / "after.json"), str(tmp_path / "before.json")]) == 0
    printed = capsys.readouterr().out
    assert "== x01 [PARTIAL]" in printed and "an older answer" in printed and "1 of 3 answers changed" in printed
    assert json.loads((tmp_path / "after.json").read_text()) == after


def test_pair_labels_name_pairs_that_exist_and_score_each_outcome():
    """The labels name pairs by article and question; a pair renamed in the KB must be renamed in the labels too."""
    from evals.pair_labels import FOLDER, outcome
    from kb.article import parse_article

    articles = [parse_article(path) for path in sorted(Path("kb/articles").rglob("*.md"))]
    questions = {f"{a.id}#{pair.question}" for a in articles for pair in a.faqs()}
    for lang in ("en", "ru"):
        rows = [json.loads(line) for line in (FOLDER / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()]
        assert len(rows) >= 150
        named = {p for r in rows for p in [r["best"], *r["also"], *r["part"]] if p}
        assert named <= questions, sorted(named - questions)[:5]
    row = {"best": "a#Q1?", "also": ["a#Q2?"], "part": ["b#Q3?"]}
    assert [outcome(row, led) for led in ("a#Q1?", "a#Q2?", "b#Q3?", "c#Q?", None)] == \
        ["right", "right", "part", "wrong", "missed"]
    assert outcome({"best": None, "also": [], "part": []}, None) == "none"


def test_the_nearest_pair_is_ranked_by_its_closest_question():
    from evals.pair_embedders import nearest

    names = ["a#Q?", "a#Q?", "b#R?"]
    assert nearest(names, np.array([0.2, 0.9, 0.5])) == [("a#Q?", 0.9), ("b#R?", 0.5)]

"""The `refuge` command line, run as a real subprocess where it matters."""
from __future__ import annotations

import json
import os
import subprocess
import sys


from click.testing import CliRunner

from tests.helpers import write_article
from ui.cli import cli

REFUGE = [sys.executable, "-m", "ui"]
SCHEMA = {"question": str, "answer": str, "more": str, "refused": bool, "citations": list, "notices": list, "timings_ms": dict}
CITATION = {"n": int, "article_id": str, "chunk_id": str, "title": str, "section": str, "quote": str, "sources": list}


def run(args, settings, stdin=None):
    env = dict(os.environ, REFUGE_DATA_DIR=str(settings.data_dir), REFUGE_KB_DIR=str(settings.kb_dir))
    return subprocess.run(REFUGE + args, input=stdin, capture_output=True, text=True, env=env, timeout=300)


def assert_schema(obj):
    assert set(obj) == set(SCHEMA)
    for key, kind in SCHEMA.items():
        assert isinstance(obj[key], kind), key
    assert set(obj["timings_ms"]) == {"retrieve", "answer"}
    for cite in obj["citations"]:
        assert set(cite) == set(CITATION)
        for key, kind in CITATION.items():
            assert isinstance(cite[key], kind), key
        for src in cite["sources"]:
            assert set(src) == {"title", "publisher", "url", "published"}


def test_ask_json_and_batch_mode(shipped):
    settings, _ = shipped
    one = run(["ask", "what does non-refoulement mean", "--json"], settings)
    assert one.returncode == 0, one.stderr
    obj = json.loads(one.stdout)
    assert_schema(obj)
    assert not obj["refused"] and obj["citations"]
    assert f"[{obj['citations'][0]['n']}]" in obj["answer"]
    questions = ["what is the yogyakarta principles", "how do I bake bread", "", "is gender transition legal in russia"]
    batch = run(["ask", "--json", "-"], settings, stdin="\n".join(questions) + "\n")
    assert batch.returncode == 0, batch.stderr
    lines = [json.loads(line) for line in batch.stdout.splitlines()]
    assert len(lines) == 3  # the blank line is skipped
    for obj in lines:
        assert_schema(obj)
    assert [o["refused"] for o in lines] == [False, True, False]


def test_human_output_lists_sources(shipped):
    settings, _ = shipped
    out = run(["ask", "What are the Yogyakarta Principles?"], settings)
    assert out.returncode == 0
    assert "Sources:" in out.stdout and "[1] " in out.stdout and "http" in out.stdout


def test_human_output_of_a_russian_answer_from_english_sources_says_so_in_russian(partly_translated):
    settings, _ = partly_translated
    out = run(["ask", "Тунен против Австралии 1994 комитет по правам человека"], settings)  # only English articles
    assert out.returncode == 0, out.stderr
    assert "источники на английском языке" in out.stdout and "Источники:" in out.stdout
    assert "Toonen" in out.stdout and "Sources:" not in out.stdout


def test_ingest_reports_every_bad_file_and_exits_1(tmp_path):
    kb = tmp_path / "kb"
    write_article(kb / "articles" / "asylum", "good-one")
    write_article(kb / "articles" / "asylum", "bad-topic", topic="cooking")
    write_article(kb / "articles" / "asylum", "bad-date", reviewed_on="31/12/2020")
    env = dict(os.environ, REFUGE_DATA_DIR=str(tmp_path / "data"), REFUGE_KB_DIR=str(kb))
    out = subprocess.run(REFUGE + ["ingest"], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 1
    assert "bad-topic.md: topic: unknown topic 'cooking'" in out.stderr
    assert "bad-date.md: reviewed_on: not a valid date" in out.stderr
    assert "nothing was written" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "data" / "manifest.json").exists()


def test_kb_check_counts_and_exit_codes(tmp_path, monkeypatch):
    kb = tmp_path / "kb"
    write_article(kb / "articles" / "asylum", "good-one")
    monkeypatch.setenv("REFUGE_KB_DIR", str(kb))
    result = CliRunner().invoke(cli, ["kb", "check"])
    assert result.exit_code == 0, result.output
    assert "asylum" in result.output and "0 errors" in result.output
    write_article(kb / "articles" / "asylum", "bad-one", status="unknown")
    result = CliRunner().invoke(cli, ["kb", "check"])
    assert result.exit_code == 1 and "unknown status" in result.output


def test_every_command_has_help():
    for args in (["--help"], ["ask", "--help"], ["ingest", "--help"], ["serve", "--help"], ["kb", "check", "--help"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0 and "Usage" in result.output
    assert "REFUGE_DATA_DIR" in CliRunner().invoke(cli, ["--help"]).output  # the docstring is the help

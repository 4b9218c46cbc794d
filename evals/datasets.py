"""Load and check the gold question set and the support audit (JSON Lines).

Every line is checked, and all problems are reported at once with file, line and field,
the same way article problems are.
"""
from __future__ import annotations

import json
from pathlib import Path

from kb.errors import Problem, ValidationFailed

DATASETS = Path(__file__).parent / "datasets"
GOLD_FIELDS = {"id": str, "question": str, "topic": str, "answerable": bool, "gold_article_ids": list,
               "key_facts": list}
AUDIT_FIELDS = {"id": str, "sentence": str, "passage": str, "supported": bool}


def default_gold_files() -> list[Path]:
    return sorted(DATASETS.glob("gold*.jsonl"))


def _read(path: Path, fields: dict) -> tuple[list[dict], list[Problem]]:
    items, problems, seen = [], [], set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"line {n}"
        try:
            item = json.loads(line)
        except ValueError as exc:
            problems.append(Problem(str(path), where, f"not valid JSON: {exc}"))
            continue
        for name, kind in fields.items():
            if not isinstance(item.get(name), kind):
                problems.append(Problem(str(path), f"{where}.{name}", f"missing or not {kind.__name__}"))
        if item.get("id") in seen:
            problems.append(Problem(str(path), f"{where}.id", f"duplicate id {item.get('id')!r}"))
        seen.add(item.get("id"))
        items.append(item)
    return items, problems


def load_gold(paths: list[Path] | None = None, known_articles: set[str] | None = None) -> list[dict]:
    items, problems = [], []
    for path in paths or default_gold_files():
        got, found = _read(Path(path), GOLD_FIELDS)
        items += got
        problems += found
        for item in got:
            item.setdefault("language", "en")
            item.setdefault("danger", False)
            item.setdefault("history", [])
            unknown = set(item.get("gold_article_ids") or []) - (known_articles or set())
            if known_articles is not None and unknown:
                problems.append(Problem(str(path), f"{item['id']}.gold_article_ids",
                                        f"not in the index: {', '.join(sorted(unknown))}"))
    if problems:
        raise ValidationFailed(problems)
    labels = answer_labels()
    for item in items:
        if item["id"] in labels:
            item["answer_sentences"] = labels[item["id"]]
    return items


def answer_labels(path: Path | None = None) -> dict[str, list[str]]:
    """Gold id -> the KB sentences that directly answer it (answer_sentences.jsonl, labelled
    blind to the composer's output; see answer_sentences.md)."""
    path = path or DATASETS / "answer_sentences.jsonl"
    if not path.exists():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {row["id"]: row["answer_sentences"] for row in rows}


def load_audit(path: Path | None = None) -> list[dict]:
    items, problems = _read(path or DATASETS / "support_audit.jsonl", AUDIT_FIELDS)
    if problems:
        raise ValidationFailed(problems)
    return items

"""Small builders for test articles (valid by default, broken on request), and a search of files for a text."""
from __future__ import annotations

import os
from pathlib import Path

import yaml

PARA = ("The Refugee Convention was adopted in Geneva in 1951 and defines who counts as a refugee in "
        "international law. A refugee is a person outside their country who has a well-founded fear of being "
        "persecuted for reasons of race, religion, nationality, membership of a particular social group or "
        "political opinion.[^unhcr]")


def meta(art_id: str, **overrides) -> dict:
    base = {
        "id": art_id, "title": "A test article", "topic": "asylum", "language": "en",
        "summary": "A short summary.", "authors": ["Test author"],
        "sources": [{"key": "unhcr", "title": "The 1951 Refugee Convention", "publisher": "UNHCR",
                     "url": "https://www.unhcr.org/about-unhcr/who-we-are/1951-refugee-convention",
                     "published": "1951-07-28"}],
        "status": "vetted", "reviewed_by": "Test reviewer", "reviewed_on": "2026-11-01",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def write_article(folder: Path, art_id: str, body: str | None = None, name: str | None = None, **overrides) -> Path:
    body = body if body is not None else "\n\n".join(["## Who is a refugee", PARA, PARA.replace("1951", "1951 ")])
    path = folder / f"{name or art_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    fm = yaml.safe_dump(meta(art_id, **overrides), sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{fm}---\n\n{body}\n", encoding="utf-8")
    return path


def files_containing(root: Path, needle: bytes, since: float) -> list[str]:
    """Files under `root` changed since `since` that contain `needle`. Walked with os.walk, which skips a
    folder that vanishes mid-walk (another process's temp dir) instead of failing as Path.rglob does."""
    found = []
    for folder, _, names in os.walk(root, onerror=lambda error: None):
        for name in names:
            path = Path(folder) / name
            try:
                if path.is_file() and path.stat().st_mtime >= since and needle in path.read_bytes():
                    found.append(str(path))
            except OSError:
                continue
    return found

"""Find the article files to ingest and refuse paths that escape the knowledge base."""
from __future__ import annotations

from pathlib import Path

from kb.errors import Problem

SKIP_NAMES = {"README.md", "CHANGELOG.md"}


def find_articles(paths: list[Path], root: Path) -> tuple[list[Path], list[Problem]]:
    """Markdown files under `paths` (files or folders). Symlinks leading outside
    `root` and paths that don't exist are problems, not silent skips."""
    found: list[Path] = []
    problems: list[Problem] = []
    root = root.resolve()
    for path in paths:
        if not path.exists():
            problems.append(Problem(str(path), "path", "does not exist"))
            continue
        candidates = [path] if path.is_file() else sorted(path.rglob("*.md"))
        for file in candidates:
            if file.name in SKIP_NAMES or any(part.startswith(".") for part in file.parts[-3:]):
                continue
            if file.is_symlink() and not _inside(file.resolve(), root):
                problems.append(Problem(str(file), "file", f"symlink to {file.resolve()} outside {root}; refused"))
                continue
            found.append(file)
    return found, problems


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False

"""kb/CHANGELOG.md: one line per ingest that changed the index (`refuge ingest --changelog`)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

HEADER = """# Knowledge-base changelog

One line per `refuge ingest --changelog` run that changed the index: the date, the kb
version stamped into the store, and the article ids added, updated, retired or removed
(removed: deleted, or set back to draft).

"""


def changelog_line(report, kb_version: str, today: dt.date | None = None) -> str | None:
    """The line for this run, or None when nothing changed."""
    retired = set(report.retired)
    parts = [(name, ids) for name, ids in (("added", report.added), ("updated", report.updated),
                                           ("retired", sorted(retired)),
                                           ("removed", [i for i in report.removed if i not in retired])) if ids]
    if not parts:
        return None
    day = (today or dt.date.today()).isoformat()
    changes = "; ".join(f"{name}: {', '.join(ids)}" for name, ids in parts)
    return f"- {day} kb {kb_version or '-'} — {changes}"


def append_changelog(path: Path, report, kb_version: str, today: dt.date | None = None) -> str | None:
    """Append this run's line (creating the file with a header if missing); returns it."""
    line = changelog_line(report, kb_version, today)
    if line is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = HEADER if not path.exists() or not path.stat().st_size else ""
    if not prefix and not path.read_bytes().endswith(b"\n"):
        prefix = "\n"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(prefix + line + "\n")
    return line

"""Refuge's own exceptions: a small hierarchy that the CLI turns into one-line
messages and the web page into friendly text. Nothing here imports anything heavy."""
from __future__ import annotations

from dataclasses import dataclass


class RefugeError(Exception):
    """Base class: every error a user or maintainer should see as a message."""


@dataclass(frozen=True)
class Problem:
    """One problem in one file: which file, which field, and why."""

    file: str
    field: str
    reason: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}"


class ValidationFailed(RefugeError):
    """One or more articles are invalid; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        n = len(problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the knowledge base; nothing was written")


class StoreUnavailable(RefugeError):
    """The vector store cannot be reached or opened."""


class IndexMissing(RefugeError):
    """No index has been built yet."""


class BadQuestion(RefugeError):
    """The question cannot be answered as given (empty, too long, not text)."""


class IngestLocked(RefugeError):
    """Another ingest holds the writer lock."""


class ConfigError(RefugeError):
    """A REFUGE_* setting has a value we cannot use."""


class LLMUnavailable(RefugeError):
    """The optional language model could not answer (not installed, unreachable, timed
    out, or empty reply); the chat falls back to the extractive answer."""

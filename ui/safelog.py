"""Error output that can carry no question text, installed in the `refuge serve` process.

Libraries print tracebacks whose messages quote their input: pydantic's validation error
quotes about 50 characters of a chat turn, an asyncio task's repr quotes its exception.
Here every traceback, wherever it is printed or logged, becomes one line: the exception
type and the innermost frame's file and line. Messages and locals are dropped. Log
messages from libraries also lose quoted strings and are capped in length.
"""
from __future__ import annotations

import logging
import sys
import threading
import traceback
from pathlib import Path

MAX_MESSAGE = 300  # characters of one library log line
_installed = False


def describe(exc_type, exc=None, tb=None) -> str:
    """'error: KeyError at gradio/route_utils.py:123' -- nothing of the exception's message."""
    name = getattr(exc_type, "__name__", "Exception")
    frames = traceback.extract_tb(tb) if tb is not None else []
    if not frames:
        return f"error: {name}"
    last = frames[-1]
    where = "/".join(Path(last.filename).parts[-2:])
    return f"error: {name} at {where}:{last.lineno}"


def _line_for(exc_info) -> str:
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if not exc_info or exc_info[0] is None:
        return "error: (none)"
    return describe(*exc_info)


def _print_exception(exc, value=None, tb=None, limit=None, file=None, chain=True, **_) -> None:
    if isinstance(exc, BaseException):  # the 3.10+ one-argument form
        exc, value, tb = type(exc), exc, exc.__traceback__
    print(describe(exc, value, tb), file=file or sys.stderr, flush=True)


def _print_exc(limit=None, file=None, chain=True) -> None:
    _print_exception(*sys.exc_info(), file=file)


def _format_exception(exc, value=None, tb=None, limit=None, chain=True, **_) -> list[str]:
    if isinstance(exc, BaseException):
        exc, value, tb = type(exc), exc, exc.__traceback__
    return [describe(exc, value, tb) + "\n"]


def _format_exc(limit=None, chain=True) -> str:
    return "".join(_format_exception(*sys.exc_info()))


def redact(text: str) -> str:
    """Quoted strings out ('...' and "..." become '…'), and at most MAX_MESSAGE characters."""
    import re

    text = re.sub(r"'[^'\n]*'|\"[^\"\n]*\"", "'…'", text)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " […]"


def _record_factory(base):
    def make(*args, **kwargs):
        record = base(*args, **kwargs)
        if record.exc_info:
            record.exc_text = _line_for(record.exc_info)
            record.exc_info = None
        record.stack_info = None
        if not record.name.startswith("refuge"):  # our own loggers never carry question text
            record.msg, record.args = redact(record.getMessage()), ()
        return record
    return make


def install() -> None:
    """Route every traceback and library log line through the filter (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    traceback.print_exception, traceback.print_exc = _print_exception, _print_exc
    traceback.format_exception, traceback.format_exc = _format_exception, _format_exc
    sys.excepthook = lambda *exc: _print_exception(*exc)
    threading.excepthook = lambda args: _print_exception(args.exc_type, args.exc_value, args.exc_traceback)
    sys.unraisablehook = lambda u: print(describe(type(u.exc_value), u.exc_value, u.exc_traceback),
                                         file=sys.stderr, flush=True)
    logging.setLogRecordFactory(_record_factory(logging.getLogRecordFactory()))

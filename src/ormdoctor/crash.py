"""An unexpected exception is a bug in ormdoctor: one line naming the file being processed, exit 2.

The traceback is printed only when ``ORMDOCTOR_DEBUG`` is set (to anything but "" or "0"): a
user's terminal or CI log gets one actionable line, a bug report gets the whole story.
"""

from __future__ import annotations

import os
import sys
import traceback

DEBUG_VARIABLE = "ORMDOCTOR_DEBUG"
_ATTRIBUTE = "ormdoctor_path"


def blame(exc: BaseException, path: str) -> None:
    """Remember which file was being processed; the innermost (first) caller wins."""
    if getattr(exc, _ATTRIBUTE, None) is None:
        try:
            setattr(exc, _ATTRIBUTE, path)  # kept when a worker process sends the exception back
        except AttributeError:
            pass


def report_crash(exc: BaseException) -> int:
    if os.environ.get(DEBUG_VARIABLE, "") not in ("", "0"):
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    print(crash_line(exc), file=sys.stderr)
    return 2


def crash_line(exc: BaseException) -> str:
    from ormdoctor.report.sanitize import printable

    path = getattr(exc, _ATTRIBUTE, None)
    where = f" while processing {printable(path)}" if path else ""
    detail = printable(str(exc))
    detail = f"{type(exc).__name__}: {detail[:200]}" if detail else type(exc).__name__
    return (f"ormdoctor: error: internal error{where} ({detail}); this is a bug in ormdoctor, please report it "
            f"(set {DEBUG_VARIABLE}=1 for the traceback)")

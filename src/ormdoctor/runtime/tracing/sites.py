"""Which files are the project's, where on the stack the project is, and errors as plain records."""

from __future__ import annotations

import os
import sys
import traceback
import warnings

HERE = os.path.dirname(os.path.realpath(__file__))
MAX_WARNINGS = 200


class Project:
    """Knows the project root: decides which files belong to it and names them relative to it."""

    def __init__(self, root):
        self.root = os.path.realpath(root)
        self._outside = _library_prefixes(self.root)
        self._owned = {}

    def owns(self, filename):
        owned = self._owned.get(filename)
        if owned is None:
            owned = self._owned[filename] = self._decide(filename)
        return owned

    def _decide(self, filename):
        if not filename or filename.startswith("<"):
            return False
        real = os.path.realpath(filename)
        if not real.startswith(self.root + os.sep):
            return False
        if any(real.startswith(prefix) for prefix in self._outside):
            return False
        parts = real.split(os.sep)
        # A virtualenv that is not the running one (.tox, a second venv) still holds libraries.
        return "site-packages" not in parts and "dist-packages" not in parts

    def relative(self, filename):
        real = os.path.realpath(filename)
        if real.startswith(self.root + os.sep):
            real = os.path.relpath(real, self.root)
        return real.replace(os.sep, "/")

    def site(self, frame):
        """The innermost project frame at or outside ``frame`` as {"path", "line"}, else None."""
        frame = self.frame(frame)
        if frame is None:
            return None
        return {"path": self.relative(frame.f_code.co_filename), "line": frame.f_lineno}

    def creator_site(self, frame):
        """Like ``site``, but None when a library module's top level is on the way: an object made while
        ``sqlmodel`` is being imported belongs to sqlmodel, not to the project line importing it."""
        while frame is not None and not self.owns(frame.f_code.co_filename):
            if frame.f_code.co_name == "<module>":
                return None
            frame = frame.f_back
        return self.site(frame)

    def frame(self, frame):
        while frame is not None and not self.owns(frame.f_code.co_filename):
            frame = frame.f_back
        return frame

    def error(self, exc):
        """An exception as a record; its frames are the project's only, innermost last."""
        frames = [self._frame(entry) for entry in traceback.extract_tb(exc.__traceback__)]
        frames = [frame for frame in frames if frame is not None]
        if isinstance(exc, SyntaxError) and exc.filename and self.owns(exc.filename):
            # A syntax error never has a frame in the file it is about.
            frames.append({"path": self.relative(exc.filename), "line": exc.lineno or 1, "function": "<module>"})
        return {"type": type(exc).__name__, "message": str(exc), "frames": frames}

    def _frame(self, entry):
        if not self.owns(entry.filename):
            return None
        return {"path": self.relative(entry.filename), "line": entry.lineno, "function": entry.name}


def _library_prefixes(root):
    """Interpreter and tracer directories, unless the project itself lives inside one of them."""
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, os.path.dirname(HERE)}
    prefixes = {os.path.realpath(prefix) + os.sep for prefix in prefixes}
    return tuple(prefix for prefix in prefixes if not (root + os.sep).startswith(prefix))


class WarningRecorder:
    """Records every warning with the project line that led to it (SQLAlchemy's own stacklevel often
    points inside SQLAlchemy)."""

    def __init__(self, project):
        self.project = project
        self.records = []
        self._saved = None

    def __enter__(self):
        self._saved = warnings.catch_warnings()
        self._saved.__enter__()
        warnings.simplefilter("always")
        warnings.showwarning = self._show
        return self

    def __exit__(self, *exc_info):
        self._saved.__exit__(*exc_info)

    def _show(self, message, category, filename, lineno, file=None, line=None):
        if len(self.records) >= MAX_WARNINGS:
            return
        site = self.project.site(sys._getframe(1))
        self.records.append({"category": category.__name__, "message": str(message), "site": site})

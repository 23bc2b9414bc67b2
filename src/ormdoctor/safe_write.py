"""The one way ormdoctor writes a file (``check -o``, ``docs -o``, ``docs --inject``): never destructively.

* ``-`` is standard output.
* A symlink is followed: the file it points to is written and the link stays a link.
* A device, FIFO or socket (``-o /dev/null``, ``-o /dev/stderr``) is opened and written directly,
  never replaced by a regular file.
* A regular file is replaced atomically (a temporary file in the same folder, renamed over it) with
  its mode, and its owner where we may set it, kept. A file with several hard links, or in a folder
  we cannot create files in, is rewritten in place instead, so the other links see the new text.
* A read-only file (no write permission bit, even for root) or a directory is refused with a
  one-line :class:`WriteRefused`; nothing is changed.
* The temporary file is removed whatever stops the write, Ctrl-C included.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

STDOUT = "-"


class WriteRefused(Exception):
    """The file cannot or must not be written (one line, for exit status 2)."""


def write_text(target: str | Path, text: str, encoding: str = "utf-8", newline: str | None = None) -> None:
    """Write ``text`` to ``target`` as described in the module docstring.

    ``newline=None`` translates ``\\n`` to the platform's line ending, as ``open()`` does;
    ``newline=""`` writes the text as it is (its own line endings kept).
    """
    if str(target) == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    if newline is None and os.linesep != "\n":
        text = text.replace("\n", os.linesep)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise WriteRefused(f"cannot write {target}: the text cannot be encoded as {encoding} ({exc.reason})") from None
    write_bytes(Path(target), data)


def write_bytes(target: Path, data: bytes) -> None:
    real = Path(os.path.realpath(target))  # the file a symlink (or a chain of them) points to
    try:
        info = os.stat(real)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise WriteRefused(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        if info is None:
            _create(real, data)
        elif stat.S_ISDIR(info.st_mode):
            raise WriteRefused(f"cannot write {target}: it is a directory")
        elif not stat.S_ISREG(info.st_mode):
            _write_in_place(real, data)  # a device, FIFO or socket: replacing it would destroy it
        else:
            _replace_regular(real, info, data, shown=target)
    except OSError as exc:
        raise WriteRefused(f"cannot write {target}: {exc.strerror or exc}") from None


def is_regular_or_missing(target: str | Path) -> bool:
    """Whether reading ``target`` first is safe: a FIFO or device would block or never end."""
    if str(target) == STDOUT:
        return False
    try:
        return stat.S_ISREG(os.stat(target).st_mode)
    except FileNotFoundError:
        return True
    except OSError:
        return False


def read_only(info: os.stat_result, path: Path) -> bool:
    """No write bit at all (which root would ignore), or no permission for this user."""
    return not info.st_mode & 0o222 or not os.access(path, os.W_OK)


def _replace_regular(real: Path, info: os.stat_result, data: bytes, shown: str | Path) -> None:
    if read_only(info, real):
        raise WriteRefused(f"cannot write {shown}: the file is read-only; make it writable first")
    if info.st_nlink > 1:
        _write_in_place(real, data)  # renaming would split this name from its other hard links
        return
    try:
        _atomic(real, data, mode=stat.S_IMODE(info.st_mode), owner=(info.st_uid, info.st_gid))
    except PermissionError:
        _write_in_place(real, data)  # the folder is not writable, the file is


def _create(real: Path, data: bytes) -> None:
    real.parent.mkdir(parents=True, exist_ok=True)
    _atomic(real, data, mode=_new_file_mode(), owner=None)


def _atomic(real: Path, data: bytes, mode: int, owner: tuple[int, int] | None) -> None:
    fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        if owner is not None:
            _keep_owner(tmp, owner)
        os.replace(tmp, real)
    except BaseException:
        _remove(tmp)
        raise


def _keep_owner(tmp: str, owner: tuple[int, int]) -> None:
    current = os.stat(tmp)
    if (current.st_uid, current.st_gid) != owner and hasattr(os, "chown"):
        try:
            os.chown(tmp, *owner)
        except PermissionError:
            pass  # only root may give a file away; the file is then ours, as with any editor


def _write_in_place(real: Path, data: bytes) -> None:
    with open(real, "wb") as handle:
        handle.write(data)


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def _new_file_mode() -> int:
    """What open() would give a new file: 0o666 less the umask (mkstemp makes it 0o600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask

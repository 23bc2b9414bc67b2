"""A project file as bytes in, libcst tree in the middle, bytes out: encoding (coding cookie,
BOM), line endings, comments and formatting survive untouched wherever no edit lands."""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path


class EditError(Exception):
    """A codemod cannot apply an edit to this file (the code changed, or its shape is unusual)."""


@dataclass
class SourceFile:
    path: str  # relative to the project root
    original: bytes
    module: object  # libcst.Module

    @classmethod
    def read(cls, root: Path, path: str) -> "SourceFile":
        import libcst as cst

        data = (root / path).read_bytes()
        try:
            return cls(path, data, cst.parse_module(data))
        except cst.ParserSyntaxError as exc:
            raise EditError(f"{path}: cannot parse: {str(exc).splitlines()[0]}") from None
        except (SyntaxError, UnicodeDecodeError, LookupError) as exc:  # coding cookie or bytes unreadable
            raise EditError(f"{path}: cannot read: {exc}") from None

    def render(self) -> bytes:
        return self.module.bytes

    @property
    def text(self) -> str:
        return self.module.code

    @property
    def encoding(self) -> str:
        return self.module.encoding


def check_parses(path: str, data: bytes) -> None:
    """Every written file is parsed again, by Python's own parser this time."""
    try:
        ast.parse(data, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise EditError(f"{path}: the fix produced code that does not parse ({exc})") from None


def decode(path: str, data: bytes) -> str:
    """For diffs and text edits: the file's own encoding (a Python file's coding cookie), its
    BOM left out of the text."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    encoding = "utf-8"
    if path.endswith(".py"):
        try:
            encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        except SyntaxError:
            pass
    return data.decode(encoding, errors="replace")


def encode_like(original: bytes, text: str) -> bytes:
    """A settings file's new text in its original encoding, BOM included."""
    bom = b"\xef\xbb\xbf" if original.startswith(b"\xef\xbb\xbf") else b""
    return bom + text.encode("utf-8")


def text_and_encoding(path: str, data: bytes) -> tuple[str, str]:
    """(text, encoding) with ``text.encode(encoding) == data``: what the atomic writer needs to
    put these exact bytes back (BOM and coding cookie included)."""
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif path.endswith(".py"):
        try:
            encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        except SyntaxError:
            encoding = "utf-8"
    else:
        encoding = "utf-8"
    text = data.decode(encoding)
    if text.encode(encoding) != data:
        raise EditError(f"{path}: cannot be written back byte for byte in {encoding}")
    return text, encoding

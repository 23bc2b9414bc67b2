"""The messages between ``check`` and a server: one JSON object each way, after its length.

JSON, not pickle: a message is data, and decoding it can build nothing but plain values."""

from __future__ import annotations

import json
import socket
import struct

HEADER = struct.Struct("!Q")
MAX_REQUEST = 1 << 20  # a request is a command line: far below this
MAX_REPLY = 1 << 31  # a report of every finding of a large tree


class WireError(Exception):
    """The other side closed early, sent too much, or sent something that is not a message."""


def send(connection: socket.socket, message: dict) -> None:
    data = json.dumps(message, separators=(",", ":")).encode("utf-8", "surrogatepass")
    connection.sendall(HEADER.pack(len(data)) + data)


def receive(connection: socket.socket, limit: int) -> dict:
    (size,) = HEADER.unpack(_exactly(connection, HEADER.size))
    if size > limit:
        raise WireError(f"a message of {size} bytes (at most {limit})")
    try:
        message = json.loads(_exactly(connection, size).decode("utf-8", "surrogatepass"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise WireError(f"not a message: {exc}") from None
    if not isinstance(message, dict):
        raise WireError("not a message: not an object")
    return message


def _exactly(connection: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = connection.recv(min(left, 1 << 20))
        if not chunk:
            raise WireError("the connection closed mid-message")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)

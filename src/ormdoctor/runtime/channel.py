"""How ormdoctor and a child that runs project code talk: request on stdin, result on a private pipe.

Used on both sides. The child side (``receive_request``) runs in the PROJECT's interpreter, loaded by
path by tracer.py and alembic_probe.py: standard library only, valid on Python 3.8.

- The request (it may hold a database URL with its password) goes through stdin, never a file or
  argv; the child reads it whole and puts /dev/null in its place before any project code runs.
- The result goes to a pipe whose descriptor number is chosen at run time and told only in the
  request; the descriptor is not inherited by processes the project starts.
- The result is signed with HMAC-SHA256 under a per-run key sent in the request, so bytes that
  project code writes into that pipe (or anywhere else) are rejected rather than believed. Code
  that reads the tracer's own memory could still find the key: this guards against forgery by
  writing, not against a hostile interpreter.
"""

import hashlib
import hmac
import json
import os
import sys

KEY_BYTES = 32


def sign(key, payload):
    return hmac.new(key, payload, hashlib.sha256).hexdigest().encode("ascii")


def envelope(request, result_fd, key):
    """The bytes the parent writes to the child's stdin."""
    return json.dumps({"request": request, "result_fd": result_fd, "key": key.hex()}).encode("utf-8")


def open_result(data, key):
    """The child's result, or None when `data` is not exactly one message signed with `key`."""
    mac, newline, payload = data.partition(b"\n")
    if not newline or not hmac.compare_digest(mac, sign(key, payload)):
        return None
    try:
        return json.loads(payload.decode("utf-8"))
    except ValueError:
        return None


def receive_request():
    """Child side: (request, send). `send(result)` writes the signed result and closes the pipe."""
    raw = sys.stdin.buffer.read()
    _stdin_from_devnull()
    message = json.loads(raw.decode("utf-8"))
    fd, key = message["result_fd"], bytes.fromhex(message["key"])
    os.set_inheritable(fd, False)  # a daemon the project starts must not keep the pipe open

    def send(result):
        payload = json.dumps(result, default=str).encode("utf-8")
        with os.fdopen(fd, "wb") as handle:
            handle.write(sign(key, payload) + b"\n" + payload)

    return message["request"], send


def _stdin_from_devnull():
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)

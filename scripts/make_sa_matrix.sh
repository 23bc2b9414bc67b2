#!/usr/bin/env bash
# Create the SQLAlchemy version matrix used by `pytest -m matrix`:
#   .venvs/sa14 (SQLAlchemy 1.4.x), .venvs/sa20 (2.0.x), and with --with-21 .venvs/sa21 (2.1.x).
# Idempotent: a venv whose SQLAlchemy already matches is left alone, so a re-run takes a few milliseconds.
# Needs python3 (or $PYTHON) and PyPI.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"

make_venv() {  # name, pip requirement, version prefix that proves it is installed
    local dir="$ROOT/.venvs/$1" req="$2" prefix="$3"
    # The installed distribution's metadata directory says which version is there, without starting Python.
    if [ -x "$dir/bin/python" ] &&
        ls "$dir"/lib/python*/site-packages/ 2>/dev/null | grep -iq "^sqlalchemy-${prefix//./\\.}.*\.dist-info$"; then
        return 0
    fi
    "$PY" -m venv --clear "$dir"
    local log
    log="$(mktemp)"
    # pip's chatter (and warnings about this machine's extra indexes) only matters when it fails.
    if ! "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$req" >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
    echo "$1: SQLAlchemy $("$dir/bin/python" -c 'import sqlalchemy; print(sqlalchemy.__version__)')"
}

make_venv sa14 "sqlalchemy>=1.4,<1.5" "1.4."
make_venv sa20 "sqlalchemy>=2.0,<2.1" "2.0."
if [ "${1:-}" = "--with-21" ]; then
    make_venv sa21 "sqlalchemy>=2.1,<2.2" "2.1."
fi

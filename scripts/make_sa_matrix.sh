#!/usr/bin/env bash
# Create the SQLAlchemy version matrix used by `pytest -m matrix`:
#   .venvs/sa14 (SQLAlchemy 1.4.x), .venvs/sa20 (2.0.x), and with --with-21 .venvs/sa21 (2.1.x).
# Idempotent: a venv whose SQLAlchemy already matches is left alone, so a re-run takes well under a second.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"

make_venv() {  # name, pip requirement, version prefix that proves it is installed
    local dir="$ROOT/.venvs/$1" req="$2" prefix="$3"
    if [ -x "$dir/bin/python" ] &&
        "$dir/bin/python" -c "import sqlalchemy,sys; sys.exit(not sqlalchemy.__version__.startswith('$prefix'))" 2>/dev/null; then
        return 0
    fi
    "$PY" -m venv --clear "$dir"
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$req"
    echo "$1: SQLAlchemy $("$dir/bin/python" -c 'import sqlalchemy; print(sqlalchemy.__version__)')"
}

make_venv sa14 "sqlalchemy>=1.4,<1.5" "1.4."
make_venv sa20 "sqlalchemy>=2.0,<2.1" "2.0."
if [ "${1:-}" = "--with-21" ]; then
    make_venv sa21 "sqlalchemy>=2.1,<2.2" "2.1."
fi

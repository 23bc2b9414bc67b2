#!/usr/bin/env bash
# Install everything the tests use and run the whole suite:
#   - ormdoctor with its test extras in .venv (SQLAlchemy 2.x, Alembic, SQLModel, Flask-SQLAlchemy,
#     psycopg, pgserver: a real PostgreSQL that runs without root)
#   - SQLAlchemy 1.4 and 2.0 in .venvs/ for the runtime matrix
#   - Debian's chromium for the HTML report test (when apt-get is available as root)
#   - mermaid.min.js from the npm registry, to render our Mermaid text in that browser test
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
if [ -f scripts/make_sa_matrix.sh ]; then
  bash scripts/make_sa_matrix.sh --with-21
fi
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "note: chromium could not be installed; the browser test will be skipped"
fi
# Mermaid from the npm registry, only to check in the browser test that our ER diagrams parse.
MERMAID=.venvs/mermaid/mermaid.min.js
if [ ! -f "$MERMAID" ] && command -v npm >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  if (cd "$tmp" && npm pack mermaid@11 --silent >/dev/null 2>&1 && tar xzf mermaid-*.tgz package/dist/mermaid.min.js); then
    mkdir -p "$(dirname "$MERMAID")" && mv "$tmp/package/dist/mermaid.min.js" "$MERMAID"
  else
    echo "note: mermaid could not be fetched from npm; the Mermaid rendering test will be skipped"
  fi
  rm -rf "$tmp"
fi
if [ -f "$MERMAID" ]; then
  export ORMDOCTOR_MERMAID_JS="$PWD/$MERMAID"
fi
exec .venv/bin/python -m pytest "$@"

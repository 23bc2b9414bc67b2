#!/usr/bin/env bash
# Install ormdoctor into .venv and check the bundled example project, which has real problems.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
set +e
.venv/bin/ormdoctor check examples/shop
status=$?
set -e
# Exit 1 means "errors found", which is the point of the example; 2 means ormdoctor failed.
if [ "$status" -eq 1 ]; then
  echo "(exit status 1: ormdoctor found errors, as it should in this example)"
  exit 0
fi
exit "$status"

#!/usr/bin/env bash
# The test command: install what the tests need, then run them all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/setup.sh
.venv/bin/lint-imports
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"

#!/usr/bin/env bash
# Runs the whole Apus test suite from a fresh clone: installs what it needs, fetches the real
# models into the Hugging Face cache layout (cached), builds, and runs every test.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/install_system_packages.sh
export APUS_PYTHON="$(scripts/python_env.sh)"
export HF_HOME="${HF_HOME:-$HOME/.cache/huggingface}"
export HF_HUB_OFFLINE=1
python3 scripts/fetch_models.py >/dev/null
swift build --build-tests
# The tutorial notebooks run through the real kernel, as a user runs them; they must match
# their Markdown tutorials.
python3 scripts/make_notebooks.py --check
.build/debug/apus kernel install --prefix "$root/.venv-test" >/dev/null
JUPYTER_PATH="$root/.venv-test/share/jupyter" "$APUS_PYTHON" scripts/run_notebooks.py
# Notebooks of code valid in Python and Apus give the outputs ipykernel gave (committed).
JUPYTER_PATH="$root/.venv-test/share/jupyter" "$APUS_PYTHON" scripts/run_notebooks.py --expected
# The set-up script is not run in CI (it installs JupyterLab); its shell syntax is checked.
bash -n scripts/setup.sh
# All tests are XCTest cases; Swift Testing's empty run would print a misleading last line.
swift test --skip-build --disable-swift-testing "$@"

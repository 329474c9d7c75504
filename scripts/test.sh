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
# All tests are XCTest cases; Swift Testing's empty run would print a misleading last line.
swift test --disable-swift-testing "$@"

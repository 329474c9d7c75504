#!/usr/bin/env bash
# Sets Apus up on a fresh Debian 12 machine with the Swift toolchain and starts it:
# Debian packages, a release build, the real models in the Hugging Face cache layout, then the
# Apus REPL (the Jupyter kernel and JupyterLab join this script when they exist).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/install_system_packages.sh
swift build -c release
python3 scripts/fetch_models.py
echo "Apus is built: $root/.build/release/apus"
[ -t 0 ] && exec "$root/.build/release/apus" "$@"

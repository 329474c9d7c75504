#!/usr/bin/env bash
# Benchmarks Apus against PyTorch in the same run (release build). Needs a Python with torch:
# $APUS_REFERENCE_PYTHON, or a venv made here at ../apus-reference (torch is large; made once).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
python="${APUS_REFERENCE_PYTHON:-}"
if [ -z "$python" ]; then
  venv="$root/../apus-reference"
  if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q torch numpy
  fi
  python="$venv/bin/python"
fi
swift build -c release --product apus-bench
"$root/.build/release/apus-bench" --python "$python" "$@"

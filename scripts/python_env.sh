#!/usr/bin/env bash
# Creates (once) the light Python venv the tests use: the safetensors library for interop
# checks, jupyter_client, jupyter_kernel_test and nbclient to drive the kernel and run the
# tutorial notebooks. No torch: reference
# values are committed fixtures. Prints the venv's python.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-test"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import safetensors, numpy, jupyter_client, jupyter_kernel_test, nbclient, nbformat" 2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check safetensors numpy \
    jupyter_client==8.10.0 jupyter_kernel_test==0.7.0 nbclient nbformat >&2
fi
echo "$venv/bin/python"

#!/usr/bin/env bash
# Sets Apus up on a fresh Debian 12 machine with the Swift toolchain and opens it in JupyterLab:
# Debian packages, a release build, the real models in the Hugging Face cache layout, JupyterLab
# from PyPI in a venv inside the repository (.venv-lab), the Apus kernel installed into that venv,
# then JupyterLab on notebooks/. Extra arguments go to `jupyter lab` (e.g. --no-browser --port N).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/install_system_packages.sh
swift build -c release
# The tutorials load the models from this cache, so the server (and the kernels it starts)
# must see the same HF_HOME the fetch wrote to.
export HF_HOME="${HF_HOME:-$HOME/.cache/huggingface}"
export HF_HUB_OFFLINE=1
python3 scripts/fetch_models.py
venv="$root/.venv-lab"
if [ ! -x "$venv/bin/jupyter-lab" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check jupyterlab
fi
"$root/.build/release/apus" kernel install --prefix "$venv"
echo "Apus is built: $root/.build/release/apus; starting JupyterLab on notebooks/"
# JupyterLab refuses to run as root unless told to (containers and fresh VMs often are root).
as_root=(); [ "$(id -u)" = 0 ] && as_root=(--allow-root)
exec "$venv/bin/jupyter" lab --notebook-dir="$root/notebooks" "${as_root[@]}" "$@"

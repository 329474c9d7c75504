#!/usr/bin/env bash
# Installs the Debian packages Apus builds and tests against (only those missing).
set -euo pipefail
packages=(pkg-config libopenblas-dev libzmq3-dev libpng-dev libsndfile1-dev
          libsentencepiece-dev libedit-dev libjson-c-dev python3-venv)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

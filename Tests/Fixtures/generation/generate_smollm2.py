"""Greedy chat answers of the real SmolLM2-135M-Instruct (Q4_1 GGUF, dequantized to float32) from
transformers, for Apus's generation tests.

    HF_HUB_OFFLINE=1 HF_HOME=/path/with/hub/cache python Tests/Fixtures/generation/generate_smollm2.py

Writes smollm2_chat.json: for each conversation, the prompt ids apply_chat_template gives (with
the generation prompt), the generated ids and the decoded answer.
"""
import json
import os

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"

tokenizer = AutoTokenizer.from_pretrained(MODEL, gguf_file=GGUF)
model = AutoModelForCausalLM.from_pretrained(MODEL, gguf_file=GGUF, dtype=torch.float32).eval()

CONVERSATIONS = [
    [{"role": "user", "content": "What is the capital of France?"}],
    [{"role": "system", "content": "You are a helpful assistant who answers briefly."},
     {"role": "user", "content": "Name three primary colors."}],
    [{"role": "user", "content": "Write a haiku about the sea."}],
    [{"role": "user", "content": "How many legs does a spider have?"},
     {"role": "assistant", "content": "A spider has eight legs."},
     {"role": "user", "content": "And an ant?"}],
]
cases = []
with torch.no_grad():
    for messages in CONVERSATIONS:
        ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
        out = model.generate(**ids, max_new_tokens=40, do_sample=False)
        new = out[0, ids["input_ids"].shape[1]:].tolist()
        cases.append({"messages": messages, "prompt_ids": ids["input_ids"][0].tolist(), "generated_ids": new,
                      "answer": tokenizer.decode(new, skip_special_tokens=True)})
        print(repr(cases[-1]["answer"]))
with open(os.path.join(HERE, "smollm2_chat.json"), "w") as f:
    json.dump({"model": MODEL, "gguf_file": GGUF, "max_new_tokens": 40, "cases": cases}, f, ensure_ascii=False, indent=1)
    f.write("\n")

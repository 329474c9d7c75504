#!/usr/bin/env python3
"""The reference side of `apus-bench --causal`: transformers/PyTorch loading the same GGUF
(dequantized to float32) and running the same token ids. Prints JSON
{"torch": version, "results": {"prefill": seconds per forward, "decode": seconds per new token}}.

    python bench_causal.py SPEC_JSON THREADS

SPEC_JSON: {"model": DIR, "gguf_file": NAME, "prefill": [ids], "prompt": [ids], "new_tokens": N}.
Prefill: median of 5 forwards over the prefill ids (no cache), after 2 warm-ups. Decode: greedy
`generate` of N+1 and of 1 new tokens (median of 3 each, after a warm-up); the difference over N
is the time per decoded token, the prompt's prefill cancelling out.
"""
import json, statistics, sys, time


def median_time(body, repetitions, warmup):
    for _ in range(warmup):
        body()
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    import torch
    from transformers import AutoModelForCausalLM
    spec = json.load(open(sys.argv[1]))
    torch.set_num_threads(int(sys.argv[2]))
    model = AutoModelForCausalLM.from_pretrained(spec["model"], gguf_file=spec["gguf_file"],
                                                 dtype=torch.float32).eval()
    prefill = torch.tensor([spec["prefill"]])
    prompt = torch.tensor([spec["prompt"]])
    n = spec["new_tokens"]

    def generate(count):
        model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=count, min_new_tokens=count,
                       do_sample=False, eos_token_id=None, pad_token_id=0)

    with torch.inference_mode():
        forward = median_time(lambda: model(input_ids=prefill, use_cache=False), 5, 2)
        one = median_time(lambda: generate(1), 3, 1)
        many = median_time(lambda: generate(n + 1), 3, 1)
    print(json.dumps({"torch": torch.__version__, "results": {"prefill": forward, "decode": (many - one) / n}}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The llama.cpp side of `apus-bench --causal`: llama-cpp-python running the same GGUF with its
own quantized kernels (Q4_1 weights, activations quantized to 8 bits), same token ids.
Prints JSON {"llama_cpp": version, "results": {"prefill": seconds per forward, "decode": seconds
per new token}}.

    python bench_llama_cpp.py SPEC_JSON THREADS

SPEC_JSON as for bench_causal.py. Prefill: median of 5 evaluations of the prefill ids from an
empty context, after a warm-up. Decode: the prompt, then greedy steps (argmax of the last
logits, one token evaluated per step), median over 3 runs of the time per step.
"""
import json, os, statistics, sys, time


def main():
    import numpy as np
    import llama_cpp
    spec = json.load(open(sys.argv[1]))
    threads = int(sys.argv[2])
    llm = llama_cpp.Llama(model_path=os.path.join(spec["model"], spec["gguf_file"]), n_ctx=512, n_threads=threads,
                          n_threads_batch=threads, n_batch=512, verbose=False)
    prefill, prompt, n = spec["prefill"], spec["prompt"], spec["new_tokens"]

    def forward():
        llm.reset()
        llm.eval(prefill)

    forward()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        forward()
        times.append(time.perf_counter() - start)
    prefill_time = statistics.median(times)

    def decode():
        llm.reset()
        llm.eval(prompt)
        start = time.perf_counter()
        for _ in range(n):
            token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
            llm.eval([token])
        return (time.perf_counter() - start) / n

    decode()
    decode_time = statistics.median(decode() for _ in range(3))
    print(json.dumps({"llama_cpp": llama_cpp.__version__, "results": {"prefill": prefill_time, "decode": decode_time}}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The reference side of `apus-bench --tokenizers`: HF `tokenizers` (Rust) on the same files
and sentences. Prints JSON {name: {"single": seconds, "batch": seconds}}.

    python bench_tokenizers.py SENTENCES_FILE NAME=TOKENIZER_JSON [NAME=...] [--gguf NAME=DIR:FILE]

A GGUF vocabulary is converted by transformers (as `from_pretrained(gguf_file=)` does) and
its Rust tokenizer is timed. single: one `encode` per sentence on one thread; batch:
`encode_batch` of all sentences on every core (rayon). Best of 5 runs each.
"""
import json, os, sys, time

def best(f, runs=5):
    f()
    times = []
    for _ in range(runs):
        start = time.perf_counter(); f(); times.append(time.perf_counter() - start)
    return min(times)

def main():
    from tokenizers import Tokenizer
    sentences = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if l]
    tokenizers = {}
    args = sys.argv[2:]
    i = 0
    while i < len(args):
        if args[i] == "--gguf":
            name, spec = args[i + 1].split("=", 1)
            directory, file = spec.rsplit(":", 1)
            from transformers import AutoTokenizer
            fast = AutoTokenizer.from_pretrained(directory, gguf_file=file)
            tokenizers[name] = fast.backend_tokenizer
            i += 2
        else:
            name, path = args[i].split("=", 1)
            tokenizers[name] = Tokenizer.from_file(path)
            i += 1
    results = {}
    for name, tok in tokenizers.items():
        tok.no_padding(); tok.no_truncation()
        single = best(lambda: [tok.encode(s) for s in sentences])
        batch = best(lambda: tok.encode_batch(sentences))
        tokens = sum(len(e.ids) for e in tok.encode_batch(sentences))
        results[name] = {"single": single, "batch": batch, "tokens": tokens}
    import tokenizers as t
    print(json.dumps({"tokenizers": t.__version__, "results": results}))

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The PyTorch side of `apus-bench`: the same workloads, timed the same way.

Prints one JSON object {workload: median seconds}. Run by apus-bench in the same run as the
Apus side, on the same machine, with torch limited to the same number of threads.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)


def timed(fn, reps, warmup=2):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


results = {}

a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
results["sgemm_1024"] = timed(lambda: a @ b, 10)

scores = torch.randn(32, 12, 128, 128)
results["softmax_32x12x128x128"] = timed(lambda: scores.softmax(dim=-1), 10)

x = torch.randn(4096, 768)
w, bias = torch.randn(768), torch.randn(768)
results["layer_norm_4096x768"] = timed(lambda: F.layer_norm(x, (768,), w, bias, 1e-5), 20)

big = torch.randn(4 * 1024 * 1024)
results["gelu_4M"] = timed(lambda: F.gelu(big), 20)
results["exp_4M"] = timed(lambda: big.exp(), 20)
results["add_4M"] = timed(lambda: big + big, 20)
results["sum_4M"] = timed(lambda: big.sum(), 20)

inputs = torch.randn(256, 512)
targets = torch.randint(0, 10, (256,))
w1 = (torch.randn(1024, 512) * 0.05).requires_grad_()
b1 = torch.zeros(1024, requires_grad=True)
w2 = (torch.randn(10, 1024) * 0.05).requires_grad_()
b2 = torch.zeros(10, requires_grad=True)


def mlp_step():
    for p in (w1, b1, w2, b2):
        p.grad = None
    loss = F.cross_entropy(F.linear(F.gelu(F.linear(inputs, w1, b1)), w2, b2), targets)
    loss.backward()


results["mlp_fwd_bwd_256"] = timed(mlp_step, 20)
print(json.dumps({"torch": torch.__version__, "threads": threads, "results": results}))

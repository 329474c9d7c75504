#!/usr/bin/env python3
"""PyTorch side of the math-op timings (softmax, layer_norm, gelu, exp, ...), for comparison
with scripts/bench_math.swift on the same machine and thread count:

    /root/apus-ref/bin/python scripts/bench_math.py [elementwise|rows|targets|all]

Prints median and minimum milliseconds per op; the machine is shared, so compare minimums of
interleaved runs.
"""
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(2)

def bench(name, fn, it=20):
    for _ in range(3): fn()
    ts=[]
    for _ in range(it):
        t=time.perf_counter(); fn(); ts.append((time.perf_counter()-t)*1e3)
    ts.sort(); print(f"{name:28s} median {ts[len(ts)//2]:8.3f} ms  min {ts[0]:8.3f} ms", flush=True)
big = (torch.rand(4*1024*1024)*2-1)*3
which = sys.argv[1] if len(sys.argv)>1 else "all"
if which in ("all","elementwise"):
    bench("exp 4M", lambda: big.exp())
    bench("gelu 4M", lambda: F.gelu(big))
    bench("gelu tanh 4M", lambda: F.gelu(big, approximate='tanh'))
    bench("tanh 4M", lambda: big.tanh())
    bench("sigmoid 4M", lambda: big.sigmoid())
    positive = big.abs()
    bench("log 4M", lambda: positive.log())
    def gb():
        x = big.detach().requires_grad_(); F.gelu(x).backward(positive)
    bench("gelu backward 4M", gb)
    bench("neg 4M", lambda: -big)
    bench("add 4M", lambda: big+big)
    bench("mul scalar 4M", lambda: big*2.0)
if which in ("all","rows"):
    s = torch.randn(32,12,128,128)
    bench("softmax 32x12x128x128", lambda: s.softmax(-1), 10)
    bench("log_softmax 32x12x128x128", lambda: s.log_softmax(-1), 10)
    x = torch.randn(4096,768); w=torch.randn(768); b=torch.randn(768)
    bench("layer_norm 4096x768", lambda: F.layer_norm(x,(768,),w,b,1e-5))
    bench("rms_norm 4096x768", lambda: F.rms_norm(x,(768,),w,1e-6))
    logits = torch.randn(4096, 1000); t = torch.randint(0,1000,(4096,))
    bench("cross_entropy 4096x1000", lambda: F.cross_entropy(logits, t))
if which == "targets":
    s = torch.randn(32,12,128,128)
    x = torch.randn(4096,768); w=torch.randn(768); b=torch.randn(768)
    for _ in range(3):
        bench("softmax 32x12x128x128", lambda: s.softmax(-1), 15)
        bench("layer_norm 4096x768", lambda: F.layer_norm(x,(768,),w,b,1e-5), 40)
        bench("gelu 4M", lambda: F.gelu(big), 40)
        bench("exp 4M", lambda: big.exp(), 40)
        bench("add 4M", lambda: big+big, 40)

#!/usr/bin/env python3
"""Times each bench/*.py with apus (release build) and CPython; prints the ratio.
CPU time (user+sys of the child) is reported, which stays meaningful on a busy machine.
Usage: python3 run_bench.py PATH_TO_APUS"""
import os, resource, subprocess, sys, time
here = os.path.dirname(os.path.abspath(__file__))
apus = sys.argv[1]
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
def best(cmd, reps=3):
    t = []
    for _ in range(reps):
        s = cpu(); out = subprocess.run(cmd, capture_output=True, text=True); t.append(cpu() - s)
    return min(t), out.stdout.strip()
for f in sorted(os.listdir(here)):
    if not f.endswith(".py") or f == "run_bench.py": continue
    p = os.path.join(here, f)
    tp, op = best([sys.executable, p]); ta, oa = best([apus, "run", p])
    print(f"{f:22s} cpython {tp*1000:7.0f} ms  apus {ta*1000:7.0f} ms  ratio {ta/tp:5.2f}  {'ok' if op == oa else 'OUTPUT DIFFERS: ' + oa[:60]}")
s = time.perf_counter(); c = cpu()
for _ in range(10): subprocess.run([apus, "-c", "print(1)"], capture_output=True)
print(f"startup apus -c 'print(1)': {(time.perf_counter() - s) * 100:.1f} ms wall, {(cpu() - c) * 100:.1f} ms cpu")

#!/usr/bin/env python3
"""Times each bench/*.py with apus (release build) and CPython; prints the ratio.

CPU time (user+sys of the child) is reported. The two interpreters alternate run by run and
each keeps its best time, so a burst of load on the machine hits both sides alike.
Usage: python3 run_bench.py PATH_TO_APUS [--rounds N] [NAME ...]
NAME filters the scripts by substring (for example `strings` or `calls`)."""
import os, resource, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
args = sys.argv[1:]
if not args:
    sys.exit(__doc__)
apus = args.pop(0)
rounds = 5
if "--rounds" in args:
    i = args.index("--rounds")
    rounds = max(1, int(args[i + 1]))
    del args[i:i + 2]
filters = args


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd):
    start = cpu()
    out = subprocess.run(cmd, capture_output=True, text=True)
    return cpu() - start, out.stdout.strip()


for f in sorted(os.listdir(here)):
    if not f.endswith(".py") or f == "run_bench.py":
        continue
    if filters and not any(name in f for name in filters):
        continue
    p = os.path.join(here, f)
    tp = ta = float("inf")
    op = oa = ""
    for _ in range(rounds):
        t, op = timed([sys.executable, p]); tp = min(tp, t)
        t, oa = timed([apus, "run", p]); ta = min(ta, t)
    verdict = "ok" if op == oa else "OUTPUT DIFFERS: " + oa[:60]
    print(f"{f:22s} cpython {tp*1000:7.0f} ms  apus {ta*1000:7.0f} ms  ratio {ta/tp:5.2f}  {verdict}")

if not filters:
    s = time.perf_counter(); c = cpu()
    for _ in range(10):
        subprocess.run([apus, "-c", "print(1)"], capture_output=True)
    print(f"startup apus -c 'print(1)': {(time.perf_counter() - s) * 100:.1f} ms wall, {(cpu() - c) * 100:.1f} ms cpu")

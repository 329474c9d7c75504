#!/usr/bin/env python3
"""Kernel latency figures: the Apus kernel against ipykernel, measured in the same run.

Not a test: it prints a table. Both kernels are started through jupyter_client exactly as
Jupyter starts them (a kernelspec each, in a temporary JUPYTER_PATH), over TCP loopback.

  start-to-ready       KernelManager.start_kernel() -> wait_for_ready(); median of --starts starts
                       (wait_for_ready ends by waiting for 0.2 s of IOPub silence, so the
                       first kernel_info reply is timed too)
  1+1 execute -> idle  send execute_request -> IOPub status idle of that request; --runs runs
                       after 10 warm-up runs: median and p99
  complete             complete_request("pri") -> complete_reply round trip: median and p99
  complete while busy  complete_request sent while a 5 s cell (time.sleep(5)) runs -> its reply
                       (median of --busy-cells cells)
  interrupt            interrupt_kernel() while a busy loop runs -> execute_reply (error), then
                       the variable set before is read back (state kept): median of 5

The Apus kernel is started as `apus kernel install` sets it up: through the `apus-kernel`
starter when it was built next to `apus` (--no-starter runs `apus kernel` directly).

Usage: .venv-test/bin/python scripts/bench_kernel.py --apus .build/release/apus
       [--python PYTHON_WITH_IPYKERNEL] [--runs 200] [--json] [--no-starter]
Build in release first (swift build -c release --product apus --product apus-kernel); ipykernel
must be importable by --python (default: this interpreter).
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import time

from jupyter_client import KernelManager


def write_spec(root, name, argv, language, interrupt_mode):
    directory = os.path.join(root, "kernels", name)
    os.makedirs(directory)
    with open(os.path.join(directory, "kernel.json"), "w") as f:
        json.dump({"argv": argv, "display_name": name, "language": language,
                   "interrupt_mode": interrupt_mode}, f)


# Replies that arrived while waiting for another (ipykernel answers a complete sent during a
# cell only after that cell's execute_reply).
STASH = {}


def reply_for(channel, msg_id, timeout=30):
    if msg_id in STASH:
        return STASH.pop(msg_id)
    deadline = time.monotonic() + timeout
    while True:
        msg = channel.get_msg(timeout=max(0.01, deadline - time.monotonic()))
        parent = msg["parent_header"].get("msg_id")
        if parent == msg_id:
            return msg
        STASH[parent] = msg


def until_idle(kc, msg_id, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            return msg


def wait_started(kc, msg_id, timeout=30):
    """Until the cell's execute_input: it is running."""
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_input":
            return


def drain(kc):
    for channel in (kc.iopub_channel, kc.shell_channel):
        while True:
            try:
                channel.get_msg(timeout=0.05)
            except queue.Empty:
                break


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def first_reply(name):
    """Seconds from start_kernel() to the first kernel_info_reply: start-to-ready without the
    0.2 s of IOPub silence jupyter_client's wait_for_ready waits for at the end."""
    t = time.perf_counter()
    km = KernelManager(kernel_name=name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    while True:
        msg_id = kc.kernel_info()
        try:
            reply = reply_for(kc.shell_channel, msg_id, timeout=0.05)
        except queue.Empty:
            continue
        if reply["msg_type"] == "kernel_info_reply":
            seconds = time.perf_counter() - t
            break
    STASH.clear()
    stop(km, kc)
    return seconds


def start(name):
    t = time.perf_counter()
    km = KernelManager(kernel_name=name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return km, kc, time.perf_counter() - t


def stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=False)


def measure(name, runs, starts, busy_cells):
    figures = {}
    ready = []
    for _ in range(starts):
        km, kc, seconds = start(name)
        ready.append(seconds)
        stop(km, kc)
    figures["start_to_ready_s"] = statistics.median(ready)
    figures["start_to_kernel_info_s"] = statistics.median([first_reply(name) for _ in range(starts)])

    km, kc, _ = start(name)
    try:
        idle = []
        for i in range(runs + 10):
            t = time.perf_counter()
            msg_id = kc.execute("1+1")
            until_idle(kc, msg_id)
            if i >= 10:
                idle.append(time.perf_counter() - t)
        drain(kc)
        figures["execute_idle_median_ms"] = statistics.median(idle) * 1000
        figures["execute_idle_p99_ms"] = percentile(idle, 0.99) * 1000

        complete = []
        for i in range(runs + 5):
            t = time.perf_counter()
            reply_for(kc.shell_channel, kc.complete("pri", 3))
            if i >= 5:
                complete.append(time.perf_counter() - t)
        drain(kc)
        figures["complete_median_ms"] = statistics.median(complete) * 1000
        figures["complete_p99_ms"] = percentile(complete, 0.99) * 1000

        busy = []
        for _ in range(busy_cells):
            msg_id = kc.execute("import time\ntime.sleep(5)")
            wait_started(kc, msg_id)
            time.sleep(0.2)
            t = time.perf_counter()
            reply = reply_for(kc.shell_channel, kc.complete("pri", 3))
            busy.append(time.perf_counter() - t)
            assert reply["msg_type"] == "complete_reply", reply["msg_type"]
            reply_for(kc.shell_channel, msg_id)
            until_idle(kc, msg_id)
        drain(kc)
        figures["complete_while_busy_ms"] = statistics.median(busy) * 1000

        interrupts = []
        kept = True
        for _ in range(5):
            msg_id = kc.execute("v = 41")
            until_idle(kc, msg_id)
            msg_id = kc.execute("x = 0\nwhile True:\n    x += 1")
            wait_started(kc, msg_id)
            time.sleep(0.3)
            t = time.perf_counter()
            km.interrupt_kernel()
            reply = reply_for(kc.shell_channel, msg_id, timeout=10)
            interrupts.append(time.perf_counter() - t)
            until_idle(kc, msg_id)
            kept &= reply["content"]["status"] == "error" and reply["content"].get("ename") == "KeyboardInterrupt"
            msg_id = kc.execute("v + 1")
            result = None
            deadline = time.monotonic() + 10
            while True:
                msg = kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "execute_result":
                    result = msg["content"]["data"]["text/plain"]
                elif msg["msg_type"] == "error":
                    result = msg["content"]["ename"]
                elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
            if result != "42":
                print(f"  after the interrupt, v + 1 gave {result!r}", file=sys.stderr)
            kept &= result == "42"
        figures["interrupt_median_ms"] = statistics.median(interrupts) * 1000
        figures["interrupt_state_kept"] = kept
    finally:
        stop(km, kc)
    return figures


ROWS = [
    ("start-to-ready (s, median)", "start_to_ready_s", "{:.3f}"),
    ("start -> first kernel_info reply (s)", "start_to_kernel_info_s", "{:.3f}"),
    ("1+1 execute -> idle, median (ms)", "execute_idle_median_ms", "{:.2f}"),
    ("1+1 execute -> idle, p99 (ms)", "execute_idle_p99_ms", "{:.2f}"),
    ("complete round trip, median (ms)", "complete_median_ms", "{:.2f}"),
    ("complete round trip, p99 (ms)", "complete_p99_ms", "{:.2f}"),
    ("complete while a 5 s cell runs (ms)", "complete_while_busy_ms", "{:.1f}"),
    ("interrupt -> reply, median (ms)", "interrupt_median_ms", "{:.1f}"),
    ("state kept after interrupt", "interrupt_state_kept", "{}"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apus", required=True, help="the apus executable (a release build)")
    parser.add_argument("--python", default=sys.executable, help="a Python with ipykernel")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--busy-cells", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--no-starter", action="store_true", help="start `apus kernel` without apus-kernel")
    args = parser.parse_args()

    root = tempfile.mkdtemp(prefix="apus-bench-kernels-")
    apus = os.path.abspath(args.apus)
    argv = [apus, "kernel", "-f", "{connection_file}"]
    if not args.no_starter:
        # The argv `apus kernel install` writes.
        prefix = os.path.join(root, "installed")
        subprocess.run([apus, "kernel", "install", "--prefix", prefix], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(prefix, "share", "jupyter", "kernels", "apus", "kernel.json")) as f:
            argv = json.load(f)["argv"]
    print(f"apus kernel command: {' '.join(argv)}", file=sys.stderr)
    write_spec(root, "apus-bench", argv, "apus", "message")
    write_spec(root, "ipykernel-bench", [args.python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
               "python", "signal")
    os.environ["JUPYTER_PATH"] = root + os.pathsep + os.environ.get("JUPYTER_PATH", "")

    results = {}
    for label, name in (("apus", "apus-bench"), ("ipykernel", "ipykernel-bench")):
        print(f"measuring {label} ...", file=sys.stderr)
        results[label] = measure(name, args.runs, args.starts, args.busy_cells)

    print(f"\n{args.runs} runs per latency figure, {args.starts} starts, {args.busy_cells} busy cells; "
          f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}\n")
    print(f"| {'metric':<38} | {'apus':>10} | {'ipykernel':>10} | {'ipykernel / apus':>16} |")
    print(f"|{'-' * 40}|{'-' * 12}|{'-' * 12}|{'-' * 18}|")
    for title, key, fmt in ROWS:
        a, b = results["apus"][key], results["ipykernel"][key]
        ratio = f"{b / a:.1f}x" if isinstance(a, float) and a > 0 else ""
        print(f"| {title:<38} | {fmt.format(a):>10} | {fmt.format(b):>10} | {ratio:>16} |")
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

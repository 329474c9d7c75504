#!/usr/bin/env python3
"""Writes cases/NAME.expected for every cases/NAME.py by running it with real torch and numpy.

Run with the reference venv: /root/apus-ref/bin/python generate.py
The expected text is the script's stdout; when the script ends with an uncaught exception,
a line "--- error ---" and the traceback's last line follow (as in Tests/Fixtures/language).
Usage: generate.py [--check APUS_BINARY [NAME...]] compares an apus binary's output instead.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
PYTHON = "/root/apus-ref/bin/python"


def run(cmd, path):
    p = subprocess.run(cmd + [path], capture_output=True, text=True, cwd=CASES, timeout=120,
                       env={**os.environ, "PYTHONHASHSEED": "0", "HF_HUB_OFFLINE": "1"})
    out = p.stdout
    if p.returncode != 0:
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        out += "--- error ---\n" + (lines[-1] if lines else "") + "\n"
    return out


def main():
    names = sorted(f for f in os.listdir(CASES) if f.endswith(".py"))
    if len(sys.argv) > 2 and sys.argv[1] == "--check":
        only = sys.argv[3:]
        failed = 0
        for n in names:
            if only and not any(o in n for o in only):
                continue
            want = open(os.path.join(CASES, n[:-3] + ".expected")).read()
            got = run([sys.argv[2], "run"], n)
            if got != want:
                failed += 1
                print(f"FAIL {n}")
                import difflib
                sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "torch", "apus"))
        print(f"{len(names) - failed}/{len(names)} passed")
        return
    for n in names:
        out = run([PYTHON], n)
        with open(os.path.join(CASES, n[:-3] + ".expected"), "w") as f:
            f.write(out)
        print("wrote", n[:-3] + ".expected")


if __name__ == "__main__":
    main()

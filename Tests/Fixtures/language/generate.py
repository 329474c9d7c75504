#!/usr/bin/env python3
"""Writes cases/NAME.expected for every cases/NAME.py by running it with CPython 3.11.

The expected text is the script's stdout; when the script ends with an uncaught exception,
a line "--- error ---" and the traceback's last line ("ExceptionName: message") follow.
Usage: python3 generate.py [--check APUS_BINARY]
  --check runs the apus binary on every case and reports mismatches (a development aid;
  the XCTest suite ConformanceTests does the same in CI).
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")


def run(cmd, path):
    p = subprocess.run(cmd + [path], capture_output=True, text=True, cwd=CASES, timeout=60,
                       env={**os.environ, "PYTHONHASHSEED": "0"})
    out = p.stdout
    if p.returncode != 0:
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        out += "--- error ---\n" + (lines[-1] if lines else "") + "\n"
    return out


def main():
    names = sorted(f for f in os.listdir(CASES) if f.endswith(".py"))
    if len(sys.argv) > 2 and sys.argv[1] == "--check":
        binary = sys.argv[2]
        only = sys.argv[3:]
        failed = 0
        for n in names:
            if only and not any(o in n for o in only):
                continue
            want = open(os.path.join(CASES, n[:-3] + ".expected")).read()
            try:
                got = run([binary, "run"], n)
            except subprocess.TimeoutExpired:
                got = "TIMEOUT\n"
            if got != want:
                failed += 1
                print(f"FAIL {n}")
                if only:
                    import difflib
                    sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "expected", "apus"))
        print(f"{len(names) - failed}/{len(names)} passed")
        return
    for n in names:
        out = run([sys.executable], n)
        with open(os.path.join(CASES, n[:-3] + ".expected"), "w") as f:
            f.write(out)
    print(f"wrote {len(names)} expected outputs")


if __name__ == "__main__":
    main()

"""Records what transformers prints for each cell of a tutorial (tutorials/03-models.md by
default, or the one named: `04-quick-tour`), for the Swift ModelTutorialTests (which run the
same cells through Apus and compare).

    HF_HOME=/work/notes/hf HF_HUB_OFFLINE=1 /root/apus-ref/bin/python Tests/Fixtures/models/generate_tutorial.py [NAME]

Cells are the tutorial's ```python blocks, run in order in one namespace, as a notebook runs
them. Cells using Apus's pictures (apus.viz, bertviz) have no transformers counterpart here and
are recorded as null: the Swift test runs them and checks only that they succeed.
Writes tutorial.expected.json (03) or NAME.expected.json: a list of {"code": ..., "stdout": ... or null}.
"""
import contextlib, io, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
NAME = sys.argv[1] if len(sys.argv) > 1 else "03-models"
TUTORIAL = os.path.join(ROOT, "tutorials", NAME + ".md")
OUTPUT = "tutorial.expected.json" if NAME == "03-models" else NAME + ".expected.json"
APUS_ONLY = ("apus.viz", "bertviz")


def code_cells(text):
    cells, code, in_code = [], [], False
    for line in text.splitlines():
        if not in_code and line.strip() == "```python":
            code, in_code = [], True
        elif in_code and line.strip() == "```":
            cells.append("\n".join(code))
            in_code = False
        elif in_code:
            code.append(line)
    return cells


def main():
    os.chdir(ROOT)
    namespace = {"__name__": "__main__"}
    results = []
    for code in code_cells(open(TUTORIAL, encoding="utf-8").read()):
        if any(marker in code for marker in APUS_ONLY):
            results.append({"code": code, "stdout": None})
            continue
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(compile(code, "<cell>", "exec"), namespace)
        results.append({"code": code, "stdout": buf.getvalue()})
    with open(os.path.join(HERE, OUTPUT), "w") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(len(results), "cells")


if __name__ == "__main__":
    main()

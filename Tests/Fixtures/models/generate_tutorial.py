"""Records what transformers prints for each cell of a tutorial (tutorials/03-models.md by
default, or the one named: `04-quick-tour`), for the Swift ModelTutorialTests (which run the
same cells through Apus and compare).

    HF_HOME=/work/notes/hf HF_HUB_OFFLINE=1 /root/apus-ref/bin/python Tests/Fixtures/models/generate_tutorial.py [NAME]

Cells are the tutorial's ```python blocks, run in order in one namespace, as a notebook runs
them, from the notebooks folder (where CI runs the notebooks; fixtures are "../Tests/...").
Cells using Apus's pictures (apus.viz, bertviz) or marked "# apus-only" (Apus's own wording,
e.g. its offline message) have no transformers counterpart here and are recorded as null: the
Swift test runs them and checks only that they succeed and print something.

05-pipelines uses the question-answering pipeline, which left transformers after 5.2.0: it is
recorded with 5.2.0 (the venv recipe is in generate_scripts.py's header) and refuses other
versions, so that its QA cells are never recorded by a transformers without them.
Writes tutorial.expected.json (03) or NAME.expected.json: a list of {"code": ..., "stdout": ... or null}.
"""
import contextlib, io, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
NAME = sys.argv[1] if len(sys.argv) > 1 else "03-models"
TUTORIAL = os.path.join(ROOT, "tutorials", NAME + ".md")
OUTPUT = "tutorial.expected.json" if NAME == "03-models" else NAME + ".expected.json"
APUS_ONLY = ("apus.viz", "bertviz", "# apus-only")
PINNED = {"05-pipelines": "5.2.0"}


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
    import transformers
    pinned = PINNED.get(NAME)
    if pinned and transformers.__version__ != pinned:
        sys.exit(f"{NAME} is recorded with transformers {pinned} (this is {transformers.__version__}): see generate_scripts.py")
    os.chdir(os.path.join(ROOT, "notebooks"))
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

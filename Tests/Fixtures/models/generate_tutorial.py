"""Records what transformers prints for each cell of a tutorial (tutorials/03-models.md by
default, or the one named: `04-quick-tour`), for the Swift ModelTutorialTests (which run the
same cells through Apus and compare).

    HF_HOME=/work/notes/hf HF_HUB_OFFLINE=1 /root/apus-ref/bin/python Tests/Fixtures/models/generate_tutorial.py [NAME]

Cells are the tutorial's ```python blocks, run in order in one namespace, as a notebook runs
them, from the notebooks folder (where CI runs the notebooks; fixtures are "../Tests/...").
Cells using Apus's pictures (apus.viz, bertviz) or marked "# apus-only" (Apus's own wording,
e.g. its offline message) have no transformers counterpart here and are recorded as null: the
Swift test runs them and checks only that they succeed and print something.

05-pipelines uses the question-answering pipeline, which left transformers after 5.2.0, so it is
recorded in two runs. Its question-answering cells (those naming `qa` or "question-answering")
are recorded only under 5.2.0 (the venv recipe is in generate_scripts.py's header), every other
cell only under the current release; each run keeps the other run's outputs from the existing
file, and stops if one of those kept cells has changed since it was recorded:

    HF_HOME=/work/notes/hf HF_HUB_OFFLINE=1 /tmp/tf520/bin/python Tests/Fixtures/models/generate_tutorial.py 05-pipelines
    HF_HOME=/work/notes/hf HF_HUB_OFFLINE=1 /root/apus-ref/bin/python Tests/Fixtures/models/generate_tutorial.py 05-pipelines

(The two releases differ elsewhere: 5.2.0 reads one more item of a generator before giving the
first batch's results.)
Writes tutorial.expected.json (03) or NAME.expected.json: a list of {"code": ..., "stdout": ... or null}.
"""
import contextlib, io, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
NAME = sys.argv[1] if len(sys.argv) > 1 else "03-models"
TUTORIAL = os.path.join(ROOT, "tutorials", NAME + ".md")
OUTPUT = "tutorial.expected.json" if NAME == "03-models" else NAME + ".expected.json"
APUS_ONLY = ("apus.viz", "bertviz", "# apus-only")
# Tutorial -> (release, cells recorded only under that release; the rest only under another).
PINNED = {"05-pipelines": ("5.2.0", re.compile(r"\bqa\b|question-answering"))}


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
    pinned_release, pinned_cells = PINNED.get(NAME, (None, None))
    on_pinned = transformers.__version__ == pinned_release
    out_path = os.path.join(HERE, OUTPUT)
    previous = {c["code"]: c["stdout"] for c in json.load(open(out_path))} if pinned_release and os.path.exists(out_path) else {}
    os.chdir(os.path.join(ROOT, "notebooks"))
    namespace = {"__name__": "__main__"}
    results, kept = [], 0
    for code in code_cells(open(TUTORIAL, encoding="utf-8").read()):
        if any(marker in code for marker in APUS_ONLY):
            results.append({"code": code, "stdout": None})
            continue
        if pinned_release and bool(pinned_cells.search(code)) != on_pinned:
            # The other release records this cell; keep its output (the pinned release still
            # runs the other cells, unrecorded, for the names they define).
            if code not in previous:
                other = pinned_release if not on_pinned else "the current release"
                sys.exit(f"{NAME}: a cell changed that only {other} records; run this script under it first:\n{code}")
            results.append({"code": code, "stdout": previous[code]})
            kept += 1
            if not on_pinned:
                continue
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, "<cell>", "exec"), namespace)
            continue
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(compile(code, "<cell>", "exec"), namespace)
        results.append({"code": code, "stdout": buf.getvalue()})
    with open(out_path, "w") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(len(results), "cells,", kept, "kept from the other release's run")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Executes every notebook under notebooks/ with the Apus kernel, as a user would run them.

    python scripts/run_notebooks.py [--kernel apus] [--timeout 600] [--write] [NOTEBOOK ...]
    python scripts/run_notebooks.py --expected [NOTEBOOK ...]

A cell that raises, or a notebook whose kernel dies, fails the run with the cell's traceback.
With --write the executed notebooks (outputs included) are saved back in place.

With --expected it runs the parity notebooks (default: every Tests/Fixtures/notebooks/NAME.ipynb
that has a NAME.expected.ipynb beside it, written by ipykernel through that folder's generate.py)
with errors allowed, and compares each cell's outputs with the expected ones: output types,
stream names and text, text/plain and text/html data, execution_count, ename and evalue
(traceback frames are formatted differently by design and are not compared).
Needs nbclient and nbformat, and the Apus kernelspec installed where jupyter_client finds it.
"""
import argparse
import glob
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


COMPARED_MIME = ("text/plain", "text/html")


def comparable(cell):
    """The parts of a code cell's outputs that must match IPython's."""
    outputs = []
    for output in cell.get("outputs", []):
        kind = output["output_type"]
        if kind == "stream":
            outputs.append((kind, output["name"], output["text"]))
        elif kind in ("execute_result", "display_data"):
            data = {mime: output["data"][mime] for mime in COMPARED_MIME if mime in output["data"]}
            outputs.append((kind, data, output.get("execution_count")))
        elif kind == "error":
            outputs.append((kind, output["ename"], output["evalue"]))
        else:
            outputs.append((kind,))
    return cell.get("execution_count"), outputs


def compare_with_expected(path, args, root):
    """Runs one parity notebook against the kernel; returns the differing cells' descriptions."""
    expected = nbformat.read(path.replace(".ipynb", ".expected.ipynb"), as_version=4)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, kernel_name=args.kernel, timeout=args.timeout,
                            allow_errors=True, resources={"metadata": {"path": os.path.dirname(path)}})
    client.execute()
    differences = []
    for index, (got, want) in enumerate(zip(notebook.cells, expected.cells)):
        if got.cell_type != "code":
            continue
        if comparable(got) != comparable(want):
            differences.append(f"cell {index}: {got.source!r}\n  apus:    {comparable(got)!r}\n"
                               f"  ipython: {comparable(want)!r}")
    if len(notebook.cells) != len(expected.cells):
        differences.append(f"{len(notebook.cells)} cells, expected {len(expected.cells)}")
    return differences


def main_expected(args, root):
    """--expected: parity notebooks against their ipykernel outputs."""
    paths = args.notebooks or sorted(
        p for p in glob.glob(os.path.join(root, "Tests", "Fixtures", "notebooks", "*.ipynb"))
        if not p.endswith(".expected.ipynb") and os.path.exists(p.replace(".ipynb", ".expected.ipynb")))
    if not paths:
        sys.exit("run_notebooks: no parity notebooks found")
    failed = 0
    for path in paths:
        start = time.monotonic()
        try:
            differences = compare_with_expected(path, args, root)
        except Exception as error:  # a dead kernel or a timeout
            differences = [f"{type(error).__name__}: {error}"]
        status = "same outputs as ipykernel" if not differences else "DIFFERENT\n" + "\n".join(differences)
        failed += bool(differences)
        print(f"{os.path.relpath(path, root)}: {time.monotonic() - start:.1f} s: {status}")
    print(f"{len(paths) - failed} matched, {failed} differed")
    sys.exit(1 if failed else 0)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--kernel", default="apus")
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--expected", action="store_true",
                        help="compare parity notebooks with their ipykernel outputs")
    args = parser.parse_args()
    if args.expected:
        return main_expected(args, root)
    paths = args.notebooks or sorted(glob.glob(os.path.join(root, "notebooks", "*.ipynb")))
    if not paths:
        sys.exit("run_notebooks: no notebooks found")
    failed = 0
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, kernel_name=args.kernel, timeout=args.timeout,
                                resources={"metadata": {"path": os.path.dirname(path)}})
        start = time.monotonic()
        try:
            client.execute()
            status = "ok"
        except CellExecutionError as error:
            failed += 1
            status = f"FAILED\n{error}"
        except Exception as error:  # a dead kernel or a timeout
            failed += 1
            status = f"FAILED ({type(error).__name__}: {error})"
        cells = sum(1 for c in notebook.cells if c.cell_type == "code")
        print(f"{os.path.relpath(path, root)}: {cells} code cells, "
              f"{time.monotonic() - start:.1f} s: {status}")
        if args.write:
            nbformat.write(notebook, path)
    print(f"{len(paths) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

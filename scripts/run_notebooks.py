#!/usr/bin/env python3
"""Executes every notebook under notebooks/ with the Apus kernel, as a user would run them.

    python scripts/run_notebooks.py [--kernel apus] [--timeout 600] [--write] [NOTEBOOK ...]

A cell that raises, or a notebook whose kernel dies, fails the run with the cell's traceback.
With --write the executed notebooks (outputs included) are saved back in place.
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


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--kernel", default="apus")
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
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

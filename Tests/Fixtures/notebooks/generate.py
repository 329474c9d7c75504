#!/usr/bin/env python3
"""Writes NAME.expected.ipynb for every parity notebook here by running it with ipykernel.

    /root/apus-ref/bin/python Tests/Fixtures/notebooks/generate.py

Needs ipykernel, nbclient and nbformat in the Python that runs this script (the python3 kernel
is started from that interpreter). The parity notebooks (PARITY below) hold code that is valid
Python and valid Apus; `scripts/run_notebooks.py --expected` runs each against the installed
Apus kernel and compares its outputs with these, cell by cell.

What is compared: the output types in order, stream names and text, the text/plain and
text/html data of execute_result and display_data (after update_display_data has been applied,
as nbclient applies it), execution_count, and ename/evalue of errors.

Where Apus and IPython legitimately differ, and so what is not compared:
- traceback frames: IPython formats them with ANSI colours, its own cell names and source
  excerpts; Apus writes its own frames. Only ename and evalue are compared.
- the relative order of stdout and stderr within one cell: ipykernel buffers the two streams
  separately and flushes them independently, while Apus keeps the order in which the cell wrote
  them. The notebooks therefore write to stderr only in cells that do not also print to stdout.
- metadata (execution timing) and MIME types other than text/plain and text/html (IPython adds
  none in these notebooks; Apus may add richer ones, which a frontend shows in their place).
- the display id inside transient (a random id on both sides; never stored in the notebook).
"""
import os
import sys

import nbformat
from nbclient import NotebookClient

HERE = os.path.dirname(os.path.abspath(__file__))
PARITY = ["python_parity.ipynb"]


def main():
    for name in PARITY:
        source = os.path.join(HERE, name)
        notebook = nbformat.read(source, as_version=4)
        client = NotebookClient(notebook, kernel_name="python3", timeout=120, allow_errors=True,
                                resources={"metadata": {"path": HERE}})
        client.execute()
        for cell in notebook.cells:
            cell.metadata.pop("execution", None)
        # The kernelspec stays Apus so the file opens with the kernel it describes; the
        # outputs are ipykernel's.
        notebook.metadata["kernelspec"] = nbformat.read(source, as_version=4).metadata["kernelspec"]
        notebook.metadata.pop("language_info", None)
        target = os.path.join(HERE, name.replace(".ipynb", ".expected.ipynb"))
        nbformat.write(notebook, target)
        print(f"wrote {os.path.relpath(target)}", file=sys.stderr)


if __name__ == "__main__":
    main()

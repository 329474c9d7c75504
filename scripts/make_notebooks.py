#!/usr/bin/env python3
"""Builds notebooks/NAME.ipynb from tutorials/NAME.md, so a tutorial is written once.

Fenced ```python blocks become code cells; everything between them becomes markdown cells.
The notebooks name the Apus kernel. Uses only the standard library.

    python scripts/make_notebooks.py            # every tutorial
    python scripts/make_notebooks.py --check    # fail if a notebook is out of date
"""
import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cells_from_markdown(text):
    cells, markdown, code, in_code = [], [], [], False
    for line in text.splitlines():
        if not in_code and line.strip() == "```python":
            if "".join(markdown).strip():
                cells.append(("markdown", markdown))
            markdown, in_code = [], True
        elif in_code and line.strip() == "```":
            cells.append(("code", code))
            code, in_code = [], False
        elif in_code:
            code.append(line)
        else:
            markdown.append(line)
    if "".join(markdown).strip():
        cells.append(("markdown", markdown))
    out = []
    for index, (kind, lines) in enumerate(cells):
        while lines and not lines[0].strip():
            lines = lines[1:]
        while lines and not lines[-1].strip():
            lines = lines[:-1]
        source = [l + "\n" for l in lines[:-1]] + lines[-1:]
        cell = {"cell_type": kind, "id": f"cell-{index}", "metadata": {}, "source": source}
        if kind == "code":
            cell.update({"execution_count": None, "outputs": []})
        out.append(cell)
    return out


def notebook(text):
    return {
        "cells": cells_from_markdown(text),
        "metadata": {
            "kernelspec": {"display_name": "Apus", "language": "apus", "name": "apus"},
            "language_info": {"name": "apus", "file_extension": ".apus", "mimetype": "text/x-apus",
                              "pygments_lexer": "python", "codemirror_mode": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def main():
    check = "--check" in sys.argv
    stale = []
    for md in sorted(glob.glob(os.path.join(ROOT, "tutorials", "*.md"))):
        name = os.path.splitext(os.path.basename(md))[0]
        target = os.path.join(ROOT, "notebooks", name + ".ipynb")
        with open(md, encoding="utf-8") as f:
            rendered = json.dumps(notebook(f.read()), indent=1, ensure_ascii=False) + "\n"
        current = open(target, encoding="utf-8").read() if os.path.exists(target) else None
        if current != rendered:
            if check:
                stale.append(target)
            else:
                with open(target, "w", encoding="utf-8") as f:
                    f.write(rendered)
                print(f"wrote {os.path.relpath(target, ROOT)}")
    if stale:
        sys.exit("out of date (run scripts/make_notebooks.py): " + ", ".join(stale))


if __name__ == "__main__":
    main()

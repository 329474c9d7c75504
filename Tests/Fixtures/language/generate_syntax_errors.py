#!/usr/bin/env python3
"""Writes syntax_errors.json: for each snippet, the exception class, message, line and
column (1-based offset) CPython 3.11 reports from compile()."""
import json, os
SNIPPETS = [
    "x = = 1",
    "def f(:\n    pass",
    "if x\n    pass",
    "print('unterminated)",
    "x = (1, 2",
    "for x in range(3):\npass",
    "  x = 1",
    "x = 1\n    y = 2",
    "def f():\n  x = 1\n y = 2",
    "a b",
    "1 = x",
    "f() = 3",
    "x = 1 +",
    "class A\n    pass",
    "return 5",
    "break",
    "x = [1, 2",
    "x = {1: 2",
    "y = 3)",
    "while True:\n    continue\ncontinue",
    "def f(a, a): pass",
    "def f(a=1, b): pass",
    "x = 5 if 3",
    "lambda x: (yield)",
    "None = 1",
    "f(x for x in y, 1)",
    "x = '''abc",
    "try:\n    pass\nx = 1",
    "del f()",
    "x += 1 = 2",
    "s = f'{}'",
    "import",
    "from x import",
    "a = 1; ; b = 2",
    "@\ndef f(): pass",
]
out = []
for s in SNIPPETS:
    try:
        compile(s, "<snippet>", "exec")
        out.append({"source": s, "error": None})
    except SyntaxError as e:
        out.append({"source": s, "error": type(e).__name__, "message": e.msg, "line": e.lineno, "col": e.offset})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "syntax_errors.json"), "w") as f:
    json.dump(out, f, indent=1)
print(len(out), "snippets")

#!/usr/bin/env python3
"""Python's json.dumps layout as nbformat writes notebooks (indent=1, sort_keys, ensure_ascii
False, separators (",", ": ")), for JSONValue.pythonJSON in Tests/DisplayTests. Writes
json_layout_input.json (compact, keys unsorted) and json_layout_expected.txt."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
VALUE = {
    "zeta": [1, 2.5, 100.0, 1e-05, 1e16, 0.1, -3, True, False, None, [], {}],
    "alpha": {"b": "tab\there \"quoted\" back\\slash\nnew line \u00e9 \u2028 \U0001F600 \x01 \x7f \x08 \x0c", "a": [[]]},
    "Upper": "sorted by code point", "_under": {}, "é": 1, "a10": 1, "a2": 2,
}

with open(os.path.join(HERE, "json_layout_input.json"), "w", encoding="utf-8") as f:
    json.dump(VALUE, f, ensure_ascii=False)
with open(os.path.join(HERE, "json_layout_expected.txt"), "w", encoding="utf-8") as f:
    f.write(json.dumps(VALUE, indent=1, sort_keys=True, ensure_ascii=False, separators=(",", ": ")))

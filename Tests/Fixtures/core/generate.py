"""Reference results for views and dtype conversions, from torch.

    python Tests/Fixtures/core/generate.py

views.json: chains of view operations applied to arange(24).reshape(2, 3, 4) (as float32) and
the resulting shape, values (row-major) and whether torch's result is contiguous.
conversions.json: float32 values converted to every dtype, and back to float64 for comparison.
"""
import json
import os

import torch

here = os.path.dirname(os.path.abspath(__file__))
base = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)


def apply(t, op):
    name, *args = op
    if name == "permute": return t.permute(*args[0])
    if name == "transpose": return t.transpose(args[0], args[1])
    if name == "T": return t.T if t.dim() == 2 else t.permute(*reversed(range(t.dim())))
    if name == "slice":
        dim, start, end, step = args
        index = [slice(None)] * t.dim()
        index[dim] = slice(start, end, step)
        return t[tuple(index)]
    if name == "select": return t.select(args[0], args[1])
    if name == "expand": return t.expand(*args[0])
    if name == "unsqueeze": return t.unsqueeze(args[0])
    if name == "squeeze": return t.squeeze() if args[0] is None else t.squeeze(args[0])
    if name == "flatten": return t.flatten(args[0], args[1])
    if name == "reshape": return t.reshape(*args[0])
    if name == "view": return t.view(*args[0])
    if name == "contiguous": return t.contiguous()
    raise ValueError(name)


CHAINS = [
    [["permute", [2, 0, 1]]],
    [["transpose", 0, 2]],
    [["transpose", -1, -2], ["contiguous"]],
    [["slice", 2, 1, None, 2]],
    [["slice", 1, -2, None, 1], ["select", 2, -1]],
    [["select", 0, 1], ["T"]],
    [["unsqueeze", 1], ["expand", [2, 5, 3, 4]]],
    [["slice", 2, 0, 1, 1], ["expand", [2, 3, 6]]],
    [["unsqueeze", -1], ["squeeze", 3]],
    [["select", 1, 0], ["unsqueeze", 0], ["squeeze", None]],
    [["flatten", 1, 2]],
    [["permute", [1, 0, 2]], ["flatten", 0, 1]],
    [["transpose", 1, 2], ["reshape", [6, -1]]],
    [["view", [4, -1]]],
    [["slice", 0, 0, 1, 1], ["view", [3, 4]]],
    [["permute", [2, 1, 0]], ["slice", 0, 1, 3, 1], ["reshape", [-1]]],
    [["T"], ["slice", 1, None, None, 2], ["contiguous"], ["view", [8, 2]]],
    [["slice", 2, None, None, 3], ["select", 2, 1]],
]

views = []
for chain in CHAINS:
    t = base
    for op in chain:
        t = apply(t, op)
    views.append({"ops": chain, "shape": list(t.shape), "values": t.flatten().tolist(),
                  "contiguous": t.is_contiguous()})

# View errors: torch refuses these.
errors = []
for chain in [[["transpose", 0, 2], ["view", [24]]], [["view", [5, -1]]], [["expand", [3, 3, 4]]],
              [["permute", [0, 0, 1]]], [["select", 1, 3]], [["transpose", 0, 3]]]:
    t = base
    try:
        for op in chain:
            t = apply(t, op)
        raise SystemExit(f"expected an error for {chain}")
    except (RuntimeError, IndexError) as error:
        errors.append({"ops": chain, "exception": type(error).__name__})

values = [0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.999, 100.7, -100.7, 65504.0, 70000.0,
          1e-8, 3.14159265, 1.00390625, 1.005859375, 255.0, 256.0, 1e20, -1e20]
conversions = {}
src = torch.tensor(values, dtype=torch.float32)
for name in ["float16", "bfloat16", "int64", "int32", "bool"]:
    out = src.to(getattr(torch, name))
    # JSON has no infinities: non-finite values are written as the strings "inf", "-inf", "nan".
    conversions[name] = ([v if v == v and abs(v) != float("inf") else str(v)
                          for v in out.to(torch.float64).tolist()] if name != "bool" else out.tolist())
nonneg = torch.tensor([v for v in values if 0 <= v < 256], dtype=torch.float32)
conversions_uint8 = {"input": nonneg.tolist(), "output": nonneg.to(torch.uint8).tolist()}
ints = torch.tensor([0, 1, -1, 7, -300, 2**31 - 1, 2**40], dtype=torch.int64)
int_conversions = {"input": ints.tolist(),
                   "float32": ints.to(torch.float32).to(torch.float64).tolist(),
                   "int32": ints.to(torch.int32).tolist(),
                   "bool": ints.to(torch.bool).tolist()}

with open(os.path.join(here, "views.json"), "w") as f:
    json.dump({"views": views, "errors": errors}, f, indent=1)
with open(os.path.join(here, "conversions.json"), "w") as f:
    json.dump({"input": src.tolist(), "float_conversions": conversions,
               "uint8": conversions_uint8, "int64": int_conversions}, f, indent=1)
print("wrote views.json and conversions.json")

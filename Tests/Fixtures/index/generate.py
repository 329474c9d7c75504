"""Writes the torch reference cases for the shape, index, comparison and reduction ops.

Run with the reference venv:  /root/apus-ref/bin/python Tests/Fixtures/index/generate.py
Each <family>.json holds a list of cases: {"name", "op", "inputs": {name: tensor}, "args": {...},
"outputs": {name: tensor}}, a tensor being {"shape", "dtype", "data"} with data flat in
row-major order (NaN and infinities written as the strings "nan", "inf", "-inf"). The Swift tests read these files only.
"""
import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
gen = torch.Generator().manual_seed(1234)


def randn(*shape):
    return torch.randn(*shape, generator=gen)


def randint(low, high, *shape):
    return torch.randint(low, high, shape, generator=gen)


def encode(t):
    t = t.detach().contiguous()
    dtype = {torch.float32: "float32", torch.int64: "int64", torch.bool: "bool"}[t.dtype]
    flat = t.reshape(-1).tolist()
    if dtype == "float32":
        flat = [v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
                for v in flat]
    return {"shape": list(t.shape), "dtype": dtype, "data": flat}


def finite_or_name(v):
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def case(cases, name, op, inputs, args, outputs):
    args = {k: finite_or_name(v) for k, v in args.items()}
    cases.append({
        "name": name, "op": op,
        "inputs": {k: encode(v) for k, v in inputs.items()},
        "args": args,
        "outputs": {k: encode(v) for k, v in outputs.items()},
    })


def write(family, cases):
    with open(os.path.join(HERE, family + ".json"), "w") as f:
        json.dump(cases, f, indent=None, separators=(",", ":"))
        f.write("\n")


def reductions():
    cases = []
    x = randn(3, 4, 5)
    ties = torch.tensor([[1.0, 3.0, 3.0, 0.5], [2.0, 2.0, 2.0, 2.0], [-1.0, -4.0, -4.0, -1.0]])
    ints = torch.tensor([[5, -2, 7, 7], [0, 0, -9, 3]], dtype=torch.int64)
    for dims in ([], [0], [1], [-1], [0, 2], [1, 2]):
        for keep in (False, True):
            case(cases, f"sum{dims}{keep}", "sum", {"x": x}, {"dims": dims, "keepDim": keep},
                 {"out": x.sum(dim=dims if dims else None, keepdim=keep)})
            case(cases, f"mean{dims}{keep}", "mean", {"x": x}, {"dims": dims, "keepDim": keep},
                 {"out": x.mean(dim=dims if dims else None, keepdim=keep)})
            for correction in (0, 1):
                out = torch.var(x, dim=dims if dims else None, correction=correction, keepdim=keep)
                case(cases, f"var{dims}{keep}{correction}", "var", {"x": x},
                     {"dims": dims, "keepDim": keep, "correction": correction}, {"out": out})
    case(cases, "sum int64", "sum", {"x": ints}, {"dims": [1], "keepDim": False}, {"out": ints.sum(1)})
    for t, label in ((x, "randn"), (ties, "ties"), (ints, "int64")):
        for dim in range(-t.dim(), t.dim()):
            for keep in (False, True):
                for fn in ("max", "min"):
                    values, indices = getattr(torch, fn)(t, dim=dim, keepdim=keep)
                    case(cases, f"{fn} {label} dim{dim} {keep}", fn + "_dim", {"x": t},
                         {"dim": dim, "keepDim": keep}, {"values": values, "indices": indices})
                for fn in ("argmax", "argmin"):
                    case(cases, f"{fn} {label} dim{dim} {keep}", fn, {"x": t},
                         {"dim": dim, "keepDim": keep}, {"out": getattr(torch, fn)(t, dim=dim, keepdim=keep)})
        for fn in ("max", "min"):
            case(cases, f"{fn} {label} all", fn, {"x": t}, {}, {"out": getattr(torch, fn)(t)})
        for fn in ("argmax", "argmin"):
            case(cases, f"{fn} {label} flat", fn, {"x": t}, {"keepDim": False}, {"out": getattr(torch, fn)(t)})
            case(cases, f"{fn} {label} flat keep", fn, {"x": t}, {"keepDim": True},
                 {"out": getattr(torch, fn)(t, keepdim=True)})
    # Long rows and wide columns (the vectorised paths) with many ties and a few NaNs.
    big = randint(0, 4, 3, 40, 37).float()
    big[1, 5, 7] = float("nan")
    big[2, 30, 20] = float("nan")
    big[0, 12, 36] = float("nan")
    for dim in range(3):
        for fn in ("max", "min"):
            values, indices = getattr(torch, fn)(big, dim=dim)
            case(cases, f"{fn} wide ties nan dim{dim}", fn + "_dim", {"x": big}, {"dim": dim, "keepDim": False},
                 {"values": values, "indices": indices})
    # Gradient of the all-element max with a tie: shared evenly.
    xt = ties.clone().requires_grad_()
    xt.max().backward()
    case(cases, "max all grad ties", "max_grad", {"x": ties}, {}, {"grad": xt.grad})
    # Gradient of max along a dim: routed to the first maximum.
    xt = ties.clone().requires_grad_()
    xt.max(dim=1).values.sum().backward()
    case(cases, "max dim grad ties", "max_dim_grad", {"x": ties}, {"dim": 1}, {"grad": xt.grad})
    write("reductions", cases)


def comparison():
    cases = []
    a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 2.0, -1.0]])
    b = torch.tensor([2.0, 2.0, -1.0])
    ai = torch.tensor([[1, 2, 3], [4, 2, -1]], dtype=torch.int64)
    big = torch.tensor([2**40 + 1, 2**40], dtype=torch.int64)
    for fn in ("eq", "ne", "lt", "le", "gt", "ge"):
        case(cases, f"{fn} broadcast", fn, {"a": a, "b": b}, {}, {"out": getattr(torch, fn)(a, b)})
        case(cases, f"{fn} scalar", fn, {"a": a}, {"scalar": 2.0}, {"out": getattr(torch, fn)(a, 2.0)})
        case(cases, f"{fn} int64 scalar", fn, {"a": ai}, {"scalar": 2.5}, {"out": getattr(torch, fn)(ai, 2.5)})
        case(cases, f"{fn} int64 exact", fn, {"a": big, "b": big.flip(0)}, {},
             {"out": getattr(torch, fn)(big, big.flip(0))})
    p = torch.tensor([[True, False, True], [False, False, True]])
    q = torch.tensor([True, False, False])
    for fn in ("logical_and", "logical_or", "logical_xor"):
        case(cases, fn, fn, {"a": p, "b": q}, {}, {"out": getattr(torch, fn)(p, q)})
    case(cases, "logical_and float", "logical_and", {"a": a, "b": b}, {}, {"out": torch.logical_and(a, b)})
    case(cases, "logical_not", "logical_not", {"a": a - 2}, {}, {"out": torch.logical_not(a - 2)})
    write("comparison", cases)


def selection():
    cases = []
    cond = torch.tensor([[True, False, True]])
    a = randn(2, 3)
    b = randn(2, 1)
    case(cases, "where broadcast", "where", {"cond": cond, "a": a, "b": b}, {}, {"out": torch.where(cond, a, b)})
    ai = torch.tensor([[1, 2, 3]], dtype=torch.int64)
    case(cases, "where int64", "where", {"cond": cond, "a": ai, "b": ai * 10}, {},
         {"out": torch.where(cond, ai, ai * 10)})
    case(cases, "where scalar", "where_scalar", {"cond": cond, "a": a}, {"scalar": -1.5},
         {"out": torch.where(cond, a, -1.5)})
    mask = torch.tensor([[False], [True]])
    case(cases, "masked_fill column mask", "masked_fill", {"x": a, "mask": mask}, {"value": -1e9},
         {"out": a.masked_fill(mask, -1e9)})
    causal = torch.ones(4, 4, dtype=torch.bool).triu(1)
    scores = randn(2, 4, 4)
    case(cases, "masked_fill causal", "masked_fill", {"x": scores, "mask": causal}, {"value": float("-inf")},
         {"out": scores.masked_fill(causal, float("-inf"))})
    case(cases, "masked_fill int64", "masked_fill", {"x": ai, "mask": cond}, {"value": 7.0},
         {"out": ai.masked_fill(cond, 7)})
    xg = scores.clone().requires_grad_()
    weights = torch.arange(32, dtype=torch.float32).view(2, 4, 4)
    (xg.masked_fill(causal, -1e9) * weights).sum().backward()
    case(cases, "masked_fill grad", "masked_fill_grad", {"x": scores, "mask": causal, "weight": weights},
         {"value": -1e9}, {"grad": xg.grad})
    write("selection", cases)


def joining():
    cases = []
    a, b, c = randn(2, 3), randn(2, 1), randn(2, 4)
    for dim in (1, -1):
        case(cases, f"cat dim{dim}", "cat", {"t0": a, "t1": b, "t2": c}, {"dim": dim},
             {"out": torch.cat([a, b, c], dim=dim)})
    d, e = randn(1, 3, 2), randn(3, 3, 2)
    case(cases, "cat dim0", "cat", {"t0": d, "t1": e}, {"dim": 0}, {"out": torch.cat([d, e], 0)})
    case(cases, "cat skips empty 1-D", "cat", {"t0": a, "t1": torch.zeros(0)}, {"dim": 0},
         {"out": torch.cat([a, torch.zeros(0)], 0)})
    ints = torch.arange(6).view(2, 3)
    case(cases, "cat int64", "cat", {"t0": ints, "t1": ints}, {"dim": 1}, {"out": torch.cat([ints, ints], 1)})
    f, g = randn(2, 3), randn(2, 3)
    for dim in (0, 1, 2, -1):
        case(cases, f"stack dim{dim}", "stack", {"t0": f, "t1": g}, {"dim": dim},
             {"out": torch.stack([f, g], dim=dim)})
    x = randn(7, 4)
    for size in (2, 3, 7, 10):
        pieces = torch.split(x, size, dim=0)
        case(cases, f"split size {size}", "split", {"x": x}, {"size": size, "dim": 0},
             {f"p{i}": p for i, p in enumerate(pieces)})
    pieces = torch.split(x, [1, 2, 1], dim=-1)
    case(cases, "split sizes", "split_sizes", {"x": x}, {"sizes": [1, 2, 1], "dim": -1},
         {f"p{i}": p for i, p in enumerate(pieces)})
    for n in (2, 3, 4, 6):
        pieces = torch.chunk(x, n, dim=0)
        case(cases, f"chunk {n}", "chunk", {"x": x}, {"n": n, "dim": 0}, {f"p{i}": p for i, p in enumerate(pieces)})
    pieces = torch.chunk(x, 3, dim=1)
    case(cases, "chunk dim1 uneven", "chunk", {"x": x}, {"n": 3, "dim": 1}, {f"p{i}": p for i, p in enumerate(pieces)})
    write("joining", cases)


def indexing():
    cases = []
    x = randn(3, 4)
    idx = torch.tensor([[0, 3, 3], [1, 1, 0]])
    case(cases, "gather dim1", "gather", {"x": x, "index": idx}, {"dim": 1}, {"out": torch.gather(x, 1, idx)})
    idx0 = torch.tensor([[2, 0, 1, 2]])
    case(cases, "gather dim0", "gather", {"x": x, "index": idx0}, {"dim": 0}, {"out": torch.gather(x, 0, idx0)})
    case(cases, "gather dim-1", "gather", {"x": x, "index": idx}, {"dim": -1}, {"out": torch.gather(x, -1, idx)})
    xi = torch.arange(12).view(3, 4)
    case(cases, "gather int64", "gather", {"x": xi, "index": idx}, {"dim": 1}, {"out": torch.gather(xi, 1, idx)})
    x3 = randn(2, 3, 4)
    i3 = randint(0, 3, 2, 2, 4)
    case(cases, "gather 3d middle", "gather", {"x": x3, "index": i3}, {"dim": 1}, {"out": torch.gather(x3, 1, i3)})
    for dim in (0, 1, -1):
        sel = torch.tensor([1, 0, 1])
        case(cases, f"index_select dim{dim}", "index_select", {"x": x3, "index": sel}, {"dim": dim},
             {"out": torch.index_select(x3, dim, sel)})
    base = randn(3, 4)
    src = randn(2, 5)
    sidx = torch.tensor([[0, 1, 2, 0], [2, 2, 1, 0]])
    case(cases, "scatter_add dim0", "scatter_add", {"x": base, "index": sidx, "source": src}, {"dim": 0},
         {"out": base.scatter_add(0, sidx, src)})
    sidx1 = torch.tensor([[3, 3, 0], [1, 2, 1]])
    case(cases, "scatter_add dim1", "scatter_add", {"x": base, "index": sidx1, "source": src}, {"dim": 1},
         {"out": base.scatter_add(1, sidx1, src)})
    weight = randn(6, 3)
    ids = torch.tensor([[1, 5, 1], [0, 2, 5]])
    case(cases, "embedding", "embedding", {"weight": weight, "indices": ids}, {},
         {"out": torch.nn.functional.embedding(ids, weight)})
    w = weight.clone().requires_grad_()
    torch.nn.functional.embedding(ids, w).sum().backward()
    case(cases, "embedding grad repeated ids", "embedding_grad", {"weight": weight, "indices": ids}, {},
         {"grad": w.grad})
    labels = torch.tensor([[0, 2], [3, 1]])
    case(cases, "one_hot inferred", "one_hot", {"x": labels}, {"numClasses": -1},
         {"out": torch.nn.functional.one_hot(labels)})
    case(cases, "one_hot explicit", "one_hot", {"x": labels}, {"numClasses": 6},
         {"out": torch.nn.functional.one_hot(labels, 6)})
    xg = x.clone().requires_grad_()
    torch.gather(xg, 1, idx).sum().backward()
    case(cases, "gather grad repeated", "gather_grad", {"x": x, "index": idx}, {"dim": 1}, {"grad": xg.grad})
    write("indexing", cases)


def sorting():
    cases = []
    ties = torch.tensor([[3.0, 1.0, 3.0, 2.0, 1.0, 3.0], [0.5, -2.0, 0.5, 0.5, 9.0, -2.0]])
    x = randn(3, 5, 4)
    ints = torch.tensor([[4, -1, 4, 0, 7], [2, 2, 2, 1, 0]], dtype=torch.int64)
    nan = torch.tensor([1.0, float("nan"), -3.0, 2.0, float("nan")])
    zeros = torch.tensor([0.0, -0.0, 1.0, -0.0, 0.0, -1.0])
    for t, label in ((ties, "ties"), (x, "randn"), (ints, "int64"), (nan, "nan"), (zeros, "signed zeros")):
        for dim in range(-t.dim(), t.dim()):
            for desc in (False, True):
                values, indices = torch.sort(t, dim=dim, descending=desc, stable=True)
                case(cases, f"sort {label} dim{dim} desc{desc}", "sort", {"x": t},
                     {"dim": dim, "descending": desc}, {"values": values, "indices": indices})
                case(cases, f"argsort {label} dim{dim} desc{desc}", "argsort", {"x": t},
                     {"dim": dim, "descending": desc},
                     {"out": torch.argsort(t, dim=dim, descending=desc, stable=True)})
    # topk on distinct values (torch's order among ties is unspecified); ties compare values.
    for dim in (0, 1, -1):
        for largest in (True, False):
            for k in (1, 3):
                values, indices = torch.topk(x, k, dim=dim, largest=largest)
                case(cases, f"topk randn dim{dim} k{k} largest{largest}", "topk", {"x": x},
                     {"k": k, "dim": dim, "largest": largest}, {"values": values, "indices": indices})
    row = randn(2, 200)
    values, indices = torch.topk(row, 5)
    case(cases, "topk few of many", "topk", {"x": row}, {"k": 5, "dim": -1, "largest": True},
         {"values": values, "indices": indices})
    values, _ = torch.topk(ties, 4, dim=1)
    case(cases, "topk ties values", "topk_values", {"x": ties}, {"k": 4, "dim": 1, "largest": True},
         {"values": values})
    xg = x.clone().requires_grad_()
    weights = torch.arange(3 * 2 * 4, dtype=torch.float32).view(3, 2, 4) + 1
    (torch.topk(xg, 2, dim=1, largest=False).values * weights).sum().backward()
    case(cases, "topk grad", "topk_grad", {"x": x, "weight": weights}, {"k": 2, "dim": 1, "largest": False},
         {"grad": xg.grad})
    write("sorting", cases)


def scan():
    cases = []
    x = randn(3, 4, 5)
    for dim in (0, 1, 2, -1):
        case(cases, f"cumsum dim{dim}", "cumsum", {"x": x}, {"dim": dim}, {"out": torch.cumsum(x, dim)})
    ints = torch.tensor([[1, 2, 3], [4, -5, 6]], dtype=torch.int64)
    case(cases, "cumsum int64", "cumsum", {"x": ints}, {"dim": 1}, {"out": torch.cumsum(ints, 1)})
    mask = torch.tensor([[True, False, True, True]])
    case(cases, "cumsum bool", "cumsum", {"x": mask}, {"dim": 1}, {"out": torch.cumsum(mask, 1)})
    write("scan", cases)


def triangular():
    cases = []
    x = randn(2, 4, 5)
    for diagonal in (-2, -1, 0, 1, 3, 6):
        case(cases, f"triu {diagonal}", "triu", {"x": x}, {"diagonal": diagonal}, {"out": torch.triu(x, diagonal)})
        case(cases, f"tril {diagonal}", "tril", {"x": x}, {"diagonal": diagonal}, {"out": torch.tril(x, diagonal)})
    ones = torch.ones(4, 4, dtype=torch.bool)
    case(cases, "triu bool", "triu", {"x": ones}, {"diagonal": 1}, {"out": torch.triu(ones, 1)})
    ints = torch.arange(12).view(3, 4)
    case(cases, "tril int64", "tril", {"x": ints}, {"diagonal": 0}, {"out": torch.tril(ints)})
    write("triangular", cases)


def padding():
    import torch.nn.functional as F
    cases = []
    x = randn(1, 2, 3, 4)
    for pads in ([1, 2], [0, 0, 2, 1], [1, 1, 1, 1], [-1, 2], [1, -2, -1, 0], [1, 0, 0, 1, 1, 0]):
        case(cases, f"constant {pads}", "pad", {"x": x}, {"pads": pads, "mode": "constant", "value": 0.5},
             {"out": F.pad(x, pads, mode="constant", value=0.5)})
    x3 = randn(2, 3, 5)
    # torch pads 1-3 trailing dims of 2-5-D inputs in the non-constant modes.
    for mode in ("reflect", "replicate", "circular"):
        for inp, pads in ((x3, [2, 1]), (x, [1, 2, 2, 0]), (x, [0, 3, 1, 1]), (x, [-1, 2, 1, -1])):
            case(cases, f"{mode} {pads}", "pad", {"x": inp}, {"pads": pads, "mode": mode},
                 {"out": F.pad(inp, pads, mode=mode)})
    case(cases, "reflect 3d", "pad", {"x": x3}, {"pads": [3, 4], "mode": "reflect"},
         {"out": F.pad(x3, [3, 4], mode="reflect")})
    ints = torch.arange(6).view(2, 3)
    case(cases, "constant int64", "pad", {"x": ints}, {"pads": [1, 1], "mode": "constant", "value": 9.0},
         {"out": F.pad(ints, [1, 1], value=9)})
    for mode in ("reflect", "replicate"):
        xg = x3.clone().requires_grad_()
        w = torch.arange(2 * 3 * 10, dtype=torch.float32).view(2, 3, 10)
        (F.pad(xg, [2, 3], mode=mode) * w).sum().backward()
        case(cases, f"{mode} grad", "pad_grad", {"x": x3, "weight": w}, {"pads": [2, 3], "mode": mode},
             {"grad": xg.grad})
    write("padding", cases)


def composed():
    """One function through many of these ops, to check their gradients compose as torch's."""
    import torch.nn.functional as F
    cases = []
    x = randn(2, 5, 6)
    mask = torch.rand(5, 6, generator=gen) > 0.7
    idx = randint(0, 15, 2, 5, 3)
    xg = x.clone().requires_grad_()
    y = xg.masked_fill(mask, 0)
    y = torch.cat([y, y.cumsum(-1)], dim=-1)
    y = F.pad(y, [1, 2], mode="reflect")
    loss = (y.max(dim=-1).values.sum() + y.var(dim=1).mean() + torch.gather(y, 2, idx).pow(2).sum()
            + torch.topk(y.sum(1), 4).values.sum() + torch.where(y > 0, y, y * 0.1).mean()
            + y.triu(1).sum() * 0.5)
    loss.backward()
    case(cases, "composed", "composed", {"x": x, "mask": mask, "index": idx}, {},
         {"loss": loss.detach(), "grad": xg.grad})
    write("composed", cases)


if __name__ == "__main__":
    reductions()
    comparison()
    selection()
    joining()
    indexing()
    sorting()
    scan()
    triangular()
    padding()
    composed()

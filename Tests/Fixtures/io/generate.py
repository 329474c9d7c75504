"""Writes the reference data for the safetensors reader/writer and tensor printing tests.

Run with the reference venv (torch, safetensors, numpy):
    HF_HUB_OFFLINE=1 /root/apus-ref/bin/python Tests/Fixtures/io/generate.py

Outputs, next to this script:
  dtypes.safetensors  one tensor per dtype, written by safetensors.torch, with __metadata__
  dtypes.json         the same tensors' dtype, shape and values (row-major) as plain JSON
  printing.safetensors  the data of every printing case (exact bits, nan/inf included)
  printing.json       per case: how to rebuild the printed tensor from that data, and torch's repr
"""
import json
import math
import os

import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPE_NAMES = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64",
    torch.int32: "I32", torch.bool: "BOOL", torch.uint8: "U8",
}


def write_dtypes():
    g = torch.Generator().manual_seed(1)
    tensors = {
        "f32": torch.randn(2, 3, generator=g),
        "f32_scalar": torch.tensor(-2.5),
        "f32_empty": torch.zeros(0, 3),
        "f16": torch.randn(5, generator=g).half(),
        "bf16": torch.randn(2, 2, generator=g).bfloat16(),
        "i64": torch.tensor([[-3, 0], [2 ** 40, -(2 ** 62)]], dtype=torch.int64),
        "i32": torch.tensor([-(2 ** 31), 2 ** 31 - 1, 5], dtype=torch.int32),
        "bool": torch.tensor([True, False, True]),
        "u8": torch.tensor([0, 255, 7, 128], dtype=torch.uint8),
        "f32_3d": torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) / 8,
    }
    metadata = {"format": "pt", "note": "apus io fixture"}
    path = os.path.join(HERE, "dtypes.safetensors")
    # The library writes __metadata__ in hash-map order, which changes between runs; the Swift
    # writer sorts the keys. Save until the order is the sorted one, so the committed file is
    # byte-identical to what Swift writes for the same tensors (a test checks this).
    for _ in range(100):
        save_file(tensors, path, metadata=metadata)
        with open(path, "rb") as f:
            length = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(length))
        if list(header["__metadata__"]) == sorted(metadata):
            break
    else:
        raise RuntimeError("could not get the metadata keys written in sorted order")
    described = {}
    for name, t in tensors.items():
        values = t.reshape(-1).tolist()
        if t.dtype.is_floating_point:
            values = [float(v) for v in values]
        described[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "values": values}
    with open(os.path.join(HERE, "dtypes.json"), "w") as f:
        json.dump({"metadata": metadata, "tensors": described}, f, indent=1)


def printing_cases():
    """(description, tensor data, transform, requires_grad, grad_fn, print options)."""
    g = torch.Generator().manual_seed(0)

    def randn(*shape, dtype=torch.float32):
        return torch.randn(*shape, generator=g).to(dtype)

    nan, inf = math.nan, math.inf
    cases = []

    def add(label, t, transform=None, requires_grad=False, grad_fn=None, options=None):
        cases.append((label, t, transform, requires_grad, grad_fn, options))

    # Plain floats of every rank.
    add("vector", randn(5))
    add("matrix", randn(3, 4))
    add("rank3", randn(2, 3, 4))
    add("rank4", randn(2, 2, 2, 2))
    add("wide values", randn(6) * 50)
    add("scalar fraction", torch.tensor(0.5))
    add("scalar negative", torch.tensor(-1.23456))
    # Integer-valued floats.
    add("integer floats", torch.tensor([1.0, 2.0, 3.0]))
    add("integer floats negative", torch.tensor([-1.0, 0.0, 10.0, 250.0]))
    add("integer floats matrix", torch.tensor([[1.0, -2.0], [300.0, 4.0]]))
    add("scalar integer float", torch.tensor(3.0))
    add("zeros", torch.zeros(4))
    add("zeros matrix", torch.zeros(2, 3))
    add("negative zero", torch.tensor([-0.0, 1.0]))
    add("negative zero fraction", torch.tensor([-0.0, 1.5]))
    # Scientific notation.
    add("sci small", torch.tensor([1e-5, 1.0]))
    add("sci large", torch.tensor([1e10, 1.0]))
    add("sci ratio", torch.tensor([0.001, 10.5]))
    add("sci integer large", torch.tensor([1e9, 2e9]))
    add("sci fractions large", torch.tensor([1.5e9, 2.25]))
    add("sci matrix", torch.tensor([[1e-8, 2.5], [-3.0, 4e3]]))
    add("ratio exactly 1000", torch.tensor([0.001, 1.0]))
    add("min exactly 1e-4", torch.tensor([0.0001, 0.1]))
    add("max exactly 1e8", torch.tensor([1e8, 1e6]))
    add("scalar sci", torch.tensor(1e-5))
    add("scalar sci large", torch.tensor(123456789.0))
    # Non-finite values.
    add("nan inf mixed", torch.tensor([nan, 1.5, inf, -inf]))
    add("nan with integers", torch.tensor([nan, 1.0, 2.0]))
    add("only nonfinite", torch.tensor([inf, -inf, nan]))
    add("nan with sci", torch.tensor([nan, 1e-6, 1.0]))
    add("scalar nan", torch.tensor(nan))
    add("scalar inf", torch.tensor(-inf))
    # Integer and bool dtypes.
    add("int64 arange", torch.arange(10))
    add("int64 negative", torch.tensor([[-5, 10], [300, -4000]]))
    add("int64 large", torch.tensor([2 ** 62, -1]))
    add("int64 scalar", torch.tensor(3))
    add("int32", torch.tensor([1, -2, 3], dtype=torch.int32))
    add("int32 matrix", torch.tensor([[1, 22], [-333, 4]], dtype=torch.int32))
    add("uint8", torch.tensor([0, 7, 255], dtype=torch.uint8))
    add("bool mixed", torch.tensor([True, False]))
    add("bool all true", torch.tensor([True, True, True]))
    add("bool matrix", torch.tensor([[True, False], [False, False]]))
    add("bool scalar", torch.tensor(False))
    # Half precision.
    add("float16", randn(2, 3, dtype=torch.float16))
    add("bfloat16", randn(4, dtype=torch.bfloat16))
    add("float16 integers", torch.tensor([1.0, 2.0], dtype=torch.float16))
    add("bfloat16 sci", torch.tensor([1e-6, 3.0], dtype=torch.bfloat16))
    add("float16 scalar", torch.tensor(2.5, dtype=torch.float16))
    # Empty tensors.
    add("empty", torch.zeros(0))
    add("empty matrix", torch.zeros(0, 3))
    add("empty int64", torch.zeros(0, dtype=torch.int64))
    add("empty int32 matrix", torch.zeros(2, 0, dtype=torch.int32))
    add("empty float16", torch.zeros(0, dtype=torch.float16))
    add("empty bool rank3", torch.zeros(1, 0, 2, dtype=torch.bool))
    # Line wrapping.
    add("wrap floats", randn(30))
    add("wrap ints", torch.arange(50))
    add("wrap rows", randn(3, 25))
    add("wrap rank3", randn(2, 2, 20))
    add("wrap exactly 1000", torch.arange(1000, dtype=torch.float32) / 7)
    # Summarisation.
    add("summarise vector", torch.arange(2000, dtype=torch.float32))
    add("summarise vector ints", torch.arange(1001))
    add("summarise matrix", randn(100, 20))
    add("summarise rows only", randn(200, 6))
    add("summarise columns only", randn(2, 1000))
    add("summarise rank3", randn(20, 10, 10))
    add("summarise int matrix", torch.arange(3000).reshape(30, 100))
    add("summarise bool", torch.arange(1200) % 3 == 0)
    add("summarise sci", torch.logspace(-8, 8, 1500))
    # Strided views print their logical order.
    add("transposed", randn(3, 4), transform="transpose")
    add("transposed ints", torch.arange(6).reshape(2, 3), transform="transpose")
    # Autograd suffixes.
    add("requires grad", randn(3), requires_grad=True)
    add("requires grad scalar", torch.tensor(1.5), requires_grad=True)
    add("grad fn add", randn(2, 2), grad_fn="AddBackward0")
    add("grad fn mul", torch.tensor(4.0), grad_fn="MulBackward0")
    # Suffixes that no longer fit on the last line move to the next.
    for n in (6, 7, 8):
        add(f"float16 suffix wrap {n}", randn(n, dtype=torch.float16))
        add(f"requires grad suffix wrap {n}", randn(n), requires_grad=True)
    add("bfloat16 grad fn", randn(7, dtype=torch.bfloat16), grad_fn="ToCopyBackward0")
    add("int32 suffix wrap", torch.arange(20, dtype=torch.int32) * 1000)
    # Non-default print options.
    add("precision 2", randn(4), options={"precision": 2})
    add("sci forced", torch.tensor([1.0, 2.5]), options={"sci_mode": True})
    add("sci disabled", torch.tensor([1e-6, 1.0]), options={"sci_mode": False})
    add("threshold 5", torch.arange(10), options={"threshold": 5})
    add("edgeitems 1", randn(10, 10), options={"threshold": 10, "edgeitems": 1})
    add("linewidth 40", randn(12), options={"linewidth": 40})
    return cases


def write_printing():
    data = {}
    described = []
    for index, (label, t, transform, requires_grad, grad_fn, options) in enumerate(printing_cases()):
        name = f"case_{index:03d}"
        data[name] = t.contiguous()
        shown = t
        if transform == "transpose":
            shown = t.t()
        if requires_grad:
            shown = shown.clone().requires_grad_()
        if grad_fn is not None:
            leaf = shown.detach().float().requires_grad_()
            if grad_fn == "AddBackward0":
                shown = leaf + 0
            elif grad_fn == "MulBackward0":
                shown = leaf * 1
            elif grad_fn == "ToCopyBackward0":
                shown = leaf.to(t.dtype)
            assert torch.equal(shown.detach().float(), t.float()) or t.isnan().any()
            assert type(shown.grad_fn).__name__ == grad_fn
        if options:
            torch.set_printoptions(**options)
        try:
            text = repr(shown)
        finally:
            torch.set_printoptions(profile="default")
            torch.set_printoptions(sci_mode=None)
        described.append({
            "label": label, "name": name, "transform": transform,
            "requires_grad": requires_grad, "grad_fn": grad_fn,
            "options": options or {}, "repr": text,
        })
    save_file(data, os.path.join(HERE, "printing.safetensors"))
    with open(os.path.join(HERE, "printing.json"), "w") as f:
        json.dump(described, f, indent=1)


if __name__ == "__main__":
    write_dtypes()
    write_printing()

"""Writes the reference data for the linalg tests (matmul, linear, conv1d) from PyTorch.

Run with the reference venv:  /root/apus-ref/bin/python Tests/Fixtures/linalg/generate.py
Each case stores its inputs as base tensors plus the view ops the test applies to them
(so transposed / sliced / expanded operands are built the same way on both sides), the
result, an upstream gradient `grad_out`, and the gradients of sum(out * grad_out).
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
HERE = os.path.dirname(os.path.abspath(__file__))


def dump(t):
    t = t.detach().contiguous()
    return {"shape": list(t.shape), "values": t.flatten().tolist()}


def apply_ops(t, ops):
    for op in ops:
        if op[0] == "t":
            t = t.transpose(-1, -2)
        elif op[0] == "slice":
            _, dim, start, end, step = op
            idx = [slice(None)] * t.dim()
            idx[dim] = slice(start, end, step)
            t = t[tuple(idx)]
        elif op[0] == "expand":
            t = t.expand(*op[1])
        else:
            raise ValueError(op)
    return t


def operand(shape, ops=()):
    base = torch.randn(*shape)
    return base, list(ops)


def grads_case(name, fn, operands, extra=None):
    leaves = [b.clone().requires_grad_(True) for b, _ in operands]
    views = [apply_ops(l, ops) for l, (_, ops) in zip(leaves, operands)]
    out = fn(*views)
    grad_out = torch.randn(out.shape)
    (out * grad_out).sum().backward()
    case = {
        "name": name,
        "inputs": [{"base": dump(b), "ops": ops} for b, ops in operands],
        "output": dump(out),
        "grad_out": dump(grad_out),
        "grads": [dump(l.grad) for l in leaves],
    }
    if extra:
        case.update(extra)
    return case


def matmul_cases():
    specs = [
        ("dot", [([3],), ([3],)]),
        ("vector_matrix", [([3],), ([3, 4],)]),
        ("matrix_vector", [([2, 3],), ([3],)]),
        ("matrix_matrix", [([2, 3],), ([3, 4],)]),
        ("batched_matrix_vector", [([2, 5, 3],), ([3],)]),
        ("vector_batched_matrix", [([3],), ([2, 3, 4],)]),
        ("batched_batched", [([2, 3, 4],), ([2, 4, 5],)]),
        ("broadcast_batch", [([2, 1, 3, 4],), ([3, 4, 5],)]),
        ("batched_times_shared_matrix", [([2, 3, 4],), ([4, 5],)]),
        ("shared_matrix_times_batched", [([3, 4],), ([2, 4, 5],)]),
        ("transposed_right_weight", [([3, 4],), ([5, 4], [["t"]])]),
        ("transposed_left", [([4, 3], [["t"]]), ([4, 5],)]),
        ("both_transposed", [([4, 3], [["t"]]), ([5, 4], [["t"]])]),
        ("attention_scores", [([2, 3, 5, 4],), ([2, 3, 6, 4], [["t"]])]),
        ("attention_scores_broadcast_heads", [([2, 3, 5, 4],), ([2, 1, 6, 4], [["t"]])]),
        ("row_times_transposed_weight", [([1, 4],), ([5, 4], [["t"]])]),
        ("transposed_times_column", [([4, 3], [["t"]]), ([4, 1],)]),
        ("vector_times_transposed", [([4],), ([5, 4], [["t"]])]),
        ("sliced_rows_with_leading_dim", [([3, 6], [["slice", 1, 1, 5, 1]]), ([4, 2],)]),
        ("batched_transposed_fold", [([2, 4, 3], [["t"]]), ([4, 5],)]),
        ("strided_inner_needs_copy", [([3, 8], [["slice", 1, 0, 8, 2]]), ([4, 2],)]),
        ("expanded_operand_needs_copy", [([3, 4],), ([4, 1], [["expand", [4, 5]]])]),
        ("empty_inner", [([2, 0],), ([0, 3],)]),
    ]
    cases = []
    for name, ops in specs:
        operands = [operand(s[0], s[1] if len(s) > 1 else ()) for s in ops]
        cases.append(grads_case(name, torch.matmul, operands))
    return cases


def linear_cases():
    cases = []
    for name, x_shape, out_features, with_bias in [
        ("batched_with_bias", [2, 3, 4], 5, True),
        ("matrix_no_bias", [3, 4], 2, False),
        ("vector_with_bias", [4], 3, True),
    ]:
        operands = [operand(x_shape), operand([out_features, x_shape[-1]])]
        if with_bias:
            operands.append(operand([out_features]))
        cases.append(grads_case(name, lambda *t: F.linear(*t), operands))
    return cases


def conv1d_cases():
    specs = [
        ("plain", [2, 3, 10], [4, 3, 3], True, dict()),
        ("stride_padding", [2, 3, 11], [4, 3, 3], True, dict(stride=2, padding=1)),
        ("dilation", [1, 2, 12], [3, 2, 3], False, dict(dilation=2, padding=2)),
        ("groups", [2, 4, 9], [6, 2, 3], True, dict(groups=2, padding=1)),
        ("depthwise", [1, 3, 8], [3, 1, 5], False, dict(groups=3, padding=2, stride=3)),
        ("same_even_kernel", [2, 2, 7], [3, 2, 4], True, dict(padding="same")),
        ("same_dilated", [1, 2, 9], [2, 2, 3], False, dict(padding="same", dilation=3)),
        ("valid", [1, 2, 6], [2, 2, 3], True, dict(padding="valid")),
        ("pointwise", [2, 3, 5], [4, 3, 1], True, dict()),
        ("unbatched", [3, 10], [2, 3, 3], True, dict(stride=2, padding=1)),
        ("whisper_like_stem", [1, 8, 20], [6, 8, 3], True, dict(stride=2, padding=1)),
    ]
    cases = []
    for name, x_shape, w_shape, with_bias, kwargs in specs:
        operands = [operand(x_shape), operand(w_shape)]
        if with_bias:
            operands.append(operand([w_shape[0]]))

        def fn(x, w, b=None, kwargs=kwargs):
            return F.conv1d(x, w, b, **kwargs)

        cases.append(grads_case(name, fn, operands, {"options": kwargs}))
    return cases


def composed_cases():
    """linear -> transposed view -> conv1d -> product with its own transpose."""

    def fn(x, w, b, k):
        y = F.linear(x, w, b).transpose(1, 2)
        y = F.conv1d(y, k, padding=1)
        return torch.matmul(y, y.transpose(-1, -2))

    operands = [operand([2, 5, 4]), operand([6, 4]), operand([6]), operand([3, 6, 3])]
    return [grads_case("linear_conv1d_gram", fn, operands)]


def integer_cases():
    a = torch.arange(-6, 6, dtype=torch.int64).reshape(2, 2, 3)
    b = torch.arange(0, 12, dtype=torch.int64).reshape(3, 4) * 1000003
    return [{"name": "int64_batched", "a": dump(a), "b": dump(b), "output": dump(torch.matmul(a, b))}]


def main():
    data = {
        "torch_version": torch.__version__,
        "matmul": matmul_cases(),
        "linear": linear_cases(),
        "conv1d": conv1d_cases(),
        "integer_matmul": integer_cases(),
        "composed": composed_cases(),
    }
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(data, f, separators=(",", ":"))


if __name__ == "__main__":
    main()

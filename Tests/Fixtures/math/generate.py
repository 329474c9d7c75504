#!/usr/bin/env python3
"""Writes math.json: inputs, outputs and gradients of the elementwise math, activations,
softmax, normalisation and loss ops, computed by PyTorch in float32.

Run with the reference venv: /root/apus-ref/bin/python Tests/Fixtures/math/generate.py
Each case is {"inputs": {name: tensor}, "outputs": {name: tensor}, "params": {...}}, a tensor
being {"shape": [...], "data": [...]} with non-finite values written as "inf", "-inf", "nan".
Gradients are of sum(f(inputs) * w) for the weight tensor `w` stored with the case.
"""
import json
import math
import pathlib

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
cases = {}


def encode(t):
    t = t.detach().to(torch.float32) if t.is_floating_point() else t.detach()
    values = []
    for v in t.reshape(-1).tolist():
        if isinstance(v, float) and not math.isfinite(v):
            values.append("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
        elif isinstance(v, float):
            values.append(float(f"{v:.9g}"))  # float32 round-trips through 9 digits
        else:
            values.append(v)
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": values}


def case(name, inputs, fn, params=None, grad=True):
    """Runs fn on inputs, storing the output and (when grad) the input gradients of
    sum(output * w) for a stored weight w."""
    leaves = {k: (v.clone().requires_grad_(grad and v.is_floating_point()) if isinstance(v, torch.Tensor) else v)
              for k, v in inputs.items()}
    out = fn(**leaves)
    entry = {"inputs": {k: encode(v) for k, v in inputs.items()}, "outputs": {"out": encode(out)},
             "params": params or {}}
    if grad:
        w = torch.rand(out.shape) + 0.5
        (out * w).sum().backward()
        entry["inputs"]["w"] = encode(w)
        for k, v in leaves.items():
            if isinstance(v, torch.Tensor) and v.requires_grad:
                entry["outputs"]["grad_" + k] = encode(v.grad)
    cases[name] = entry


x = torch.randn(4, 9) * 2
special = torch.tensor([[-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 0.25, -0.25]])
positive = torch.rand(4, 9) * 3 + 0.05

# Elementwise math.
case("exp", {"x": x}, lambda x: x.exp())
case("log", {"x": positive}, lambda x: x.log())
case("sqrt", {"x": positive}, lambda x: x.sqrt())
case("rsqrt", {"x": positive}, lambda x: x.rsqrt())
case("pow_2", {"x": x}, lambda x: x.pow(2.0), {"exponent": 2.0})
case("pow_half", {"x": positive}, lambda x: x.pow(0.5), {"exponent": 0.5})
case("pow_3_7", {"x": positive}, lambda x: x.pow(3.7), {"exponent": 3.7})
case("pow_minus_1_5", {"x": positive}, lambda x: x.pow(-1.5), {"exponent": -1.5})
case("pow_tensor", {"x": positive, "p": torch.randn(9)}, lambda x, p: x.pow(p))
case("tanh", {"x": x}, lambda x: x.tanh())
case("erf", {"x": x}, lambda x: x.erf())
case("sigmoid", {"x": x * 3}, lambda x: x.sigmoid())
case("abs", {"x": torch.cat([x, special])}, lambda x: x.abs())
case("clamp", {"x": torch.cat([x, special])}, lambda x: x.clamp(min=-1.0, max=0.5), {"min": -1.0, "max": 0.5})
case("clamp_min", {"x": torch.cat([x, special])}, lambda x: x.clamp(min=0.25), {"min": 0.25})
case("clamp_max", {"x": torch.cat([x, special])}, lambda x: x.clamp(max=-0.5), {"max": -0.5})
case("exp_int64", {"x": torch.arange(-3, 4)}, lambda x: x.exp(), grad=False)
case("abs_int64", {"x": torch.arange(-3, 4)}, lambda x: x.abs(), grad=False)
case("clamp_int64", {"x": torch.arange(-3, 4)}, lambda x: x.clamp(min=-1, max=2), {"min": -1, "max": 2}, grad=False)

# Activations.
wide = torch.randn(5, 37) * 3
case("gelu", {"x": wide}, lambda x: F.gelu(x))
case("gelu_tanh", {"x": wide}, lambda x: F.gelu(x, approximate="tanh"))
case("silu", {"x": wide}, lambda x: F.silu(x))
case("relu", {"x": torch.cat([x, special])}, lambda x: F.relu(x))

# Softmax.
s = torch.randn(2, 3, 37) * 3
case("softmax_last", {"x": s}, lambda x: x.softmax(-1))
case("softmax_dim1", {"x": s}, lambda x: x.softmax(1), {"dim": 1})
case("softmax_dim0", {"x": s}, lambda x: x.softmax(0), {"dim": 0})
case("log_softmax_last", {"x": s}, lambda x: x.log_softmax(-1))
case("log_softmax_dim1", {"x": s}, lambda x: x.log_softmax(1), {"dim": 1})
masked = torch.randn(4, 20)
masked[0, 5:] = -math.inf
masked[2, :] = -math.inf
masked[3, ::3] = -math.inf
case("softmax_masked", {"x": masked}, lambda x: x.softmax(-1), grad=False)
case("log_softmax_masked", {"x": masked}, lambda x: x.log_softmax(-1), grad=False)
partly = masked[[0, 1, 3]].clone()
case("softmax_partly_masked_grad", {"x": partly}, lambda x: x.softmax(-1))

# Normalisation.
ln = torch.randn(3, 4, 40) * 2 + 0.5
case("layer_norm_affine", {"x": ln, "weight": torch.randn(40), "bias": torch.randn(40)},
     lambda x, weight, bias: F.layer_norm(x, (40,), weight, bias, 1e-5), {"normalized_shape": [40], "eps": 1e-5})
case("layer_norm_plain", {"x": ln}, lambda x: F.layer_norm(x, (4, 40), eps=1e-3),
     {"normalized_shape": [4, 40], "eps": 1e-3})
case("rms_norm", {"x": ln, "weight": torch.randn(40)},
     lambda x, weight: F.rms_norm(x, (40,), weight, 1e-6), {"normalized_shape": [40], "eps": 1e-6})
case("rms_norm_plain", {"x": ln}, lambda x: F.rms_norm(x, (40,)), {"normalized_shape": [40]})


def llama_rms_norm(x, weight, eps=1e-6):
    """LlamaRMSNorm.forward from transformers, in float32."""
    variance = x.to(torch.float32).pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


case("rms_norm_llama", {"x": ln, "weight": torch.randn(40)}, lambda x, weight: llama_rms_norm(x, weight),
     {"eps": 1e-6})

# Losses.
logits = torch.randn(6, 7) * 2
targets = torch.tensor([0, 3, -100, 6, 2, -100])
for reduction in ("mean", "sum", "none"):
    case(f"cross_entropy_{reduction}", {"logits": logits, "targets": targets},
         lambda logits, targets: F.cross_entropy(logits, targets, reduction=reduction),
         {"reduction": reduction})
case("cross_entropy_smoothing", {"logits": logits, "targets": targets},
     lambda logits, targets: F.cross_entropy(logits, targets, label_smoothing=0.1),
     {"reduction": "mean", "label_smoothing": 0.1})
case("cross_entropy_ignore_5", {"logits": logits, "targets": torch.tensor([5, 3, 1, 6, 5, 0])},
     lambda logits, targets: F.cross_entropy(logits, targets, ignore_index=5, reduction="sum"),
     {"reduction": "sum", "ignore_index": 5})
spatial = torch.randn(2, 5, 3, 4)
spatial_targets = torch.randint(0, 5, (2, 3, 4))
spatial_targets[1, 2, 1] = -100
case("cross_entropy_spatial", {"logits": spatial, "targets": spatial_targets},
     lambda logits, targets: F.cross_entropy(logits, targets, label_smoothing=0.2),
     {"reduction": "mean", "label_smoothing": 0.2})
probabilities = torch.randn(6, 7).softmax(-1)
case("cross_entropy_probabilities", {"logits": logits, "targets": probabilities},
     lambda logits, targets: F.cross_entropy(logits, targets, label_smoothing=0.1),
     {"reduction": "mean", "label_smoothing": 0.1})
case("nll_loss", {"x": logits.log_softmax(-1), "targets": targets},
     lambda x, targets: F.nll_loss(x, targets), {"reduction": "mean"})
case("mse_loss", {"x": torch.randn(4, 5), "y": torch.randn(4, 5)},
     lambda x, y: F.mse_loss(x, y), {"reduction": "mean"})
case("mse_loss_none", {"x": torch.randn(4, 5), "y": torch.randn(5)},
     lambda x, y: F.mse_loss(x, y.expand(4, 5), reduction="none"), {"reduction": "none"})

# Composed functions.
cx, cy = torch.randn(3, 24), torch.randn(3, 24)
case("composed_norm_softmax", {"x": cx, "y": cy, "weight": torch.randn(24), "bias": torch.randn(24)},
     lambda x, y, weight, bias: F.layer_norm(F.silu(x) * y, (24,), weight, bias).softmax(-1))
case("composed_gelu_rms_logsoftmax", {"x": cx, "weight": torch.randn(24)},
     lambda x, weight: (F.rms_norm(F.gelu(x, approximate="tanh"), (24,), weight, 1e-6).sigmoid()
                        * x.tanh()).log_softmax(0))
ctargets = torch.tensor([4, 17, -100])
case("composed_cross_entropy", {"x": cx, "y": cy, "targets": ctargets},
     lambda x, y, targets: F.cross_entropy(F.gelu(x) * y.exp() + x.abs().sqrt(), targets, label_smoothing=0.05))

out = pathlib.Path(__file__).with_name("math.json")
out.write_text(json.dumps({"torch": torch.__version__, "cases": cases}, separators=(",", ":")))
print(f"wrote {out} ({len(cases)} cases)")

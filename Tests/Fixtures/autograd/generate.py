"""Reference values for composed functions, forward and backward, from PyTorch.

Run with the reference rig's Python (torch installed):
    HF_HUB_OFFLINE=1 python Tests/Fixtures/autograd/generate.py
Writes composed.json next to this file: for each case, its inputs, the loss, and the gradient
of the loss with respect to every input. The Swift test rebuilds each function from Apus ops.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)


def leaf(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_()


def record(name, inputs, loss, extra=None):
    loss.backward()
    case = {
        "name": name,
        "inputs": {k: {"shape": list(v.shape), "data": v.detach().flatten().tolist()}
                   for k, v in inputs.items() if v.dtype.is_floating_point},
        "int_inputs": {k: {"shape": list(v.shape), "data": v.flatten().tolist()}
                       for k, v in inputs.items() if not v.dtype.is_floating_point},
        "loss": loss.item(),
        "grads": {k: v.grad.flatten().tolist() for k, v in inputs.items()
                  if v.dtype.is_floating_point and v.grad is not None},
    }
    if extra:
        case.update(extra)
    return case


cases = []

# A two-layer MLP classifier: linear -> gelu -> linear -> cross_entropy.
x, w1, b1 = leaf(6, 5), leaf(8, 5, scale=0.5), leaf(8, scale=0.1)
w2, b2 = leaf(4, 8, scale=0.5), leaf(4, scale=0.1)
targets = torch.tensor([0, 3, 1, 2, 3, 0])
logits = F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2)
cases.append(record("mlp_cross_entropy",
                    {"x": x, "w1": w1, "b1": b1, "w2": w2, "b2": b2, "targets": targets},
                    F.cross_entropy(logits, targets)))

# Causal self-attention on one head, then layer norm; loss = mean of squares.
q, k, v = leaf(2, 4, 8), leaf(2, 4, 8), leaf(2, 4, 8)
ln_w, ln_b = leaf(8, scale=0.5), leaf(8, scale=0.1)
scores = (q @ k.transpose(-1, -2)) / math.sqrt(8)
mask = torch.triu(torch.ones(4, 4, dtype=torch.bool), diagonal=1)
attn = scores.masked_fill(mask, float("-inf")).softmax(dim=-1)
out = F.layer_norm(attn @ v, (8,), ln_w, ln_b, eps=1e-5)
cases.append(record("causal_attention_layer_norm",
                    {"q": q, "k": k, "v": v, "ln_w": ln_w, "ln_b": ln_b},
                    (out * out).mean()))

# Llama-style block: RMSNorm, SwiGLU MLP, residual; loss = sum of tanh.
h, norm_w = leaf(3, 6), leaf(6, scale=0.5)
wg, wu, wd = leaf(10, 6, scale=0.4), leaf(10, 6, scale=0.4), leaf(6, 10, scale=0.4)
normed = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + 1e-6) * norm_w
mlp = F.linear(F.silu(F.linear(normed, wg)) * F.linear(normed, wu), wd)
cases.append(record("rms_norm_swiglu_residual",
                    {"h": h, "norm_w": norm_w, "wg": wg, "wu": wu, "wd": wd},
                    torch.tanh(h + mlp).sum()))

# Embedding lookup with repeated ids, cumulative sum, log-softmax, gather: a language-model loss.
emb = leaf(7, 5)
ids = torch.tensor([[1, 4, 4, 0], [6, 1, 2, 4]])
labels = torch.tensor([[4, 4, 0, 1], [1, 2, 4, 3]])
hidden = emb[ids].cumsum(dim=1) * 0.5
logp = torch.log_softmax(hidden @ emb.T, dim=-1)
cases.append(record("embedding_cumsum_log_softmax_gather",
                    {"emb": emb, "ids": ids, "labels": labels},
                    -logp.gather(-1, labels.unsqueeze(-1)).mean()))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "composed.json")
with open(path, "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f, indent=1)
print(f"wrote {len(cases)} cases to {path}")

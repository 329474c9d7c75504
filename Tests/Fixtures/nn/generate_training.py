"""A few training steps of a small MLP classifier in torch, for Apus to reproduce exactly.

    python Tests/Fixtures/nn/generate_training.py

The model is Linear(6, 16) -> GELU -> Dropout(p=0) -> Linear(16, 4) trained with AdamW and
cross-entropy on a fixed batch; the initial state dict (torch's names), the batch, the loss at
every step and the final state dict are written to training.json.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(3)
model = nn.Sequential(nn.Linear(6, 16), nn.GELU(), nn.Dropout(0.0), nn.Linear(16, 4))
x = torch.randn(8, 6)
y = torch.randint(0, 4, (8,))


def dump(state):
    return {k: {"shape": list(v.shape), "data": v.flatten().tolist()} for k, v in state.items()}


initial = dump(model.state_dict())
opt = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.01)
losses = []
for _ in range(5):
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    losses.append(loss.item())

out = {"initial": initial, "x": x.flatten().tolist(), "x_shape": list(x.shape), "y": y.tolist(),
       "losses": losses, "final": dump(model.state_dict())}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "training.json"), "w") as f:
    json.dump(out, f, indent=1)
print("wrote training.json")

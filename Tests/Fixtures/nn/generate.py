"""Reference trajectories for Apus's optimizers and learning-rate schedules, from torch and
transformers.

    HF_HUB_OFFLINE=1 python Tests/Fixtures/nn/generate.py

Each optimizer case minimises loss = sum(c * (p - target)^2) for a few steps from the same start
and records the parameters after every step. Schedules record the learning rate at each step.
"""
import json
import os

import torch
from transformers import (get_constant_schedule_with_warmup, get_cosine_schedule_with_warmup,
                          get_linear_schedule_with_warmup)

torch.manual_seed(7)
start = torch.randn(2, 3)
target = torch.randn(2, 3)
weight = torch.rand(2, 3) + 0.5

OPTIMIZERS = {
    "sgd": (torch.optim.SGD, {"lr": 0.1}),
    "sgd_momentum_wd": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "dampening": 0.1,
                                          "weight_decay": 0.01}),
    "sgd_nesterov": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    "adamw": (torch.optim.AdamW, {"lr": 0.1, "betas": (0.9, 0.95), "eps": 1e-6,
                                  "weight_decay": 0.1}),
    "adam": (torch.optim.Adam, {"lr": 0.05, "weight_decay": 0.02}),
}

optimizers = []
for name, (cls, kwargs) in OPTIMIZERS.items():
    p = start.clone().requires_grad_()
    opt = cls([p], **kwargs)
    steps = []
    for _ in range(6):
        opt.zero_grad()
        (weight * (p - target) ** 2).sum().backward()
        opt.step()
        steps.append(p.detach().flatten().tolist())
    kw = dict(kwargs)
    if "betas" in kw:
        kw["betas"] = list(kw["betas"])
    optimizers.append({"name": name, "kwargs": kw, "steps": steps})

schedules = []
for name, make in {
    "linear": lambda o: get_linear_schedule_with_warmup(o, num_warmup_steps=3, num_training_steps=10),
    "cosine": lambda o: get_cosine_schedule_with_warmup(o, num_warmup_steps=2, num_training_steps=10),
    "constant": lambda o: get_constant_schedule_with_warmup(o, num_warmup_steps=4),
}.items():
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    sched = make(opt)
    rates = [opt.param_groups[0]["lr"]]
    for _ in range(12):
        opt.step()
        sched.step()
        rates.append(opt.param_groups[0]["lr"])
    schedules.append({"name": name, "base_lr": 0.5, "rates": rates})

data = {
    "start": start.flatten().tolist(), "target": target.flatten().tolist(),
    "weight": weight.flatten().tolist(), "shape": [2, 3],
    "optimizers": optimizers, "schedules": schedules,
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizers.json"), "w") as f:
    json.dump(data, f, indent=1)
print("wrote optimizers.json")

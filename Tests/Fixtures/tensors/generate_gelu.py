#!/usr/bin/env python3
"""Writes gelu.json: the exact gelu x * Phi(x) = x * erfc(-x / sqrt 2) / 2 of float32 inputs,
computed with mpmath at 40 digits, as the reference for the gelu kernel's accuracy.

Run with the reference venv: /root/apus-ref/bin/python Tests/Fixtures/tensors/generate_gelu.py
Inputs: a grid of step 1/128 over [-13, 8] (the central polynomial's range [-3.5, 3.5], the
exp-and-rational tail outside it, down to where the result is still a normal float32), the
float32 neighbours of the range boundary +-3.5, and 1000 uniform random float32 values.
Each result is written with 17 significant digits (a float64, not yet rounded to float32).
"""
import json
import pathlib
import random
import struct

import mpmath

mpmath.mp.dps = 40


def f32(v):
    return struct.unpack("f", struct.pack("f", v))[0]


def neighbours(v, count):
    bits = struct.unpack("I", struct.pack("f", abs(v)))[0]
    sign = -1.0 if v < 0 else 1.0
    return [sign * struct.unpack("f", struct.pack("I", bits + k))[0] for k in range(-count, count + 1)]


inputs = [f32(-13 + k / 128) for k in range(21 * 128 + 1)]
for bound in (3.5, -3.5):
    inputs += neighbours(bound, 4)
rng = random.Random(20261127)
inputs += [f32(rng.uniform(-13, 8)) for _ in range(1000)]


def gelu(x):
    x = mpmath.mpf(x)
    return x * mpmath.erfc(-x / mpmath.sqrt(2)) / 2


expected = [float(f"{float(gelu(x)):.17g}") for x in inputs]
out = pathlib.Path(__file__).with_name("gelu.json")
out.write_text(json.dumps({"x": inputs, "gelu": expected}, separators=(",", ":")) + "\n")
print(f"wrote {out} ({len(inputs)} points)")

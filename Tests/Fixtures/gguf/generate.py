"""Fixtures for GGUF dequantization: random blocks of every supported ggml type in a tiny GGUF
file (written with gguf-py's GGUFWriter) and, in a safetensors file, the float32 values
gguf-py's `gguf.quants.dequantize` gives for each tensor.

Run with the reference venv: /root/apus-ref/bin/python Tests/Fixtures/gguf/generate.py
Writes quants.gguf and quants.reference.safetensors next to this script.
"""
import os

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf.constants import GGML_QUANT_SIZES
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261127)


def random_half(count, scale):
    """Finite float16 values: normal ones of about `scale`, plus zero, a negative and a subnormal."""
    values = (rng.standard_normal(count) * scale).astype(np.float16)
    if count >= 4:
        values[:3] = np.array([0.0, -scale, 2.0 ** -20], dtype=np.float16)
    return values


def random_bits(count, exponent_mask, mantissa_mask):
    """Random 16-bit float patterns with NaNs turned into infinities (their mantissa cleared);
    infinities, zeros and subnormals stay."""
    bits = rng.integers(0, 1 << 16, count, dtype=np.uint32).astype(np.uint16)
    nan = ((bits & exponent_mask) == exponent_mask) & ((bits & mantissa_mask) != 0)
    bits[nan] &= np.uint16(0xFFFF ^ mantissa_mask)
    return bits


# (type, rows, blocks per row); K-quants have 256 elements per block, the rest 32 (or 1).
LAYOUT = [
    (T.F32, 3, 40), (T.F16, 4, 48), (T.BF16, 4, 48),
    (T.Q8_0, 4, 6), (T.Q4_0, 4, 6), (T.Q4_1, 4, 6), (T.Q5_0, 4, 6), (T.Q5_1, 4, 6),
    (T.Q2_K, 3, 2), (T.Q3_K, 3, 2), (T.Q4_K, 3, 2), (T.Q5_K, 3, 2), (T.Q6_K, 3, 2),
]

# Byte offsets of the float16 scale fields inside one block, per type: (offset, typical size).
HALF_FIELDS = {
    T.Q8_0: [(0, 0.05)], T.Q4_0: [(0, 0.1)], T.Q4_1: [(0, 0.1), (2, 1.0)],
    T.Q5_0: [(0, 0.1)], T.Q5_1: [(0, 0.1), (2, 1.0)],
    T.Q2_K: [(80, 0.05), (82, 0.05)], T.Q3_K: [(108, 0.05)],
    T.Q4_K: [(0, 0.05), (2, 0.05)], T.Q5_K: [(0, 0.05), (2, 0.05)], T.Q6_K: [(208, 0.02)],
}


def make(qtype, rows, blocks_per_row):
    block_size, type_size = GGML_QUANT_SIZES[qtype]
    n_blocks = rows * blocks_per_row
    if qtype == T.F32:
        values = rng.standard_normal(rows * blocks_per_row).astype(np.float32)
        values[:6] = np.array([0.0, -0.0, np.inf, -np.inf, 1e-40, -3.0e38], dtype=np.float32)
        return values.view(np.uint8).reshape(rows, -1)
    if qtype == T.F16:
        return random_bits(n_blocks, 0x7C00, 0x03FF).view(np.uint8).reshape(rows, -1)
    if qtype == T.BF16:
        return random_bits(n_blocks, 0x7F80, 0x007F).view(np.uint8).reshape(rows, -1)
    blocks = rng.integers(0, 256, (n_blocks, type_size), dtype=np.uint16).astype(np.uint8)
    for offset, scale in HALF_FIELDS[qtype]:
        blocks[:, offset:offset + 2] = random_half(n_blocks, scale).view(np.uint8).reshape(n_blocks, 2)
    return blocks.reshape(rows, blocks_per_row * type_size)


def main():
    writer = gguf.GGUFWriter(os.path.join(HERE, "quants.gguf"), arch="quants")
    reference = {}
    for qtype, rows, blocks_per_row in LAYOUT:
        raw = make(qtype, rows, blocks_per_row)
        name = qtype.name.lower()
        if qtype == T.F32:
            data = raw.view(np.float32)
            writer.add_tensor(name, data)
        elif qtype == T.F16:
            data = raw.view(np.float16)
            writer.add_tensor(name, data)
        else:
            writer.add_tensor(name, raw, raw_shape=raw.shape, raw_dtype=qtype)
        # F32 and F16 are dequantized from their typed arrays, the rest from raw bytes, as
        # gguf-py's reader hands them to gguf.quants.dequantize.
        values = gguf.quants.dequantize(data if qtype in (T.F32, T.F16) else raw, qtype)
        values = np.ascontiguousarray(values, dtype=np.float32)
        assert values.shape[0] == rows, (name, values.shape)
        reference[name] = values
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    save_file(reference, os.path.join(HERE, "quants.reference.safetensors"))
    for name, v in reference.items():
        print(f"{name}: {list(v.shape)}")


if __name__ == "__main__":
    main()

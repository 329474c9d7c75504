"""GGUF checkpoints and what transformers makes of them, for Apus's GGUFCheckpoint.

    HF_HUB_OFFLINE=1 HF_HOME=/path/with/hub/cache python Tests/Fixtures/models/generate_gguf.py

Tiny random models of three architectures are written to GGUF the way llama.cpp's converter
does (its tensor names and metadata keys; for llama, the Q/K rows permuted for its rotary
layout; for gpt2, the Conv1D weights transposed), with a mix of tensor types, some stored as
random blocks of types gguf-py cannot quantize. transformers then loads each file with
`AutoModelForCausalLM.from_pretrained(dir, gguf_file=...)`, and what it loaded is recorded.

Writes next to this file:
- gguf/tiny-llama.gguf, gguf/tiny-qwen2.gguf, gguf/tiny-mistral.gguf (architecture llama, named
  "mistral"), gguf/tiny-gpt2.gguf
- gguf/tiny-<arch>.reference.json   the config dict transformers parses from the metadata
                                     ("parsed"), its config class's to_dict() ("config") and a
                                     digest of each loaded tensor (as for SmolLM2 below)
- gguf/tiny-<arch>.reference.safetensors   the loaded attention tensors in full, "input_ids"
                                     and the model's "logits" for it (no logits for mistral,
                                     which transformers cannot load from GGUF; see
                                     record_mistral)
- smollm2-gguf.reference.json        SmolLM2-135M-Instruct Q4_1 (needs it in $HF_HOME): the
                                     parsed and full configs, and per state-dict tensor its
                                     shape, sum, sum of |x|, sum of squares (float64), first 8
                                     values and 16 values at evenly spaced flat indices
- smollm2-gguf.logits.safetensors    input_ids.N and logits.N (last position, float32) for
                                     PROMPTS
"""
import glob
import json
import os

import numpy as np
import torch
import gguf
from gguf import GGMLQuantizationType as T
from gguf.constants import GGML_QUANT_SIZES
from safetensors.torch import save_file
from transformers import (AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel, LlamaConfig,
                          LlamaForCausalLM, MistralConfig, MistralForCausalLM, Qwen2Config, Qwen2ForCausalLM)
from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "gguf")
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(0)
rng = np.random.default_rng(6)

PROMPTS = ["The capital of France is", "def fibonacci(n):"]


def random_k_blocks(qtype, rows, cols):
    """Random blocks of a K-quant type (gguf-py has no quantizer for these) with small float16
    super-block scales, so the values stay weight-sized."""
    block_size, type_size = GGML_QUANT_SIZES[qtype]
    n = rows * cols // block_size
    blocks = rng.integers(0, 256, (n, type_size), dtype=np.uint16).astype(np.uint8)
    half = lambda scale: (np.abs(rng.standard_normal(n)) * scale + scale / 4).astype(np.float16).view(np.uint8).reshape(n, 2)
    fields = {T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208]}[qtype]
    for offset in fields:
        blocks[:, offset:offset + 2] = half(2e-4 if qtype != T.Q6_K else 2e-3)
    return blocks.reshape(rows, -1)


def add(writer, name, array, qtype):
    """Stores a float32 array as `qtype` (K-quants: random blocks of the same shape)."""
    array = np.ascontiguousarray(array, dtype=np.float32)
    if qtype == T.F32:
        writer.add_tensor(name, array)
    elif qtype == T.F16:
        writer.add_tensor(name, array.astype(np.float16))
    elif qtype in (T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K):
        raw = random_k_blocks(qtype, *array.shape)
        writer.add_tensor(name, raw, raw_shape=raw.shape, raw_dtype=qtype)
    else:
        raw = gguf.quants.quantize(array, qtype)
        writer.add_tensor(name, raw, raw_shape=raw.shape, raw_dtype=qtype)


def permute(w, n_head, n_head_kv):
    """llama.cpp's converter's reordering of Q/K rows (interleaved rotary pairs)."""
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def perturbed(model):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name or "ln_" in name:
                p.add_(torch.randn_like(p) * 0.1)
            elif name.endswith("bias"):
                p.copy_(torch.randn_like(p) * 0.02)
    return model.eval()


def write_llama_like(stem, arch, model, types, name):
    """A llama-family file `tiny-<stem>.gguf` with architecture `arch` (llama.cpp stores
    mistral models as llama)."""
    c = model.config
    path = os.path.join(OUT, f"tiny-{stem}.gguf")
    writer = gguf.GGUFWriter(path, arch=arch)
    writer.add_name(name)
    writer.add_context_length(c.max_position_embeddings)
    writer.add_embedding_length(c.hidden_size)
    writer.add_block_count(c.num_hidden_layers)
    writer.add_feed_forward_length(c.intermediate_size)
    writer.add_rope_dimension_count(c.hidden_size // c.num_attention_heads)
    writer.add_head_count(c.num_attention_heads)
    writer.add_head_count_kv(c.num_key_value_heads)
    writer.add_layer_norm_rms_eps(c.rms_norm_eps)
    writer.add_rope_freq_base(c.rope_parameters["rope_theta"])
    writer.add_vocab_size(c.vocab_size)
    writer.add_file_type(1)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    sd = {k: v.numpy() for k, v in model.state_dict().items()}
    add(writer, "token_embd.weight", sd["model.embed_tokens.weight"], types["token_embd"])
    for i in range(c.num_hidden_layers):
        p = f"model.layers.{i}."
        t = types["layers"][i]
        q, k = sd[p + "self_attn.q_proj.weight"], sd[p + "self_attn.k_proj.weight"]
        if arch == "llama":
            q = permute(q, c.num_attention_heads, c.num_attention_heads)
            k = permute(k, c.num_attention_heads, c.num_key_value_heads)
        add(writer, f"blk.{i}.attn_norm.weight", sd[p + "input_layernorm.weight"], T.F32)
        add(writer, f"blk.{i}.attn_q.weight", q, t["q"])
        add(writer, f"blk.{i}.attn_k.weight", k, t["k"])
        add(writer, f"blk.{i}.attn_v.weight", sd[p + "self_attn.v_proj.weight"], t["v"])
        if arch == "qwen2":
            for x in "qkv":
                add(writer, f"blk.{i}.attn_{x}.bias", sd[p + f"self_attn.{x}_proj.bias"], T.F32)
        add(writer, f"blk.{i}.attn_output.weight", sd[p + "self_attn.o_proj.weight"], t["o"])
        add(writer, f"blk.{i}.ffn_norm.weight", sd[p + "post_attention_layernorm.weight"], T.F32)
        add(writer, f"blk.{i}.ffn_gate.weight", sd[p + "mlp.gate_proj.weight"], t["gate"])
        add(writer, f"blk.{i}.ffn_up.weight", sd[p + "mlp.up_proj.weight"], t["up"])
        add(writer, f"blk.{i}.ffn_down.weight", sd[p + "mlp.down_proj.weight"], t["down"])
    add(writer, "output_norm.weight", sd["model.norm.weight"], T.F32)
    if not c.tie_word_embeddings:
        add(writer, "output.weight", sd["lm_head.weight"], types["output"])
    # llama.cpp writes the rotary frequencies of scaled ropes; transformers ignores the tensor.
    if stem == "llama":
        add(writer, "rope_freqs.weight", np.ones(c.hidden_size // c.num_attention_heads // 2), T.F32)
    finish(writer)
    return path


def write_gpt2(model):
    c = model.config
    path = os.path.join(OUT, "tiny-gpt2.gguf")
    writer = gguf.GGUFWriter(path, arch="gpt2")
    writer.add_name("tiny-gpt2")
    writer.add_context_length(c.n_positions)
    writer.add_embedding_length(c.n_embd)
    writer.add_feed_forward_length(4 * c.n_embd)
    writer.add_block_count(c.n_layer)
    writer.add_head_count(c.n_head)
    writer.add_layer_norm_eps(c.layer_norm_epsilon)
    writer.add_file_type(1)
    # gpt2 files carry no vocab_size: transformers counts the tokenizer's tokens.
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list([f"t{i}" for i in range(c.vocab_size)])
    sd = {k: v.numpy() for k, v in model.state_dict().items()}
    add(writer, "token_embd.weight", sd["transformer.wte.weight"], T.Q8_0)
    add(writer, "position_embd.weight", sd["transformer.wpe.weight"], T.F16)
    types = [dict(qkv=T.F16, o=T.Q8_0, up=T.Q4_1, down=T.Q5_0), dict(qkv=T.Q5_1, o=T.F32, up=T.F16, down=T.Q8_0)]
    for i in range(c.n_layer):
        p, t = f"transformer.h.{i}.", types[i]
        for gguf_name, hf, qtype in [("attn_norm", "ln_1", T.F32), ("ffn_norm", "ln_2", T.F32)]:
            add(writer, f"blk.{i}.{gguf_name}.weight", sd[p + hf + ".weight"], qtype)
            add(writer, f"blk.{i}.{gguf_name}.bias", sd[p + hf + ".bias"], qtype)
        # Conv1D keeps (in, out); llama.cpp stores nn.Linear's (out, in).
        for gguf_name, hf, qtype in [("attn_qkv", "attn.c_attn", t["qkv"]), ("attn_output", "attn.c_proj", t["o"]),
                                     ("ffn_up", "mlp.c_fc", t["up"]), ("ffn_down", "mlp.c_proj", t["down"])]:
            add(writer, f"blk.{i}.{gguf_name}.weight", sd[p + hf + ".weight"].T, qtype)
            add(writer, f"blk.{i}.{gguf_name}.bias", sd[p + hf + ".bias"], T.F32)
    add(writer, "output_norm.weight", sd["transformer.ln_f.weight"], T.F32)
    add(writer, "output_norm.bias", sd["transformer.ln_f.bias"], T.F32)
    add(writer, "output.weight", sd["lm_head.weight"], T.F16)
    finish(writer)
    return path


def finish(writer):
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def state_dict(model):
    """The state dict without lm_head.weight when it is tied to the embeddings (an alias)."""
    sd = model.state_dict()
    if model.config.tie_word_embeddings:
        sd.pop("lm_head.weight", None)
    return sd


def digest(sd):
    """Per tensor: name, shape, sum, sum of |x|, sum of squares (in float64), the first 8 values
    and 16 values at evenly spaced flat indices (which catch transposed or reordered rows)."""
    out = []
    for name, t in sd.items():
        flat = t.detach().float().flatten()
        x = flat.double()
        sample = [(k * flat.numel()) // 16 for k in range(16)]
        out.append({"name": name, "shape": list(t.shape), "sum": x.sum().item(),
                    "sum_abs": x.abs().sum().item(), "sum_squares": (x * x).sum().item(),
                    "first": flat[:8].tolist(), "sample_indices": sample, "sample": flat[sample].tolist()})
    return out


def record_tiny(arch, path, input_ids):
    """The parsed and full configs and a digest of every loaded tensor (JSON); the input, the
    logits and, in full, the attention projections (where llama's Q/K rows are un-permuted)."""
    parsed = load_gguf_checkpoint(path)["config"]
    loaded = AutoModelForCausalLM.from_pretrained(OUT, gguf_file=os.path.basename(path), dtype=torch.float32).eval()
    with torch.no_grad():
        logits = loaded(input_ids).logits
    sd = state_dict(loaded)
    json.dump({"file": os.path.basename(path), "class": type(loaded).__name__, "parsed": parsed,
               "config": loaded.config.to_dict(), "tensors": digest(sd)},
              open(os.path.join(OUT, f"tiny-{arch}.reference.json"), "w"), indent=None, default=str)
    tensors = {k: v.detach().float().contiguous() for k, v in sd.items() if "attn" in k}
    tensors["input_ids"] = input_ids
    tensors["logits"] = logits.float().contiguous()
    save_file(tensors, os.path.join(OUT, f"tiny-{arch}.reference.safetensors"))
    print(arch, type(loaded).__name__, os.path.getsize(path), "bytes;", len(sd), "tensors")


def record_mistral(path, model):
    """transformers parses a mistral file's config, but its weight loading asks gguf-py for a
    "mistral" tensor name map, which gguf-py (0.19) lacks, so from_pretrained fails. The tensors
    are recorded from transformers' own loading loop with llama's name map in its place (the
    names llama.cpp wrote), its llama processor and gguf-py's dequantize."""
    from gguf import GGUFReader
    from transformers.modeling_gguf_pytorch_utils import LlamaTensorProcessor, get_gguf_hf_weights_map
    parsed = load_gguf_checkpoint(path)["config"]
    config = MistralConfig(**parsed)
    processor = LlamaTensorProcessor(config=parsed)
    mapping = get_gguf_hf_weights_map(model, processor, model_type="llama")
    sd = {}
    for tensor in GGUFReader(path).tensors:
        result = processor.process(weights=gguf.dequantize(tensor.data, tensor.tensor_type), name=tensor.name)
        if result.name in mapping:
            sd[mapping[result.name]] = torch.from_numpy(np.copy(result.weights))
    json.dump({"file": os.path.basename(path), "class": "MistralForCausalLM", "parsed": parsed,
               "config": config.to_dict(), "tensors": digest(sd)},
              open(os.path.join(OUT, "tiny-mistral.reference.json"), "w"), indent=None, default=str)
    save_file({k: v.float().contiguous() for k, v in sd.items() if "attn" in k},
              os.path.join(OUT, "tiny-mistral.reference.safetensors"))
    print("mistral (config and tensors only)", os.path.getsize(path), "bytes;", len(sd), "tensors")


def tiny_models():
    input_ids = torch.tensor([[1, 17, 45, 8, 99, 3, 21, 60]])
    llama = perturbed(LlamaForCausalLM(LlamaConfig(
        vocab_size=128, hidden_size=32, intermediate_size=256, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=5000.0,
        tie_word_embeddings=False)))
    layers = [dict(q=T.Q4_1, k=T.Q5_0, v=T.Q8_0, o=T.F16, gate=T.Q5_1, up=T.Q4_0, down=T.Q4_K),
              dict(q=T.F16, k=T.Q8_0, v=T.BF16, o=T.Q4_1, gate=T.F32, up=T.Q8_0, down=T.Q6_K)]
    path = write_llama_like("llama", "llama", llama, dict(token_embd=T.Q8_0, layers=layers, output=T.F16), "tiny-llama")
    record_tiny("llama", path, input_ids)

    qwen2 = perturbed(Qwen2ForCausalLM(Qwen2Config(
        vocab_size=128, hidden_size=32, intermediate_size=256, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-6, rope_theta=10000.0,
        tie_word_embeddings=True)))
    layers = [dict(q=T.Q8_0, k=T.F16, v=T.Q5_1, o=T.Q4_0, gate=T.F16, up=T.Q8_0, down=T.Q5_K),
              dict(q=T.F32, k=T.Q4_1, v=T.F16, o=T.Q8_0, gate=T.Q4_0, up=T.F32, down=T.Q3_K)]
    path = write_llama_like("qwen2", "qwen2", qwen2, dict(token_embd=T.F16, layers=layers), "tiny-qwen2")
    record_tiny("qwen2", path, input_ids)

    # transformers maps gpt2.context_length to n_ctx, which GPT2Config ignores: the position
    # table must have the default 1024 rows for its loader to accept the file.
    # transformers reads a llama file named exactly "mistral" as a mistral model.
    mistral = perturbed(MistralForCausalLM(MistralConfig(
        vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=4,
        num_key_value_heads=1, max_position_embeddings=128, rms_norm_eps=1e-5, rope_theta=1e6,
        tie_word_embeddings=True)))
    layers = [dict(q=T.Q8_0, k=T.F16, v=T.F16, o=T.F16, gate=T.F16, up=T.F16, down=T.Q4_0)]
    path = write_llama_like("mistral", "llama", mistral, dict(token_embd=T.F16, layers=layers), "mistral")
    record_mistral(path, mistral)

    gpt2 = perturbed(GPT2LMHeadModel(GPT2Config(vocab_size=128, n_positions=1024, n_embd=32, n_layer=2, n_head=4,
                                                 tie_word_embeddings=False)))
    path = write_gpt2(gpt2)
    record_tiny("gpt2", path, input_ids)


def smollm2():
    snapshots = glob.glob(os.path.join(os.environ.get("HF_HOME", ""), "hub",
                                       "models--HuggingFaceTB--SmolLM2-135M-Instruct", "snapshots", "*"))
    assert snapshots, "SmolLM2-135M-Instruct is not in $HF_HOME/hub"
    directory = snapshots[0]
    filename = os.path.basename(glob.glob(os.path.join(directory, "*.gguf"))[0])
    parsed = load_gguf_checkpoint(os.path.join(directory, filename))["config"]
    model = AutoModelForCausalLM.from_pretrained(directory, gguf_file=filename, dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=filename)
    digests = digest(state_dict(model))
    logits = {}
    for i, prompt in enumerate(PROMPTS):
        ids = tokenizer(prompt, return_tensors="pt").input_ids
        with torch.no_grad():
            out = model(ids).logits
        logits[f"input_ids.{i}"] = ids.contiguous()
        logits[f"logits.{i}"] = out[0, -1].float().contiguous()
    json.dump({"file": filename, "class": type(model).__name__, "prompts": PROMPTS, "parsed": parsed,
               "config": model.config.to_dict(), "tensors": digests},
              open(os.path.join(HERE, "smollm2-gguf.reference.json"), "w"), indent=None, default=str)
    save_file(logits, os.path.join(HERE, "smollm2-gguf.logits.safetensors"))
    print("smollm2", filename, len(digests), "tensors")


if __name__ == "__main__":
    tiny_models()
    smollm2()

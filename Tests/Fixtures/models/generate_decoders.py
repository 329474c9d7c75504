"""Reference checkpoints and outputs for Apus's causal (decoder-only) models, from transformers.

    HF_HUB_OFFLINE=1 /root/apus-ref/bin/python Tests/Fixtures/models/generate_decoders.py

Writes next to this file, for each of gpt2, llama, mistral, qwen2:
- tiny-<name>/      a tiny random *ForCausalLM / GPT2LMHeadModel (save_pretrained, safetensors)
- tiny-<name>.reference.safetensors   inputs and outputs (eager attention, float32):
    right.*  a right-padded batch: input_ids, attention_mask, labels (-100 on padding), logits,
             loss, hidden_states.N, attentions.N, and the base model's last_hidden_state
    left.*   the same rows left-padded, position_ids as generate computes them
             (attention_mask.cumsum(-1) - 1, padding filled with 1): logits, hidden_states.N,
             attentions.N; left.default.logits without position_ids (transformers' arange)
    cache.*  a cached decode of the left-padded batch: a prefix of PREFIX tokens
             (prefix.logits), then two new tokens (step1.*), then one (step2.*), each with the
             attention mask covering cached and new positions and generate's position ids;
             full.logits is one uncached forward over all of them
    nomask.logits  the right-padded ids with no attention mask at all
    packed.*  the same ids as packed sequences: position_ids restarting within rows, no mask
Also tiny-llama-<variant>/ directories: the tiny Llama's weights (a symlink) under configs with
RoPE scaling (linear, dynamic, llama3, yarn) in the 4.x spelling (rope_theta + rope_scaling)
or the 5.x one (rope_parameters), with their logits in tiny-llama.reference.safetensors as
rope.<variant>.logits.
And tiny-gpt2-cls/, tiny-llama-cls/: sequence classifiers (3 labels) over the same weights, with
cls.logits and cls.loss (right-padded batch, cls.labels) and cls.left.logits (left-padded) in
the model's reference file.
"""
import json
import os
import shutil

import torch
from safetensors.torch import load_file, save_file
from transformers import (AutoModelForCausalLM, AutoModelForSequenceClassification, GPT2Config, GPT2ForSequenceClassification,
                          GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM, LlamaForSequenceClassification,
                          MistralConfig, MistralForCausalLM, Qwen2Config, Qwen2ForCausalLM)

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
PREFIX = 6
# Weights far larger than transformers' 0.02 so attention patterns, positions and RoPE scaling
# move the logits well beyond the tests' 1e-4 tolerance.
INIT = 0.25

ROWS = [[5, 17, 45, 8, 99, 3, 21, 60, 3],
        [7, 5, 77, 31, 12, 3],
        [9, 64, 3, 41]]
PAD = 0


def padded(left):
    width = max(len(r) for r in ROWS)
    ids, mask = [], []
    for r in ROWS:
        pad = [PAD] * (width - len(r))
        ids.append(pad + r if left else r + pad)
        mask.append([0] * len(pad) + [1] * len(r) if left else [1] * len(r) + [0] * len(pad))
    return torch.tensor(ids), torch.tensor(mask)


def generate_positions(mask):
    positions = mask.long().cumsum(-1) - 1
    return positions.masked_fill(mask == 0, 1)


def perturb(model):
    # Random init gives norms weight 1 (and bias 0); perturb them so the tests check they are read.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:
                p.add_(torch.randn_like(p) * 0.1)


def run(model, reference, prefix, **kwargs):
    out = model(**kwargs, output_hidden_states=True, output_attentions=True)
    reference[f"{prefix}.logits"] = out.logits
    if out.loss is not None:
        reference[f"{prefix}.loss"] = out.loss.reshape(1)
    for i, h in enumerate(out.hidden_states):
        reference[f"{prefix}.hidden_states.{i}"] = h
    for i, a in enumerate(out.attentions):
        reference[f"{prefix}.attentions.{i}"] = a
    return out


def references(model, base):
    reference = {}
    ids, mask = padded(left=False)
    labels = ids.masked_fill(mask == 0, -100)
    reference.update({"right.input_ids": ids, "right.attention_mask": mask, "right.labels": labels})
    run(model, reference, "right", input_ids=ids, attention_mask=mask, labels=labels, use_cache=False)
    reference["right.last_hidden_state"] = base(input_ids=ids, attention_mask=mask, use_cache=False).last_hidden_state
    reference["nomask.logits"] = model(input_ids=ids, use_cache=False).logits
    # Two sequences packed in each row: position ids that restart, no mask, no cache, which
    # transformers reads as separate sequences that must not attend to each other.
    packed = torch.tensor([[0, 1, 2, 3, 0, 1, 2, 0, 1]]).expand(ids.shape[0], -1).contiguous()
    reference["packed.position_ids"] = packed
    reference["packed.logits"] = model(input_ids=ids, position_ids=packed, use_cache=False).logits

    ids, mask = padded(left=True)
    positions = generate_positions(mask)
    reference.update({"left.input_ids": ids, "left.attention_mask": mask, "left.position_ids": positions})
    run(model, reference, "left", input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=False)
    reference["left.default.logits"] = model(input_ids=ids, attention_mask=mask, use_cache=False).logits

    # A cached decode of the left-padded batch: PREFIX tokens, then 2, then 1.
    reference["cache.input_ids"] = ids
    reference["cache.attention_mask"] = mask
    reference["cache.position_ids"] = positions
    first = model(input_ids=ids[:, :PREFIX], attention_mask=mask[:, :PREFIX], position_ids=positions[:, :PREFIX],
                  use_cache=True)
    reference["cache.prefix.logits"] = first.logits
    cache = first.cache if hasattr(first, "cache") and first.cache is not None else first.past_key_values
    step1 = model(input_ids=ids[:, PREFIX:PREFIX + 2], attention_mask=mask[:, :PREFIX + 2],
                  position_ids=positions[:, PREFIX:PREFIX + 2], cache=cache, use_cache=True)
    reference["cache.step1.logits"] = step1.logits
    step2 = model(input_ids=ids[:, PREFIX + 2:], attention_mask=mask, position_ids=positions[:, PREFIX + 2:],
                  cache=step1.cache, use_cache=True, output_attentions=True)
    reference["cache.step2.logits"] = step2.logits
    for i, a in enumerate(step2.attentions):
        reference[f"cache.step2.attentions.{i}"] = a
    reference["cache.full.logits"] = model(input_ids=ids, attention_mask=mask, position_ids=positions,
                                           use_cache=False).logits
    return reference


def save(model, name, reference):
    directory = os.path.join(HERE, name)
    if os.path.isdir(directory):
        shutil.rmtree(directory)
    model.save_pretrained(directory, safe_serialization=True)
    save_file({k: v.detach().clone().contiguous() for k, v in reference.items()},
              os.path.join(HERE, f"{name}.reference.safetensors"))


def reload(name):
    return AutoModelForCausalLM.from_pretrained(os.path.join(HERE, name), initializer_range=INIT, attn_implementation="eager").eval()


# GPT-2: Conv1D weights, learned positions, lm_head tied to wte (left out by save_pretrained),
# n_inner not 4 * n_embd so the MLP width is read from the config.
gpt2 = GPT2LMHeadModel(GPT2Config(vocab_size=100, n_embd=32, n_layer=2, n_head=4, n_positions=64, n_inner=37,
                                  pad_token_id=PAD, bos_token_id=1, eos_token_id=2,
                                  initializer_range=INIT, attn_implementation="eager")).eval()
perturb(gpt2)
save(gpt2, "tiny-gpt2", {})
gpt2 = reload("tiny-gpt2")
with torch.no_grad():
    save(gpt2, "tiny-gpt2", references(gpt2, gpt2.transformer))

# Llama: grouped-query attention (4 heads, 2 kv heads), untied lm_head, small
# max_position_embeddings so dynamic scaling grows at the test's 9 tokens.
llama_config = LlamaConfig(vocab_size=100, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                           num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=8,
                           rms_norm_eps=1e-5, pad_token_id=PAD, bos_token_id=1, eos_token_id=2,
                           tie_word_embeddings=False, initializer_range=INIT, attn_implementation="eager")
llama = LlamaForCausalLM(llama_config).eval()
perturb(llama)
save(llama, "tiny-llama", {})
llama = reload("tiny-llama")
with torch.no_grad():
    llama_reference = references(llama, llama.model)

# RoPE variants sharing the Llama weights: config.json rewritten in either spelling.
with open(os.path.join(HERE, "tiny-llama", "config.json")) as f:
    base_config = json.load(f)
VARIANTS = {
    "linear": {"rope_theta": 500.0, "rope_scaling": {"type": "linear", "factor": 2.0}},
    "dynamic": {"rope_theta": 10000.0, "rope_scaling": {"rope_type": "dynamic", "factor": 3.0}},
    "llama3": {"rope_parameters": {"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0,
                                   "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                   "original_max_position_embeddings": 64}},
    "yarn": {"rope_parameters": {"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0,
                                 "original_max_position_embeddings": 4}},
    "yarn-mscale": {"rope_theta": 2000.0, "rope_scaling": {"type": "yarn", "factor": 2.0, "mscale": 0.707,
                                                           "mscale_all_dim": 1.0, "beta_fast": 16,
                                                           "original_max_position_embeddings": 4}},
}
ids, mask = padded(left=False)
for variant, keys in VARIANTS.items():
    directory = os.path.join(HERE, f"tiny-llama-{variant}")
    if os.path.isdir(directory):
        shutil.rmtree(directory)
    os.makedirs(directory)
    config = {k: v for k, v in base_config.items() if k not in ("rope_parameters", "rope_theta", "rope_scaling")}
    config.update(keys)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    os.symlink("../tiny-llama/model.safetensors", os.path.join(directory, "model.safetensors"))
    model = AutoModelForCausalLM.from_pretrained(directory, initializer_range=INIT, attn_implementation="eager").eval()
    with torch.no_grad():
        llama_reference[f"rope.{variant}.logits"] = model(input_ids=ids, attention_mask=mask, use_cache=False).logits
save_file({k: v.detach().clone().contiguous() for k, v in llama_reference.items()},
          os.path.join(HERE, "tiny-llama.reference.safetensors"))

# Mistral: an explicit head_dim unlike hidden_size / heads, and a sliding window shorter than
# the batch so it shows in the mask.
mistral = MistralForCausalLM(MistralConfig(vocab_size=100, hidden_size=32, intermediate_size=40, num_hidden_layers=2,
                                           num_attention_heads=4, num_key_value_heads=2, head_dim=12,
                                           max_position_embeddings=64, sliding_window=4, rms_norm_eps=1e-6,
                                           pad_token_id=PAD, bos_token_id=1, eos_token_id=2,
                                           tie_word_embeddings=False, initializer_range=INIT, attn_implementation="eager")).eval()
perturb(mistral)
save(mistral, "tiny-mistral", {})
mistral = reload("tiny-mistral")
with torch.no_grad():
    save(mistral, "tiny-mistral", references(mistral, mistral.model))

# Qwen2: q/k/v biases, tied embeddings (no lm_head in the checkpoint), one kv head, and the
# second layer a sliding-window layer (use_sliding_window with max_window_layers=1).
qwen2 = Qwen2ForCausalLM(Qwen2Config(vocab_size=100, hidden_size=32, intermediate_size=40, num_hidden_layers=2,
                                     num_attention_heads=4, num_key_value_heads=1, max_position_embeddings=64,
                                     rope_theta=1000000.0, use_sliding_window=True, sliding_window=3,
                                     max_window_layers=1, rms_norm_eps=1e-6, pad_token_id=PAD,
                                     bos_token_id=1, eos_token_id=2, tie_word_embeddings=True,
                                     initializer_range=INIT, attn_implementation="eager")).eval()
perturb(qwen2)
save(qwen2, "tiny-qwen2", {})
qwen2 = reload("tiny-qwen2")
with torch.no_grad():
    save(qwen2, "tiny-qwen2", references(qwen2, qwen2.model))

# Sequence classifiers over the GPT-2 and Llama weights: scored at each row's last real token.
for name, base, classifier_class in [("gpt2", gpt2.transformer, GPT2ForSequenceClassification),
                                     ("llama", llama.model, LlamaForSequenceClassification)]:
    config = base.config.__class__.from_dict(base.config.to_dict())
    config.num_labels = 3
    config.architectures = [classifier_class.__name__]
    classifier = classifier_class(config).eval()
    getattr(classifier, classifier.base_model_prefix).load_state_dict(base.state_dict())
    directory = f"tiny-{name}-cls"
    if os.path.isdir(os.path.join(HERE, directory)):
        shutil.rmtree(os.path.join(HERE, directory))
    classifier.save_pretrained(os.path.join(HERE, directory), safe_serialization=True)
    classifier = AutoModelForSequenceClassification.from_pretrained(os.path.join(HERE, directory),
                                                                    attn_implementation="eager").eval()
    reference = load_file(os.path.join(HERE, f"tiny-{name}.reference.safetensors"))
    labels = torch.tensor([2, 0, 1])
    with torch.no_grad():
        out = classifier(input_ids=reference["right.input_ids"], attention_mask=reference["right.attention_mask"],
                         labels=labels, use_cache=False)
        reference["cls.labels"] = labels
        reference["cls.logits"] = out.logits
        reference["cls.loss"] = out.loss.reshape(1)
        reference["cls.left.logits"] = classifier(input_ids=reference["left.input_ids"],
                                                  attention_mask=reference["left.attention_mask"],
                                                  position_ids=reference["left.position_ids"], use_cache=False).logits
    save_file({k: v.detach().clone().contiguous() for k, v in reference.items()},
              os.path.join(HERE, f"tiny-{name}.reference.safetensors"))
print("wrote decoder fixtures to", HERE)

"""Reference checkpoints and outputs for the encoder families' task heads (BERT, DistilBERT,
RoBERTa), from transformers.

    HF_HUB_OFFLINE=1 /root/apus-ref/bin/python Tests/Fixtures/models/generate_encoders.py

Every class is loaded back with transformers' from_pretrained from the directories written here
(no missing weights), and the reference outputs come from those loaded models, so the files are
exactly what transformers reads. Writes next to this file:

- tiny-bert-heads/        one BERT checkpoint holding every head's weights (`bert.*` with the
                          pooler, `classifier.*` shared by the sequence and token classifiers,
                          `qa_outputs.*`, `cls.predictions.*` without the decoder weight, which is
                          tied to the word embeddings); 2 labels, as question answering needs
- tiny-distilbert-heads/  the same for DistilBERT (`distilbert.*`, `pre_classifier.*`,
                          `classifier.*`, `qa_outputs.*`, `vocab_transform.*`,
                          `vocab_layer_norm.*`, `vocab_projector.bias`), learned positions
- tiny-distilbert/        a DistilBertModel (no prefix, dim 16) with sinusoidal_pos_embds and no
                          stored position table, so the sinusoid is computed at load, as
                          transformers' weight initialisation does for a missing table
- tiny-roberta-heads/     the same for RoBERTa (`roberta.*` with the pooler, `classifier.dense`/
                          `classifier.out_proj` of the sequence head, `classifier.weight`/`bias`
                          of the token head, `qa_outputs.*`, `lm_head.*` without the tied decoder)
- tiny-roberta/           a RobertaModel (no prefix) with the heads checkpoint's encoder weights
- bert-heads.reference.safetensors, distilbert.reference.safetensors,
  roberta.reference.safetensors   inputs, labels and outputs for a padded batch per family
"""
import json
import os
import shutil

import torch
from safetensors.torch import save_file
from transformers import (BertConfig, BertForMaskedLM, BertForQuestionAnswering, BertForSequenceClassification,
                          BertForTokenClassification, BertModel, DistilBertConfig, DistilBertForMaskedLM,
                          DistilBertForQuestionAnswering, DistilBertForSequenceClassification,
                          DistilBertForTokenClassification, DistilBertModel, RobertaConfig, RobertaForMaskedLM,
                          RobertaForQuestionAnswering, RobertaForSequenceClassification,
                          RobertaForTokenClassification, RobertaModel)

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)


def perturb(model, names=("LayerNorm", "layer_norm", "predictions.bias", "lm_head.bias", "vocab_projector.bias")):
    """Random init gives norms weight 1 / bias 0 and the MLM biases 0: move them so a test
    checks they are read."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if any(n in name for n in names):
                p.add_(torch.randn_like(p) * 0.2)


def combined_checkpoint(directory, config, base, prefix, heads, tied):
    """Writes one safetensors file holding the base model's weights under `prefix.` and every
    head's own weights (they must agree where names coincide), and the config; the tied decoder
    weights are left out, as save_pretrained does."""
    state = {f"{prefix}.{k}": v.detach().clone().contiguous() for k, v in base.state_dict().items()}
    for model in heads:
        for name, tensor in model.state_dict().items():
            if name in tied or name.startswith(prefix + "."):
                continue
            if name in state:
                assert torch.equal(state[name], tensor), f"{name} differs between heads"
            else:
                state[name] = tensor.detach().clone().contiguous()
    if os.path.isdir(directory):
        shutil.rmtree(directory)
    os.makedirs(directory)
    config.architectures = [type(m).__name__ for m in heads]
    config.save_pretrained(directory)
    save_file(state, os.path.join(directory, "model.safetensors"), metadata={"format": "pt"})


def share_base(source, target, prefix):
    """Copies the base model `source` into `target`'s (which may lack the pooler)."""
    own = getattr(target, prefix)
    missing, unexpected = own.load_state_dict(source.state_dict(), strict=False)
    assert not missing and all(k.startswith("pooler") for k in unexpected), (missing, unexpected)


def load(cls, directory, **kwargs):
    """`cls.from_pretrained(directory)` in eval mode, asserting nothing was missing."""
    model, info = cls.from_pretrained(directory, attn_implementation="eager", output_loading_info=True, **kwargs)
    assert not info["missing_keys"], (cls.__name__, info["missing_keys"])
    return model.eval()


def record(reference, prefix, out, hidden=True):
    """Stores an output's tensors under `prefix.` (loss reshaped to [1])."""
    for key, value in out.items():
        if value is None or key == "cross_attentions" and value == ():
            continue  # transformers 5 fills cross_attentions with () when attentions are asked for
        if key in ("hidden_states", "attentions"):
            assert len(value) == 2 + (key == "hidden_states"), (prefix, key, len(value))
            if hidden:
                for i, t in enumerate(value):
                    reference[f"{prefix}.{key}.{i}"] = t
        elif not isinstance(value, torch.Tensor):
            raise AssertionError(f"{prefix}: unexpected field {key}: {type(value)}")
        elif key == "loss":
            reference[f"{prefix}.loss"] = value.reshape(1)
        else:
            reference[f"{prefix}.{key}"] = value


def same_encoder(a, b):
    """A head's hidden states and attentions equal the base model's (same weights), so the
    reference stores them once, from the base model."""
    for x, y in zip(a.hidden_states + a.attentions, b.hidden_states + b.attentions):
        assert torch.allclose(x, y, atol=1e-6)


def write(reference, name):
    save_file({k: v.detach().clone().contiguous() for k, v in reference.items()}, os.path.join(HERE, name))


def qa_and_token_labels(input_ids, mask, labels_count):
    """Token labels with -100 on padding and on one real token; QA positions where one start lies
    past the sequence (clamped to it and ignored) and one end is negative (clamped to 0)."""
    token_labels = torch.randint(0, labels_count, input_ids.shape)
    token_labels[mask == 0] = -100
    token_labels[0, 1] = -100
    start = torch.tensor([3, 20, 1])
    end = torch.tensor([5, -3, 2])
    return token_labels, start, end


def mlm_labels(input_ids, mask, vocab):
    """-100 everywhere but a few real tokens (the second real token of each row, and one more in
    the first row)."""
    labels = torch.full_like(input_ids, -100)
    for row in range(input_ids.shape[0]):
        real = mask[row].nonzero().flatten().tolist()
        labels[row, real[1]] = (31 * row + 7) % vocab
    labels[0, 5] = 45
    return labels


def heads_family(name, prefix, config, classes, tied, input_ids, attention_mask, extra_inputs):
    """Builds every head with one shared base, writes the combined checkpoint, reloads each class
    from it with transformers and records its outputs on the padded batch."""
    base_cls, seq_cls, token_cls, qa_cls, mlm_cls = classes
    base = base_cls(config)
    perturb(base)
    seq, token, qa, mlm = seq_cls(config), token_cls(config), qa_cls(config), mlm_cls(config)
    for head in (seq, token, qa, mlm):
        share_base(base, head, prefix)
    with torch.no_grad():
        # The sequence and token classifiers meet at `classifier.*` in BERT and DistilBERT: one tensor.
        if isinstance(seq.classifier, torch.nn.Linear):
            token.classifier.load_state_dict(seq.classifier.state_dict())
    perturb(mlm, names=("cls.predictions", "lm_head", "vocab_layer_norm", "vocab_projector.bias"))
    assert torch.equal(mlm.get_output_embeddings().weight, getattr(base, "embeddings").word_embeddings.weight)
    directory = os.path.join(HERE, f"tiny-{name}-heads")
    combined_checkpoint(directory, config, base, prefix, [seq, token, qa, mlm], tied)

    reference = {"input_ids": input_ids, "attention_mask": attention_mask, **extra_inputs}
    token_labels, start, end = qa_and_token_labels(input_ids, attention_mask, config.num_labels)
    reference.update(token_labels=token_labels, start_positions=start, end_positions=end,
                     mlm_labels=mlm_labels(input_ids, attention_mask, config.vocab_size),
                     sequence_labels=torch.tensor([1, 0, 1]))
    inputs = dict(input_ids=input_ids, attention_mask=attention_mask, **extra_inputs)
    flags = dict(output_hidden_states=True, output_attentions=True)
    with torch.no_grad():
        base_out = load(base_cls, directory)(**inputs, **flags)
        record(reference, "base", base_out)
        for label, cls, kwargs in [("sequence", seq_cls, dict(labels=reference["sequence_labels"])),
                                   ("token", token_cls, dict(labels=token_labels)),
                                   ("qa", qa_cls, dict(start_positions=start, end_positions=end)),
                                   ("mlm", mlm_cls, dict(labels=reference["mlm_labels"]))]:
            model = load(cls, directory)
            out = model(**inputs, **kwargs, **flags)
            same_encoder(out, base_out)
            record(reference, label, out, hidden=False)
            # The tie: the output projection is the word embedding table itself.
            if cls is mlm_cls:
                decoder = model.get_output_embeddings().weight
                assert decoder.data_ptr() == model.get_input_embeddings().weight.data_ptr()
    # Training through the tie: the loss's gradient reaches the word embedding table both from the
    # input lookup and from the output projection (eval mode, so without dropout).
    model = load(mlm_cls, directory)
    model(**inputs, labels=reference["mlm_labels"]).loss.backward()
    reference["mlm.word_embeddings_grad"] = model.get_input_embeddings().weight.grad
    return directory, reference


# ---- BERT ----
bert_config = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                         intermediate_size=37, max_position_embeddings=64, type_vocab_size=2, hidden_act="gelu",
                         initializer_range=0.1, pad_token_id=0)
bert_ids = torch.tensor([[2, 17, 45, 8, 99, 7, 21, 60, 3],
                         [2, 5, 77, 31, 12, 3, 0, 0, 0],
                         [2, 64, 3, 0, 0, 0, 0, 0, 0]])
bert_mask = (bert_ids != 0).long()
bert_types = torch.tensor([[0, 0, 0, 0, 0, 0, 1, 1, 1]] + [[0] * 9] * 2)
_, bert_reference = heads_family(
    "bert", "bert", bert_config,
    (BertModel, BertForSequenceClassification, BertForTokenClassification, BertForQuestionAnswering, BertForMaskedLM),
    {"cls.predictions.decoder.weight", "cls.predictions.decoder.bias"},
    bert_ids, bert_mask, {"token_type_ids": bert_types})
write(bert_reference, "bert-heads.reference.safetensors")

# ---- DistilBERT ----
distil_config = DistilBertConfig(vocab_size=100, dim=32, n_layers=2, n_heads=4, hidden_dim=37,
                                 max_position_embeddings=64, activation="gelu", initializer_range=0.1, pad_token_id=0)
distil_directory, distil_reference = heads_family(
    "distilbert", "distilbert", distil_config,
    (DistilBertModel, DistilBertForSequenceClassification, DistilBertForTokenClassification,
     DistilBertForQuestionAnswering, DistilBertForMaskedLM),
    {"vocab_projector.weight"}, bert_ids, bert_mask, {})

# A sinusoidal base model without its position table, relu FFN, config in the attribute_map
# spellings transformers also accepts (hidden_size, num_hidden_layers, num_attention_heads).
sinusoidal_config = DistilBertConfig(vocab_size=100, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                                     hidden_dim=24, max_position_embeddings=40, activation="relu",
                                     sinusoidal_pos_embds=True, initializer_range=0.1, pad_token_id=0)
sinusoidal = DistilBertModel(sinusoidal_config)
perturb(sinusoidal)
sinusoidal_directory = os.path.join(HERE, "tiny-distilbert")
if os.path.isdir(sinusoidal_directory):
    shutil.rmtree(sinusoidal_directory)
sinusoidal.save_pretrained(sinusoidal_directory)
state = {k: v.contiguous() for k, v in sinusoidal.state_dict().items() if k != "embeddings.position_embeddings.weight"}
save_file(state, os.path.join(sinusoidal_directory, "model.safetensors"), metadata={"format": "pt"})
# save_pretrained writes `dim`, `n_layers`, `n_heads`: rewrite the file in the other spelling.
with open(os.path.join(sinusoidal_directory, "config.json")) as f:
    raw = json.load(f)
for canonical, alias in [("dim", "hidden_size"), ("n_layers", "num_hidden_layers"), ("n_heads", "num_attention_heads")]:
    raw[alias] = raw.pop(canonical)
with open(os.path.join(sinusoidal_directory, "config.json"), "w") as f:
    json.dump(raw, f, indent=2, sort_keys=True)
    f.write("\n")
with torch.no_grad():
    reloaded, info = DistilBertModel.from_pretrained(sinusoidal_directory, attn_implementation="eager",
                                                     output_loading_info=True)
    assert info["missing_keys"] == {"embeddings.position_embeddings.weight"} or \
        list(info["missing_keys"]) == ["embeddings.position_embeddings.weight"], info
    reloaded.eval()
    assert reloaded.config.dim == 16 and reloaded.config.n_layers == 2
    out = reloaded(input_ids=bert_ids, attention_mask=bert_mask, output_hidden_states=True, output_attentions=True)
    record(distil_reference, "sinusoidal", out)
    table = reloaded.embeddings.position_embeddings.weight
    position = torch.arange(40, dtype=torch.float64)[:, None]
    angle = position / torch.pow(10000.0, 2 * (torch.arange(16) // 2) / 16).to(torch.float64)
    expected = torch.where(torch.arange(16) % 2 == 0, torch.sin(angle), torch.cos(angle)).float()
    assert torch.allclose(table, expected, atol=1e-6), "the missing table was not filled with the sinusoid"
    distil_reference["sinusoidal.position_embeddings"] = table
write(distil_reference, "distilbert.reference.safetensors")

# ---- RoBERTa ----
roberta_config = RobertaConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                               intermediate_size=37, max_position_embeddings=66, type_vocab_size=1,
                               hidden_act="gelu", initializer_range=0.1, pad_token_id=1, bos_token_id=0,
                               eos_token_id=2)
# Padding id 1; the last row is left-padded, so its positions start after the padding.
roberta_ids = torch.tensor([[0, 17, 45, 8, 99, 7, 21, 60, 2],
                            [0, 5, 77, 31, 12, 2, 1, 1, 1],
                            [1, 1, 1, 1, 1, 1, 0, 64, 2]])
roberta_mask = (roberta_ids != 1).long()
roberta_directory, roberta_reference = heads_family(
    "roberta", "roberta", roberta_config,
    (RobertaModel, RobertaForSequenceClassification, RobertaForTokenClassification, RobertaForQuestionAnswering,
     RobertaForMaskedLM),
    {"lm_head.decoder.weight", "lm_head.decoder.bias"}, roberta_ids, roberta_mask, {})
# The base checkpoint: the same encoder (with its pooler) saved by RobertaModel, no prefix.
roberta_base = load(RobertaModel, roberta_directory)
base_directory = os.path.join(HERE, "tiny-roberta")
if os.path.isdir(base_directory):
    shutil.rmtree(base_directory)
roberta_base.config.architectures = ["RobertaModel"]
roberta_base.save_pretrained(base_directory)
with torch.no_grad():
    again = load(RobertaModel, base_directory)(input_ids=roberta_ids, attention_mask=roberta_mask)
    assert torch.equal(again.last_hidden_state, roberta_reference["base.last_hidden_state"])
    roberta_reference["position_ids"] = roberta_base.embeddings.create_position_ids_from_input_ids(roberta_ids, 1)
    # Explicit position ids 2.. for every row instead of the padding-derived ones.
    explicit = torch.arange(2, 11).expand(3, -1)
    roberta_reference["explicit_position_ids"] = explicit
    roberta_reference["explicit.last_hidden_state"] = roberta_base(
        input_ids=roberta_ids, attention_mask=roberta_mask, position_ids=explicit).last_hidden_state
write(roberta_reference, "roberta.reference.safetensors")
print("wrote encoder fixtures to", HERE)

"""Reference generations for Apus's `generate`, from transformers.

    HF_HUB_OFFLINE=1 python Tests/Fixtures/generation/generate.py

Makes two tiny random causal models next to this file (tiny-llama-gen: Llama with grouped-query
attention; tiny-gpt2-gen: GPT-2), then runs transformers' `generate` on them with many option
combinations (greedy, processors, end-of-sequence handling, left-padded batches, beam search with
every early-stopping mode and length penalty, returned scores) and writes every call and its
result to cases.json. Tiny random models have flat distributions, so the script picks as
end-of-sequence tokens ones the model actually produces, so that finishing rows are exercised.
"""
import json
import os

import torch
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)


def perturb_norms(model):
    # Fresh norms are all ones; perturb them so reading them matters.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name or "ln_" in name:
                p.add_(torch.randn_like(p) * 0.1)
        # Sharpen the output so greedy choices are far from ties.
        head = model.get_output_embeddings().weight
        head.mul_(3.0)
    return model


models = {
    "tiny-llama-gen": perturb_norms(LlamaForCausalLM(LlamaConfig(
        vocab_size=64, hidden_size=16, intermediate_size=40, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=128, tie_word_embeddings=False,
        bos_token_id=1, eos_token_id=2, pad_token_id=0, attn_implementation="eager")).eval()),
    "tiny-gpt2-gen": perturb_norms(GPT2LMHeadModel(GPT2Config(
        vocab_size=64, n_embd=16, n_layer=2, n_head=4, n_positions=128, bos_token_id=1, eos_token_id=2,
        attn_implementation="eager")).eval()),
}
for name, model in models.items():
    model.save_pretrained(os.path.join(HERE, name), safe_serialization=True)
    # generate() must not read a generation_config.json we did not mean to test.
    path = os.path.join(HERE, name, "generation_config.json")
    if os.path.exists(path):
        os.remove(path)

PROMPTS = [[5, 9, 13, 7], [0, 0, 22, 31]]  # the second row is left-padded with pad id 0
MASK = [[1, 1, 1, 1], [0, 0, 1, 1]]


def frequent_tokens(model, count):
    """Tokens the model emits most often in greedy continuations of the prompts."""
    out = model.generate(torch.tensor(PROMPTS), attention_mask=torch.tensor(MASK), max_new_tokens=12,
                         do_sample=False, eos_token_id=None, pad_token_id=0)
    counts = {}
    for row in out[:, 4:].tolist():
        for t in row:
            if t != 0:  # the pad token
                counts[t] = counts.get(t, 0) + 1
    ranked = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    ranked += [t for t in range(3, 64) if t not in ranked]
    return ranked[:count]


cases = []
for name, model in models.items():
    common = frequent_tokens(model, 3)
    print(name, "frequent tokens", common)
    eos_one, eos_two = [common[1]], common[1:3]
    variants = [
        ("greedy", {"max_new_tokens": 10}),
        ("greedy max_length", {"max_length": 11}),
        ("greedy eos", {"max_new_tokens": 12, "eos_token_id": eos_one, "pad_token_id": 0}),
        ("greedy two eos", {"max_new_tokens": 12, "eos_token_id": eos_two, "pad_token_id": 0}),
        ("min_new_tokens", {"max_new_tokens": 10, "min_new_tokens": 6, "eos_token_id": eos_one, "pad_token_id": 0}),
        ("repetition_penalty", {"max_new_tokens": 10, "repetition_penalty": 1.5}),
        ("no_repeat_ngram_size", {"max_new_tokens": 12, "no_repeat_ngram_size": 2}),
        ("bad_words_ids", {"max_new_tokens": 10, "bad_words_ids": [[common[0]], [common[1], common[2]]]}),
        ("no cache", {"max_new_tokens": 8, "use_cache": False}),
        ("scores", {"max_new_tokens": 4, "return_dict_in_generate": True, "output_scores": True, "output_logits": True}),
        ("beam", {"max_new_tokens": 8, "num_beams": 3}),
        ("beam return 2", {"max_new_tokens": 8, "num_beams": 3, "num_return_sequences": 2}),
        ("beam eos", {"max_new_tokens": 10, "num_beams": 4, "eos_token_id": eos_one, "pad_token_id": 0,
                      "num_return_sequences": 3}),
        ("beam eos early", {"max_new_tokens": 10, "num_beams": 4, "eos_token_id": eos_two, "pad_token_id": 0,
                            "early_stopping": True}),
        ("beam eos never", {"max_new_tokens": 10, "num_beams": 3, "eos_token_id": eos_one, "pad_token_id": 0,
                            "early_stopping": "never", "length_penalty": 1.5}),
        ("beam length_penalty", {"max_new_tokens": 10, "num_beams": 3, "eos_token_id": eos_one, "pad_token_id": 0,
                                 "length_penalty": -0.5}),
        ("beam scores", {"max_new_tokens": 6, "num_beams": 3, "eos_token_id": eos_one, "pad_token_id": 0,
                         "return_dict_in_generate": True, "output_scores": True}),
        ("beam ngram", {"max_new_tokens": 10, "num_beams": 3, "no_repeat_ngram_size": 2, "repetition_penalty": 1.2}),
    ]
    for label, kwargs in variants:
        for batch in ("single", "padded"):
            prompts = PROMPTS[:1] if batch == "single" else PROMPTS
            mask = MASK[:1] if batch == "single" else MASK
            with torch.no_grad():
                out = model.generate(torch.tensor(prompts), attention_mask=torch.tensor(mask), do_sample=False,
                                     **{"pad_token_id": 0, **kwargs})
            case = {"model": name, "label": f"{label} ({batch})", "input_ids": prompts, "attention_mask": mask,
                    "kwargs": kwargs}
            if kwargs.get("return_dict_in_generate"):
                case["sequences"] = out.sequences.tolist()
                if getattr(out, "sequences_scores", None) is not None:
                    case["sequences_scores"] = out.sequences_scores.tolist()
                if out.scores is not None:
                    case["scores"] = [s.tolist() for s in out.scores]
                if getattr(out, "logits", None) is not None:
                    case["logits"] = [s.tolist() for s in out.logits]
                if getattr(out, "beam_indices", None) is not None:
                    case["beam_indices"] = out.beam_indices.tolist()
            else:
                case["sequences"] = out.tolist()
            cases.append(case)

with open(os.path.join(HERE, "cases.json"), "w") as f:
    json.dump(cases, f, indent=None)
    f.write("\n")
print(f"wrote {len(cases)} cases to {HERE}")

# TextStreamer: what transformers' streamer releases, token by token, for a fixed vocabulary.
from transformers import PreTrainedTokenizerFast, StopStringCriteria, TextStreamer  # noqa: E402
from tokenizers import Tokenizer, models as tokenizer_models  # noqa: E402

PIECES = ["Hello", ",", " wor", "ld", "!", "\n", "你", "好", " 3", ".5", "%", " caf", "é", " x"]


class PieceTokenizer:
    def decode(self, ids, **kwargs):
        if isinstance(ids, int):
            ids = [ids]
        return "".join(PIECES[i] for i in ids)


class Recorder(TextStreamer):
    def __init__(self):
        super().__init__(PieceTokenizer(), skip_prompt=True)
        self.pieces = []

    def on_finalized_text(self, text, stream_end=False):
        self.pieces.append([text, stream_end])


streams = []
for stream in ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 5, 2, 3], [6, 0, 1, 13, 13, 12]):
    recorder = Recorder()
    recorder.put(torch.tensor([[0, 1]]))  # the prompt: skipped
    for token in stream:
        recorder.put(torch.tensor([token]))
    recorder.end()
    streams.append({"pieces": PIECES, "tokens": stream, "emitted": recorder.pieces})

# StopStringCriteria over a word-level vocabulary whose tokens are the pieces themselves.
STOP_VOCAB = ["st", "op", "stop", "opera", "sto", "pper", "las", "topper", "s", "to", "pped", "at", "xstopx", "top", "p"]
word_level = Tokenizer(tokenizer_models.WordLevel({t: i for i, t in enumerate(STOP_VOCAB)}, unk_token="st"))
stop_tokenizer = PreTrainedTokenizerFast(tokenizer_object=word_level)
# The vocabulary's tokens are their own text; skip transformers' prefix-probing clean-up, which
# needs a tokenizer that can encode arbitrary text.
StopStringCriteria.clean_tokenizer_vocab = staticmethod(
    lambda tokenizer, static_prefix="abcdef", stop_string_matching_mode=None: (
        tuple(STOP_VOCAB), tuple(range(len(STOP_VOCAB)))))
criteria = StopStringCriteria(stop_tokenizer, ["stop", "topper"])
stop_cases = []
for words in (["st", "op"], ["stop"], ["st", "opera"], ["sto", "pper"], ["las", "topper"], ["s", "to", "pped"],
              ["stop", "at"], ["st", "op", "at"], ["st", "opera", "at"], ["xstopx"], ["s", "top"], ["to", "p"],
              ["las", "to", "pper"], ["at", "s", "to"]):
    ids = [STOP_VOCAB.index(w) if w in STOP_VOCAB else 0 for w in words]
    stop_cases.append({"tokens": ids, "done": bool(criteria(torch.tensor([ids]), None)[0])})

with open(os.path.join(HERE, "streaming.json"), "w") as f:
    json.dump({"streams": streams, "stop_vocabulary": STOP_VOCAB, "stop_strings": ["stop", "topper"],
               "stop_cases": stop_cases}, f, ensure_ascii=False, indent=1)
    f.write("\n")
print("wrote streaming.json")

"""Records what transformers' tokenizer API returns, for the Swift PreTrainedTokenizerFast tests.

Run: HF_HOME=/work/notes/hf HF_HUB_OFFLINE=1 /root/apus-ref/bin/python Tests/Fixtures/tokenizers/generate_api.py

Tokenizers: the real all-MiniLM-L6-v2 (its tokenizer.json is all-MiniLM-L6-v2.json here, its
config files are copied into the fixture), and the roberta.json / llama_bpe.json fixtures
wrapped with tokenizer_config.json files written below. Each case loads a fresh tokenizer from a
directory holding tokenizer.json + tokenizer_config.json + special_tokens_map.json, runs optional
setup steps (add_tokens, add_special_tokens, attribute sets), then one operation, and records
its result (or the exception). Writes api/cases.json; also runs the script snippets of
api/scripts/*.py under real Python and records their printed output in api/scripts.json.
"""
import contextlib, glob, io, json, os, shutil, sys, tempfile, traceback
import numpy as np
import torch
from transformers import AutoTokenizer, PreTrainedTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "api")
HUB = os.path.join(os.environ.get("HF_HOME", "/work/notes/hf"), "hub", "models--sentence-transformers--all-MiniLM-L6-v2")


def minilm_files():
    ref = open(os.path.join(HUB, "refs", "main")).read().strip()
    snap = os.path.join(HUB, "snapshots", ref)
    cfg = json.load(open(os.path.join(snap, "tokenizer_config.json")))
    stm = json.load(open(os.path.join(snap, "special_tokens_map.json")))
    return cfg, stm


MINILM_CFG, MINILM_MAP = minilm_files()
TOKENIZERS = {
    "minilm": {"tokenizer_json": "all-MiniLM-L6-v2.json", "config": MINILM_CFG, "special_tokens_map": MINILM_MAP},
    "roberta": {
        "tokenizer_json": "roberta.json",
        "config": {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>",
                   "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<|endoftext|>", "pad_token": "<pad>",
                   "mask_token": "<mask>", "model_max_length": 24, "padding_side": "right", "truncation_side": "right",
                   "clean_up_tokenization_spaces": True, "model_input_names": ["input_ids", "attention_mask"]},
        "special_tokens_map": {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>"},
    },
    "llama": {
        "tokenizer_json": "llama_bpe.json",
        "config": {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>",
                   "unk_token": "<unk>", "padding_side": "left", "truncation_side": "left",
                   "clean_up_tokenization_spaces": False, "model_input_names": ["input_ids", "attention_mask"],
                   "chat_template": "{% for m in messages %}{{ m['content'] }}{% endfor %}"},
        "special_tokens_map": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
    },
}


def make_dir(name, root):
    spec = TOKENIZERS[name]
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    shutil.copy(os.path.join(HERE, spec["tokenizer_json"]), os.path.join(d, "tokenizer.json"))
    json.dump(spec["config"], open(os.path.join(d, "tokenizer_config.json"), "w"))
    json.dump(spec["special_tokens_map"], open(os.path.join(d, "special_tokens_map.json"), "w"))
    return d


def plain(v):
    """Python values as JSON: tuples become lists, tensors and arrays carry shape and dtype."""
    if isinstance(v, torch.Tensor):
        return {"tensor": v.tolist(), "shape": list(v.shape), "dtype": str(v.dtype)}
    if isinstance(v, np.ndarray):
        return {"array": v.tolist(), "shape": list(v.shape), "dtype": str(v.dtype)}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    return v


def describe(enc):
    out = {"keys": list(enc.keys()), "values": {k: plain(v) for k, v in enc.items()}}
    if enc.encodings:
        out["tokens"] = [e.tokens for e in enc.encodings]
        out["word_ids"] = [enc.word_ids(i) for i in range(len(enc.encodings))]
        out["sequence_ids"] = [enc.sequence_ids(i) for i in range(len(enc.encodings))]
        probes = []
        for b in range(len(enc.encodings)):
            for c in range(0, 14, 3):
                probes.append([b, c, enc.char_to_token(b, c)])
        out["char_to_token"] = probes
    return out


TEXT = "Hello world, how are you?"
TEXTS = ["Hello world", "The quick brown fox jumps over the lazy dog.", "a"]
PAIRS = ["How old are you?", "Fine", "the second sequence is rather long for a pair"]
LONG = "New York is a big city. It doesn't sleep, and it's loud! <mask> x <code>print(1)</code> Ünïcödé 日本語 😀"

CALLS = [
    {"text": TEXT},
    {"text": TEXT, "return_tensors": "pt"},
    {"text": TEXT, "return_tensors": "np"},
    {"text": TEXTS},
    {"text": TEXTS, "padding": True},
    {"text": TEXTS, "padding": "longest", "padding_side": "left"},
    {"text": TEXTS, "padding": "max_length", "max_length": 16},
    {"text": TEXTS, "padding": True, "pad_to_multiple_of": 8},
    {"text": TEXTS, "padding": True, "return_tensors": "pt", "return_attention_mask": False},
    {"text": TEXTS, "padding": True, "truncation": True, "max_length": 6, "return_tensors": "pt"},
    {"text": TEXT, "text_pair": "And you?"},
    {"text": TEXTS, "text_pair": PAIRS, "padding": True, "return_token_type_ids": True},
    {"text": TEXTS, "text_pair": PAIRS, "truncation": "only_first", "max_length": 12},
    {"text": TEXTS, "text_pair": PAIRS, "truncation": "only_second", "max_length": 12},
    {"text": TEXTS, "text_pair": PAIRS, "truncation": "longest_first", "max_length": 10, "padding": "max_length"},
    {"text": LONG, "truncation": True, "max_length": 10, "stride": 3, "return_overflowing_tokens": True},
    {"text": [LONG, TEXT], "truncation": True, "max_length": 9, "stride": 2, "return_overflowing_tokens": True,
     "padding": True, "return_offsets_mapping": True, "return_special_tokens_mask": True},
    {"text": LONG, "text_pair": TEXT, "truncation": "only_first", "max_length": 20, "stride": 4, "return_overflowing_tokens": True},
    {"text": LONG, "max_length": 8},
    {"text": LONG, "truncation": True},
    {"text": LONG, "return_offsets_mapping": True, "return_special_tokens_mask": True, "return_length": True},
    {"text": LONG, "add_special_tokens": False, "return_offsets_mapping": True},
    {"text": ["Hello", "world", "!"], "is_split_into_words": True, "return_offsets_mapping": True},
    {"text": [["Hello", "world"], ["New", "York", "city", "😀"]], "is_split_into_words": True, "padding": True},
    {"text": ["Hello", "world"], "text_pair": ["second", "part"], "is_split_into_words": True},
    {"text": TEXTS, "padding": True, "return_tensors": "pt", "return_offsets_mapping": True, "return_length": True},
    {"text": TEXTS, "return_tensors": "pt"},
    {"text": "", "return_tensors": "pt"},
    {"text": TEXTS, "padding": "max_length"},
    {"text": TEXTS, "text_pair": "not a list"},
]

DECODE_IDS = {
    "minilm": [101, 7592, 1010, 2088, 999, 2009, 1005, 1055, 1037, 3231, 1012, 102, 0, 0],
    "roberta": [704, 51, 61, 44, 9, 705, 706],
    "llama": [1, 30, 40, 50, 60, 2],
}


def ops_for(name):
    ids = DECODE_IDS[name]
    ops = [{"op": "call", "kwargs": c} for c in CALLS]
    ops += [
        {"op": "decode", "ids": ids, "kwargs": {}},
        {"op": "decode", "ids": ids, "kwargs": {"skip_special_tokens": True}},
        {"op": "decode", "ids": ids, "kwargs": {"clean_up_tokenization_spaces": True}},
        {"op": "decode", "ids": ids, "kwargs": {"clean_up_tokenization_spaces": False, "skip_special_tokens": True}},
        {"op": "batch_decode", "ids": [ids, ids[:3]], "kwargs": {"skip_special_tokens": True}},
        {"op": "decode_roundtrip", "text": LONG},
        {"op": "tokenize", "text": LONG, "kwargs": {}},
        {"op": "tokenize", "text": TEXT, "kwargs": {"pair": "And you?", "add_special_tokens": True}},
        {"op": "encode", "text": TEXT, "kwargs": {}},
        {"op": "encode", "text": TEXT, "kwargs": {"text_pair": "And you?", "add_special_tokens": False}},
        {"op": "encode", "text": LONG, "kwargs": {"max_length": 7, "truncation": True}},
        {"op": "convert_tokens_to_ids", "tokens": ["hello", "Hello", "[CLS]", "<s>", "zzzzqqq", "</s>"]},
        {"op": "convert_ids_to_tokens", "ids": ids, "kwargs": {}},
        {"op": "convert_ids_to_tokens", "ids": ids, "kwargs": {"skip_special_tokens": True}},
        {"op": "attributes"},
        {"op": "call", "setup": [["add_tokens", ["hellothere", "<new_tok>", "world"], False]],
         "kwargs": {"text": "say hellothere <new_tok> world", "return_offsets_mapping": True}},
        {"op": "call", "setup": [["add_tokens", ["<ctrl1>", "<ctrl2>"], True]],
         "kwargs": {"text": "a<ctrl1>b <ctrl2> c", "return_special_tokens_mask": True}},
        {"op": "call", "setup": [["add_special_tokens", {"pad_token": "<PADX>", "additional_special_tokens": ["<x1>", "<x2>"]}]],
         "kwargs": {"text": ["x <x1> y", "longer text <x2> here"], "padding": True}},
        {"op": "call", "setup": [["set", "pad_token", "</s>"], ["set", "padding_side", "left"]],
         "kwargs": {"text": TEXTS, "padding": True}},
        {"op": "call", "setup": [["set", "truncation_side", "left"]],
         "kwargs": {"text": TEXTS, "truncation": True, "max_length": 5}},
        {"op": "pad", "features": {"input_ids": [[5, 6, 7], [8]]}, "kwargs": {}},
        {"op": "pad", "features": [{"input_ids": [5, 6, 7], "token_type_ids": [0, 0, 0]}, {"input_ids": [8], "token_type_ids": [0]}],
         "kwargs": {"padding": "max_length", "max_length": 6, "padding_side": "left", "return_tensors": "pt"}},
        {"op": "pad", "features": {"input_ids": [5, 6, 7]}, "kwargs": {"padding": "max_length", "max_length": 5}},
        {"op": "pad", "features": {"input_ids": [[5, 6, 7], [8]], "special_tokens_mask": [[1, 0, 1], [0]]},
         "kwargs": {"pad_to_multiple_of": 4, "return_attention_mask": False}},
        {"op": "pad", "features": {"attention_mask": [[1]]}, "kwargs": {}},
    ]
    if name == "llama":
        # llama has no pad token: the first padded call records the error, the rest pad with </s>.
        first = True
        for op in ops:
            padded = op["op"] == "pad" or op.get("kwargs", {}).get("padding") not in (None, False)
            if padded and not first and not op.get("setup"):
                op["setup"] = [["set", "pad_token", "</s>"]]
            first = first and not padded
    return ops


def run_setup(tok, setup):
    for step in setup or []:
        if step[0] == "add_tokens":
            step.append(tok.add_tokens(step[1], special_tokens=step[2]))
        elif step[0] == "add_special_tokens":
            step.append(tok.add_special_tokens(step[1]))
        elif step[0] == "set":
            setattr(tok, step[1], step[2])


def run(tok, op):
    kind = op["op"]
    if kind == "call":
        kw = dict(op["kwargs"])
        return describe(tok(**kw))
    if kind == "decode":
        return tok.decode(op["ids"], **op["kwargs"])
    if kind == "batch_decode":
        return tok.batch_decode(op["ids"], **op["kwargs"])
    if kind == "decode_roundtrip":
        ids = tok(op["text"])["input_ids"]
        return [tok.decode(ids), tok.decode(ids, skip_special_tokens=True)]
    if kind == "tokenize":
        return tok.tokenize(op["text"], **op["kwargs"])
    if kind == "encode":
        return tok.encode(op["text"], **op["kwargs"])
    if kind == "convert_tokens_to_ids":
        return [tok.convert_tokens_to_ids(op["tokens"]), tok.convert_tokens_to_ids(op["tokens"][0])]
    if kind == "convert_ids_to_tokens":
        return [tok.convert_ids_to_tokens(op["ids"], **op["kwargs"]), tok.convert_ids_to_tokens(op["ids"][1])]
    if kind == "attributes":
        out = {n: getattr(tok, n) for n in ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]}
        out.update({n + "_id": getattr(tok, n + "_id") for n in ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]})
        out.update({"all_special_tokens": tok.all_special_tokens, "all_special_ids": tok.all_special_ids,
                    "special_tokens_map": tok.special_tokens_map, "model_max_length": tok.model_max_length,
                    "padding_side": tok.padding_side, "truncation_side": tok.truncation_side,
                    "vocab_size": tok.vocab_size, "len": len(tok), "model_input_names": tok.model_input_names,
                    "clean_up_tokenization_spaces": tok.clean_up_tokenization_spaces})
        return out
    if kind == "pad":
        return describe(tok.pad(op["features"], **op["kwargs"]))
    raise ValueError(kind)


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    with tempfile.TemporaryDirectory() as root:
        for name in TOKENIZERS:
            d = make_dir(name, root)
            for op in ops_for(name):
                tok = AutoTokenizer.from_pretrained(d)
                op = json.loads(json.dumps(op))
                case = {"tokenizer": name, **op}
                try:
                    run_setup(tok, case.get("setup"))
                    case["expected"] = run(tok, op)
                except BaseException as e:  # the error is the expected outcome (a Rust panic is a BaseException)
                    if isinstance(e, KeyboardInterrupt):
                        raise
                    case["error"] = {"type": type(e).__name__, "message": str(e)}
                cases.append(case)
            # save_pretrained round trip: what transformers reloads from its own save equals the original.
            tok = AutoTokenizer.from_pretrained(d)
            tok.add_tokens(["<saved_tok>"])
            out = os.path.join(root, name + "-saved")
            tok.save_pretrained(out)
            again = AutoTokenizer.from_pretrained(out)
            assert again("x <saved_tok> " + LONG)["input_ids"] == tok("x <saved_tok> " + LONG)["input_ids"]
    specs = {k: {kk: vv for kk, vv in v.items()} for k, v in TOKENIZERS.items()}
    json.dump({"tokenizers": specs, "cases": cases}, open(os.path.join(OUT, "cases.json"), "w"), ensure_ascii=False, separators=(",", ":"))
    print(len(cases), "cases")
    run_scripts()


def run_scripts(folder="scripts", output="scripts.json"):
    """Runs each api/FOLDER/*.py under Python and records stdout (errors included) in api/OUTPUT."""
    results = {}
    for path in sorted(glob.glob(os.path.join(OUT, folder, "*.py"))):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            try:
                exec(compile(open(path).read(), path, "exec"), {"__name__": "__main__"})
            except Exception as e:
                print(f"{type(e).__name__}: {e}")
        results[os.path.basename(path)] = buf.getvalue()
    with open(os.path.join(OUT, output), "w") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
    print(len(results), "scripts")


def check_saved(dirs):
    """Loads directories written by the Swift save_pretrained (AutoTokenizerTests leaves them in
    /tmp/apus-auto-<pid>-saved-<name>) with transformers and checks they tokenize like the
    original plus the added token: `generate_api.py --check-saved DIR...`."""
    with tempfile.TemporaryDirectory() as root:
        for d in dirs:
            name = os.path.basename(d.rstrip("/")).split("-saved-")[-1]
            original = AutoTokenizer.from_pretrained(make_dir(name, root))
            original.add_tokens(["<saved_tok>"])
            saved = AutoTokenizer.from_pretrained(d)
            for text in ["x <saved_tok> y", LONG, TEXT]:
                assert saved(text, text_pair=TEXT).data == original(text, text_pair=TEXT).data, (d, text)
            assert saved.special_tokens_map == original.special_tokens_map, d
            assert saved.model_max_length == original.model_max_length, d
            assert saved.padding_side == original.padding_side and saved.truncation_side == original.truncation_side, d
            print("transformers loads", d, "and tokenizes as the original")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check-saved"]:
        check_saved(sys.argv[2:])
    else:
        main()

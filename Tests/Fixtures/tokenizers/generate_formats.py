"""Builds fixtures for the ways a tokenizer arrives other than tokenizer.json, with the real
`transformers`, `tokenizers`, `sentencepiece`, `gguf` and `tiktoken` packages.

Run: HF_HUB_OFFLINE=1 HF_HOME=/work/notes/hf /root/apus-ref/bin/python Tests/Fixtures/tokenizers/generate_formats.py

Writes into formats/:
- tiny.gguf (+ tiny.gguf.expected.json): a small GGUF written by the `gguf` package with every
  metadata value type, nested arrays and a few tensors, and what `gguf.GGUFReader` reads back.
- smollm2_gguf.expected.json: what transformers' fast tokenizer gives for the real SmolLM2 GGUF
  (`AutoTokenizer.from_pretrained(dir, gguf_file=...)`) on corpus.txt.
- spm_llama.gguf: a SentencePiece-style ("llama") vocabulary trained here, embedded in a GGUF.
- bert/ (vocab.txt + tokenizer_config.json), gpt2/ and roberta/ (vocab.json + merges.txt),
  llama/ and t5/ (tokenizer.model), tiktoken/ (a .tiktoken file + tokenizer_config.json), each
  with <name>.expected.json: transformers' ids, tokens, offsets and decoded text on the corpus.
"""
import base64, json, os, shutil, sys
import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "formats")
LINES = [l.rstrip("\n") for l in open(os.path.join(HERE, "corpus.txt"), encoding="utf-8")]
EXTRA = ["", " ", "  leading and trailing  ", "tab\there", "multi\n\nline\r\ntext", "e\u0301", "a" * 60,
         "<s>Hello</s> <unk> [CLS] x [SEP] <|endoftext|>", "<extra_id_0> fill <extra_id_1>", "<|fim|>x<|endoftext|>",
         "<think>why</think> 12345678 don't", "a [MASK] b <sp>  c the quick fox x", "use <tool> then <ctrl> ok"]
TEXTS = LINES + EXTRA


def smollm2_dir():
    home = os.environ.get("HF_HOME", os.path.expanduser("~/.cache/huggingface"))
    repo = os.path.join(home, "hub", "models--HuggingFaceTB--SmolLM2-135M-Instruct")
    rev = open(os.path.join(repo, "refs", "main")).read().strip()
    return os.path.join(repo, "snapshots", rev)


def record(tok, name, extra=None):
    """transformers' outputs for every text: ids with and without special tokens, tokens (as
    the encoding has them, and as ids map back to tokens), offsets (fast tokenizers give them), decoded text with and without special tokens."""
    cases = []
    for text in TEXTS:
        enc = tok(text, return_offsets_mapping=True)
        plain = tok(text, add_special_tokens=False)
        ids = enc["input_ids"]
        cases.append({
            "text": text, "ids": ids, "tokens": enc.tokens(),
            "offsets": [list(o) for o in enc["offset_mapping"]], "ids_no_special": plain["input_ids"],
            "decoded": tok.decode(ids), "decoded_skip": tok.decode(ids, skip_special_tokens=True),
        })
        # Fields equal to another are left out to keep the fixtures small (the test falls back).
        if cases[-1]["ids_no_special"] == ids:
            del cases[-1]["ids_no_special"]
        if cases[-1]["decoded_skip"] == cases[-1]["decoded"]:
            del cases[-1]["decoded_skip"]
        id_tokens = tok.convert_ids_to_tokens(ids)
        if id_tokens != cases[-1]["tokens"]:  # only where they differ (an unknown's id maps to <unk>)
            cases[-1]["id_tokens"] = id_tokens
    pair = tok(LINES[0], LINES[1])["input_ids"]
    out = {"class": type(tok).__name__, "vocab_size": len(tok), "bos_token": tok.bos_token, "eos_token": tok.eos_token,
           "unk_token": tok.unk_token, "pad_token": tok.pad_token, "pair": {"a": LINES[0], "b": LINES[1], "ids": pair},
           "cases": cases}
    if extra:
        out.update(extra)
    with open(os.path.join(OUT, name + ".expected.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------- GGUF reader fixture

def tiny_gguf():
    import gguf
    path = os.path.join(OUT, "tiny.gguf")
    w = gguf.GGUFWriter(path, arch="tiny")
    w.add_uint8("test.u8", 200)
    w.add_int8("test.i8", -100)
    w.add_uint16("test.u16", 60000)
    w.add_int16("test.i16", -30000)
    w.add_uint32("test.u32", 4_000_000_000)
    w.add_int32("test.i32", -2_000_000_000)
    w.add_float32("test.f32", 0.1)
    w.add_bool("test.bool", True)
    w.add_string("test.string", "héllo wörld 🙂")
    w.add_uint64("test.u64", 18_000_000_000_000_000_000)
    w.add_int64("test.i64", -9_000_000_000_000_000_000)
    w.add_float64("test.f64", 3.141592653589793)
    w.add_array("test.array_int", [1, 2, 3, -4])
    w.add_array("test.array_float", [0.5, -1.25])
    w.add_array("test.array_string", ["a", "", "ü"])
    w.add_array("test.array_nested", [[1, 2], [3]])
    rng = np.random.default_rng(0)
    w.add_tensor("weight.f32", rng.standard_normal((2, 3)).astype(np.float32))
    w.add_tensor("bias.f16", np.arange(5, dtype=np.float16))
    q = rng.integers(0, 256, size=(2, 34), dtype=np.uint8)  # two rows of one Q8_0 block each
    w.add_tensor("proj.q8_0", q, raw_shape=(2, 34), raw_dtype=gguf.GGMLQuantizationType.Q8_0)
    w.add_tensor("scalar.i32", np.array([7], dtype=np.int32))
    w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()

    r = gguf.GGUFReader(path)
    meta = {}
    for field in r.fields.values():
        if field.name.startswith("GGUF."):
            continue
        types = [int(t) for t in field.types]
        meta[field.name] = {"types": types, "value": field.contents()}
    # The reader's contents() flattens nested arrays; what was written is the truth there.
    meta["test.array_nested"]["value"] = [[1, 2], [3]]
    tensors = [{"name": t.name, "dims": [int(d) for d in t.shape], "type": int(t.tensor_type),
                "offset": int(t.data_offset) - int(r.data_offset) if hasattr(r, "data_offset") else None,
                "bytes": bytes(np.asarray(t.data).tobytes()).hex()} for t in r.tensors]
    json.dump({"version": 3, "alignment": 32, "metadata_keys": [k for k in meta], "metadata": meta,
               "tensors": tensors, "data_offset": int(r.data_offset) if hasattr(r, "data_offset") else None},
              open(path + ".expected.json", "w"), ensure_ascii=False, indent=0)


def smollm2_gguf():
    from transformers import AutoTokenizer
    d = smollm2_dir()
    tok = AutoTokenizer.from_pretrained(d, gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf")
    import gguf
    r = gguf.GGUFReader(os.path.join(d, "SmolLM2-135M-Instruct.Q4_1.gguf"))
    tensors = [{"name": t.name, "dims": [int(x) for x in t.shape], "type": int(t.tensor_type),
                "bytes": int(t.n_bytes), "head": bytes(np.asarray(t.data).tobytes()[:16]).hex()} for t in r.tensors[:6]]
    record(tok, "smollm2_gguf", {"chat_template": tok.chat_template, "add_bos_token": bool(getattr(tok, "add_bos_token", False)),
                                 "tensor_count": len(r.tensors), "first_tensors": tensors,
                                 "metadata_count": len([f for f in r.fields if not f.startswith("GGUF.")])})


# ---------------------------------------------------------------- files without tokenizer.json

def fresh(name):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)


def bert():
    """A WordPiece vocabulary trained on the corpus, as vocab.txt, with a lower-casing config."""
    from tokenizers import BertWordPieceTokenizer
    from transformers import AutoTokenizer
    d = fresh("bert")
    trainer = BertWordPieceTokenizer(lowercase=True, strip_accents=None)
    trainer.train_from_iterator(LINES * 3, vocab_size=600, min_frequency=1)
    # The trainer breaks ties between equally frequent pairs differently from run to run, so a
    # rerun may give another (equally valid) vocabulary; its expected file is rewritten with it.
    # Specials first, then the rest sorted, so the ids do not depend on hash order too.
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as f:
        for token in specials + sorted(set(trainer.get_vocab()) - set(specials)):
            f.write(token + "\n")
    write_json(os.path.join(d, "tokenizer_config.json"),
               {"tokenizer_class": "BertTokenizer", "do_lower_case": True, "tokenize_chinese_chars": True,
                "strip_accents": None, "model_max_length": 512})
    record(AutoTokenizer.from_pretrained(d), "bert")
    # The same vocabulary, cased: do_lower_case decides lower-casing and accent stripping.
    c = fresh("bert_cased")
    shutil.copy(os.path.join(d, "vocab.txt"), c)
    # With added_tokens_decoder as saved configs carry it: flags on a special token, a new
    # normalized token and a new special one after the vocabulary.
    def added(content, special, **flags):
        return dict({"content": content, "lstrip": False, "rstrip": False, "single_word": False,
                     "normalized": not special, "special": special}, **flags)
    n = len(trainer.get_vocab())
    write_json(os.path.join(c, "tokenizer_config.json"), {
        "tokenizer_class": "BertTokenizer", "do_lower_case": False,
        "added_tokens_decoder": {"4": added("[MASK]", True, lstrip=True), str(n): added("quick fox", False),
                                 str(n + 1): added("<sp>", True, rstrip=True)}})
    record(AutoTokenizer.from_pretrained(c), "bert_cased")


def byte_level_bpe(name, tokenizer_class, extra_config):
    """A byte-level BPE vocabulary trained on the corpus, as vocab.json + merges.txt."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import AutoTokenizer
    d = fresh(name)
    trainer = ByteLevelBPETokenizer()
    specials = ["<|endoftext|>"] if tokenizer_class == "GPT2Tokenizer" else ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    trainer.train_from_iterator(LINES * 3, vocab_size=700, min_frequency=1, special_tokens=specials)
    trainer.save_model(d)
    write_json(os.path.join(d, "tokenizer_config.json"), dict({"tokenizer_class": tokenizer_class}, **extra_config))
    record(AutoTokenizer.from_pretrained(d), name)


def gpt2():
    byte_level_bpe("gpt2", "GPT2Tokenizer", {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
                                            "unk_token": "<|endoftext|>"})


def roberta():
    byte_level_bpe("roberta", "RobertaTokenizer", {})


def train_spm(prefix, model_type, vocab_size, **options):
    import sentencepiece as spm
    # Coverage below 1 leaves the rarest characters out, so byte fallback and <unk> get used.
    spm.SentencePieceTrainer.train(sentence_iterator=iter(LINES * 3), model_prefix=prefix, model_type=model_type,
                                   vocab_size=vocab_size, character_coverage=0.98, num_threads=1, seed_sentencepiece_size=100000,
                                   minloglevel=2, **options)
    os.remove(prefix + ".vocab")


def llama():
    """A SentencePiece BPE model with byte fallback, loaded as Llama loads tokenizer.model."""
    from transformers import AutoTokenizer
    d = fresh("llama")
    train_spm(os.path.join(d, "tokenizer"), "bpe", 700, byte_fallback=True, split_digits=True,
              allow_whitespace_only_pieces=True, remove_extra_whitespaces=False, normalization_rule_name="identity",
              unk_id=0, bos_id=1, eos_id=2)
    write_json(os.path.join(d, "tokenizer_config.json"), {"tokenizer_class": "LlamaTokenizer"})
    record(AutoTokenizer.from_pretrained(d), "llama")


def llama_legacy():
    """A SentencePiece BPE with a user-defined and a control piece, loaded with a config that
    asks for BOS and EOS and the legacy prefix-space behaviour (Metaspace prepending to every
    section)."""
    from transformers import AutoTokenizer
    d = fresh("llama_legacy")
    train_spm(os.path.join(d, "tokenizer"), "bpe", 600, byte_fallback=True, user_defined_symbols=["<tool>"],
              control_symbols=["<ctrl>"], normalization_rule_name="identity", unk_id=0, bos_id=1, eos_id=2)
    write_json(os.path.join(d, "tokenizer_config.json"),
               {"tokenizer_class": "LlamaTokenizer", "add_bos_token": True, "add_eos_token": True, "legacy": True})
    record(AutoTokenizer.from_pretrained(d), "llama_legacy")


def t5():
    """A SentencePiece Unigram model with the default nmt_nfkc normalizer, loaded as T5 loads
    spiece.model (100 extra ids appended)."""
    from transformers import AutoTokenizer
    d = fresh("t5")
    # NFKC rules for just the characters the texts use (the full nmt_nfkc map is 240 KB): a
    # small compiled charsmap that still exercises the Precompiled normalizer.
    import unicodedata
    rules = os.path.join(d, "rules.tsv")
    chars = sorted({c for t in TEXTS for c in t})
    with open(rules, "w", encoding="utf-8") as f:
        for c in chars:
            n = unicodedata.normalize("NFKC", c)
            if n != c and n:
                f.write(" ".join("%X" % ord(x) for x in c) + "\t" + " ".join("%X" % ord(x) for x in n) + "\n")
    train_spm(os.path.join(d, "spiece"), "unigram", 400, pad_id=0, eos_id=1, unk_id=2, bos_id=-1,
              normalization_rule_tsv=rules)
    os.remove(rules)
    write_json(os.path.join(d, "tokenizer_config.json"), {"tokenizer_class": "T5Tokenizer"})
    record(AutoTokenizer.from_pretrained(d), "t5")


def llama_gguf():
    """The SentencePiece vocabulary of llama/ embedded in a GGUF as llama.cpp writes one
    (tokens, scores, token types, special ids, no merges), loaded with gguf_file=."""
    import gguf, sentencepiece as spm
    from transformers import AutoTokenizer
    sp = spm.SentencePieceProcessor(model_file=os.path.join(OUT, "llama", "tokenizer.model"))
    d = fresh("llama_gguf")
    w = gguf.GGUFWriter(os.path.join(d, "tiny-llama.gguf"), arch="llama")
    w.add_tokenizer_model("llama")
    w.add_token_list([sp.id_to_piece(i) for i in range(sp.get_piece_size())])
    w.add_token_scores([sp.get_score(i) for i in range(sp.get_piece_size())])
    types = []
    for i in range(sp.get_piece_size()):
        types.append(2 if sp.is_unknown(i) else 3 if sp.is_control(i) else 6 if sp.is_byte(i) else 1)
    w.add_token_types(types)
    w.add_bos_token_id(sp.bos_id()); w.add_eos_token_id(sp.eos_id()); w.add_unk_token_id(sp.unk_id())
    w.add_add_bos_token(True); w.add_add_eos_token(False)
    w.add_chat_template("{% for m in messages %}{{ m['content'] }}{% endfor %}")
    w.add_tensor("token_embd.weight", np.zeros((sp.get_piece_size(), 2), dtype=np.float32))
    w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
    tok = AutoTokenizer.from_pretrained(d, gguf_file="tiny-llama.gguf")
    record(tok, "llama_gguf", {"chat_template": tok.chat_template, "add_bos_token": bool(getattr(tok, "add_bos_token", False))})


def gpt2_gguf():
    """The byte-level BPE of gpt2/ embedded in a GGUF with a Llama-3 style `tokenizer.ggml.pre`
    (so transformers swaps in its regex split), a control token and a user-defined token."""
    import gguf
    from transformers import AutoTokenizer
    vocab = json.load(open(os.path.join(OUT, "gpt2", "vocab.json"), encoding="utf-8"))
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])] + ["<|fim|>", "<think>"]
    merges = [l.rstrip("\n") for l in open(os.path.join(OUT, "gpt2", "merges.txt"), encoding="utf-8") if not l.startswith("#version")]
    types = [3 if t in ("<|endoftext|>", "<|fim|>") else 4 if t == "<think>" else 1 for t in tokens]
    d = fresh("gpt2_gguf")
    w = gguf.GGUFWriter(os.path.join(d, "tiny-gpt2.gguf"), arch="llama")
    w.add_tokenizer_model("gpt2"); w.add_tokenizer_pre("llama-bpe")
    w.add_token_list(tokens); w.add_token_types(types); w.add_token_merges(merges)
    w.add_bos_token_id(0); w.add_eos_token_id(len(tokens) - 2)
    w.add_add_bos_token(True)
    w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
    tok = AutoTokenizer.from_pretrained(d, gguf_file="tiny-gpt2.gguf")
    record(tok, "gpt2_gguf", {"add_bos_token": bool(getattr(tok, "add_bos_token", False))})


def t5_gguf():
    """The Unigram vocabulary of t5/ in a GGUF as llama.cpp writes T5 (tokenizer model "t5",
    sentinels as [PAD<n>] placeholders after the pieces, add_eos_token set)."""
    import gguf, sentencepiece as spm
    from transformers import AutoTokenizer
    sp = spm.SentencePieceProcessor(model_file=os.path.join(OUT, "t5", "spiece.model"))
    n = sp.get_piece_size()
    tokens = [sp.id_to_piece(i) for i in range(n)] + ["[PAD%d]" % i for i in range(n, n + 100)]
    scores = [sp.get_score(i) for i in range(n)] + [0.0] * 100
    types = [2 if sp.is_unknown(i) else 3 if sp.is_control(i) else 1 for i in range(n)] + [4] * 100
    d = fresh("t5_gguf")
    w = gguf.GGUFWriter(os.path.join(d, "tiny-t5.gguf"), arch="t5")
    w.add_tokenizer_model("t5")
    w.add_token_list(tokens); w.add_token_scores(scores); w.add_token_types(types)
    w.add_eos_token_id(sp.eos_id()); w.add_unk_token_id(sp.unk_id()); w.add_pad_token_id(sp.pad_id())
    w.add_add_bos_token(False); w.add_add_eos_token(True)
    w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
    record(AutoTokenizer.from_pretrained(d, gguf_file="tiny-t5.gguf"), "t5_gguf")


def tiktoken_files():
    """tiktoken rank files (base64 token, space, rank per line) made from a byte-level BPE
    trained on the corpus, converted as transformers converts them, with the cl100k-style split
    pattern (its default) and an o200k-style one, and extra special tokens after the ranks."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import TikTokenConverter, bytes_to_unicode
    from transformers.integrations.gguf.gguf_tokenizer_mapping import _GPT4O_SPLIT
    d = fresh("tiktoken")
    trainer = ByteLevelBPETokenizer()
    trainer.train_from_iterator(LINES * 3, vocab_size=700, min_frequency=1)
    decode = {c: b for b, c in bytes_to_unicode().items()}
    ranks = sorted(trainer.get_vocab().items(), key=lambda kv: kv[1])
    path = os.path.join(d, "tokenizer.tiktoken")
    with open(path, "w") as f:
        for token, rank in ranks:
            f.write(base64.b64encode(bytes(decode[c] for c in token)).decode() + " " + str(rank) + "\n")
    specials = ["<|endoftext|>", "<|fim|>"]
    write_json(os.path.join(d, "tokenizer_config.json"), {"extra_special_tokens": specials})
    for name, pattern in [("tiktoken", None), ("tiktoken_o200k", _GPT4O_SPLIT)]:
        kwargs = {"pattern": pattern} if pattern else {}
        backend = TikTokenConverter(vocab_file=path, extra_special_tokens=specials, **kwargs).converted()
        tok = PreTrainedTokenizerFast(tokenizer_object=backend)
        record(tok, name, {"pattern": pattern})


def unicode_scripts():
    """The Unicode Script property as a run-length table for the UnicodeScripts pre-tokenizer
    (Sources/Tokenizers/UnicodeScriptTable.swift: run starts and script numbers, from the `regex`
    package's Unicode data), and what `tokenizers`' UnicodeScripts gives on the texts."""
    import regex, regex._regex_core as core
    from tokenizers import pre_tokenizers
    numbers = {}
    for name, value in core.PROPERTIES["SCRIPT"][1].items():
        numbers.setdefault(value, name)
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    script = [0] * 0x110000
    for value, name in numbers.items():
        if value == 0:
            continue
        for m in regex.finditer(r"\p{Script=%s}+" % name, everything):
            for ch in m.group():
                script[ord(ch)] = value
    starts, values = [], []
    for c in range(0x110000):
        if not values or script[c] != values[-1]:
            starts.append(c); values.append(script[c])
    path = os.path.join(HERE, "..", "..", "..", "Sources", "Tokenizers", "UnicodeScriptTable.swift")
    with open(path, "w") as f:
        f.write("// Generated by Tests/Fixtures/tokenizers/generate_formats.py (unicode_scripts) from the Unicode\n")
        f.write("// Script property; do not edit. Run starts and script numbers (0 = Unknown, 1 = Common).\n\n")
        f.write("/// The Unicode Script property of every code point, as runs: `starts[i]` is where run `i`\n")
        f.write("/// begins and `scripts[i]` its script number. Only equality of scripts matters to its users.\n")
        f.write("enum UnicodeScriptTable {\n")
        f.write("    static let starts: [UInt32] = [\n")
        for i in range(0, len(starts), 12):
            f.write("        " + ", ".join("0x%X" % x for x in starts[i:i + 12]) + ",\n")
        f.write("    ]\n    static let scripts: [UInt8] = [\n")
        for i in range(0, len(values), 24):
            f.write("        " + ", ".join(str(x) for x in values[i:i + 24]) + ",\n")
        f.write("    ]\n")
        han = core.PROPERTIES["SCRIPT"][1]
        f.write("    static let han: UInt8 = %d, hiragana: UInt8 = %d, katakana: UInt8 = %d\n" % (han["HAN"], han["HIRAGANA"], han["KATAKANA"]))
        f.write("}\n")
    pre = pre_tokenizers.UnicodeScripts()
    texts = TEXTS + ["abcабв日本語カタカナー한국어 123 !?", "  leading", "   ", "x  y", "ひらがなとカタカナー漢字", "a\u0301b c\u0308",
                     "ᎠᎡᎢ Ⰰ 𐌰𐌱 🙂x", "(Hello) [world]!"]
    cases = [{"text": t, "pieces": [[p, list(o)] for p, o in pre.pre_tokenize_str(t)]} for t in texts]
    json.dump({"cases": cases}, open(os.path.join(OUT, "unicode_scripts.expected.json"), "w", encoding="utf-8"),
              ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    steps = sys.argv[1:] or ["tiny_gguf", "smollm2_gguf", "bert", "gpt2", "roberta", "llama", "llama_legacy", "t5", "llama_gguf", "gpt2_gguf", "t5_gguf",
                             "tiktoken_files", "unicode_scripts"]
    for s in steps:
        globals()[s]()
        print("done", s)

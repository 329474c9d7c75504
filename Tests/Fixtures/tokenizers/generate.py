"""Builds the tokenizer fixtures with the real Hugging Face `tokenizers` library.

Run: HF_HUB_OFFLINE=1 /root/apus-ref/bin/python Tests/Fixtures/tokenizers/generate.py

Trains small tokenizers on corpus.txt so that together they use every pipeline component,
saves each tokenizer.json, and records what `tokenizers` returns for them (ids, tokens,
offsets, type ids, masks, word ids, overflow, decoded text) plus component-level outputs
(normalized strings, pre-tokenizer splits, decoder outputs).
"""
import glob, json, os, shutil
from tokenizers import Tokenizer, AddedToken, Regex, normalizers, pre_tokenizers, decoders, processors
from tokenizers.models import BPE, WordPiece, Unigram, WordLevel
from tokenizers.trainers import BpeTrainer, WordPieceTrainer, UnigramTrainer, WordLevelTrainer

HERE = os.path.dirname(os.path.abspath(__file__))
LINES = [l.rstrip("\n") for l in open(os.path.join(HERE, "corpus.txt"), encoding="utf-8")]
EXTRA = ["", " ", "   ", "a", "  leading and trailing  ", "\n\n", "New York is big", "NewYork new york",
         "x<mask>y <mask> z", "the<|endoftext|>end <|endoftext|>", "tab\there", "é", "e\u0301",
         "ABC İI ǅ ẞ", "<code>print(1)</code>", "ｶﾞｷﾞ ㌀ ｱ\u3099 Å\u0301 ﬃ ½ \u200b\u00ad x", "e\u0301\u0302\u0303\u0304\u0305 🇫🇷👨‍👩‍👧", "multi\n\nline\r\ntext", "12345 67 8", "...!?", "a" * 120]
FUZZ_ALPHABET = ["a", "Z", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u00ad", "\u200b", "\u200d", "\ufeff", "é", "e\u0301",
                 "\u0301", "\u0302\u0303", "ﬁ", "½", "Ａ", "ｶ", "ﾞ", "\u3099", "한", "\u1100", "\u1161", "\u11a8", "我", "日本", "カ",
                 "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "İ", "ß", "ẞ", "Σ", "'s", "'ll", "123", "4", ",", ".", "!?", "(", "<mask>",
                 "<code>", "</code>", "New York", "[CLS]", "<s>", "</s>", "<unk>", "▁", "Ġ", "##", "<0x41>", "𝔢", "ǅ"]


def fuzz_texts(n=20, seed=7):
    """Random mixtures of the characters every pipeline stage treats specially."""
    import random
    r = random.Random(seed)
    return ["".join(r.choice(FUZZ_ALPHABET) for _ in range(r.randint(1, 10))) for _ in range(n)]


TEXTS = LINES + EXTRA
GPT2_PATTERN = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3_PATTERN = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"


def corpus_iter():
    for _ in range(3):
        yield from LINES


def save(tok, name):
    tok.save(os.path.join(HERE, name + ".json"))
    return Tokenizer.from_file(os.path.join(HERE, name + ".json"))


def enc_dict(e):
    return {"ids": e.ids, "type_ids": e.type_ids, "tokens": e.tokens, "offsets": [list(o) for o in e.offsets],
            "special_tokens_mask": e.special_tokens_mask, "attention_mask": e.attention_mask,
            "word_ids": e.word_ids, "overflowing": [enc_dict(o) for o in e.overflowing]}


def byte_tokens():
    return [f"<0x{i:02X}>" for i in range(256)]


def add_to_vocab(path, extra, at_front=False):
    """Adds pieces to a model vocab (byte-fallback pieces), keeping ids dense."""
    d = json.load(open(path, encoding="utf-8"))
    vocab = d["model"]["vocab"]
    for t in extra:
        if t not in vocab:
            vocab[t] = len(vocab)
    json.dump(d, open(path, "w", encoding="utf-8"), ensure_ascii=False, indent=2)


def edit(path, fn, new_name):
    d = json.load(open(os.path.join(HERE, path + ".json"), encoding="utf-8"))
    fn(d)
    out = os.path.join(HERE, new_name + ".json")
    json.dump(d, open(out, "w", encoding="utf-8"), ensure_ascii=False, indent=2)
    return Tokenizer.from_file(out)


def build_tokenizers():
    toks = {}
    # GPT-2 style byte-level BPE.
    t = Tokenizer(BPE())
    t.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    t.decoder = decoders.ByteLevel()
    t.post_processor = processors.ByteLevel(trim_offsets=True)
    t.train_from_iterator(corpus_iter(), BpeTrainer(vocab_size=700, special_tokens=["<|endoftext|>"],
                                                    initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                                    show_progress=False))
    t.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True)])
    t.add_tokens([AddedToken("New York", single_word=True, normalized=False), AddedToken("<code>", rstrip=True),
                  AddedToken("</code>", lstrip=True, normalized=True)])
    toks["bpe_bytelevel"] = save(t, "bpe_bytelevel")
    # Same model, merges in the older "a b" string form.
    def legacy(d):
        d["model"]["merges"] = [" ".join(m) for m in d["model"]["merges"]]
    toks["bpe_bytelevel_legacy_merges"] = edit("bpe_bytelevel", legacy, "bpe_bytelevel_legacy_merges")
    # RoBERTa style processing.
    t = Tokenizer.from_file(os.path.join(HERE, "bpe_bytelevel.json"))
    t.add_special_tokens(["<s>", "</s>", "<pad>"])
    t.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    t.post_processor = processors.RobertaProcessing(("</s>", t.token_to_id("</s>")), ("<s>", t.token_to_id("<s>")),
                                                    trim_offsets=True, add_prefix_space=True)
    toks["roberta"] = save(t, "roberta")
    # Llama 3 / SmolLM style: regex Split + ByteLevel without regex, ignore_merges, digits, template.
    t = Tokenizer.from_file(os.path.join(HERE, "bpe_bytelevel.json"))
    t.add_special_tokens(["<|begin_of_text|>"])
    t.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False)])
    t.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|>:1 $B:1",
                                      special_tokens=[("<|begin_of_text|>", t.token_to_id("<|begin_of_text|>"))])])
    save(t, "llama3_style")
    def ignore(d):
        d["model"]["ignore_merges"] = True
    toks["llama3_style"] = edit("llama3_style", ignore, "llama3_style")

    # Llama 2 style: SentencePiece-like BPE with byte fallback through normalizers.
    t = Tokenizer(BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    t.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    t.train_from_iterator(corpus_iter(), BpeTrainer(vocab_size=500, special_tokens=["<unk>", "<s>", "</s>"],
                                                    limit_alphabet=120, show_progress=False))
    path = os.path.join(HERE, "llama_bpe.json")
    t.save(path)
    add_to_vocab(path, byte_tokens())
    t = Tokenizer.from_file(path)
    t.pre_tokenizer = None
    t.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    t.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                   decoders.Strip(content=" ", left=1, right=0)])
    t.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s>:1 $B:1",
                                                     special_tokens=[("<s>", 1)])
    toks["llama_bpe"] = save(t, "llama_bpe")
    # Newer Llama style: Metaspace pre-tokenizer and decoder instead of normalizers.
    t = Tokenizer.from_file(path)
    t.normalizer = None
    t.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    t.decoder = decoders.Sequence([decoders.Metaspace(replacement="▁", prepend_scheme="first", split=False),
                                   decoders.ByteFallback(), decoders.Fuse()])
    toks["llama_metaspace"] = save(t, "llama_metaspace")

    # BERT style WordPiece.
    t = Tokenizer(WordPiece(unk_token="[UNK]"))
    t.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True)
    t.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    t.decoder = decoders.WordPiece()
    t.train_from_iterator(corpus_iter(), WordPieceTrainer(vocab_size=900, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
                                                          show_progress=False))
    cls, sep = t.token_to_id("[CLS]"), t.token_to_id("[SEP]")
    t.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                                     special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    toks["bert_wordpiece"] = save(t, "bert_wordpiece")
    # Cased variant through a normalizer/pre-tokenizer Sequence and BertProcessing.
    t = Tokenizer.from_file(os.path.join(HERE, "bert_wordpiece.json"))
    t.normalizer = normalizers.Sequence([normalizers.NFD(), normalizers.StripAccents(), normalizers.NFKC(),
                                         normalizers.Replace(Regex(r"\s+"), " "), normalizers.Strip()])
    t.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(),
                                               pre_tokenizers.Digits(individual_digits=False)])
    t.post_processor = processors.BertProcessing(("[SEP]", sep), ("[CLS]", cls))
    t.decoder = decoders.WordPiece(prefix="##", cleanup=False)
    toks["bert_cased_sequence"] = save(t, "bert_cased_sequence")
    # A strip_accents + no-lowercase BertNormalizer with Whitespace pre-tokenizer.
    t = Tokenizer.from_file(os.path.join(HERE, "bert_wordpiece.json"))
    t.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=True, lowercase=False)
    t.pre_tokenizer = pre_tokenizers.Whitespace()
    toks["bert_strip_accents"] = save(t, "bert_strip_accents")

    # Unigram with Metaspace (T5 / ALBERT style).
    t = Tokenizer(Unigram())
    t.normalizer = normalizers.NFKC()
    t.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    t.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    t.train_from_iterator(corpus_iter(), UnigramTrainer(vocab_size=400, special_tokens=["<pad>", "</s>", "<unk>"],
                                                        unk_token="<unk>", show_progress=False))
    t.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B:1 </s>:1",
                                                     special_tokens=[("</s>", 1)])
    toks["unigram"] = save(t, "unigram")
    # Unigram with byte fallback and NFKD + Lowercase.
    def unigram_bytes(d):
        d["model"]["byte_fallback"] = True
        d["model"]["vocab"] += [[b, 0.0] for b in byte_tokens()]
        d["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFKD"}, {"type": "Lowercase"}]}
        d["decoder"] = {"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Fuse"},
                        {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}]}
    toks["unigram_byte_fallback"] = edit("unigram", unigram_bytes, "unigram_byte_fallback")
    # Unigram behind SentencePiece's compiled normalization rules (T5 / XLM-R conversions).
    import base64
    def unigram_precompiled(d):
        d["normalizer"] = {"type": "Sequence", "normalizers": [
            {"type": "Precompiled", "precompiled_charsmap": base64.b64encode(spm_charsmap("nmt_nfkc")).decode()},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]}
    toks["unigram_precompiled"] = edit("unigram", unigram_precompiled, "unigram_precompiled")

    # WordLevel with WhitespaceSplit.
    t = Tokenizer(WordLevel(unk_token="[UNK]"))
    t.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Lowercase()])
    t.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    t.train_from_iterator(corpus_iter(), WordLevelTrainer(vocab_size=300, special_tokens=["[UNK]", "[PAD]"], show_progress=False))
    toks["wordlevel"] = save(t, "wordlevel")

    # CLIP style: end_of_word_suffix, regex Split with invert, BPEDecoder.
    t = Tokenizer(BPE(end_of_word_suffix="</w>", unk_token="<|unk|>"))
    t.pre_tokenizer = pre_tokenizers.Whitespace()
    t.train_from_iterator(corpus_iter(), BpeTrainer(vocab_size=600, end_of_word_suffix="</w>", limit_alphabet=150,
                                                    special_tokens=["<|unk|>", "<|startoftext|>", "<|endoftext|>"], show_progress=False))
    t.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()])
    t.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"), behavior="removed", invert=True)])
    t.decoder = decoders.BPEDecoder(suffix="</w>")
    t.post_processor = processors.RobertaProcessing(("<|endoftext|>", 2), ("<|startoftext|>", 1), trim_offsets=False, add_prefix_space=False)
    toks["clip_bpe"] = save(t, "clip_bpe")

    # BPE with a continuing-subword prefix, CharDelimiterSplit and merged-with-previous Split.
    t = Tokenizer(BPE(continuing_subword_prefix="##", unk_token="[UNK]"))
    t.pre_tokenizer = pre_tokenizers.Whitespace()
    t.train_from_iterator(corpus_iter(), BpeTrainer(vocab_size=500, continuing_subword_prefix="##", limit_alphabet=100,
                                                    special_tokens=["[UNK]", "[PAD]"], show_progress=False))
    t.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.CharDelimiterSplit(" "),
                                               pre_tokenizers.Split(",", behavior="merged_with_previous"),
                                               pre_tokenizers.Punctuation(behavior="contiguous")])
    t.normalizer = normalizers.Sequence([normalizers.Strip(left=True, right=False), normalizers.Replace("\n", " ")])
    t.decoder = decoders.WordPiece(prefix="##")
    toks["bpe_subword_prefix"] = save(t, "bpe_subword_prefix")

    # The real all-MiniLM-L6-v2 tokenizer.
    src = glob.glob(os.path.expanduser("~/.cache/huggingface/hub/models--sentence-transformers--all-MiniLM-L6-v2/snapshots/*/tokenizer.json"))[0]
    shutil.copy(src, os.path.join(HERE, "all-MiniLM-L6-v2.json"))
    toks["all-MiniLM-L6-v2"] = Tokenizer.from_file(os.path.join(HERE, "all-MiniLM-L6-v2.json"))
    return toks


TRUNCATIONS = [
    {"max_length": 8, "stride": 0, "strategy": "longest_first", "direction": "right"},
    {"max_length": 10, "stride": 3, "strategy": "longest_first", "direction": "right"},
    {"max_length": 9, "stride": 2, "strategy": "only_first", "direction": "right"},
    {"max_length": 12, "stride": 1, "strategy": "only_second", "direction": "right"},
    {"max_length": 7, "stride": 2, "strategy": "longest_first", "direction": "left"},
]
PADDINGS = [
    {"direction": "right", "pad_to_multiple_of": None, "length": None},
    {"direction": "left", "pad_to_multiple_of": 8, "length": None},
    {"direction": "right", "pad_to_multiple_of": None, "length": 40},
]


def record(name, tok):
    tok = Tokenizer.from_str(tok.to_str())
    out = {"tokenizer": name + ".json", "cases": []}
    pad_name = "[PAD]" if tok.token_to_id("[PAD]") is not None else ("<pad>" if tok.token_to_id("<pad>") is not None else None)
    base = Tokenizer.from_str(tok.to_str())
    base.no_truncation(); base.no_padding()
    # The file's own truncation/padding blocks, as loaded.
    for t in (TEXTS if tok.truncation or tok.padding else []):
        e = tok.encode(t)
        out["cases"].append({"kind": "file_config", "text": t, "encoding": enc_dict(e)})
    for i, t in enumerate(TEXTS):
        e = base.encode(t)
        e_plain = base.encode(t, add_special_tokens=False)
        out["cases"].append({"kind": "single", "text": t, "encoding": enc_dict(e), "no_special": enc_dict(e_plain),
                             "decoded": base.decode(e.ids, skip_special_tokens=False),
                             "decoded_skip": base.decode(e.ids, skip_special_tokens=True)})
    for t in fuzz_texts():
        e = base.encode(t)
        out["cases"].append({"kind": "fuzz", "text": t, "encoding": enc_dict(e),
                             "decoded": base.decode(e.ids, skip_special_tokens=False)})
    for a, b in zip(TEXTS[::3], TEXTS[1::3]):
        out["cases"].append({"kind": "pair", "text": a, "pair": b, "encoding": enc_dict(base.encode(a, b))})
    for tr in TRUNCATIONS:
        t2 = Tokenizer.from_str(base.to_str())
        t2.enable_truncation(**tr)
        short = [t for t in TEXTS if 3 < len(t) < 45]
        for a, b in list(zip(short[0:8], short[8:16])):
            for pair in (None, b):
                try:
                    e = enc_dict(t2.encode(a, pair))
                    err = None
                except BaseException as ex:
                    e, err = None, str(ex)
                if e is not None and len(json.dumps(e)) > 60000:
                    continue  # a pair's overflow is the product of both sides' windows; keep the files small
                out["cases"].append({"kind": "truncation", "truncation": tr, "text": a, "pair": pair, "encoding": e, "error": err})
    if pad_name is not None:
        for pd in PADDINGS:
            t2 = Tokenizer.from_str(base.to_str())
            t2.enable_padding(direction=pd["direction"], pad_to_multiple_of=pd["pad_to_multiple_of"], length=pd["length"],
                              pad_id=tok.token_to_id(pad_name), pad_token=pad_name, pad_type_id=0)
            batch = TEXTS[5:11]
            out["cases"].append({"kind": "padding", "padding": dict(pd, pad_id=tok.token_to_id(pad_name), pad_token=pad_name),
                                 "batch": batch, "encodings": [enc_dict(e) for e in t2.encode_batch(batch)]})
            pairs = list(zip(TEXTS[12:16], TEXTS[0:4]))
            out["cases"].append({"kind": "padding", "padding": dict(pd, pad_id=tok.token_to_id(pad_name), pad_token=pad_name),
                                 "batch": [a for a, _ in pairs], "pairs": [b for _, b in pairs],
                                 "encodings": [enc_dict(e) for e in t2.encode_batch(pairs)]})
    json.dump(out, open(os.path.join(HERE, name + ".expected.json"), "w", encoding="utf-8"), ensure_ascii=False)


def safe_decode(d, tokens):
    try:
        return d.decode(tokens)
    except BaseException:  # the library panics on some inputs (Strip on a too-short token)
        return None


def read_varint(b, i):
    n = shift = 0
    while True:
        x = b[i]; i += 1
        n |= (x & 0x7F) << shift; shift += 7
        if x < 0x80:
            return n, i


def proto_field(b, wanted):
    """The bytes of length-delimited field `wanted` in a protobuf message (no protobuf package needed)."""
    i = 0
    while i < len(b):
        key, i = read_varint(b, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _, i = read_varint(b, i)
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        elif wire == 2:
            n, i = read_varint(b, i)
            if field == wanted:
                return b[i:i + n]
            i += n
        else:
            raise ValueError("unsupported wire type")
    return None


def spm_charsmap(rule):
    """Trains a tiny SentencePiece model with a normalization rule and returns its precompiled charsmap."""
    import sentencepiece as spm, tempfile
    with tempfile.TemporaryDirectory() as d:
        spm.SentencePieceTrainer.train(input=os.path.join(HERE, "corpus.txt"), model_prefix=os.path.join(d, "m"),
                                       vocab_size=400, normalization_rule_name=rule, minloglevel=2)
        model = open(os.path.join(d, "m.model"), "rb").read()
    return proto_field(proto_field(model, 3), 2)  # ModelProto.normalizer_spec.precompiled_charsmap


def components():
    """Single components on every text: normalizers, pre-tokenizers, decoders."""
    norms = [normalizers.BertNormalizer(), normalizers.BertNormalizer(lowercase=False, strip_accents=True, handle_chinese_chars=False, clean_text=False),
             normalizers.NFC(), normalizers.NFD(), normalizers.NFKC(), normalizers.NFKD(), normalizers.Lowercase(),
             normalizers.Strip(), normalizers.Strip(left=False, right=True), normalizers.Sequence([normalizers.NFD(), normalizers.StripAccents()]),
             normalizers.Replace("  ", "_"), normalizers.Replace(Regex(r"[0-9]+"), "<num>"), normalizers.Prepend("▁"),
             normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")]),
             normalizers.Precompiled(spm_charsmap("nmt_nfkc")), normalizers.Precompiled(spm_charsmap("nfkc_cf"))]
    pres = [pre_tokenizers.BertPreTokenizer(), pre_tokenizers.ByteLevel(add_prefix_space=False),
            pre_tokenizers.ByteLevel(add_prefix_space=True), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
            pre_tokenizers.Whitespace(), pre_tokenizers.WhitespaceSplit(),
            pre_tokenizers.Metaspace(prepend_scheme="always"), pre_tokenizers.Metaspace(prepend_scheme="first", split=False),
            pre_tokenizers.Metaspace(prepend_scheme="never"), pre_tokenizers.Punctuation(), pre_tokenizers.Punctuation(behavior="removed"),
            pre_tokenizers.Punctuation(behavior="merged_with_next"), pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.Digits(individual_digits=False), pre_tokenizers.CharDelimiterSplit("e"),
            pre_tokenizers.Split(Regex(GPT2_PATTERN), behavior="isolated"), pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated")]
    for b in ["removed", "isolated", "merged_with_previous", "merged_with_next", "contiguous"]:
        for inv in (False, True):
            pres.append(pre_tokenizers.Split(" ", behavior=b, invert=inv))
            pres.append(pre_tokenizers.Split(Regex(r"[,.!?]+|\s"), behavior=b, invert=inv))
    pres.append(pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Digits(individual_digits=True)]))
    out = {"texts": TEXTS, "normalizers": [], "pre_tokenizers": [], "decoders": []}
    for n in norms:
        cfg = json.loads(Tokenizer(BPE()).to_str()) and json.loads(n.__getstate__())
        out["normalizers"].append({"config": cfg, "outputs": [n.normalize_str(t) for t in TEXTS]})
    for p in pres:
        cfg = json.loads(p.__getstate__())
        out["pre_tokenizers"].append({"config": cfg, "outputs": [[[s, list(o)] for s, o in p.pre_tokenize_str(t)] for t in TEXTS]})
    token_lists = [["▁Hello", "▁world", "!"], ["Hel", "##lo", "world", "##!", "[CLS]"], ["ĠHello", "Ġworld", "Ċ", "Ã©"],
                   ["<0xE6>", "<0x88>", "<0x91>", "▁a", "<0x41>", "<0xFF>"], ["hello</w>", "wor", "ld</w>", "!</w>"],
                   ["a", "a", "<pad>", "b", "|", "c", "c", "<pad>", "<pad>", "d"], ["  a ", "b", " c  "],
                   ["▁", "▁The", "▁▁x", "y▁"], ["do", "n", "'t", " ", "it", " .", " ,", " !", " ?", " 's", " n't"], []]
    decs = [decoders.WordPiece(), decoders.WordPiece(cleanup=False), decoders.ByteLevel(), decoders.Metaspace(),
            decoders.Metaspace(prepend_scheme="never"), decoders.Metaspace(prepend_scheme="first"), decoders.BPEDecoder(),
            decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(content=" ", left=1, right=1), decoders.Replace("▁", " "),
            decoders.CTC(), decoders.CTC(pad_token="<pad>", word_delimiter_token="|", cleanup=False),
            decoders.Sequence([decoders.ByteFallback(), decoders.Fuse(), decoders.Metaspace()])]
    for d in decs:
        cfg = json.loads(d.__getstate__())
        out["decoders"].append({"config": cfg, "inputs": token_lists, "outputs": [safe_decode(d, ts) for ts in token_lists]})
    json.dump(out, open(os.path.join(HERE, "components.expected.json"), "w", encoding="utf-8"), ensure_ascii=False)


if __name__ == "__main__":
    toks = build_tokenizers()
    for name, tok in toks.items():
        record(name, tok)
    components()
    print("wrote", len(toks), "tokenizers")

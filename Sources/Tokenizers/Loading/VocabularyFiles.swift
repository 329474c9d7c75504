import Foundation

/// The vocabulary-file formats of BERT (`vocab.txt`) and of GPT-2/RoBERTa (`vocab.json` +
/// `merges.txt`), converted to the pipelines transformers' BertTokenizer, GPT2Tokenizer and
/// RobertaTokenizer build from them.
enum VocabularyFiles {
    /// Reads a text file, naming it when it cannot be read or is not UTF-8.
    static func text(_ url: URL) throws -> String {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw TokenizerError.fileNotFound(path: url.path) }
        guard let s = String(data: data, encoding: .utf8) else {
            throw TokenizerError.malformed(file: url.lastPathComponent, detail: "the file is not UTF-8 text")
        }
        return s
    }

    /// Lines as Rust's `lines()` gives them: split on "\n", a final empty piece dropped, one
    /// trailing "\r" removed from each.
    static func lines(_ s: String) -> [Substring] {
        var parts = s.split(separator: "\n", omittingEmptySubsequences: false)
        if parts.last == "" { parts.removeLast() }
        return parts.map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
    }

    /// The special tokens a tokenizer class adds, in transformers' attribute order.
    static func specials(_ c: TokenizerConfiguration) -> [String] {
        [c.bosToken, c.eosToken, c.unkToken, c.sepToken, c.padToken, c.clsToken, c.maskToken].compactMap { $0 } + c.extraSpecialTokens
    }

    /// BERT WordPiece from `vocab.txt` (one token per line, id = line number), with the
    /// normalizer options of tokenizer_config.json (`do_lower_case`, `strip_accents`,
    /// `tokenize_chinese_chars`) and `[CLS] A [SEP] B [SEP]` post-processing.
    static func wordPiece(vocabTxt url: URL, configuration config: TokenizerConfiguration) throws -> (Tokenizer, TokenizerConfiguration) {
        var vocab: [String: Any] = [:]
        var count = 0
        for (i, line) in lines(try text(url)).enumerated() {
            // The reference trims trailing whitespace from each line; a later duplicate wins.
            var t = Substring(line)
            while let last = t.unicodeScalars.last, last.properties.isWhitespace { t = t.dropLast() }
            vocab[String(t)] = i
            count = i + 1
        }
        guard count > 0 else { throw TokenizerError.malformed(file: url.lastPathComponent, detail: "the vocabulary is empty") }
        var c = config
        c.unkToken = c.unkToken ?? "[UNK]"; c.sepToken = c.sepToken ?? "[SEP]"; c.padToken = c.padToken ?? "[PAD]"
        c.clsToken = c.clsToken ?? "[CLS]"; c.maskToken = c.maskToken ?? "[MASK]"
        let model: [String: Any] = ["type": "WordPiece", "unk_token": c.unkToken!, "continuing_subword_prefix": "##",
                                    "max_input_chars_per_word": 100, "vocab": vocab]
        var d = TokenizerDescription(model: model, vocabularySize: count) { vocab[$0] as? Int }
        var normalizer: [String: Any] = ["type": "BertNormalizer", "clean_text": true,
                                         "handle_chinese_chars": config.bool("tokenize_chinese_chars") ?? true,
                                         "lowercase": config.bool("do_lower_case") ?? true]
        normalizer["strip_accents"] = config.bool("strip_accents") ?? NSNull()
        d.normalizer = normalizer
        d.preTokenizer = ["type": "BertPreTokenizer"]
        d.decoder = ["type": "WordPiece", "prefix": "##", "cleanup": true]
        d.addConfigured(c)
        for s in specials(c) { d.add(s, special: true, normalized: false) }
        let cls = c.clsToken!, sep = c.sepToken!
        func special(_ t: String, _ typeId: Int) -> [String: Any] { ["SpecialToken": ["id": t, "type_id": typeId]] }
        func sequence(_ s: String, _ typeId: Int) -> [String: Any] { ["Sequence": ["id": s, "type_id": typeId]] }
        var tokens: [String: Any] = [:]
        for t in [cls, sep] { if let i = d.id(of: t) { tokens[t] = ["id": t, "ids": [i], "tokens": [t]] } }
        d.postProcessor = ["type": "TemplateProcessing",
                           "single": [special(cls, 0), sequence("A", 0), special(sep, 0)],
                           "pair": [special(cls, 0), sequence("A", 0), special(sep, 0), sequence("B", 1), special(sep, 1)],
                           "special_tokens": tokens]
        return (try d.build(file: url.lastPathComponent), c)
    }

    /// Byte-level BPE from `vocab.json` and `merges.txt` (a `#version` line, then one merge
    /// "a b" per line), as GPT2Tokenizer builds it, or RobertaTokenizer when `roberta` is set
    /// (its specials and `<s> A </s></s> B </s>` post-processing).
    static func byteLevelBPE(vocabJSON: URL, merges: URL, roberta: Bool,
                             configuration config: TokenizerConfiguration) throws -> (Tokenizer, TokenizerConfiguration) {
        guard let data = FileManager.default.contents(atPath: vocabJSON.path) else { throw TokenizerError.fileNotFound(path: vocabJSON.path) }
        let vocab = try JSONObject.parse(data, file: vocabJSON.lastPathComponent).values
        var size = 0
        for (k, v) in vocab {
            guard let i = v as? Int else {
                throw TokenizerError.malformed(file: vocabJSON.lastPathComponent, detail: "the id of '\(k)' is not an integer")
            }
            size = max(size, i + 1)
        }
        var mergeList: [String] = []
        for (n, line) in lines(try text(merges)).enumerated() {
            if line.hasPrefix("#version") { continue }
            guard line.split(separator: " ", omittingEmptySubsequences: false).count == 2 else {
                throw TokenizerError.malformed(file: merges.lastPathComponent, detail: "line \(n + 1) '\(line)' is not two tokens separated by one space")
            }
            mergeList.append(String(line))
        }
        var c = config
        if roberta {
            c.bosToken = c.bosToken ?? "<s>"; c.eosToken = c.eosToken ?? "</s>"; c.sepToken = c.sepToken ?? "</s>"
            c.clsToken = c.clsToken ?? "<s>"; c.unkToken = c.unkToken ?? "<unk>"; c.padToken = c.padToken ?? "<pad>"
            c.maskToken = c.maskToken ?? "<mask>"
        } else {
            c.bosToken = c.bosToken ?? "<|endoftext|>"; c.eosToken = c.eosToken ?? "<|endoftext|>"; c.unkToken = c.unkToken ?? "<|endoftext|>"
        }
        let addPrefixSpace = config.addPrefixSpace ?? false
        let model: [String: Any] = ["type": "BPE", "vocab": vocab, "merges": mergeList, "continuing_subword_prefix": "",
                                    "end_of_word_suffix": "", "fuse_unk": false, "byte_fallback": false, "ignore_merges": false]
        var d = TokenizerDescription(model: model, vocabularySize: size) { vocab[$0] as? Int }
        d.preTokenizer = TokenizerDescription.byteLevelPreTokenizer(addPrefixSpace: addPrefixSpace)
        d.decoder = TokenizerDescription.byteLevelDecoder
        d.addConfigured(c)
        for s in specials(c) { d.add(s, special: true, normalized: false) }
        if roberta {
            let sep = c.sepToken!, cls = c.clsToken!
            d.postProcessor = ["type": "RobertaProcessing", "sep": [sep, d.id(of: sep) ?? 0], "cls": [cls, d.id(of: cls) ?? 0],
                               "trim_offsets": true, "add_prefix_space": addPrefixSpace]
        } else {
            d.setBosEosTemplate(bos: (c.addBosToken ?? false) ? c.bosToken : nil, eos: (c.addEosToken ?? false) ? c.eosToken : nil)
        }
        return (try d.build(file: vocabJSON.lastPathComponent), c)
    }
}

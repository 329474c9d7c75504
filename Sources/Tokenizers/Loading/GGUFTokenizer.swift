import Foundation
import Tensors

/// The vocabulary embedded in a GGUF file (llama.cpp's `tokenizer.ggml.*` metadata), converted
/// as transformers converts it for `AutoTokenizer.from_pretrained(dir, gguf_file=...)`:
/// `gpt2` files become a byte-level BPE, `llama` files a byte-fallback SentencePiece-style BPE,
/// `t5` files a Unigram with T5's sentinel tokens;
/// tokens typed control become special added tokens and user-defined ones plain added tokens;
/// BOS/EOS/UNK/PAD come from the special token ids, `add_bos_token`/`add_eos_token` decide the
/// post-processing and the chat template is kept in the configuration.
enum GGUFTokenizer {
    /// Split patterns for the `tokenizer.ggml.pre` names transformers knows (others keep
    /// GPT-2's byte-level regex).
    static let llama3Split = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Split = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let gpt4oSplit = #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let preTokenizerSplits: [String: String] = [
        "llama3": llama3Split, "llama-v3": llama3Split, "llama-bpe": llama3Split, "falcon3": llama3Split,
        "pixtral": llama3Split, "dbrx": llama3Split, "smaug-bpe": llama3Split,
        "qwen2": qwen2Split, "deepseek-r1-qwen": qwen2Split, "gpt-4o": gpt4oSplit, "llama4": gpt4oSplit,
    ]

    static func load(_ gguf: GGUFFile) throws -> (Tokenizer, TokenizerConfiguration) {
        let name = (gguf.path as NSString).lastPathComponent
        func missing(_ key: String) -> TokenizerError { .missingField(component: "GGUF tokenizer", field: key, file: name) }
        guard let kind = gguf.string("tokenizer.ggml.model") else { throw missing("tokenizer.ggml.model") }
        guard let tokens = gguf.metadata["tokenizer.ggml.tokens"]?.stringArray else { throw missing("tokenizer.ggml.tokens") }
        let types = gguf.metadata["tokenizer.ggml.token_type"]?.intArray ?? []
        let scores = gguf.metadata["tokenizer.ggml.scores"]?.doubleArray
        let fileMerges = gguf.metadata["tokenizer.ggml.merges"]?.stringArray

        var config = TokenizerConfiguration()
        config.chatTemplate = gguf.string("tokenizer.chat_template")
        config.addBosToken = gguf.bool("tokenizer.ggml.add_bos_token")
        config.addEosToken = gguf.bool("tokenizer.ggml.add_eos_token")
        func token(_ key: String) throws -> String? {
            guard let id = gguf.int("tokenizer.ggml.\(key)") else { return nil }
            guard id >= 0 && id < tokens.count else {
                throw TokenizerError.malformed(file: name, detail: "tokenizer.ggml.\(key) \(id) is outside the \(tokens.count)-token vocabulary")
            }
            return tokens[id]
        }
        config.bosToken = try token("bos_token_id"); config.eosToken = try token("eos_token_id")
        config.unkToken = try token("unknown_token_id"); config.padToken = try token("padding_token_id")

        func merges() throws -> [[String]] {
            if let m = fileMerges {
                return try m.enumerated().map { n, s in
                    let parts = s.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
                    guard parts.count == 2 else {
                        throw TokenizerError.malformed(file: name, detail: "tokenizer.ggml.merges entry \(n) '\(s)' is not two tokens separated by a space")
                    }
                    return parts
                }
            }
            guard let scores, scores.count == tokens.count else { throw missing("tokenizer.ggml.merges (or scores to derive them)") }
            return TokenizerDescription.generateMerges(vocabulary: tokens, scores: scores)
        }

        var d: TokenizerDescription
        var classDefaults: [String]
        let byteLevel: Bool
        switch kind {
        case "gpt2":
            byteLevel = true
            var vocab: [String: Any] = [:]
            for (i, t) in tokens.enumerated() {
                vocab[TokenizerDescription.isByteLevelSpelled(t) ? t : TokenizerDescription.byteLevelSpelling(t)] = i
            }
            let model: [String: Any] = ["type": "BPE", "vocab": vocab, "merges": try merges(), "continuing_subword_prefix": "",
                                        "end_of_word_suffix": "", "fuse_unk": false, "byte_fallback": false, "ignore_merges": false]
            d = TokenizerDescription(model: model, vocabularySize: tokens.count) { vocab[$0] as? Int }
            d.preTokenizer = TokenizerDescription.byteLevelPreTokenizer(addPrefixSpace: false)
            d.decoder = TokenizerDescription.byteLevelDecoder
            classDefaults = ["<|endoftext|>"]
        case "llama":
            byteLevel = false
            var vocab: [String: Any] = [:]
            for (i, t) in tokens.enumerated() { vocab[t] = i }
            let model: [String: Any] = ["type": "BPE", "vocab": vocab, "merges": try merges(), "fuse_unk": true, "byte_fallback": true]
            d = TokenizerDescription(model: model, vocabularySize: tokens.count) { vocab[$0] as? Int }
            d.preTokenizer = ["type": "Metaspace", "replacement": "▁", "split": false, "prepend_scheme": "first"]
            d.decoder = ["type": "Sequence", "decoders": [["type": "Replace", "pattern": ["String": "▁"], "content": " "],
                                                          ["type": "ByteFallback"], ["type": "Fuse"],
                                                          ["type": "Strip", "content": " ", "start": 1, "stop": 0]]]
            classDefaults = ["<unk>", "<s>", "</s>"]
            // llama.cpp adds BOS to a SentencePiece vocabulary unless the file says otherwise.
            config.addBosToken = config.addBosToken ?? true
        case "t5":
            byteLevel = false
            guard let scores, scores.count == tokens.count else { throw missing("tokenizer.ggml.scores") }
            // T5 writes its sentinels as [PAD<n>] placeholders; the first 100 become
            // <extra_id_99>...<extra_id_0>, as transformers renames them.
            var renamed = tokens
            var sentinel = 99
            for (i, t) in tokens.enumerated() where sentinel >= 0 && t.hasPrefix("[PAD") && t.hasSuffix("]")
                && t.dropFirst(4).dropLast().allSatisfy({ $0.isASCII && $0.isNumber }) && t.count > 5 {
                renamed[i] = "<extra_id_\(sentinel)>"
                sentinel -= 1
            }
            var ids: [String: Int] = [:]
            for (i, t) in renamed.enumerated() where ids[t] == nil { ids[t] = i }
            let model: [String: Any] = ["type": "Unigram", "unk_id": 2, "vocab": zip(renamed, scores).map { [$0, $1] as [Any] },
                                        "byte_fallback": false]
            d = TokenizerDescription(model: model, vocabularySize: tokens.count) { ids[$0] }
            d.preTokenizer = ["type": "Sequence", "pretokenizers": [
                ["type": "WhitespaceSplit"], ["type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true]]]
            d.decoder = ["type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true]
            classDefaults = ["</s>", "<unk>", "<pad>"] + (0..<100).map { "<extra_id_\($0)>" }
            // T5's own post-processing (`$A </s>`, pairs all type 0) stays unless the file sets
            // add_bos_token/add_eos_token, which make transformers rebuild it.
            d.postProcessor = ["type": "TemplateProcessing",
                               "single": [["Sequence": ["id": "A", "type_id": 0]], ["SpecialToken": ["id": "</s>", "type_id": 0]]],
                               "pair": [["Sequence": ["id": "A", "type_id": 0]], ["SpecialToken": ["id": "</s>", "type_id": 0]],
                                        ["Sequence": ["id": "B", "type_id": 0]], ["SpecialToken": ["id": "</s>", "type_id": 0]]],
                               "special_tokens": ["</s>": ["id": "</s>", "ids": [ids["</s>"] ?? 1], "tokens": ["</s>"]]]]
        default:
            throw TokenizerError.unknownComponent(kind: "GGUF tokenizer.ggml.model", type: kind, file: name)
        }
        // The builder class's own specials, then control tokens (special) and user-defined ones.
        for t in classDefaults { d.add(t, special: true, normalized: false) }
        for (t, type) in zip(tokens, types) where type == 3 {
            if !byteLevel || TokenizerDescription.isByteLevelSpelled(t) { d.add(t, special: true, normalized: false) }
        }
        for (t, type) in zip(tokens, types) where type == 4 && d.vocabularyId(t) != nil {
            d.add(t, special: false, normalized: false)
        }
        if let pre = gguf.string("tokenizer.ggml.pre"), let split = preTokenizerSplits[pre] {
            d.preTokenizer = TokenizerDescription.splitThenByteLevel(split)
        }
        for t in [config.bosToken, config.eosToken, config.unkToken, config.padToken].compactMap({ $0 }) {
            d.add(t, special: true, normalized: false)
        }
        if kind != "t5" || config.addBosToken != nil || config.addEosToken != nil {
            d.setBosEosTemplate(bos: (config.addBosToken ?? false) ? config.bosToken : nil,
                                eos: (config.addEosToken ?? false) ? config.eosToken : nil)
        }
        return (try d.build(file: name), config)
    }
}

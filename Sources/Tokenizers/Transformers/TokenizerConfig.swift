import Foundation

/// The settings transformers keeps beside tokenizer.json: `tokenizer_config.json` and
/// `special_tokens_map.json` read into one value (special tokens, length limit, sides,
/// clean-up, chat template). Mirrors the init kwargs of `PreTrainedTokenizerBase`.
public struct TokenizerConfig {
    /// The special-token attributes in transformers' order (`SPECIAL_TOKENS_ATTRIBUTES`).
    public static let specialTokenNames = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]
    /// Above this, a `model_max_length` means "no limit" (transformers' `LARGE_INTEGER`, 1e20).
    public static let largeInteger = 1e20

    /// Special tokens by attribute name (`"pad_token": "[PAD]"`); absent ones are unset.
    public var specialTokens: [String: String] = [:]
    /// Further special tokens (`additional_special_tokens` / `extra_special_tokens`).
    public var additionalSpecialTokens: [String] = []
    /// The longest input the model takes; nil when unbounded (transformers' `int(1e30)`).
    public var modelMaxLength: Int?
    /// Which side `padding=` adds tokens on: "right" or "left".
    public var paddingSide = "right"
    /// Which side truncation removes tokens from: "right" or "left".
    public var truncationSide = "right"
    /// Whether `decode` removes spaces before punctuation by default.
    public var cleanUpTokenizationSpaces = false
    /// The Jinja chat template, when the file has one.
    public var chatTemplate: String?
    /// The class transformers would build (`BertTokenizer`, `PreTrainedTokenizerFast`...).
    public var tokenizerClass = "PreTrainedTokenizerFast"
    /// Keys the model's forward takes, first the ids; decides which masks a call returns.
    public var modelInputNames = ["input_ids", "token_type_ids", "attention_mask"]
    /// `add_bos_token` / `add_eos_token` when the file states them.
    public var addBosToken: Bool?, addEosToken: Bool?
    /// Added tokens declared in the config (`added_tokens_decoder`), by id.
    public var addedTokensDecoder: [Int: AddedToken] = [:]

    /// Defaults for a tokenizer with no config files.
    public init() {}

    /// Classes whose models take no token type ids (transformers sets `model_input_names` on them).
    static let classesWithoutTypeIds: Set<String> = [
        "GPT2Tokenizer", "RobertaTokenizer", "LlamaTokenizer", "GemmaTokenizer", "Qwen2Tokenizer", "T5Tokenizer",
        "BartTokenizer", "MistralTokenizer", "CLIPTokenizer", "XLMRobertaTokenizer", "BloomTokenizer", "GPTNeoXTokenizer",
        "CodeLlamaTokenizer", "PreTrainedTokenizerFast", "TokenizersBackend",
    ]

    /// Reads `tokenizer_config.json` (required to exist only if `configFile` is given) and
    /// `special_tokens_map.json` (optional); the config wins where both say something.
    public init(configFile: URL?, specialTokensMapFile: URL?) throws {
        if let url = specialTokensMapFile, FileManager.default.fileExists(atPath: url.path) {
            let map = try TokenizerConfig.readObject(url)
            try apply(map, file: url.lastPathComponent)
        }
        if let url = configFile, FileManager.default.fileExists(atPath: url.path) {
            let config = try TokenizerConfig.readObject(url)
            try apply(config, file: url.lastPathComponent)
        }
    }

    static func readObject(_ url: URL) throws -> JSONObject {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw TokenizerError.fileNotFound(path: url.path) }
        return try JSONObject.parse(data, file: url.path)
    }

    /// A token given as a string or as a serialized AddedToken (`{"content": ...}`).
    static func tokenContent(_ value: Any?) -> String? {
        if let s = value as? String { return s }
        if let d = value as? [String: Any] { return d["content"] as? String }
        return nil
    }

    mutating func apply(_ j: JSONObject, file: String) throws {
        for name in TokenizerConfig.specialTokenNames where j.values[name] != nil {
            if j.isNull(name) { specialTokens[name] = nil; continue }
            guard let s = TokenizerConfig.tokenContent(j.values[name]) else {
                throw TokenizerError.malformed(file: file, detail: "\(name) must be a string or an AddedToken object")
            }
            specialTokens[name] = s
        }
        for key in ["additional_special_tokens", "extra_special_tokens"] {
            if let list = j.array(key) { additionalSpecialTokens = list.compactMap(TokenizerConfig.tokenContent) }
        }
        if let n = j.values["model_max_length"] {
            if let i = n as? Int { modelMaxLength = Double(i) > TokenizerConfig.largeInteger ? nil : i }
            else if let d = n as? Double { modelMaxLength = d > TokenizerConfig.largeInteger ? nil : Int(d) }
        }
        if let s = j.optionalString("padding_side") {
            guard s == "left" || s == "right" else { throw TokenizerError.malformed(file: file, detail: "padding_side must be 'left' or 'right', not '\(s)'") }
            paddingSide = s
        }
        if let s = j.optionalString("truncation_side") {
            guard s == "left" || s == "right" else { throw TokenizerError.malformed(file: file, detail: "truncation_side must be 'left' or 'right', not '\(s)'") }
            truncationSide = s
        }
        if let b = j.values["clean_up_tokenization_spaces"] as? Bool { cleanUpTokenizationSpaces = b }
        if let s = j.optionalString("chat_template") { chatTemplate = s }
        else if let list = j.array("chat_template") {
            // A list of named templates: the one called "default" is the template.
            let named = list.compactMap { $0 as? [String: Any] }
            chatTemplate = (named.first { $0["name"] as? String == "default" } ?? named.first)?["template"] as? String
        }
        if let s = j.optionalString("tokenizer_class") {
            tokenizerClass = s.hasSuffix("Fast") && s != "PreTrainedTokenizerFast" ? String(s.dropLast(4)) : s
            if TokenizerConfig.classesWithoutTypeIds.contains(tokenizerClass) { modelInputNames = ["input_ids", "attention_mask"] }
        }
        if let names = j.array("model_input_names") as? [String] { modelInputNames = names }
        if let b = j.values["add_bos_token"] as? Bool { addBosToken = b }
        if let b = j.values["add_eos_token"] as? Bool { addEosToken = b }
        if let decoder = j.values["added_tokens_decoder"] as? [String: Any] {
            for (key, value) in decoder {
                guard let id = Int(key), let d = value as? [String: Any], let content = d["content"] as? String else {
                    throw TokenizerError.malformed(file: file, detail: "added_tokens_decoder entry '\(key)' needs an integer key and a content")
                }
                let t = JSONObject(d, file: file)
                addedTokensDecoder[id] = AddedToken(id: id, content: content, singleWord: t.bool("single_word", default: false),
                                                    lstrip: t.bool("lstrip", default: false), rstrip: t.bool("rstrip", default: false),
                                                    normalized: t.bool("normalized", default: true), special: t.bool("special", default: false))
            }
        }
    }
}

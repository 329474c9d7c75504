import Foundation

/// What `tokenizer_config.json`, `special_tokens_map.json` and `chat_template.jinja` (or a GGUF
/// file's metadata) say about a tokenizer beyond its pipeline: its class, special tokens,
/// whether BOS/EOS are added, the chat template, and the options the vocabulary-file formats
/// need (`do_lower_case`, `strip_accents`, `extra_ids`...).
public struct TokenizerConfiguration: @unchecked Sendable {
    public var tokenizerClass: String?
    public var bosToken: String?
    public var eosToken: String?
    public var unkToken: String?
    public var padToken: String?
    public var clsToken: String?
    public var sepToken: String?
    public var maskToken: String?
    /// `additional_special_tokens` / `extra_special_tokens`, in order.
    public var extraSpecialTokens: [String] = []
    public var addBosToken: Bool?
    public var addEosToken: Bool?
    public var addPrefixSpace: Bool?
    public var chatTemplate: String?
    /// `added_tokens_decoder` of tokenizer_config.json: tokens with their flags, by id.
    public var addedTokensDecoder: [AddedToken] = []
    /// Every key of tokenizer_config.json as decoded (for options not named above).
    var raw: [String: Any] = [:]

    public init() {}

    /// Reads the configuration files present in `files` (none is required).
    public init(files: TokenizerFiles) throws {
        if let url = files.tokenizerConfig { try merge(url, overriding: true) }
        // special_tokens_map.json fills in what tokenizer_config.json leaves out.
        if let url = files.specialTokensMap { try merge(url, overriding: false) }
        if let url = files.chatTemplate {
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw TokenizerError.fileNotFound(path: url.path) }
            chatTemplate = text
        }
    }

    /// A token given as a string or as an AddedToken object (`{"content": ...}`).
    static func tokenString(_ v: Any?) -> String? {
        if let s = v as? String { return s }
        if let d = v as? [String: Any] { return d["content"] as? String }
        return nil
    }

    private mutating func merge(_ url: URL, overriding: Bool) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw TokenizerError.fileNotFound(path: url.path) }
        let j = try JSONObject.parse(data, file: url.lastPathComponent)
        func set(_ value: inout String?, _ key: String) {
            if overriding || value == nil, let s = Self.tokenString(j.values[key]) { value = s }
        }
        set(&bosToken, "bos_token"); set(&eosToken, "eos_token"); set(&unkToken, "unk_token"); set(&padToken, "pad_token")
        set(&clsToken, "cls_token"); set(&sepToken, "sep_token"); set(&maskToken, "mask_token")
        if overriding || extraSpecialTokens.isEmpty {
            var extras: [String] = []
            for key in ["additional_special_tokens", "extra_special_tokens"] {
                if let list = j.values[key] as? [Any] { extras += list.compactMap(Self.tokenString) }
                else if let dict = j.values[key] as? [String: Any] { extras += dict.values.compactMap(Self.tokenString).sorted() }
            }
            if !extras.isEmpty { extraSpecialTokens = extras }
        }
        guard overriding else { return }
        raw = j.values
        tokenizerClass = j.optionalString("tokenizer_class")
        addBosToken = j.values["add_bos_token"] as? Bool
        addEosToken = j.values["add_eos_token"] as? Bool
        addPrefixSpace = j.values["add_prefix_space"] as? Bool
        if let t = j.optionalString("chat_template") { chatTemplate = t }
        if let decoder = j.values["added_tokens_decoder"] as? [String: Any] {
            var tokens: [AddedToken] = []
            for (key, value) in decoder {
                guard let id = Int(key), let d = value as? [String: Any], let content = d["content"] as? String else {
                    throw TokenizerError.malformed(file: j.file, detail: "added_tokens_decoder entry '\(key)' needs an integer id and a content")
                }
                let special = d["special"] as? Bool ?? false
                tokens.append(AddedToken(id: id, content: content, singleWord: d["single_word"] as? Bool ?? false,
                                         lstrip: d["lstrip"] as? Bool ?? false, rstrip: d["rstrip"] as? Bool ?? false,
                                         normalized: d["normalized"] as? Bool ?? !special, special: special))
            }
            addedTokensDecoder = tokens.sorted { $0.id < $1.id }
        }
    }

    func bool(_ key: String) -> Bool? { raw[key] as? Bool }
    func int(_ key: String) -> Int? { raw[key] as? Int }
    func string(_ key: String) -> String? { raw[key] as? String }
}

import Foundation

/// A model's configuration as config.json holds it: every key kept, in file order, with typed
/// accessors for what the architectures read. An absent key falls back to the default the
/// reference library's config class gives it (per `model_type`).
public struct ModelConfig: CustomStringConvertible {
    /// Every (key, value) in file order, overrides applied in place (new keys appended).
    public private(set) var values: [(String, ConfigValue)]
    /// Where the config came from (a file path), for error messages.
    public let source: String

    /// A config from parsed key/value pairs.
    public init(values: [(String, ConfigValue)], source: String = "config") {
        self.values = values
        self.source = source
    }

    /// Reads config.json at `url`.
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ModelError.notFound("config file not found: \(url.path)")
        }
        var parser = ConfigJSONParser(data, source: url.path)
        guard case .object(let pairs) = try parser.parse() else {
            throw ModelError.invalidConfig("\(url.path): a config must be a JSON object")
        }
        self.init(values: pairs, source: url.path)
    }

    /// The raw value of `key` as stored (nil when absent; defaults are not applied here).
    public subscript(key: String) -> ConfigValue? {
        get { values.first { $0.0 == key }?.1 }
        set {
            if let i = values.firstIndex(where: { $0.0 == key }) {
                if let newValue { values[i].1 = newValue } else { values.remove(at: i) }
            } else if let newValue {
                values.append((key, newValue))
            }
        }
    }

    /// The architecture name (`bert`, ...), or nil when the file has none.
    public var modelType: String? { self["model_type"]?.stringValue }

    /// The config as JSON text, two-space indented as save_pretrained writes it.
    public var description: String { ConfigValue.object(values).json(indent: 2) }

    // MARK: Typed access

    /// The stored value of `key` (or of another spelling of it in the architecture's
    /// `attributeMaps`, as `config.hidden_size` reads DistilBERT's `dim`), else the
    /// architecture's default for it.
    public func value(_ key: String) -> ConfigValue? {
        if let v = self[key] { return v }
        let spellings = ModelConfig.spellings(of: key, modelType: modelType ?? "")
        for name in spellings { if let v = self[name] { return v } }
        let defaults = ModelConfig.defaults[modelType ?? ""] ?? []
        for name in [key] + spellings { if let v = defaults.first(where: { $0.0 == name })?.1 { return v } }
        return nil
    }

    /// `key` as an integer; throws naming the key when it is absent or not an integer.
    public func int(_ key: String) throws -> Int {
        guard let v = value(key) else { throw ModelError.invalidConfig("\(source): missing '\(key)'") }
        guard let i = v.intValue else { throw ModelError.invalidConfig("\(source): '\(key)' must be an integer, got \(v)") }
        return i
    }

    /// `key` as a number; throws naming the key when it is absent or not a number.
    public func double(_ key: String) throws -> Double {
        guard let v = value(key) else { throw ModelError.invalidConfig("\(source): missing '\(key)'") }
        guard let d = v.doubleValue else { throw ModelError.invalidConfig("\(source): '\(key)' must be a number, got \(v)") }
        return d
    }

    /// `key` as a string; throws naming the key when it is absent or not a string.
    public func string(_ key: String) throws -> String {
        guard let v = value(key) else { throw ModelError.invalidConfig("\(source): missing '\(key)'") }
        guard let s = v.stringValue else { throw ModelError.invalidConfig("\(source): '\(key)' must be a string, got \(v)") }
        return s
    }

    /// `key` as an optional integer: nil when absent or JSON null, an error for other types.
    public func optionalInt(_ key: String) throws -> Int? {
        guard let v = value(key), !v.isNull else { return nil }
        guard let i = v.intValue else { throw ModelError.invalidConfig("\(source): '\(key)' must be an integer or null, got \(v)") }
        return i
    }

    /// `key` as an optional number: nil when absent or JSON null.
    public func optionalDouble(_ key: String) throws -> Double? {
        guard let v = value(key), !v.isNull else { return nil }
        guard let d = v.doubleValue else { throw ModelError.invalidConfig("\(source): '\(key)' must be a number or null, got \(v)") }
        return d
    }

    public var hiddenSize: Int { get throws { try int("hidden_size") } }
    public var numHiddenLayers: Int { get throws { try int("num_hidden_layers") } }
    public var numAttentionHeads: Int { get throws { try int("num_attention_heads") } }
    public var intermediateSize: Int { get throws { try int("intermediate_size") } }
    public var hiddenAct: String { get throws { try string("hidden_act") } }
    public var maxPositionEmbeddings: Int { get throws { try int("max_position_embeddings") } }
    public var typeVocabSize: Int { get throws { try int("type_vocab_size") } }
    public var layerNormEps: Double { get throws { try double("layer_norm_eps") } }
    public var vocabSize: Int { get throws { try int("vocab_size") } }
    public var padTokenId: Int? { get throws { try optionalInt("pad_token_id") } }
    public var hiddenDropoutProb: Double { get throws { try double("hidden_dropout_prob") } }
    public var attentionProbsDropoutProb: Double { get throws { try double("attention_probs_dropout_prob") } }
    /// `classifier_dropout`, falling back to `hidden_dropout_prob` when null, as the BERT heads do.
    public var classifierDropout: Double { get throws { try optionalDouble("classifier_dropout") ?? hiddenDropoutProb } }

    /// The checkpoint's dtype name: `dtype` (transformers 5) or `torch_dtype` (4.x), nil if neither.
    public var dtype: String? { (self["dtype"] ?? self["torch_dtype"])?.stringValue }

    /// Class index to label name. From `id2label` (whose JSON keys are strings), else
    /// `LABEL_0 ... LABEL_{n-1}` for `num_labels` (default 2), as PretrainedConfig does.
    public var id2label: [Int: String] {
        get throws {
            if let pairs = self["id2label"]?.objectValue {
                var map: [Int: String] = [:]
                for (key, value) in pairs {
                    guard let index = Int(key), let name = value.stringValue else {
                        throw ModelError.invalidConfig("\(source): id2label entry \"\(key)\": \(value) must map an integer to a string")
                    }
                    map[index] = name
                }
                return map
            }
            let count = try self["num_labels"].map { v -> Int in
                guard let n = v.intValue else { throw ModelError.invalidConfig("\(source): 'num_labels' must be an integer, got \(v)") }
                return n
            } ?? 2
            return Dictionary(uniqueKeysWithValues: (0..<count).map { ($0, "LABEL_\($0)") })
        }
    }

    /// Label name to class index: `label2id`, else the inverse of `id2label`.
    public var label2id: [String: Int] {
        get throws {
            if let pairs = self["label2id"]?.objectValue {
                var map: [String: Int] = [:]
                for (key, value) in pairs {
                    guard let index = value.intValue else {
                        throw ModelError.invalidConfig("\(source): label2id entry \"\(key)\": \(value) must be an integer")
                    }
                    map[key] = index
                }
                return map
            }
            return Dictionary(uniqueKeysWithValues: try id2label.map { ($0.value, $0.key) })
        }
    }

    /// Number of labels of a classification head: the size of `id2label`.
    public var numLabels: Int { get throws { try id2label.count } }

    /// Per-architecture defaults for keys a config.json may omit (the reference config classes'
    /// constructor defaults).
    static let defaults: [String: [(String, ConfigValue)]] = [
        "bert": [
            ("vocab_size", .int(30522)), ("hidden_size", .int(768)), ("num_hidden_layers", .int(12)),
            ("num_attention_heads", .int(12)), ("intermediate_size", .int(3072)), ("hidden_act", .string("gelu")),
            ("hidden_dropout_prob", .double(0.1)), ("attention_probs_dropout_prob", .double(0.1)),
            ("max_position_embeddings", .int(512)), ("type_vocab_size", .int(2)),
            ("initializer_range", .double(0.02)), ("layer_norm_eps", .double(1e-12)), ("pad_token_id", .int(0)),
            ("position_embedding_type", .string("absolute")), ("classifier_dropout", .null),
        ],
        "distilbert": [
            ("vocab_size", .int(30522)), ("max_position_embeddings", .int(512)), ("sinusoidal_pos_embds", .bool(false)),
            ("n_layers", .int(6)), ("n_heads", .int(12)), ("dim", .int(768)), ("hidden_dim", .int(3072)),
            ("dropout", .double(0.1)), ("attention_dropout", .double(0.1)), ("activation", .string("gelu")),
            ("initializer_range", .double(0.02)), ("qa_dropout", .double(0.1)), ("seq_classif_dropout", .double(0.2)),
            ("pad_token_id", .int(0)), ("tie_word_embeddings", .bool(true)),
        ],
        "roberta": [
            ("vocab_size", .int(50265)), ("hidden_size", .int(768)), ("num_hidden_layers", .int(12)),
            ("num_attention_heads", .int(12)), ("intermediate_size", .int(3072)), ("hidden_act", .string("gelu")),
            ("hidden_dropout_prob", .double(0.1)), ("attention_probs_dropout_prob", .double(0.1)),
            ("max_position_embeddings", .int(512)), ("type_vocab_size", .int(2)),
            ("initializer_range", .double(0.02)), ("layer_norm_eps", .double(1e-12)), ("pad_token_id", .int(1)),
            ("bos_token_id", .int(0)), ("eos_token_id", .int(2)), ("position_embedding_type", .string("absolute")),
            ("classifier_dropout", .null), ("tie_word_embeddings", .bool(true)),
        ],
        "gpt2": [
            ("vocab_size", .int(50257)), ("n_positions", .int(1024)), ("n_embd", .int(768)), ("n_layer", .int(12)),
            ("n_head", .int(12)), ("n_inner", .null), ("activation_function", .string("gelu_new")),
            ("resid_pdrop", .double(0.1)), ("embd_pdrop", .double(0.1)), ("attn_pdrop", .double(0.1)),
            ("layer_norm_epsilon", .double(1e-5)), ("initializer_range", .double(0.02)), ("scale_attn_weights", .bool(true)),
            ("use_cache", .bool(true)), ("bos_token_id", .int(50256)), ("eos_token_id", .int(50256)),
            ("scale_attn_by_inverse_layer_idx", .bool(false)), ("reorder_and_upcast_attn", .bool(false)),
            ("tie_word_embeddings", .bool(true)),
        ],
        "llama": [
            ("vocab_size", .int(32000)), ("hidden_size", .int(4096)), ("intermediate_size", .int(11008)),
            ("num_hidden_layers", .int(32)), ("num_attention_heads", .int(32)), ("num_key_value_heads", .null),
            ("hidden_act", .string("silu")), ("max_position_embeddings", .int(2048)), ("initializer_range", .double(0.02)),
            ("rms_norm_eps", .double(1e-6)), ("use_cache", .bool(true)), ("pad_token_id", .null), ("bos_token_id", .int(1)),
            ("eos_token_id", .int(2)), ("tie_word_embeddings", .bool(false)), ("rope_theta", .double(10000)),
            ("attention_bias", .bool(false)), ("attention_dropout", .double(0)), ("mlp_bias", .bool(false)), ("head_dim", .null),
        ],
        "mistral": [
            ("vocab_size", .int(32000)), ("hidden_size", .int(4096)), ("intermediate_size", .int(14336)),
            ("num_hidden_layers", .int(32)), ("num_attention_heads", .int(32)), ("num_key_value_heads", .int(8)),
            ("head_dim", .null), ("hidden_act", .string("silu")), ("max_position_embeddings", .int(4096 * 32)),
            ("initializer_range", .double(0.02)), ("rms_norm_eps", .double(1e-6)), ("use_cache", .bool(true)),
            ("pad_token_id", .null), ("bos_token_id", .int(1)), ("eos_token_id", .int(2)), ("tie_word_embeddings", .bool(false)),
            ("rope_theta", .double(10000)), ("sliding_window", .int(4096)), ("attention_dropout", .double(0)),
        ],
        "qwen2": [
            ("vocab_size", .int(151936)), ("hidden_size", .int(4096)), ("intermediate_size", .int(22016)),
            ("num_hidden_layers", .int(32)), ("num_attention_heads", .int(32)), ("num_key_value_heads", .int(32)),
            ("hidden_act", .string("silu")), ("max_position_embeddings", .int(32768)), ("initializer_range", .double(0.02)),
            ("rms_norm_eps", .double(1e-6)), ("use_cache", .bool(true)), ("tie_word_embeddings", .bool(false)),
            ("rope_theta", .double(10000)), ("use_sliding_window", .bool(false)), ("sliding_window", .int(4096)),
            ("max_window_layers", .int(28)), ("attention_dropout", .double(0)), ("pad_token_id", .null),
            ("bos_token_id", .null), ("eos_token_id", .null),
        ],
    ]

    /// transformers' `attribute_map` per architecture: a generic name and the name the config
    /// class stores it under (DistilBERT keeps `hidden_size` as `dim`). A config.json may use
    /// either spelling; each reads the other.
    static let attributeMaps: [String: [(generic: String, stored: String)]] = [
        "distilbert": [("hidden_size", "dim"), ("num_attention_heads", "n_heads"), ("num_hidden_layers", "n_layers")],
    ]

    /// The other spellings of `key` for `modelType` (empty when it has none).
    static func spellings(of key: String, modelType: String) -> [String] {
        guard let map = attributeMaps[modelType] else { return [] }
        return map.compactMap { $0.generic == key ? $0.stored : $0.stored == key ? $0.generic : nil }
    }
}

import Foundation
import Tensors

/// How transformers turns a GGUF file's metadata into a config (its `load_gguf_checkpoint`):
/// `<prefix>.<key>` entries renamed by a per-architecture table, in file order, after
/// `tie_word_embeddings` (true when the file has no `output.weight`).
///
/// Quirks kept on purpose, because the goal is the config transformers builds:
/// - a `llama` file whose `general.name` is exactly "mistral" becomes `model_type` mistral
///   (the reference tests list membership, not a substring);
/// - an array value of one element becomes that element;
/// - `vocab_size`, when the metadata lacks it, is the number of tokenizer tokens;
/// - gpt2's `context_length` becomes `n_ctx`, which GPT2Config ignores.
enum GGUFConfigMapping {
    /// The `model_type`s a GGUF file can load into here, in the order messages list them.
    static let supportedModelTypes = ["llama", "mistral", "qwen2", "gpt2"]

    /// The keys shared by the llama-like architectures (`rope.dimension_count` becomes
    /// `head_dim` only for llama and mistral; qwen2 drops it).
    private static func llamaLike(headDim: Bool) -> [String: String?] {
        [
            "context_length": "max_position_embeddings",
            "block_count": "num_hidden_layers",
            "feed_forward_length": "intermediate_size",
            "embedding_length": "hidden_size",
            "rope.dimension_count": headDim ? "head_dim" : nil,
            "rope.freq_base": "rope_theta",
            "attention.head_count": "num_attention_heads",
            "attention.head_count_kv": "num_key_value_heads",
            "attention.layer_norm_rms_epsilon": "rms_norm_eps",
            "vocab_size": "vocab_size",
        ]
    }

    /// Metadata prefix -> (key after the prefix -> config key; nil = read but dropped).
    static let keys: [String: [String: String?]] = [
        "general": ["architecture": "model_type", "name": "_model_name_or_path"],
        "llama": llamaLike(headDim: true),
        "mistral": llamaLike(headDim: true),
        "qwen2": llamaLike(headDim: false),
        "gpt2": [
            "block_count": "n_layer",
            "context_length": "n_ctx",
            "embedding_length": "n_embd",
            "feed_forward_length": "feed_forward_length",
            "attention.head_count": "n_head",
            "attention.layer_norm_epsilon": "layer_norm_epsilon",
        ],
        "tokenizer": [
            "ggml.bos_token_id": "bos_token_id",
            "ggml.eos_token_id": "eos_token_id",
            "ggml.unknown_token_id": "unk_token_id",
            "ggml.padding_token_id": "pad_token_id",
        ],
    ]

    /// The file's architecture as stored (`general.architecture`) and the model type it loads
    /// as; throws naming the file when it has none or an unsupported one.
    static func architecture(of file: GGUFFile) throws -> (stored: String, modelType: String) {
        guard let stored = file.string("general.architecture") else {
            throw ModelError.invalidWeights("\(file.path): the GGUF metadata has no 'general.architecture' string")
        }
        let modelType = stored == "llama" && file.string("general.name") == "mistral" ? "mistral" : stored
        guard supportedModelTypes.contains(modelType) else {
            throw ModelError.unsupportedModelType(
                "\(file.path): GGUF architecture '\(stored)' is not supported; supported architectures: \(supportedModelTypes.joined(separator: ", "))")
        }
        return (stored, modelType)
    }

    /// The config transformers would parse from `file`'s metadata.
    static func config(of file: GGUFFile) throws -> ModelConfig {
        let (stored, modelType) = try architecture(of: file)
        var config = ModelConfig(values: [], source: file.path)
        config["tie_word_embeddings"] = .bool(file.tensorInfo(named: "output.weight") == nil)
        for key in file.metadataKeys {
            guard let value = file.metadata[key] else { continue }
            let renamed = key.replacingOccurrences(of: stored, with: modelType)
            guard let dot = renamed.firstIndex(of: ".") else { continue }
            let prefix = String(renamed[..<dot]), rest = String(renamed[renamed.index(after: dot)...])
            guard let table = keys[prefix], let target = table[rest] else { continue }
            guard let target else { continue }
            config[target] = configValue(value, replacing: stored, with: modelType)
        }
        if config["vocab_size"] == nil, let tokens = file.metadata["tokenizer.ggml.tokens"]?.arrayValue {
            config["vocab_size"] = .int(tokens.count)
        }
        return config
    }

    /// A metadata value as transformers' parser leaves it (a one-element array unwrapped,
    /// the architecture renamed inside strings).
    static func configValue(_ value: GGUFValue, replacing stored: String, with modelType: String) -> ConfigValue {
        switch value {
        case .array(_, let items) where items.count == 1:
            return configValue(items[0], replacing: stored, with: modelType)
        case .array(_, let items):
            return .array(items.map { plain($0) })
        case .string(let s):
            return .string(s.replacingOccurrences(of: stored, with: modelType))
        default:
            return plain(value)
        }
    }

    /// A scalar or nested value, unchanged.
    private static func plain(_ value: GGUFValue) -> ConfigValue {
        switch value {
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .float32(let f): return .double(Double(f))
        case .float64(let d): return .double(d)
        case .uint64(let u): return u <= UInt64(Int.max) ? .int(Int(u)) : .double(Double(u))
        case .array(_, let items): return .array(items.map { plain($0) })
        default: return value.intValue.map(ConfigValue.int) ?? .null
        }
    }
}

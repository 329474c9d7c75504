import Foundation
import Models

/// transformers' `PretrainedConfig` for scripts: `config.hidden_size`, `config.id2label` (int
/// keys), `config.num_labels = 5`, `to_dict()`, and a repr like transformers'
/// `BertConfig { ...json... }`. One object is shared by a model and its scripts, so setting
/// `model.config.output_attentions = True` changes what later calls return, as in Python.
final class ConfigObject: NativeObject, ScriptClassProviding {
    var config: ModelConfig

    init(_ config: ModelConfig) { self.config = config }

    /// The script value wrapping this config, weakly held so `model.config is model.config`.
    private weak var wrapper: PyNative?
    func wrapped() -> Value {
        if let wrapper { return .obj(wrapper) }
        let w = PyNative(self)
        wrapper = w
        return .obj(w)
    }

    /// transformers' config class name for a `model_type`.
    static func className(_ modelType: String?) -> String {
        let known = ["bert": "BertConfig", "distilbert": "DistilBertConfig", "roberta": "RobertaConfig",
                     "gpt2": "GPT2Config", "llama": "LlamaConfig", "mistral": "MistralConfig", "qwen2": "Qwen2Config"]
        guard let type = modelType else { return "PretrainedConfig" }
        return known[type] ?? (type.prefix(1).uppercased() + type.dropFirst() + "Config")
    }

    /// transformers' `attribute_map`s: common names that a family stores under its own key.
    static let attributeMaps: [String: [String: String]] = [
        "gpt2": ["hidden_size": "n_embd", "max_position_embeddings": "n_positions",
                 "num_attention_heads": "n_head", "num_hidden_layers": "n_layer"],
        "distilbert": ["hidden_size": "dim", "num_attention_heads": "n_heads", "num_hidden_layers": "n_layers"],
    ]

    /// Attributes every PretrainedConfig has even when config.json omits them (with their
    /// defaults), so `config.output_attentions` reads and `output_attentions=True` overrides.
    static let baseAttributes: [(String, ConfigValue)] = [
        ("output_hidden_states", .bool(false)), ("output_attentions", .bool(false)), ("return_dict", .bool(true)),
        ("is_encoder_decoder", .bool(false)), ("is_decoder", .bool(false)), ("add_cross_attention", .bool(false)),
        ("tie_word_embeddings", .bool(true)), ("problem_type", .null), ("chunk_size_feed_forward", .int(0)),
        ("pad_token_id", .null), ("bos_token_id", .null), ("eos_token_id", .null), ("architectures", .null),
        ("dtype", .null), ("torch_dtype", .null), ("use_cache", .bool(true)),
    ]

    /// The key `name` is stored under (an attribute_map alias resolved).
    func key(_ name: String) -> String { Self.attributeMaps[config.modelType ?? ""]?[name] ?? name }

    /// Whether the config has attribute `name` (stored, defaulted by its class, or a base attribute).
    func hasAttribute(_ name: String) -> Bool {
        let k = key(name)
        return config.value(k) != nil || Self.baseAttributes.contains { $0.0 == k }
            || ["num_labels", "id2label", "label2id"].contains(name)
    }

    /// The overrides transformers applies from `from_pretrained(..., **kwargs)`: only keys the
    /// config already has as attributes (others are unused, as transformers leaves them);
    /// returns the applied (key, value) pairs and the unused names.
    func overrides(_ kwargs: [(String, Value)]) throws -> (applied: [(String, ConfigValue)], unused: [String]) {
        var applied: [(String, ConfigValue)] = [], unused: [String] = []
        let givesLabels = kwargs.contains { $0.0 == "id2label" }
        for (name, value) in kwargs {
            guard hasAttribute(name) else { unused.append(name); continue }
            // With id2label given, num_labels is implied by it (transformers stores no num_labels).
            if name == "num_labels" && givesLabels { continue }
            applied.append((key(name), try Self.configValue(value, name)))
        }
        return (applied, unused)
    }

    /// A script value as a config value (id2label dicts get string keys, as config.json has).
    static func configValue(_ v: Value, _ what: String) throws -> ConfigValue {
        switch v {
        case .none: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .double(d)
        case .str(let s): return .string(s)
        default:
            if let d = Conversions.dtype(v) { return .string(String(d.torchName.dropFirst("torch.".count))) }
            if let items = try Interp.mappingItems(v) {
                return .object(try items.map { key, value in
                    let k: String
                    switch key {
                    case .str(let s): k = s
                    case .int(let i): k = String(i)
                    default: throw ScriptBridge.error("TypeError", "\(what): config dict keys must be str or int, not \(Interp.typeName(key))")
                    }
                    return (k, try configValue(value, what))
                })
            }
            if Interp.typeName(v) == "list" || Interp.typeName(v) == "tuple" {
                return .array(try ScriptBridge.array(v).map { try configValue($0, what) })
            }
            throw ScriptBridge.error("TypeError", "\(what): a config value must be None, a bool, number, str, list or dict, not \(Interp.typeName(v))")
        }
    }

    /// A config value as a script value; `intKeys` turns an object's keys into ints (id2label).
    static func value(_ c: ConfigValue, intKeys: Bool = false) -> Value {
        switch c {
        case .null: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .float(d)
        case .string(let s): return .str(s)
        case .array(let items): return .list(items.map { value($0) })
        case .object(let pairs):
            let d = PyDict()
            for (k, v) in pairs { d.set(intKeys ? (Int(k).map(Value.int) ?? .str(k)) : .str(k), value(v)) }
            return .obj(d)
        }
    }

    /// `id2label` as transformers holds it: int keys, names for every class.
    var id2label: Value {
        get throws {
            let map = try TransformersModels.translating { try config.id2label }
            let d = PyDict()
            for k in map.keys.sorted() { d.set(.int(k), .str(map[k]!)) }
            return .obj(d)
        }
    }

    var typeName: String { Self.className(config.modelType) }
    nonisolated(unsafe) static var classes: [String: PyClass] = [:]
    /// One script class per config class name (`BertConfig`), under `PretrainedConfig`.
    var scriptClass: PyClass {
        if let c = Self.classes[typeName] { return c }
        let c = PyClass(name: typeName, base: Self.binding.scriptClass)
        c.module = "transformers"
        Self.classes[typeName] = c
        return c
    }
    var doc: String? { Self.binding.doc }
    var attributeNames: [String] {
        Self.binding.attributeNames + config.values.map(\.0) + ["num_labels", "id2label", "label2id"]
    }

    func getAttribute(_ name: String) throws -> Value? {
        if let v = try Self.binding.attribute(name, of: self) { return v }
        switch name {
        case "id2label": return try id2label
        case "label2id":
            let map = try TransformersModels.translating { try config.label2id }
            let d = PyDict()
            for (k, v) in map.sorted(by: { $0.value < $1.value }) { d.set(.str(k), .int(v)) }
            return .obj(d)
        case "num_labels": return .int(try TransformersModels.translating { try config.numLabels })
        case "model_type": return config.modelType.map(Value.str) ?? .none
        case "name_or_path", "_name_or_path": return .str(config.source.hasSuffix("/config.json") ? String(config.source.dropLast("/config.json".count)) : config.source)
        default: break
        }
        let k = key(name)
        if let v = config.value(k) { return Self.value(v) }
        if let base = Self.baseAttributes.first(where: { $0.0 == k }) { return Self.value(base.1) }
        if name.hasPrefix("__") { return nil }
        throw ScriptBridge.error("AttributeError", "'\(typeName)' object has no attribute '\(name)'")
    }

    func setAttribute(_ name: String, _ value: Value) throws -> Bool {
        let v = try Self.configValue(value, name)
        try TransformersModels.translating {
            if name == "num_labels" || name == "id2label" || name == "label2id" {
                // Setting id2label leaves label2id as it was, as in transformers.
                try AutoConfig.apply([(name, v)], to: &config)
            } else {
                config[key(name)] = v
            }
        }
        return true
    }

    /// The JSON transformers prints and saves: sorted keys, two-space indent.
    func jsonString() -> String { ConfigValue.object(config.values).sortedKeys.json(indent: 2) + "\n" }

    func repr() throws -> String { "\(typeName) \(jsonString())" }

    static let binding: NativeTypeBinding<ConfigObject> = make()

    static func make() -> NativeTypeBinding<ConfigObject> {
        let b = NativeTypeBinding<ConfigObject>(typeName: "PretrainedConfig", module: "transformers",
            doc: "A model's configuration (config.json): every key is an attribute; id2label / label2id name the classes; to_dict() and to_json_string() give it back.")
        b.method("to_dict", "", doc: "The config as a dict (id2label with int keys).") { o, _ in
            let d = PyDict()
            for (k, v) in o.config.values { d.set(.str(k), k == "id2label" ? value(v, intKeys: true) : value(v)) }
            return .obj(d)
        }
        b.method("to_json_string", "use_diff=True", doc: "The config as JSON text, keys sorted, as config.json is written.") { o, _ in
            .str(o.jsonString())
        }
        b.method("save_pretrained", "save_directory", doc: "Writes config.json into save_directory.") { o, a in
            let dir = URL(fileURLWithPath: try a.string("save_directory"))
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try o.jsonString().write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
            return .none
        }
        b.method("__contains__", "key", doc: "Whether the config has the attribute.") { o, a in
            .bool(o.hasAttribute(try a.string("key")))
        }
        b.method("__eq__", "other", doc: "Equal when both hold the same keys and values.") { o, a in
            guard let other = ScriptBridge.unwrap(a["other"], as: ConfigObject.self) else { return .bool(false) }
            return .bool(ConfigValue.object(o.config.values).sortedKeys == ConfigValue.object(other.config.values).sortedKeys)
        }
        return b
    }
}

/// `transformers.AutoConfig`: `from_pretrained(id_or_path, revision=None, **overrides)`.
final class AutoConfigObject: NativeObject {
    nonisolated(unsafe) static let shared = AutoConfigObject()
    var typeName: String { "type" }

    static let fromPretrained = Bindings.function("from_pretrained",
        "pretrained_model_name_or_path, *, revision=None, cache_dir=None, local_files_only=True, trust_remote_code=False, return_unused_kwargs=False, **kwargs",
        doc: "Reads config.json of a local directory or of a model id in the offline Hugging Face cache ($HF_HOME/hub), then applies keyword overrides (num_labels=3, output_attentions=True, ...) to the keys the config has; with return_unused_kwargs=True also returns the keywords it did not use.") { a in
        let name = try a.string("pretrained_model_name_or_path")
        let revision = a.isNone("revision") ? nil : try a.string("revision")
        let kwargs = try Interp.mappingItems(a["kwargs"])?.map { (try ScriptBridge.string($0.0), $0.1) } ?? []
        let object = ConfigObject(try TransformersModels.translating { try AutoConfig.fromPretrained(name, revision: revision) })
        let (applied, unused) = try object.overrides(kwargs)
        try TransformersModels.translating { try AutoConfig.apply(applied, to: &object.config) }
        if case .bool(true) = a["return_unused_kwargs"] {
            return .tuple([ScriptBridge.wrap(object), ScriptBridge.dict(kwargs.filter { unused.contains($0.0) })])
        }
        return ScriptBridge.wrap(object)
    }

    func getAttribute(_ name: String) throws -> Value? {
        switch name {
        case "from_pretrained": return Self.fromPretrained
        case "__name__": return .str("AutoConfig")
        default: return nil
        }
    }
    func repr() throws -> String { "<class 'transformers.models.auto.configuration_auto.AutoConfig'>" }
    var doc: String? { "AutoConfig.from_pretrained(name_or_path, **overrides): a model's configuration, from a local directory or the offline Hugging Face cache." }
    var attributeNames: [String] { ["from_pretrained"] }
}

import Foundation
import Models
import Tensors

/// `from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification, BertModel, ...`:
/// the model classes of transformers over the Models module. Every class in `ModelRegistry`
/// appears under its transformers name, so architectures added there show up here unchanged.
enum TransformersModels {
    /// The attributes this file contributes to the `transformers` module.
    static func moduleAttributes() -> [String: Value] {
        var m: [String: Value] = ["AutoConfig": ScriptBridge.wrap(AutoConfigObject.shared),
                                  "PretrainedConfig": .obj(ConfigObject.binding.scriptClass),
                                  "PreTrainedModel": .obj(ModelObject.baseClass),
                                  "ModelOutput": .obj(ModelOutputObject.binding.scriptClass)]
        for task in ModelTask.allCases { m[task.rawValue] = ScriptBridge.wrap(ModelClassObject(auto: task)) }
        for architecture in ModelRegistry.architectures {
            m[architecture.className] = ScriptBridge.wrap(ModelClassObject(concrete: architecture))
        }
        m.merge(GenerationBinding.moduleAttributes()) { own, _ in own }
        return m
    }

    /// Runs `body`, raising Models errors as the Python exceptions transformers raises: a model
    /// or file that cannot be found is an OSError, a bad config or input a ValueError, a weight
    /// whose shape disagrees a RuntimeError (as torch's load_state_dict).
    static func translating<R>(_ body: () throws -> R) throws -> R {
        do { return try Bindings.translatingErrors(body) } catch let e as ModelError {
            switch e {
            case .notFound(let m), .invalidWeights(let m): throw ScriptBridge.error("OSError", m)
            case .invalidConfig(let m), .unsupportedModelType(let m), .invalidInput(let m): throw ScriptBridge.error("ValueError", m)
            case .shapeMismatch(let m): throw ScriptBridge.error("RuntimeError", m)
            }
        }
    }
}

/// A model class as scripts see it: an Auto class (`AutoModelForMaskedLM`, resolving the
/// architecture from the config's model_type) or one concrete class (`BertModel`). Both have
/// `from_pretrained` and `from_config`; a concrete class is also callable with a config, as
/// `BertModel(config)` builds a freshly initialised model.
final class ModelClassObject: NativeObject, ScriptClassProviding {
    let name: String
    let task: ModelTask
    /// nil for an Auto class.
    let architecture: ModelArchitecture?

    init(auto task: ModelTask) {
        name = task.rawValue
        self.task = task
        architecture = nil
    }

    init(concrete architecture: ModelArchitecture) {
        name = architecture.className
        task = architecture.task
        self.architecture = architecture
    }

    var typeName: String { "type" }
    var scriptClass: PyClass { architecture.map { ModelObject.scriptClass(for: $0.className) } ?? ModelObject.baseClass }

    /// `from_pretrained(id_or_path, revision=, gguf_file=, **config overrides)`.
    func fromPretrained(_ a: Arguments) throws -> Value {
        let id = try a.string("pretrained_model_name_or_path")
        let revision = a.isNone("revision") ? nil : try a.string("revision")
        let gguf = a.isNone("gguf_file") ? nil : try a.string("gguf_file")
        let kwargs = try Interp.mappingItems(a["kwargs"])?.map { (try ScriptBridge.string($0.0), $0.1) } ?? []
        // Attention is always computed eagerly (so attentions can be returned), in float32.
        if !a.isNone("attn_implementation") {
            let choice = try a.string("attn_implementation")
            guard ["eager", "sdpa", "flash_attention_2"].contains(choice) else {
                throw ScriptBridge.error("ValueError", "Specified `attn_implementation=\"\(choice)\"` is not supported. The only possible arguments are `attn_implementation=\"eager\"`, `\"sdpa\"` and `\"flash_attention_2\"`")
            }
        }
        for key in ["dtype", "torch_dtype"] where !a.isNone(key) {
            if case .str("auto") = a[key] { continue }
            guard let d = Conversions.dtype(a[key]), d == .float32 else {
                throw ScriptBridge.error("NotImplementedError", "\(key)=\(try ScriptBridge.repr(a[key])): models compute in float32 here (half-precision checkpoints are converted on load)")
            }
        }
        var config: ConfigObject? = nil
        if !a.isNone("config") {
            guard let c = ScriptBridge.unwrap(a["config"], as: ConfigObject.self) else {
                throw ScriptBridge.error("TypeError", "\(name).from_pretrained(): config must be a PretrainedConfig, not \(Interp.typeName(a["config"]))")
            }
            config = c
        }
        // Overrides are checked against the checkpoint's config, as transformers does: keys the
        // config lacks go to the model's constructor, which takes none here.
        var overrides: [(String, ConfigValue)] = []
        if gguf != nil && config == nil {
            // A GGUF file carries its config in its metadata: every keyword is an override.
            overrides = try kwargs.map { ($0.0, try ConfigObject.configValue($0.1, $0.0)) }
        } else if !kwargs.isEmpty || config != nil {
            let base = try config ?? ConfigObject(TransformersModels.translating { try AutoConfig.fromPretrained(id, revision: revision) })
            let (applied, unused) = try base.overrides(kwargs)
            if let name = unused.first {
                let owner = architecture?.className ?? (try? ModelRegistry.architecture(modelType: base.config.modelType ?? "", task: task).className) ?? name
                throw ScriptBridge.error("TypeError", "\(owner).__init__() got an unexpected keyword argument '\(name)'")
            }
            overrides = applied
            if let config {
                // An explicit config replaces the checkpoint's: pass all of its keys.
                overrides = config.config.values + applied
            }
        }
        let model = try TransformersModels.translating {
            try AutoModel.fromPretrained(id, task: task, className: architecture?.className, revision: revision,
                                         ggufFile: gguf, overrides: overrides)
        }
        if !model.newlyInitialized.isEmpty {
            // transformers reports fresh weights on stderr after loading; so do we.
            Runtime.sink.write("Some weights of \(model.className) were not initialized from the model checkpoint at \(id) and are newly initialized: ['\(model.newlyInitialized.sorted().joined(separator: "', '"))']\nYou should probably TRAIN this model on a down-stream task to be able to use it for predictions and inference.\n", to: .stderr)
        }
        return ModelObject(model).wrapped()
    }

    /// `from_config(config)`: fresh weights, training mode.
    func fromConfig(_ a: Arguments) throws -> Value {
        guard let config = ScriptBridge.unwrap(a["config"], as: ConfigObject.self) else {
            throw ScriptBridge.error("TypeError", "\(name).from_config(): config must be a PretrainedConfig, not \(Interp.typeName(a["config"]))")
        }
        var copy = config.config
        let kwargs = try Interp.mappingItems(a["kwargs"])?.map { (try ScriptBridge.string($0.0), $0.1) } ?? []
        let (applied, _) = try config.overrides(kwargs)
        try TransformersModels.translating { try AutoConfig.apply(applied, to: &copy) }
        let model = try TransformersModels.translating { try AutoModel.fromConfig(copy, task: task, className: architecture?.className) }
        return ModelObject(model).wrapped()
    }

    static let fromPretrainedSignature = "pretrained_model_name_or_path, *model_args, config=None, revision=None, gguf_file=None, cache_dir=None, local_files_only=True, trust_remote_code=False, attn_implementation=None, dtype=None, torch_dtype=None, **kwargs"

    func getAttribute(_ name: String) throws -> Value? {
        switch name {
        case "from_pretrained":
            return Bindings.function("from_pretrained", Self.fromPretrainedSignature,
                doc: "Loads a model from a local directory or a model id in the offline Hugging Face cache ($HF_HOME/hub): config.json (keyword arguments such as num_labels=3 or output_attentions=True override its keys), then model.safetensors (or its shards, or gguf_file=). A task head missing from the checkpoint is initialised freshly. The model starts in eval mode.") { a in
                try self.fromPretrained(a)
            }
        case "from_config":
            return Bindings.function("from_config", "config, **kwargs",
                doc: "A model of the config's architecture with freshly initialised weights, in training mode.") { a in
                try self.fromConfig(a)
            }
        case "__name__", "__qualname__": return .str(self.name)
        default: return nil
        }
    }

    func call(_ args: [Value], _ kwargs: [(String, Value)]) throws -> Value {
        guard architecture != nil else {
            throw ScriptBridge.error("OSError", "\(name) is designed to be instantiated using the `\(name).from_pretrained(pretrained_model_name_or_path)` or `\(name).from_config(config)` methods.")
        }
        let a = try Signature("config").bind(args, kwargs, function: name)
        return try fromConfig(a)
    }

    func repr() throws -> String {
        guard let architecture else { return "<class 'transformers.models.auto.modeling_auto.\(name)'>" }
        return "<class 'transformers.models.\(architecture.modelType).modeling_\(architecture.modelType).\(name)'>"
    }
    var doc: String? {
        architecture == nil
            ? "\(name).from_pretrained(name_or_path, **overrides) picks the class for the config's model_type (\(ModelRegistry.modelTypes.joined(separator: ", "))); \(name).from_config(config) builds one with fresh weights."
            : "\(name).from_pretrained(name_or_path, **overrides), \(name).from_config(config) or \(name)(config)."
    }
    var attributeNames: [String] { ["from_config", "from_pretrained"] }
}

import Foundation
import Models
import NN
import Tensors

/// A loaded model as scripts see it (transformers' `PreTrainedModel`, a torch `nn.Module`):
/// `model(**inputs)` runs it, `model.config` is its config, and the module methods
/// (`eval`, `train`, `state_dict`, `load_state_dict`, `parameters`, `num_parameters`,
/// `save_pretrained`) work as in torch. Keywords the architecture's forward does not take
/// are a TypeError naming them.
final class ModelObject: NativeObject, ScriptClassProviding {
    let model: PreTrainedModel
    /// The config scripts read and change; its output flags are the defaults of each call.
    let configObject: ConfigObject

    /// The script value wrapping this object, weakly held so `model.eval() is model` is true
    /// without a reference cycle keeping the weights alive.
    private weak var wrapper: PyNative?

    init(_ model: PreTrainedModel) {
        self.model = model
        configObject = ConfigObject(model.config)
    }

    /// `model.generation_config`: generation_config.json next to the model's config when there
    /// is one, else the config's special tokens over transformers' defaults.
    lazy var generationConfigObject: GenerationConfigObject = {
        let directory = URL(fileURLWithPath: model.config.source).deletingLastPathComponent()
        let file = directory.appendingPathComponent("generation_config.json")
        if FileManager.default.fileExists(atPath: file.path), let config = try? GenerationConfig(contentsOf: file) {
            return GenerationConfigObject(config)
        }
        return GenerationConfigObject((try? GenerationConfig(modelConfig: model.config)) ?? GenerationConfig())
    }()

    /// The generation options `generate` starts from.
    var generationConfig: GenerationConfig { generationConfigObject.config }

    /// The script value for this model (the same object each time while a script holds it).
    func wrapped() -> Value {
        if let wrapper { return .obj(wrapper) }
        let w = PyNative(self)
        wrapper = w
        return .obj(w)
    }

    /// `transformers.PreTrainedModel`, the base of every model class.
    nonisolated(unsafe) static let baseClass: PyClass = {
        let c = PyClass(name: "PreTrainedModel", base: Builtins.objectClass)
        c.module = "transformers"
        c.doc = "The base class of every model: a torch module with a config and from_pretrained."
        return c
    }()
    nonisolated(unsafe) static var classes: [String: PyClass] = [:]

    /// One script class per transformers class name, so `type(model).__name__` is `BertModel`.
    static func scriptClass(for name: String) -> PyClass {
        if let c = classes[name] { return c }
        let c = PyClass(name: name, base: baseClass)
        c.module = "transformers"
        c.doc = "transformers' \(name)."
        classes[name] = c
        return c
    }

    var typeName: String { model.className }
    var scriptClass: PyClass { Self.scriptClass(for: model.className) }
    var doc: String? {
        "\(model.className): call it with the tokenizer's output, model(**inputs), or with \(model.acceptedInputs.joined(separator: ", ")). Methods: \(Self.binding.attributeNames.joined(separator: ", "))."
    }
    /// The methods, then the blocks (an empty list property is no block).
    var attributeNames: [String] {
        Self.binding.attributeNames + model.namedChildren().filter { !($0.1 is ModuleList && $0.1.namedChildren().isEmpty) }.map(\.0)
    }

    func getAttribute(_ name: String) throws -> Value? {
        if let v = try Self.binding.attribute(name, of: self) { return v }
        // Blocks and weights by their torch attribute names (model.bert.encoder.layer[0]).
        return SubmoduleObject.member(of: model, name)
    }

    // MARK: Calling

    /// Runs the model: positional arguments in the forward's order, keywords by name.
    func call(_ args: [Value], _ kwargs: [(String, Value)]) throws -> Value {
        let accepted = model.acceptedInputs
        let function = "\(model.className).forward"
        guard args.count <= accepted.count else {
            throw ScriptBridge.error("TypeError", "\(function)() takes \(accepted.count + 1) positional arguments but \(args.count + 1) were given")
        }
        var given: [(String, Value)] = zip(accepted, args).map { ($0, $1) }
        var returnDict = true
        for (name, value) in kwargs {
            if name == "return_dict" { returnDict = value.isNone ? true : try Interp.truthy(value); continue }
            guard accepted.contains(name) else {
                throw ScriptBridge.error("TypeError", "\(function)() got an unexpected keyword argument '\(name)'")
            }
            guard !given.contains(where: { $0.0 == name }) else {
                throw ScriptBridge.error("TypeError", "\(function)() got multiple values for argument '\(name)'")
            }
            given.append((name, value))
        }
        var inputs = ModelInputs()
        inputs.outputAttentions = try flag("output_attentions")
        inputs.outputHiddenStates = try flag("output_hidden_states")
        for (name, value) in given where !value.isNone {
            func tensor() throws -> Tensor {
                if let t = ScriptBridge.unwrap(value, as: Tensor.self) { return t }
                do { return try Conversions.tensor(from: value, dtype: nil) } catch {
                    throw ScriptBridge.error("TypeError", "\(function)(): \(name) must be a tensor, not \(Interp.typeName(value))")
                }
            }
            switch name {
            case "input_ids": inputs.inputIds = try tensor()
            case "attention_mask": inputs.attentionMask = try tensor()
            case "token_type_ids": inputs.tokenTypeIds = try tensor()
            case "position_ids": inputs.positionIds = try tensor()
            case "inputs_embeds": inputs.inputsEmbeds = try tensor()
            case "labels": inputs.labels = try tensor()
            case "start_positions": inputs.startPositions = try tensor()
            case "end_positions": inputs.endPositions = try tensor()
            case "output_attentions": inputs.outputAttentions = try Interp.truthy(value)
            case "output_hidden_states": inputs.outputHiddenStates = try Interp.truthy(value)
            case "use_cache": inputs.useCache = try Interp.truthy(value)
            case "past_key_values":
                guard let cache = ScriptBridge.unwrap(value, as: CacheObject.self) else {
                    throw ScriptBridge.error("TypeError", "\(function)(): past_key_values must be the past_key_values of an earlier output, not \(Interp.typeName(value))")
                }
                inputs.pastKeyValues = cache.cache
            default:
                throw ScriptBridge.error("NotImplementedError", "\(function)(): the argument '\(name)' is accepted by transformers but not supported here (pass None)")
            }
        }
        if inputs.useCache == nil, let use = configObject.config["use_cache"]?.boolValue, use != (model.config["use_cache"]?.boolValue ?? use) {
            inputs.useCache = use
        }
        let output = try TransformersModels.translating { try model.forward(inputs) }
        let object = ModelOutputObject(output)
        return returnDict ? ScriptBridge.wrap(object) : .tuple(object.tupleItems)
    }

    /// The config's default for an output flag (`model.config.output_attentions`).
    private func flag(_ name: String) throws -> Bool {
        configObject.config[name]?.boolValue ?? false
    }

    // MARK: Module tree text

    /// The module tree as torch prints it: `Name(\n  (child): Child(...)\n)`, repeated
    /// identical layers folded into `(0-11): 12 x BertLayer(...)`.
    static func describe(_ module: Module) -> String {
        switch module {
        case let l as Linear:
            return "Linear(in_features=\(l.weight.shape[1]), out_features=\(l.weight.shape[0]), bias=\(l.bias == nil ? "False" : "True"))"
        case let e as Embedding:
            return "Embedding(\(e.weight.shape[0]), \(e.weight.shape[1])\(e.paddingIndex.map { ", padding_idx=\($0)" } ?? ""))"
        case let n as LayerNorm:
            return "LayerNorm((\(n.normalizedShape.map(String.init).joined(separator: ", ")),), eps=\(float(n.eps)), elementwise_affine=\(n.weight == nil ? "False" : "True"), bias=\(n.bias == nil ? "False" : "True"))"
        case let n as RMSNorm:
            return "RMSNorm((\(n.weight.shape[0]),), eps=\(float(n.eps)))"
        case let d as Dropout:
            return "Dropout(p=\(float(d.p)), inplace=False)"
        case let a as Activation:
            return "Activation(\(a.kind.rawValue))"
        default: break
        }
        let name = module is ModuleList ? "ModuleList" : String(describing: type(of: module))
        // An empty list property (any empty array reads as a module list) is no block.
        let children = module.namedChildren().filter { !($0.1 is ModuleList && $0.1.namedChildren().isEmpty) }
        guard !children.isEmpty else { return "\(name)()" }
        var lines: [String] = []
        var i = 0
        while i < children.count {
            let text = describe(children[i].1)
            var j = i + 1
            // Consecutive list entries with the same text are printed once, as torch does.
            if module is ModuleList {
                while j < children.count, describe(children[j].1) == text { j += 1 }
            }
            let label = j - i > 1 ? "(\(children[i].0)-\(children[j - 1].0)): \(j - i) x " : "(\(children[i].0)): "
            lines.append(label + text.replacingOccurrences(of: "\n", with: "\n  "))
            i = j
        }
        return "\(name)(\n" + lines.map { "  " + $0 }.joined(separator: "\n") + "\n)"
    }

    /// A float as Python's repr writes it.
    static func float(_ v: Double) -> String {
        var s = "\(v)"
        if let e = s.firstIndex(of: "e") {
            var mantissa = String(s[..<e]), exponent = String(s[s.index(after: e)...])
            if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
            let negative = exponent.hasPrefix("-")
            exponent = exponent.trimmingCharacters(in: CharacterSet(charactersIn: "+-"))
            if exponent.count < 2 { exponent = "0" + exponent }
            s = mantissa + "e" + (negative ? "-" : "+") + exponent
        }
        return s
    }

    func repr() throws -> String {
        let tree = Self.describe(model)
        // The root carries transformers' class name; the blocks keep their Swift names.
        guard let open = tree.firstIndex(of: "(") else { return model.className }
        return model.className + tree[open...]
    }

    // MARK: Methods

    static let binding: NativeTypeBinding<ModelObject> = make()

    static func make() -> NativeTypeBinding<ModelObject> {
        let b = NativeTypeBinding<ModelObject>(typeName: "PreTrainedModel", module: "transformers",
            doc: "A model: call it with the tokenizer's output; config, eval(), train(), state_dict(), save_pretrained().")
        b.property("config", doc: "The model's configuration.", get: { $0.configObject.wrapped() })
        b.property("training", doc: "True in training mode (dropout active).", get: { .bool($0.model.training) })
        b.property("name_or_path", doc: "Where the model was loaded from.", get: { o in try o.configObject.getAttribute("name_or_path") ?? .none })
        b.property("dtype", doc: "The parameters' dtype.", get: { o in DTypeObject.value(o.model.parameters().first?.dtype ?? .float32) })
        b.property("device", doc: "Where the parameters live: always the CPU.", get: { _ in .str("cpu") })
        b.property("base_model_prefix", doc: "The attribute name of the base model inside a task model.", get: { o in
            .str(o.model.config.modelType == "gpt2" ? "transformer" : o.model.config.modelType.map { ["llama", "mistral", "qwen2"].contains($0) ? "model" : $0 } ?? "")
        })
        b.method("forward", "*args, **kwargs", doc: "Runs the model (the same as calling it).") { o, a in
            let args = try ScriptBridge.array(a["args"])
            let kwargs = try Interp.mappingItems(a["kwargs"])?.map { (try ScriptBridge.string($0.0), $0.1) } ?? []
            return try o.call(args, kwargs)
        }
        b.property("generation_config", doc: "The default generation options (from generation_config.json, else the config's special tokens).",
                   get: { ScriptBridge.wrap($0.generationConfigObject) })
        b.method("generate", GenerationBinding.signature.text,
                 doc: "Generates token ids after the prompt: greedy, sampling (do_sample=True), beam search (num_beams=); every transformers option by name; streamer= prints or queues text as it comes.") { o, a in
            try GenerationBinding.generate(o, a)
        }
        b.method("eval", "", doc: "Evaluation mode (dropout off); returns the model.") { o, _ in
            o.model.eval(); return o.wrapped()
        }
        b.method("train", "mode=True", doc: "Training mode (dropout on), or evaluation mode with mode=False; returns the model.") { o, a in
            o.model.train(try a.bool("mode")); return o.wrapped()
        }
        b.method("to", "*args, **kwargs", doc: "The model itself (everything runs on the CPU in float32).") { o, _ in o.wrapped() }
        b.alias("cpu", for: "to")
        b.method("num_parameters", "only_trainable=False, exclude_embeddings=False",
                 doc: "The number of parameters (elements), optionally only trainable ones, or without the embedding tables.") { o, a in
            var count = o.model.numParameters(onlyTrainable: try a.bool("only_trainable"))
            if try a.bool("exclude_embeddings") {
                count -= embeddingTables(o.model).map(\.count).reduce(0, +)
            }
            return .int(count)
        }
        b.method("state_dict", "", doc: "Every parameter and buffer by name, as the checkpoint names them (an ordered dict of tensors sharing the model's memory).") { o, _ in
            let d = PyDict()
            for (name, t) in o.model.stateDict() { d.set(.str(name), ScriptBridge.wrap(t.detach())) }
            return .obj(d)
        }
        b.method("load_state_dict", "state_dict, strict=True, assign=False",
                 doc: "Copies tensors into the model by name; with strict=True a missing or unexpected name is an error, a shape mismatch always is. Returns the missing and unexpected keys.") { o, a in
            guard let items = try Interp.mappingItems(a["state_dict"]) else {
                throw ScriptBridge.error("TypeError", "Expected state_dict to be dict-like, got \(Interp.typeName(a["state_dict"])).")
            }
            var state: [String: Tensor] = [:]
            for (k, v) in items {
                guard let t = ScriptBridge.unwrap(v, as: Tensor.self) else {
                    throw ScriptBridge.error("TypeError", "load_state_dict: the value of '\(try ScriptBridge.string(k))' must be a Tensor, not \(Interp.typeName(v))")
                }
                state[try ScriptBridge.string(k)] = t
            }
            let strict = try a.bool("strict")
            let result: (missing: [String], unexpected: [String])
            do { result = try o.model.loadStateDict(state, strict: strict) } catch let e as TensorError {
                throw ScriptBridge.error("RuntimeError", "\(e.description.replacingOccurrences(of: "Error(s) in loading state_dict", with: "Error(s) in loading state_dict for \(o.model.className)"))")
            }
            return ScriptBridge.wrap(IncompatibleKeysObject(missing: result.missing, unexpected: result.unexpected))
        }
        b.method("parameters", "recurse=True", doc: "The parameters (tensors with requires_grad), in state-dict order.") { o, _ in
            .list(o.model.parameters().map { ScriptBridge.wrap($0) })
        }
        b.method("named_parameters", "prefix='', recurse=True", doc: "(name, parameter) pairs, in state-dict order.") { o, a in
            let prefix = try a.string("prefix")
            return .list(o.model.namedParameters().map { .tuple([.str(prefix.isEmpty ? $0.0 : prefix + "." + $0.0), ScriptBridge.wrap($0.1)]) })
        }
        b.method("zero_grad", "set_to_none=True", doc: "Clears every parameter's .grad.") { o, _ in o.model.zeroGrad(); return .none }
        b.method("requires_grad_", "requires_grad=True", doc: "Turns gradient tracking of every parameter on or off; returns the model.") { o, a in
            let on = try a.bool("requires_grad")
            for (_, t) in o.model.stateDict() where t.dtype.isFloatingPoint { try t.requiringGrad(on) }
            return o.wrapped()
        }
        b.method("save_pretrained", "save_directory, *, safe_serialization=True, **kwargs",
                 doc: "Writes model.safetensors (tied weights once) and config.json into save_directory, so transformers' from_pretrained loads it.") { o, a in
            let dir = try a.string("save_directory")
            // The script-side config (what was set on model.config) is the one saved.
            try TransformersModels.translating { try o.model.savePretrained(URL(fileURLWithPath: dir), config: o.configObject.config) }
            return .none
        }
        b.method("get_input_embeddings", "", doc: "The input embedding table's weight (a tensor).") { o, _ in
            guard let t = embeddingTables(o.model).first else { return .none }
            return ScriptBridge.wrap(t)
        }
        b.method("__repr__", "", doc: "The module tree.") { o, _ in .str(try o.repr()) }
        return b
    }

    /// The token embedding tables (the first embedding of the tree, for exclude_embeddings).
    static func embeddingTables(_ model: Module) -> [Tensor] {
        func walk(_ m: Module) -> [Tensor] {
            if let e = m as? Embedding { return [e.weight] }
            return m.namedChildren().flatMap { walk($0.1) }
        }
        return walk(model)
    }
}

/// torch's `_IncompatibleKeys` (what `load_state_dict` returns).
final class IncompatibleKeysObject: NativeObject {
    let missing: [String], unexpected: [String]
    init(missing: [String], unexpected: [String]) { self.missing = missing; self.unexpected = unexpected }
    var typeName: String { "_IncompatibleKeys" }
    func getAttribute(_ name: String) throws -> Value? {
        switch name {
        case "missing_keys": return .list(missing.map(Value.str))
        case "unexpected_keys": return .list(unexpected.map(Value.str))
        default: return nil
        }
    }
    func repr() throws -> String {
        if missing.isEmpty && unexpected.isEmpty { return "<All keys matched successfully>" }
        return "_IncompatibleKeys(missing_keys=\(try ScriptBridge.repr(.list(missing.map(Value.str)))), unexpected_keys=\(try ScriptBridge.repr(.list(unexpected.map(Value.str)))))"
    }
    var attributeNames: [String] { ["missing_keys", "unexpected_keys"] }
}

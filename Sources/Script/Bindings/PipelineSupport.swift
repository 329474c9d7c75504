import Foundation
import Models
import Tensors

/// What the `transformers` module takes from the pipelines library module, and the offline
/// default-model check pipelines use.
enum PipelineSupport {
    /// The names `from transformers import ...` finds in the pipelines module.
    static let exported = ["pipeline", "Pipeline", "PIPELINE_REGISTRY", "PipelineException", "ChunkPipeline", "FeatureExtractionPipeline",
                           "TextClassificationPipeline", "FillMaskPipeline", "TextGenerationPipeline",
                           "ZeroShotClassificationPipeline", "TokenClassificationPipeline", "NerPipeline", "QuestionAnsweringPipeline"]

    static func moduleAttributes() throws -> [String: Value] {
        guard let module = try Modules.importModule("transformers.pipelines").asModule else { return [:] }
        var attributes: [String: Value] = [:]
        for name in exported { attributes[name] = module.attrs[name] }
        attributes["_local_model_or_error"] = Bindings.function("_local_model_or_error", "task, model_id, entry",
            doc: "The default model of a task and its GGUF file name (or None) when it is in the local cache; otherwise an OSError naming the local models that fit and how to get the default.") { a in
            let task = try a.string("task"), id = try a.string("model_id")
            if let directory = try? ModelLocation.resolve(id) {
                // A repository that only holds a GGUF file loads through it (SmolLM2 here).
                let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
                let hasWeights = files.contains { $0.hasSuffix(".safetensors") || $0 == "model.safetensors.index.json" }
                let gguf = hasWeights ? nil : files.filter { $0.hasSuffix(".gguf") }.sorted().first
                return .tuple([.str(id), gguf.map(Value.str) ?? .none])
            }
            let autoName = (try? ScriptBridge.array(try Interp.getItem(a["entry"], .str("pt"))).first.map { try ScriptBridge.string($0) }) ?? nil
            let fitting = localModels(for: autoName.flatMap(ModelTask.init(rawValue:)))
            let list = fitting.isEmpty ? "none" : fitting.joined(separator: ", ")
            throw ScriptBridge.error("OSError", "The task '\(task)' defaults to the model '\(id)', which is not in the local Hugging Face cache (\(ModelLocation.hubCache().path)), and nothing can be downloaded here. Local models that fit this task: \(list). Pass one as pipeline('\(task)', model=...), or fetch the default models with `python3 scripts/fetch_models.py` (HF_HOME selects the cache).")
        }
        attributes["_model_output_like"] = Bindings.function("_model_output_like", "template, fields",
            doc: "A model output of the same class as `template` holding `fields` (a dict of tensors, tuples of tensors or None): how a batched output is split back into one output per input.") { a in
            guard let template = ScriptBridge.unwrap(a["template"], as: ModelOutputObject.self) else {
                throw ScriptBridge.error("TypeError", "_model_output_like(): template must be a model output, not \(Interp.typeName(a["template"]))")
            }
            guard case .obj(let object) = a["fields"], let fields = object as? PyDict else {
                throw ScriptBridge.error("TypeError", "_model_output_like(): fields must be a dict, not \(Interp.typeName(a["fields"]))")
            }
            let values: [(String, OutputValue?)] = try fields.items.map { key, value in
                let name = try ScriptBridge.string(key)
                return (name, try outputValue(value, field: name))
            }
            return ScriptBridge.wrap(ModelOutputObject(ModelOutput(template.output.typeName, values)))
        }
        return attributes
    }

    /// A model output field from a script value: a tensor, a tuple of tensors, or None (unset).
    static func outputValue(_ value: Value, field: String) throws -> OutputValue? {
        if case .none = value { return nil }
        if let tensor = ScriptBridge.unwrap(value, as: Tensor.self) { return .tensor(tensor) }
        if case .obj(let object) = value, let tuple = object as? PyTuple {
            let tensors = tuple.items.compactMap { ScriptBridge.unwrap($0, as: Tensor.self) }
            if tensors.count == tuple.items.count { return .tensors(tensors) }
        }
        throw ScriptBridge.error("TypeError", "a model output field holds a tensor or a tuple of tensors; '\(field)' is \(Interp.typeName(value))")
    }

    /// The model ids in the hub cache whose config names an architecture that `task` can load.
    static func localModels(for task: ModelTask?) -> [String] {
        let cache = ModelLocation.hubCache()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []
        return entries.filter { $0.hasPrefix("models--") }.sorted().compactMap { entry in
            let id = String(entry.dropFirst("models--".count)).replacingOccurrences(of: "--", with: "/")
            guard let directory = try? ModelLocation.resolve(id) else { return nil }
            let configFile = directory.appendingPathComponent("config.json")
            guard let config = try? ModelConfig(contentsOf: configFile), let type = config.modelType else {
                // A GGUF-only repository: its architecture is in the GGUF file.
                let hasGGUF = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).contains { $0.hasSuffix(".gguf") }
                return hasGGUF && (task == nil || task == .causalLM) ? id : nil
            }
            guard let task else { return id }
            return ModelRegistry.architectures.contains { $0.modelType == type && $0.task == task } ? id : nil
        }
    }
}

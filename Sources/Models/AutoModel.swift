import Foundation
import NN
import Tensors

/// Every model class this module implements, found by class name or by (model_type, task).
public enum ModelRegistry {
    /// All classes, family by family (each architecture file lists its own).
    public static let architectures: [ModelArchitecture] = BertFamily.architectures
        + DistilBertFamily.architectures
        + RobertaFamily.architectures
        + GPT2Family.architectures
        + LlamaFamily.architectures

    /// The supported `model_type`s, in the order error messages list them.
    public static var modelTypes: [String] {
        var seen: [String] = []
        for a in architectures where !seen.contains(a.modelType) { seen.append(a.modelType) }
        return seen
    }

    /// The class serving `modelType` for `task`; throws listing what exists.
    public static func architecture(modelType: String, task: ModelTask, source: String = "config") throws -> ModelArchitecture {
        let ofType = architectures.filter { $0.modelType == modelType }
        guard !ofType.isEmpty else {
            throw ModelError.unsupportedModelType(
                "\(source): model_type '\(modelType)' is not supported; supported model types: \(modelTypes.joined(separator: ", "))")
        }
        guard let found = ofType.first(where: { $0.task == task }) else {
            let types = modelTypes.filter { t in architectures.contains { $0.modelType == t && $0.task == task } }
            throw ModelError.unsupportedModelType(
                "Unrecognized configuration for \(task.rawValue): model_type '\(modelType)' has no such class here (it has \(ofType.map(\.className).joined(separator: ", "))); \(task.rawValue) supports: \(types.joined(separator: ", "))")
        }
        return found
    }

    /// The class called `className` (`BertForMaskedLM`); throws listing the known classes.
    public static func architecture(className: String) throws -> ModelArchitecture {
        guard let found = architectures.first(where: { $0.className == className }) else {
            throw ModelError.unsupportedModelType(
                "no model class '\(className)'; known classes: \(architectures.map(\.className).joined(separator: ", "))")
        }
        return found
    }
}

/// Loads or builds a model of any supported architecture, as transformers' Auto classes.
public enum AutoModel {
    /// Loads `idOrPath` (a directory, or a model id in the offline hub cache at `revision`):
    /// its config (with `overrides`), then its weights (safetensors, or the GGUF file
    /// `ggufFile` in that directory), into the class for `task` (or the class `className`).
    /// Missing or mis-shaped weights and unknown model types are errors naming them. The model
    /// starts in eval mode, as transformers' from_pretrained leaves it.
    public static func fromPretrained(_ idOrPath: String, task: ModelTask = .base, className: String? = nil,
                                      revision: String? = nil, ggufFile: String? = nil,
                                      overrides: [(String, ConfigValue)] = []) throws -> PreTrainedModel {
        let directory = try ModelLocation.resolve(idOrPath, revision: revision)
        let config: ModelConfig
        let source: WeightSource
        if let ggufFile {
            let path = ggufFile.hasPrefix("/") ? URL(fileURLWithPath: ggufFile) : directory.appendingPathComponent(ggufFile)
            guard FileManager.default.fileExists(atPath: path.path) else {
                throw ModelError.notFound("\(directory.path) has no file named \(ggufFile)")
            }
            var checkpoint = try GGUFCheckpoint(path: path)
            try AutoConfig.apply(overrides, to: &checkpoint.config)
            (config, source) = (checkpoint.config, checkpoint.weights)
        } else {
            config = try AutoConfig.fromPretrained(directory.path, overrides: overrides)
            source = try WeightStore(directory: directory)
        }
        let architecture = try resolve(config, task: task, className: className)
        let loader = WeightLoader(store: source)
        let model = try architecture.make(config, loader)
        try loader.finish()
        model.eval()
        return model
    }

    /// A model of `config`'s architecture for `task` (or class `className`) with freshly
    /// initialised weights, as `AutoModel.from_config`; it starts in training mode.
    public static func fromConfig(_ config: ModelConfig, task: ModelTask = .base, className: String? = nil) throws -> PreTrainedModel {
        let architecture = try resolve(config, task: task, className: className)
        let range = try config.optionalDouble("initializer_range") ?? 0.02
        return try architecture.make(config, WeightLoader.initializing(initializerRange: range))
    }

    private static func resolve(_ config: ModelConfig, task: ModelTask, className: String?) throws -> ModelArchitecture {
        guard let type = config.modelType else {
            throw ModelError.invalidConfig("\(config.source): no 'model_type' key; supported model types: \(ModelRegistry.modelTypes.joined(separator: ", "))")
        }
        guard let className else { return try ModelRegistry.architecture(modelType: type, task: task, source: config.source) }
        let architecture = try ModelRegistry.architecture(className: className)
        guard architecture.modelType == type else {
            throw ModelError.unsupportedModelType("\(config.source): model_type '\(type)' cannot be loaded into \(className), which is a '\(architecture.modelType)' class")
        }
        return architecture
    }
}

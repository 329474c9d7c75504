import Foundation

/// Loads a `ModelConfig` by model id or path, as `transformers.AutoConfig`.
public enum AutoConfig {
    /// The `model_type`s this module implements, in the order error messages list them.
    public static var supportedModelTypes: [String] { ModelRegistry.modelTypes }

    /// Reads `config.json` of `idOrPath` (a directory, or a model id in the offline hub cache at
    /// `revision`), then applies `overrides` (key, value) in order: an existing key keeps its
    /// place, a new one is appended. Overriding `num_labels` alone replaces `id2label` and
    /// `label2id` with generic names, as PretrainedConfig does.
    /// Throws naming where it looked, the bad key, or the supported model types.
    public static func fromPretrained(_ idOrPath: String, revision: String? = nil,
                                      overrides: [(String, ConfigValue)] = [],
                                      environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ModelConfig {
        let directory = try ModelLocation.resolve(idOrPath, revision: revision, environment: environment)
        let file = directory.appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw ModelError.notFound("\(directory.path) does not appear to have a file named config.json")
        }
        var config = try ModelConfig(contentsOf: file)
        try apply(overrides, to: &config)
        try checkModelType(config)
        return config
    }

    /// Applies (key, value) overrides to `config` (see `fromPretrained`).
    public static func apply(_ overrides: [(String, ConfigValue)], to config: inout ModelConfig) throws {
        for (key, value) in overrides { config[key] = value }
        let keys = Set(overrides.map(\.0))
        if keys.contains("num_labels") && !keys.contains("id2label") {
            guard let n = config["num_labels"]?.intValue, n >= 0 else {
                throw ModelError.invalidConfig("num_labels must be a non-negative integer, got \(config["num_labels"]!)")
            }
            config["id2label"] = .object((0..<n).map { (String($0), .string("LABEL_\($0)")) })
            config["label2id"] = .object((0..<n).map { ("LABEL_\($0)", .int($0)) })
            config["num_labels"] = nil   // transformers derives it from id2label and does not store it
        }
    }

    /// Throws unless `config.modelType` is one of `supportedModelTypes`.
    public static func checkModelType(_ config: ModelConfig) throws {
        guard let type = config.modelType else {
            throw ModelError.invalidConfig("\(config.source): no 'model_type' key; supported model types: \(supportedModelTypes.joined(separator: ", "))")
        }
        guard supportedModelTypes.contains(type) else {
            throw ModelError.unsupportedModelType(
                "\(config.source): model_type '\(type)' is not supported; supported model types: \(supportedModelTypes.joined(separator: ", "))")
        }
    }
}

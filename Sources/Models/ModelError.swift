/// What can go wrong loading or running a model; each message names the file, key or tensor.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    /// Nothing found for an id or path; the message lists where we looked.
    case notFound(String)
    /// config.json is unreadable, not JSON, or has a key of the wrong type.
    case invalidConfig(String)
    /// `model_type` names an architecture this module does not implement.
    case unsupportedModelType(String)
    /// A weight file is missing, corrupt, or lacks tensors the model needs.
    case invalidWeights(String)
    /// A tensor's shape disagrees with the config, or inputs disagree with each other.
    case shapeMismatch(String)
    /// Bad arguments to a forward pass.
    case invalidInput(String)

    public var description: String {
        switch self {
        case .notFound(let m), .invalidConfig(let m), .unsupportedModelType(let m),
             .invalidWeights(let m), .shapeMismatch(let m), .invalidInput(let m):
            return m
        }
    }
}

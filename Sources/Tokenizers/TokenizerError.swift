import Foundation

/// Everything that can go wrong loading or running a tokenizer. Messages name the file, the
/// component kind and the `type` involved, so a user can see which part of a tokenizer.json failed.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read.
    case fileNotFound(path: String)
    /// The file is not valid JSON, or a field has the wrong shape.
    case malformed(file: String, detail: String)
    /// A component's `type` is not one this library knows.
    case unknownComponent(kind: String, type: String, file: String)
    /// A component needs a field the JSON does not have.
    case missingField(component: String, field: String, file: String)
    /// A regular expression in the file does not compile.
    case invalidRegex(pattern: String, detail: String)
    /// The model needs an unknown token to encode this text but none is configured.
    case missingUnknownToken(model: String)
    /// Truncation settings that cannot be honoured for this input.
    case truncation(String)
    /// Anything else the caller asked for that cannot be done.
    case invalidArgument(String)
    /// No model directory or cached snapshot was found; lists every place looked in.
    case notFound(idOrPath: String, lookedIn: [String])

    public var description: String {
        switch self {
        case .fileNotFound(let path): return "tokenizer file not found: \(path)"
        case .malformed(let file, let detail): return "malformed tokenizer file \(file): \(detail)"
        case .unknownComponent(let kind, let type, let file):
            return "unknown \(kind) type '\(type)' in \(file)"
        case .missingField(let component, let field, let file):
            return "\(component) in \(file) is missing the field '\(field)'"
        case .invalidRegex(let pattern, let detail): return "invalid regex \(pattern): \(detail)"
        case .missingUnknownToken(let model):
            return "\(model) model has no unknown token, but the text needs one"
        case .truncation(let message): return "Truncation error: \(message)"
        case .invalidArgument(let message): return message
        case .notFound(let id, let places):
            return "no tokenizer found for '\(id)' (offline); looked in: " + places.joined(separator: ", ")
        }
    }
}

/// Errors of the transformers-level tokenizer API, each tagged with the Python exception
/// transformers raises for it, so script bindings can raise the same.
public struct TransformersError: Error, CustomStringConvertible, Equatable {
    /// The Python exception class: "ValueError", "OSError", "TypeError", "KeyError".
    public let pythonType: String
    /// The message, worded as transformers words it.
    public let message: String

    /// An error raised in scripts as `pythonType` with `message`.
    public init(_ pythonType: String, _ message: String) { self.pythonType = pythonType; self.message = message }

    /// The message alone, as Python's str(exception).
    public var description: String { message }

    static func value(_ m: String) -> TransformersError { TransformersError("ValueError", m) }
    static func os(_ m: String) -> TransformersError { TransformersError("OSError", m) }
}

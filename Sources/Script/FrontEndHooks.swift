/// Hooks the front-ends (REPL, Jupyter kernel) set on a session.
extension Engine {
    /// Supplies the line `input(prompt)` returns. Returning nil raises EOFError in the script;
    /// throwing raises the error's description as the named exception (see `InputUnavailable`).
    /// When set, the front-end shows the prompt itself (a kernel sends it in its input request).
    public var inputProvider: ((String) throws -> String?)? {
        get { Runtime.inputProvider }
        set { Runtime.inputProvider = newValue }
    }
}

/// Thrown by an input provider when the front-end cannot take input: the script sees
/// `exceptionName` (e.g. StdinNotImplementedError) with `message`.
public struct InputUnavailable: Error {
    public let exceptionName: String
    public let message: String
    public init(exceptionName: String, message: String) {
        self.exceptionName = exceptionName
        self.message = message
    }
}

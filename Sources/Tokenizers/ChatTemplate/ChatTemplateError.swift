/// Why a chat template could not be compiled or rendered. Every case names the template line.
public struct ChatTemplateError: Error, CustomStringConvertible, Equatable {
    /// What kind of failure this is.
    public enum Kind: Equatable, Sendable {
        /// The template text is not valid Jinja.
        case syntax
        /// The template called `raise_exception(message)`.
        case raised
        /// An expression failed while rendering (undefined value used, wrong types...).
        case runtime
        /// The messages or options handed to `render` do not fit the template.
        case input
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// The message: for `.raised`, exactly the template's own text.
    public let message: String
    /// The 1-based template line, when one applies.
    public let line: Int?

    public var description: String {
        let place = line.map { "chat template line \($0): " } ?? "chat template: "
        switch kind {
        case .syntax: return place + "syntax error: " + message
        case .raised: return place + "the template raised an exception: " + message
        case .runtime: return place + message
        case .input: return place + message
        }
    }
}

/// A failure inside an expression, before the renderer attaches the line it happened on.
struct JinjaFailure: Error {
    let message: String
    var raised = false

    init(_ message: String, raised: Bool = false) {
        self.message = message
        self.raised = raised
    }
}

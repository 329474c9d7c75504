import Display

/// An output sink that can also show rich output: the Jupyter kernel (display_data,
/// update_display_data, clear_output, comms) and the REPL (terminal pictures) adopt it.
/// Scripts reach it through `display()`, `update_display()`, `clear_output()` and the `comm`
/// module; a plain `OutputSink` (as under `apus run`) gets the text/plain form instead.
public protocol RichOutputSink: OutputSink {
    /// Shows a bundle as a new output; with `displayId`, later `updateDisplay` calls replace it.
    func display(_ bundle: MimeBundle, displayId: String?)
    /// Replaces every earlier output shown with `displayId`.
    func updateDisplay(_ bundle: MimeBundle, displayId: String)
    /// Clears the cell's output; with `wait`, only when the next output arrives.
    func clearOutput(wait: Bool)
    /// Opens a comm to a front-end object registered under `target`; nil where the front-end
    /// has no comms (a terminal).
    func openComm(target: String, data: JSONValue, metadata: JSONValue) -> CommChannel?
    /// Lets the front-end open comms to `target`: `handler` gets each new comm and the open
    /// message's data. False where the front-end has no comms.
    func registerCommTarget(_ target: String, handler: @escaping (CommChannel, JSONValue) -> Void) -> Bool
}

extension RichOutputSink {
    public func openComm(target: String, data: JSONValue, metadata: JSONValue) -> CommChannel? { nil }
    public func registerCommTarget(_ target: String, handler: @escaping (CommChannel, JSONValue) -> Void) -> Bool { false }
}

/// The kernel end of a comm as scripts see it (the `comm` module): the kernel adapts its own
/// comm type to this, so the language needs nothing from the kernel module.
public protocol CommChannel: AnyObject {
    /// The id both ends share.
    var commId: String { get }
    /// The target the comm was opened for.
    var targetName: String { get }
    /// Sends `comm_msg` with `data`.
    func send(_ data: JSONValue, metadata: JSONValue)
    /// Closes the comm (`comm_close`); later sends are dropped.
    func close(_ data: JSONValue)
    /// Called with each message's data from the front-end.
    var onMessage: ((JSONValue) -> Void)? { get set }
    /// Called when the front-end closes the comm.
    var onClose: ((JSONValue) -> Void)? { get set }
}

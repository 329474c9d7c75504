import Foundation
import Display

/// The language behind a kernel (or a REPL): the narrow interface the front-ends call and the
/// only thing the kernel knows about the interpreter.
///
/// Threads: `execute` runs on the kernel's one evaluator thread, which owns the session state.
/// `complete`, `inspect` and `isComplete` are called from the shell thread, possibly while a
/// cell runs, so they must only read state that is safe to read concurrently (an immutable
/// snapshot of the symbol table, for instance). `interrupt` is called from the control thread
/// or a signal handler while a cell runs.
public protocol KernelEngine: AnyObject {
    /// Runs one cell. Output, displays and input requests go through `context` as they happen;
    /// the value to show as `Out[n]` and any error come back in the outcome.
    func execute(_ code: String, context: ExecutionContext) -> ExecutionOutcome
    /// Completions at `cursor`, counted in Unicode code points (`String.unicodeScalars`).
    func complete(_ code: String, cursor: Int) -> Completion
    /// Help for the name at `cursor` (code points); `detail` 0 is the summary, 1 adds the source.
    /// nil when nothing is found.
    func inspect(_ code: String, cursor: Int, detail: Int) -> MimeBundle?
    /// Whether `code` is ready to run (a console decides Enter = run or newline with it).
    func isComplete(_ code: String) -> IsCompleteResult
    /// Asks the running cell to stop: sets the cancellation flag the interpreter polls. The cell
    /// then ends with an error (`KeyboardInterrupt`) and every variable is kept.
    func interrupt()
    /// Clears the cancellation flag. The server calls it when a cell begins (before its `busy`
    /// is published), so an interrupt sent as soon as the front-end hears `busy` is never lost;
    /// `execute` itself leaves the flag alone.
    func clearInterrupt()
    /// Name, version, file extension and highlighting modes of the language.
    var languageInfo: LanguageInfo { get }
    /// Runs `body` (comm handlers reacting to a front-end's comm_open / comm_msg / comm_close,
    /// on the evaluator thread) with output going through `context`, parented to that message.
    func withContext(_ context: ExecutionContext, _ body: () -> Void)
}

extension KernelEngine {
    /// Engines whose comm handlers print nothing need no context.
    public func withContext(_ context: ExecutionContext, _ body: () -> Void) { body() }
}

/// What a cell can do to its front-end while it runs. The kernel sends these to the notebook in
/// program order; the REPL draws them in the terminal.
public protocol ExecutionContext: AnyObject {
    /// The cell's number (`In[n]`).
    var executionCount: Int { get }
    /// Whether the front-end asked for no output at all (`silent`).
    var isSilent: Bool { get }
    /// Set once an interrupt arrived for this cell.
    var isInterrupted: Bool { get }
    /// Appends text to the cell's stdout or stderr.
    func write(_ text: String, to stream: OutputStreamName)
    /// Shows a bundle as a new output; with `displayId`, later `updateDisplay` calls replace it.
    func display(_ bundle: MimeBundle, displayId: String?)
    /// Replaces every earlier output shown with `displayId`, in any cell.
    func updateDisplay(_ bundle: MimeBundle, displayId: String)
    /// Clears the cell's output; with `wait`, only when the next output arrives (no flicker).
    func clearOutput(wait: Bool)
    /// Asks the user for a line of text. Throws `InputError.notAllowed` at once when the
    /// front-end cannot answer (nbclient, `allow_stdin: false`), and `InputError.interrupted`
    /// when the cell is interrupted while waiting.
    func input(prompt: String, password: Bool) throws -> String
    /// Shows help in the front-end's pager (a `page` payload of the execute reply).
    func page(_ bundle: MimeBundle)
    /// Opens a comm to the front-end (nil where the front-end has none, as in a terminal).
    func openComm(target: String, data: JSONValue, metadata: JSONValue, buffers: [Data]) -> Comm?
    /// Lets the front-end open comms to `target`: each comm_open for it calls `handler` on the
    /// evaluator thread. False where the front-end has no comms.
    func registerCommTarget(_ target: String, handler: @escaping CommTargetHandler) -> Bool
}

extension ExecutionContext {
    /// Shows a bundle as a new output.
    public func display(_ bundle: MimeBundle) { display(bundle, displayId: nil) }

    /// Opens a comm to the front-end with `data`.
    public func openComm(target: String, data: JSONValue = [:]) -> Comm? {
        openComm(target: target, data: data, metadata: [:], buffers: [])
    }

    /// Front-ends without comms accept no targets.
    public func registerCommTarget(_ target: String, handler: @escaping CommTargetHandler) -> Bool { false }
}

/// stdout or stderr.
public enum OutputStreamName: String, Sendable {
    case stdout, stderr
}

/// Why `ExecutionContext.input` gave no line.
public enum InputError: Error, Equatable, CustomStringConvertible {
    /// The front-end does not accept input requests (`allow_stdin` was false).
    case notAllowed
    /// The cell was interrupted while waiting.
    case interrupted
    /// The kernel is shutting down.
    case shuttingDown

    public var description: String {
        switch self {
        case .notAllowed: return "input() is not available: this front-end does not support input requests (allow_stdin is false)"
        case .interrupted: return "interrupted while waiting for input"
        case .shuttingDown: return "the kernel is shutting down"
        }
    }
}

/// How a cell ended.
public enum ExecutionOutcome {
    /// It ran; `result` (if any) is shown as `Out[n]`.
    case success(result: MimeBundle?)
    /// It raised; the error is shown and the reply says `error`.
    case failure(ExecutionError)
}

/// A script error as Jupyter shows it: `ename: evalue` and a traceback (ANSI colours allowed).
public struct ExecutionError: Error, Equatable, Sendable {
    /// The exception's type name (`ValueError`, `KeyboardInterrupt`).
    public var name: String
    /// Its message.
    public var value: String
    /// The lines shown to the user, ANSI colours allowed.
    public var traceback: [String]

    /// An error whose traceback defaults to the single line `name: value`.
    public init(name: String, value: String, traceback: [String]? = nil) {
        self.name = name
        self.value = value
        self.traceback = traceback ?? ["\(name): \(value)"]
    }
}

/// Completions for the text between `cursorStart` and `cursorEnd` (Unicode code points).
public struct Completion: Equatable, Sendable {
    /// The texts that may replace the range.
    public var matches: [String]
    /// The replaced range, in code points.
    public var cursorStart: Int
    public var cursorEnd: Int
    /// Per-match kind and signature, which JupyterLab shows as icons (`_jupyter_types_experimental`);
    /// empty, or one entry per match.
    public var details: [CompletionDetail]

    /// Matches replacing `cursorStart..<cursorEnd`, optionally with one detail per match.
    public init(matches: [String], cursorStart: Int, cursorEnd: Int, details: [CompletionDetail] = []) {
        self.matches = matches
        self.cursorStart = cursorStart
        self.cursorEnd = cursorEnd
        self.details = details
    }
}

/// The kind (`function`, `class`, `module`, `keyword`, `instance`, ...) and signature of a match.
public struct CompletionDetail: Equatable, Sendable {
    public var type: String
    public var signature: String

    /// A kind, with a signature for callables.
    public init(type: String, signature: String = "") {
        self.type = type
        self.signature = signature
    }
}

/// Whether code is ready to run.
public enum IsCompleteResult: Equatable, Sendable {
    case complete
    /// More lines are expected; the next one should start with `indent`.
    case incomplete(indent: String)
    /// It will not parse (sent for execution anyway, so the user sees the error).
    case invalid
    case unknown
}

/// The language as `kernel_info_reply.language_info` describes it.
public struct LanguageInfo: Equatable, Sendable {
    public var name: String
    public var version: String
    public var mimetype: String
    public var fileExtension: String
    public var pygmentsLexer: String
    public var codemirrorMode: String
    public var nbconvertExporter: String

    /// Language metadata as kernel_info_reply carries it.
    public init(name: String, version: String, mimetype: String, fileExtension: String,
                pygmentsLexer: String, codemirrorMode: String, nbconvertExporter: String = "script") {
        self.name = name
        self.version = version
        self.mimetype = mimetype
        self.fileExtension = fileExtension
        self.pygmentsLexer = pygmentsLexer
        self.codemirrorMode = codemirrorMode
        self.nbconvertExporter = nbconvertExporter
    }

    /// Apus: Python-flavoured, so Python highlighting fits until a dedicated mode exists.
    public static func apus(version: String) -> LanguageInfo {
        LanguageInfo(name: "apus", version: version, mimetype: "text/x-apus", fileExtension: ".apus",
                     pygmentsLexer: "python", codemirrorMode: "python")
    }

    /// The `language_info` object as kernel_info_reply (and a notebook's metadata) carries it.
    public var json: JSONValue {
        [
            "name": .string(name), "version": .string(version), "mimetype": .string(mimetype),
            "file_extension": .string(fileExtension), "pygments_lexer": .string(pygmentsLexer),
            "codemirror_mode": .string(codemirrorMode), "nbconvert_exporter": .string(nbconvertExporter),
        ]
    }
}

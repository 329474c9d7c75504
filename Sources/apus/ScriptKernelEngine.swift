import Display
import Foundation
import Kernel
import Script

/// Serves the Apus language through the Jupyter kernel: adapts the script `Engine` to the
/// kernel's narrow `KernelEngine` interface (the kernel never reaches into the interpreter).
final class ScriptKernelEngine: KernelEngine {
    /// The interpreter, built on a thread of its own while the kernel binds its sockets, so
    /// that kernel_info (which does not need it) is answered without waiting for it to load.
    private let loading: BackgroundValue<Engine>
    private var engine: Engine { loading.value }
    private let sink: CellOutputSink

    init() {
        let sink = CellOutputSink()
        self.sink = sink
        loading = BackgroundValue {
            let engine = Engine(sink: sink, argv: [""])
            engine.inputProvider = { [sink] prompt in
                guard let context = sink.context else { return nil }
                do {
                    return try context.input(prompt: prompt, password: false)
                } catch InputError.notAllowed {
                    throw InputUnavailable(exceptionName: "StdinNotImplementedError",
                                           message: "raw_input was called, but this frontend does not support input requests.")
                } catch InputError.interrupted {
                    throw InputUnavailable(exceptionName: "KeyboardInterrupt", message: "")
                }
            }
            return engine
        }
    }

    var languageInfo: LanguageInfo { .apus(version: apusVersion) }

    func execute(_ code: String, context: ExecutionContext) -> ExecutionOutcome {
        sink.context = context
        defer { sink.context = nil }
        if let requests = HelpRequest.parseCell(code) {
            for request in requests { page(request, to: context) }
            return .success(result: nil)
        }
        // The value is wanted even when silent: user_expressions are silent cells whose value
        // is the answer (the kernel itself never shows a silent cell's result).
        let result = engine.execute(code, cellName: "Cell In[\(context.executionCount)]",
                                    displayLastExpression: true, clearingInterrupt: false)
        if let traceback = result.traceback, let name = result.errorName {
            let line = result.errorLine ?? name
            let value = line.hasPrefix(name + ": ") ? String(line.dropFirst(name.count + 2)) : ""
            let lines = traceback.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            return .failure(ExecutionError(name: name, value: value,
                                           traceback: lines.last == "" ? Array(lines.dropLast()) : lines))
        }
        // A trailing `;` hides the result, as in IPython.
        guard let value = result.value, !ResultSuppression.isSuppressed(code) else { return .success(result: nil) }
        // Through the display formatter: tensors bring their own bundle, script classes their
        // _repr_*_ methods, anything else is its repr.
        do {
            guard let bundle = try engine.displayBundle(for: value, repr: result.valueRepr) else { return .success(result: nil) }
            return .success(result: bundle)
        } catch let error as Engine.DisplayFailure {
            return .failure(ExecutionError(name: error.name, value: error.value, traceback: error.traceback))
        } catch {
            return .failure(ExecutionError(name: "SystemError", value: "\(error)"))
        }
    }

    /// Shows help for `?name` / `name?` (and the source too for `??`) in the pager, as IPython
    /// does; a name that is not defined prints IPython's "not found" line instead.
    func page(_ request: HelpRequest, to context: ExecutionContext) {
        let cursor = request.name.unicodeScalars.count
        guard let text = engine.help(request.name, cursor: cursor, withSource: request.withSource) else {
            context.write("Object `\(request.name)` not found.\n", to: .stdout)
            return
        }
        context.page(MimeBundle(plain: text))
    }

    func complete(_ code: String, cursor: Int) -> Completion {
        let (matches, start) = engine.complete(code, cursor: cursor)
        return Completion(matches: matches, cursorStart: start, cursorEnd: cursor)
    }

    func inspect(_ code: String, cursor: Int, detail: Int) -> MimeBundle? {
        engine.help(code, cursor: cursor, withSource: detail > 0).map { MimeBundle(plain: $0) }
    }

    func isComplete(_ code: String) -> IsCompleteResult {
        switch engine.isComplete(code) {
        case .complete: return .complete
        case .incomplete(let indent): return .incomplete(indent: indent)
        case .invalid: return .invalid
        }
    }

    func interrupt() { engine.interrupt() }

    func clearInterrupt() { engine.clearInterrupt() }

    /// Comm handlers are script callbacks: their output goes to the comm message's context.
    func withContext(_ context: ExecutionContext, _ body: () -> Void) {
        sink.context = context
        defer { sink.context = nil }
        body()
    }
}

/// Routes print(), sys.stdout/stderr and display() of the running cell to the kernel's
/// streams and display messages.
final class CellOutputSink: RichOutputSink {
    var context: ExecutionContext?

    func write(_ text: String, to stream: StreamKind) {
        context?.write(text, to: stream == .stderr ? .stderr : .stdout)
    }

    func flush() {}

    func display(_ bundle: MimeBundle, displayId: String?) {
        context?.display(bundle, displayId: displayId)
    }

    func updateDisplay(_ bundle: MimeBundle, displayId: String) {
        context?.updateDisplay(bundle, displayId: displayId)
    }

    func clearOutput(wait: Bool) {
        context?.clearOutput(wait: wait)
    }

    func openComm(target: String, data: JSONValue, metadata: JSONValue) -> CommChannel? {
        guard let comm = context?.openComm(target: target, data: data, metadata: metadata, buffers: []) else { return nil }
        return KernelCommChannel(comm)
    }

    func registerCommTarget(_ target: String, handler: @escaping (CommChannel, JSONValue) -> Void) -> Bool {
        context?.registerCommTarget(target) { comm, data, _ in handler(KernelCommChannel(comm), data) } ?? false
    }
}

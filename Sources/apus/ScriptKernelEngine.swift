import Display
import Foundation
import Kernel
import Script

/// Serves the Apus language through the Jupyter kernel: adapts the script `Engine` to the
/// kernel's narrow `KernelEngine` interface (the kernel never reaches into the interpreter).
final class ScriptKernelEngine: KernelEngine {
    private let engine: Engine
    private let sink = CellOutputSink()

    init() {
        engine = Engine(sink: sink, argv: [""])
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
    }

    var languageInfo: LanguageInfo { .apus(version: apusVersion) }

    func execute(_ code: String, context: ExecutionContext) -> ExecutionOutcome {
        sink.context = context
        defer { sink.context = nil }
        let result = engine.execute(code, cellName: "Cell In[\(context.executionCount)]",
                                    displayLastExpression: !context.isSilent)
        if let traceback = result.traceback, let name = result.errorName {
            let line = result.errorLine ?? name
            let value = line.hasPrefix(name + ": ") ? String(line.dropFirst(name.count + 2)) : ""
            let lines = traceback.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            return .failure(ExecutionError(name: name, value: value,
                                           traceback: lines.last == "" ? Array(lines.dropLast()) : lines))
        }
        guard result.value != nil else { return .success(result: nil) }
        // Rich values (tensors, ...) bring their own bundle; anything else is its repr.
        return .success(result: result.mimeBundle ?? MimeBundle(plain: result.valueRepr ?? ""))
    }

    func complete(_ code: String, cursor: Int) -> Completion {
        let (matches, start) = engine.complete(code, cursor: cursor)
        return Completion(matches: matches, cursorStart: start, cursorEnd: cursor)
    }

    func inspect(_ code: String, cursor: Int, detail: Int) -> MimeBundle? {
        engine.inspect(code, cursor: cursor).map { MimeBundle(plain: $0) }
    }

    func isComplete(_ code: String) -> IsCompleteResult {
        switch engine.isComplete(code) {
        case .complete: return .complete
        case .incomplete(let indent): return .incomplete(indent: indent)
        case .invalid: return .invalid
        }
    }

    func interrupt() { engine.interrupt() }
}

/// Routes print() and sys.stdout/stderr of the running cell to the kernel's streams.
final class CellOutputSink: OutputSink {
    var context: ExecutionContext?

    func write(_ text: String, to stream: StreamKind) {
        context?.write(text, to: stream == .stderr ? .stderr : .stdout)
    }

    func flush() {}
}

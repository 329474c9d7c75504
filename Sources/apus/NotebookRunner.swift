import Display
import Foundation
import Kernel
import Script

/// `apus run NOTEBOOK.ipynb [-o OUT | --inplace] [--allow-errors]`: executes a notebook's code
/// cells headless with the kernel's own engine adapter and stores their outputs the way
/// nbclient does (stream / display_data / execute_result / error outputs, display-id updates
/// applied across cells, `clear_output(wait=)`, `execution_count`, timing metadata, the
/// kernel's `language_info`), written as nbformat 4 JSON with nbformat's layout. Without
/// `-o`/`--inplace` nothing is written and the outputs' text is printed as the cells run.
final class NotebookRunner {
    /// The notebook being run, as parsed (cells are replaced as they run).
    private var notebook: [String: JSONValue]
    private var cells: [[String: JSONValue]]
    /// Outputs of every cell run so far, by cell index (nbclient's `cell.outputs`).
    private var outputs: [Int: [[String: JSONValue]]] = [:]
    /// nbclient's `_display_id_map`: display id → cell index → output indices.
    private var displayMap: [String: [Int: [Int]]] = [:]
    private var clearBeforeNextOutput = false
    private var currentCell = 0
    private let echo: Bool

    /// Parses the notebook at `path`; throws naming the file for anything that is not an
    /// nbformat 4 notebook.
    init(path: String, echo: Bool) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NotebookError("can't open file '\(path)': [Errno 2] No such file or directory")
        }
        let parsed: JSONValue
        do { parsed = try JSONValue.parse(data) } catch { throw NotebookError("\(path) is not valid JSON: \(error)") }
        guard case .object(let pairs) = parsed else { throw NotebookError("\(path): a notebook is a JSON object") }
        notebook = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        guard notebook["nbformat"]?.intValue == 4 else {
            throw NotebookError("\(path): only nbformat 4 notebooks can be run (found nbformat \(notebook["nbformat"]?.serialized ?? "none"))")
        }
        guard case .array(let items)? = notebook["cells"] else { throw NotebookError("\(path): the notebook has no \"cells\" list") }
        cells = try items.enumerated().map { index, item in
            guard case .object(let fields) = item else { throw NotebookError("\(path): cell \(index) is not an object") }
            return Dictionary(fields, uniquingKeysWith: { first, _ in first })
        }
        self.echo = echo
    }

    /// Runs every non-empty code cell in order; stops at the first error unless `allowErrors`.
    /// Returns the error of the cell that stopped the run, if any.
    func run(allowErrors: Bool) -> (cell: Int, error: ExecutionError)? {
        let engine = ScriptKernelEngine()
        notebook["metadata"] = merged(notebook["metadata"], ["language_info": engine.languageInfo.json])
        var executed = 0
        for index in cells.indices {
            guard cells[index]["cell_type"]?.stringValue == "code" else { continue }
            let source = Self.text(cells[index]["source"])
            if source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
            executed += 1
            currentCell = index
            outputs[index] = []
            clearBeforeNextOutput = false
            var timing: [(String, JSONValue)] = [("iopub.status.busy", .string(Self.timestamp()))]
            timing.append(("iopub.execute_input", .string(Self.timestamp())))
            let context = NotebookCellContext(runner: self, executionCount: executed)
            let outcome = engine.execute(source, context: context)
            var failure: ExecutionError? = nil
            switch outcome {
            case .success(let result):
                if let result {
                    append(["output_type": "execute_result", "execution_count": .int(executed),
                            "data": .object(result.data), "metadata": .object(result.metadata)], displayId: nil)
                    if echo { show(result.plainText + "\n") }
                }
            case .failure(let error):
                append(["output_type": "error", "ename": .string(error.name), "evalue": .string(error.value),
                        "traceback": .array(error.traceback.map(JSONValue.string))], displayId: nil)
                failure = error
            }
            timing.append(("shell.execute_reply", .string(Self.timestamp())))
            timing.append(("iopub.status.idle", .string(Self.timestamp())))
            cells[index]["execution_count"] = .int(executed)
            cells[index]["outputs"] = .array((outputs[index] ?? []).map { .object(Array($0)) })
            cells[index]["metadata"] = merged(cells[index]["metadata"], ["execution": .object(timing)])
            if let failure, !allowErrors { return (index, failure) }
        }
        return nil
    }

    /// The notebook as nbformat writes it: sorted keys, one-space indent, multi-line text
    /// split into lists of lines, a final newline.
    func serialized() -> String {
        var nb = notebook
        nb["cells"] = .array(cells.map { cell in
            var cell = cell
            if let source = cell["source"] { cell["source"] = Self.lines(Self.text(source)) }
            if cell["cell_type"]?.stringValue == "code", case .array(let outs)? = cell["outputs"] {
                cell["outputs"] = .array(outs.map(Self.splitOutput))
            }
            cell["metadata"] = Self.removing("trusted", from: cell["metadata"])
            return .object(Array(cell))
        })
        var metadata = nb["metadata"]
        for key in ["orig_nbformat", "orig_nbformat_minor", "signature"] { metadata = Self.removing(key, from: metadata) }
        nb["metadata"] = metadata
        return JSONValue.object(Array(nb)).pythonJSON() + "\n"
    }

    /// Prints echoed output unbuffered, so stdout and stderr keep the cells' order.
    private func show(_ text: String, toStandardError: Bool = false) {
        FileHandle(fileDescriptor: toStandardError ? 2 : 1).write(Data(text.utf8))
    }

    // MARK: outputs, as nbclient's output() / clear_output() / _update_display_id()

    func stream(_ text: String, name: String) {
        if echo { show(text, toStandardError: name == "stderr") }
        if !clearBeforeNextOutput, var last = outputs[currentCell]?.last, last["output_type"]?.stringValue == "stream",
           last["name"]?.stringValue == name, let previous = last["text"]?.stringValue {
            last["text"] = .string(previous + text)
            outputs[currentCell]![outputs[currentCell]!.count - 1] = last
            return
        }
        append(["output_type": "stream", "name": .string(name), "text": .string(text)], displayId: nil)
    }

    func display(_ bundle: MimeBundle, displayId: String?) {
        if echo, !bundle.plainText.isEmpty { show(bundle.plainText + "\n") }
        let output: [String: JSONValue] = ["output_type": "display_data", "data": .object(bundle.data), "metadata": .object(bundle.metadata)]
        if let displayId { updateDisplay(bundle, displayId: displayId, echo: false) }
        append(output, displayId: displayId)
    }

    func updateDisplay(_ bundle: MimeBundle, displayId: String, echo: Bool = true) {
        if echo && self.echo, !bundle.plainText.isEmpty { show(bundle.plainText + "\n") }
        for (cell, indices) in displayMap[displayId] ?? [:] {
            for i in indices where i < (outputs[cell]?.count ?? 0) {
                outputs[cell]![i]["data"] = .object(bundle.data)
                outputs[cell]![i]["metadata"] = .object(bundle.metadata)
                if cell != currentCell { refreshStoredOutputs(of: cell) }
            }
        }
    }

    func clearOutput(wait: Bool) {
        if wait { clearBeforeNextOutput = true; return }
        outputs[currentCell] = []
        clearDisplayMapping()
    }

    private func append(_ output: [String: JSONValue], displayId: String?) {
        if clearBeforeNextOutput {
            outputs[currentCell] = []
            clearDisplayMapping()
            clearBeforeNextOutput = false
        }
        if let displayId { displayMap[displayId, default: [:]][currentCell, default: []].append(outputs[currentCell]?.count ?? 0) }
        outputs[currentCell, default: []].append(output)
    }

    private func clearDisplayMapping() {
        for id in displayMap.keys where displayMap[id]?[currentCell] != nil { displayMap[id]![currentCell] = [] }
    }

    /// An earlier cell's outputs changed (a display update): store them again.
    private func refreshStoredOutputs(of cell: Int) {
        cells[cell]["outputs"] = .array((outputs[cell] ?? []).map { .object(Array($0)) })
    }

    // MARK: nbformat details

    /// A cell's source or an output's text: a string, or a list of strings to join.
    static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let s)?: return s
        case .array(let parts)?: return parts.compactMap(\.stringValue).joined()
        default: return ""
        }
    }

    /// Python's `str.splitlines(True)`, as nbformat's `split_lines` stores multi-line text.
    static func lines(_ text: String) -> JSONValue {
        let breaks: Set<Unicode.Scalar> = ["\n", "\r", "\u{0B}", "\u{0C}", "\u{1C}", "\u{1D}", "\u{1E}", "\u{85}", "\u{2028}", "\u{2029}"]
        var result: [JSONValue] = []
        var current = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            current.append(c)
            if breaks.contains(c) {
                if c == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { current.append("\n"); i += 1 }
                result.append(.string(String(current)))
                current = String.UnicodeScalarView()
            }
            i += 1
        }
        if !current.isEmpty { result.append(.string(String(current))) }
        return .array(result)
    }

    static func splitOutput(_ output: JSONValue) -> JSONValue {
        guard case .object(let pairs) = output else { return output }
        var fields = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        switch fields["output_type"]?.stringValue {
        case "stream":
            if case .string(let s)? = fields["text"] { fields["text"] = lines(s) }
        case "execute_result", "display_data":
            if case .object(let data)? = fields["data"] {
                fields["data"] = .object(data.map { mime, value in
                    if case .string(let s) = value, mime.hasPrefix("text/") || mime == "application/javascript" || mime == "image/svg+xml" {
                        return (mime, lines(s))
                    }
                    return (mime, value)
                })
            }
        default: break
        }
        return .object(Array(fields))
    }

    static func removing(_ key: String, from value: JSONValue?) -> JSONValue {
        guard case .object(let pairs)? = value else { return value ?? [:] }
        return .object(pairs.filter { $0.0 != key })
    }

    func merged(_ value: JSONValue?, _ extra: [String: JSONValue]) -> JSONValue {
        var pairs = value?.objectValue ?? []
        for (key, item) in extra.sorted(by: { $0.key < $1.key }) {
            if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = item } else { pairs.append((key, item)) }
        }
        return .object(pairs)
    }

    /// nbclient's timestamp format: `%Y-%m-%dT%H:%M:%S.%fZ` in UTC.
    static func timestamp() -> String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        var seconds = time_t(time.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(time.tv_nsec / 1000))
    }
}

/// A notebook cell's connection to the runner: what a kernel would have sent on IOPub.
final class NotebookCellContext: ExecutionContext {
    private let runner: NotebookRunner
    let executionCount: Int
    let isSilent = false
    var isInterrupted: Bool { false }

    init(runner: NotebookRunner, executionCount: Int) {
        self.runner = runner
        self.executionCount = executionCount
    }

    func write(_ text: String, to stream: OutputStreamName) {
        guard !text.isEmpty else { return }
        runner.stream(text, name: stream.rawValue)
    }
    func display(_ bundle: MimeBundle, displayId: String?) { runner.display(bundle, displayId: displayId) }
    func updateDisplay(_ bundle: MimeBundle, displayId: String) { runner.updateDisplay(bundle, displayId: displayId) }
    func clearOutput(wait: Bool) { runner.clearOutput(wait: wait) }
    /// nbclient runs cells with allow_stdin false.
    func input(prompt: String, password: Bool) throws -> String { throw InputError.notAllowed }
    /// nbclient keeps no pager payloads.
    func page(_ bundle: MimeBundle) {}
    func openComm(target: String, data: JSONValue, metadata: JSONValue, buffers: [Data]) -> Comm? { nil }
}

/// A notebook that cannot be read or run, with the reason.
struct NotebookError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `apus run NB.ipynb ...`: parses the options, runs, writes; exits 1 when a cell raised
/// (without --allow-errors: nothing is written then, as nbclient raises CellExecutionError).
func runNotebookCommand(_ arguments: [String]) -> Never {
    var path: String? = nil, output: String? = nil, inplace = false, allowErrors = false
    var i = 0
    while i < arguments.count {
        switch arguments[i] {
        case "-o", "--output":
            guard i + 1 < arguments.count else { fail("run: -o needs a file name") }
            output = arguments[i + 1]; i += 1
        case "--inplace": inplace = true
        case "--allow-errors": allowErrors = true
        default:
            guard path == nil else { fail("run: unexpected argument '\(arguments[i])'") }
            path = arguments[i]
        }
        i += 1
    }
    guard let path else { usage() }
    if inplace && output != nil { fail("run: use either -o OUT or --inplace, not both") }
    let destination = inplace ? path : output
    do {
        let runner = try NotebookRunner(path: path, echo: destination == nil)
        signal(SIGINT) { _ in interruptRequested = true }
        if let (cell, error) = runner.run(allowErrors: allowErrors) {
            FileHandle.standardError.write(Data((error.traceback.joined(separator: "\n") + "\n").utf8))
            fail("\(path): cell \(cell) raised \(error.name); no notebook written (use --allow-errors to keep going)")
        }
        if let destination {
            do { try runner.serialized().write(toFile: destination, atomically: true, encoding: .utf8) } catch {
                fail("cannot write \(destination): \(error.localizedDescription)")
            }
        }
        exit(0)
    } catch { fail("\(error)") }
}

import Display
import Foundation
import Script

/// The interactive terminal session behind `apus` with no arguments: reads entries with
/// line editing, runs them in one `Engine`, shows results and handles magics.
public final class REPLSession {
    /// The engine whose globals persist across entries.
    public let engine: Engine
    let editor: LineEditor
    let environment: [String: String]
    let picture: TerminalPicture
    let colour: Bool
    /// This session's entries, for %history.
    var inputs: [String] = []
    /// Names defined before the first entry (builtins like __name__); %who and %reset skip them.
    let startupNames: Set<String>
    var entryCount = 0

    /// Prepares a session; the history file is $APUS_HISTORY, else ~/.apus_history.
    public init(engine: Engine = Engine(), environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.engine = engine
        self.environment = environment
        let tty = isatty(1) != 0
        picture = TerminalPicture.choose(environment: environment, isTTY: tty)
        colour = TracebackColors.enabled(environment: environment, isTTY: tty)
        // display() draws like a result does; a sink the caller chose is kept.
        if engine.sink is StandardSink { engine.sink = TerminalDisplaySink(picture: picture, columns: terminalColumns) }
        let historyPath = environment["APUS_HISTORY"]
            ?? (environment["HOME"].map { $0 + "/.apus_history" })
        editor = LineEditor(historyPath: historyPath)
        startupNames = Set(engine.globals.definedNames)
        LineEditor.completer = { [unowned engine] before in
            let cursor = before.unicodeScalars.count
            let (matches, start) = engine.complete(before, cursor: cursor)
            let scalars = Array(before.unicodeScalars)
            let from = min(max(0, start), scalars.count)
            return (matches, String(String.UnicodeScalarView(scalars[from...])))
        }
    }

    /// Runs the read-eval-print loop until Ctrl-D on an empty line or SystemExit; returns the
    /// exit status.
    public func run() -> Int32 {
        installInterruptHandler(engine)
        emit("Apus \(REPLSession.version) interactive session. Type ?name for help, Ctrl-D to exit.\n")
        while true {
            guard let entry = readEntry() else { emit("\n"); return 0 }
            if entry.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
            editor.remember(entry)
            inputs.append(entry)
            if let status = perform(REPLCommand.parse(entry)) { return status }
        }
    }

    /// The version printed in the banner.
    public static let version = "0.1"

    /// Reads one whole entry, asking for more lines while the engine says it is incomplete.
    /// nil on Ctrl-D at an empty prompt.
    func readEntry() -> String? {
        var lines: [String] = []
        var indent = ""
        while true {
            LineEditor.pendingCode = lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
            switch editor.read(prompt: lines.isEmpty ? ">>> " : "... ", prefill: indent) {
            case .endOfFile:
                if lines.isEmpty { return nil }
                emit("\n")
                return lines.joined(separator: "\n")
            case .interrupted:
                emit("\nKeyboardInterrupt\n")
                lines = []; indent = ""
                continue
            case .line(let line):
                let isBlank = line.trimmingCharacters(in: .whitespaces).isEmpty
                if lines.isEmpty {
                    if isBlank { return "" }
                    if REPLCommand.parse(line) != .code(line) { return line }
                }
                lines.append(isBlank ? "" : line)
                var code = lines.joined(separator: "\n")
                // A blank line closes an open block, as in Python's interactive mode.
                if isBlank && lines.count > 1 { code += "\n" }
                switch engine.isComplete(code) {
                case .complete, .invalid:
                    while lines.last == "" { lines.removeLast() }
                    return lines.joined(separator: "\n")
                case .incomplete(let nextIndent):
                    indent = nextIndent
                }
            }
        }
    }

    /// Carries out one entry; returns an exit status when the session should end.
    func perform(_ command: REPLCommand) -> Int32? {
        switch command {
        case .code(let code):
            return runCode(code)
        case .help(let name):
            let text = engine.inspect(name, cursor: name.unicodeScalars.count)
            emit((text ?? "Object `\(name)` not found.") + "\n")
        case .time(let code):
            var before = rusage(), after = rusage()
            getrusage(rusageSelf, &before)
            let start = DispatchTime.now().uptimeNanoseconds
            let status = runCode(code)
            let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            getrusage(rusageSelf, &after)
            let user = seconds(after.ru_utime) - seconds(before.ru_utime)
            let sys = seconds(after.ru_stime) - seconds(before.ru_stime)
            emit("CPU times: user \(TimingFormat.duration(user)), sys: \(TimingFormat.duration(sys)), total: \(TimingFormat.duration(user + sys))\n")
            emit("Wall time: \(TimingFormat.duration(wall))\n")
            return status
        case .timeit(let code):
            timeit(code)
        case .who:
            let names = userNames().sorted()
            emit(names.isEmpty ? "Interactive namespace is empty.\n" : names.joined(separator: "\t") + "\n")
        case .reset(let force):
            if !force {
                guard case .line(let answer) = editor.read(prompt: "Once deleted, variables cannot be recovered. Proceed (y/[n])? "),
                      answer.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("y") else {
                    emit("Nothing done.\n"); return nil
                }
            }
            for name in userNames() { engine.globals[name] = nil }
        case .load(let path):
            let expanded = (path as NSString).expandingTildeInPath
            guard let data = FileManager.default.contents(atPath: expanded) else {
                emit("File `\(path)` not found.\n"); return nil
            }
            let code = String(decoding: data, as: UTF8.self)
            emit(code.hasSuffix("\n") ? code : code + "\n")
            editor.remember(code)
            return runCode(code)
        case .history(let numbered):
            for (i, entry) in inputs.dropLast().enumerated() {
                emit((numbered ? "\(i + 1): " : "") + entry + "\n")
            }
        case .unknownMagic(let message):
            emit(message + "\n")
        }
        return nil
    }

    /// Runs code, shows its value or traceback; returns an exit status on SystemExit.
    func runCode(_ code: String) -> Int32? {
        entryCount += 1
        let result = engine.execute(code, cellName: "<stdin-\(entryCount)>", displayLastExpression: true)
        if let status = result.exitCode { return status }
        if let tb = result.traceback {
            emit(colour ? TracebackColors.colorize(tb) : tb, toStandardError: true)
        } else if let value = result.value {
            do {
                guard let bundle = try engine.displayBundle(for: value, repr: result.valueRepr) else { return nil }
                engine.sink.flush()
                emit(TerminalRenderer.render(bundle, picture: picture, columns: terminalColumns()))
            } catch let failure as Engine.DisplayFailure {
                engine.sink.flush()
                let text = failure.traceback.joined(separator: "\n") + "\n"
                emit(colour ? TracebackColors.colorize(text) : text, toStandardError: true)
            } catch {
                emit("\(error)\n", toStandardError: true)
            }
        }
        return nil
    }

    /// %timeit: the code runs inside a throwaway function (its assignments stay local, as in
    /// IPython) called with a loop count chosen so one run takes about 0.2 s; 7 runs.
    func timeit(_ code: String) {
        let helper = "__apus_timeit"
        let body = "def \(helper)(__apus_n):\n    for __apus_i in range(__apus_n):\n        \(code)\n"
        defer { engine.globals[helper] = nil }
        var failed = false
        let define = engine.execute(body, cellName: "<timeit>")
        if let tb = define.traceback { emit(tb, toStandardError: true); return }
        func timeLoops(_ n: Int) -> Double {
            if failed { return .infinity }
            let start = DispatchTime.now().uptimeNanoseconds
            let r = engine.execute("\(helper)(\(n))", cellName: "<timeit>")
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if let tb = r.traceback { emit(colour ? TracebackColors.colorize(tb) : tb, toStandardError: true); failed = true }
            return elapsed
        }
        let loops = TimingFormat.adaptiveLoopCount(timeLoops: timeLoops)
        var perLoop: [Double] = []
        for _ in 0..<7 where !failed { perLoop.append(timeLoops(loops) / Double(loops)) }
        if !failed { emit(TimingFormat.timeitSummary(perLoopTimes: perLoop, loops: loops) + "\n") }
    }

    /// Variables the user made (not dunders, not the names present at start).
    func userNames() -> [String] {
        engine.globals.definedNames.filter { !startupNames.contains($0) && !$0.hasPrefix("_") }
    }

    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }

    /// Writes straight to the file descriptor so REPL text and script output (which the
    /// engine flushes before returning) stay in order.
    func emit(_ text: String, toStandardError: Bool = false) {
        var bytes = Array(text.utf8)
        let fd: Int32 = toStandardError ? 2 : 1
        bytes.withUnsafeMutableBytes { p in
            var off = 0
            while off < p.count {
                let n = write(fd, p.baseAddress! + off, p.count - off)
                if n <= 0 { break }
                off += n
            }
        }
    }
}

#if os(Linux)
let rusageSelf = Int32(RUSAGE_SELF.rawValue)
#else
let rusageSelf = RUSAGE_SELF
#endif

/// The terminal's width in columns (80 when unknown).
func terminalColumns() -> Int {
    var size = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return 80
}

/// The engine the SIGINT handler interrupts; set once per session, read from the handler.
nonisolated(unsafe) var interruptTarget: Unmanaged<Engine>?

/// Installs the SIGINT handler: it only raises flags (the engine's interrupt flag and the
/// prompt's), without SA_RESTART so a blocked read at the prompt returns.
func installInterruptHandler(_ engine: Engine) {
    interruptTarget = Unmanaged.passUnretained(engine)
    SignalState.sigintAtPrompt = 0
    SignalState.openWakePipe()
    var action = sigaction()
    #if os(Linux)
    action.__sigaction_handler.sa_handler = { _ in
        SignalState.sigintAtPrompt = 1
        var byte: UInt8 = 1
        _ = write(SignalState.wakeWriteEnd, &byte, 1)
        interruptTarget?.takeUnretainedValue().interrupt()
    }
    #else
    action.__sigaction_u.__sa_handler = { _ in
        SignalState.sigintAtPrompt = 1
        var byte: UInt8 = 1
        _ = write(SignalState.wakeWriteEnd, &byte, 1)
        interruptTarget?.takeUnretainedValue().interrupt()
    }
    #endif
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(SIGINT, &action, nil)
}

/// Runs the terminal REPL on a fresh engine and returns the exit status (`apus` with no
/// arguments and a terminal on stdin).
public func runREPL(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int32 {
    REPLSession(environment: environment).run()
}

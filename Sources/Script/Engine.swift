import Foundation

/// The narrow interface front-ends (command line, REPL, Jupyter kernel) use to run code.
/// A session's globals survive across executions and after errors.
public final class Engine {
    /// The session's global namespace.
    public let globals: Globals
    /// Where output goes while this engine executes code.
    public var sink: OutputSink

    /// Outcome of `execute`.
    public struct Result {
        /// The value of a trailing expression statement (for display), if any and not None.
        public var value: Value?
        /// Its repr, ready to show.
        public var valueRepr: String?
        /// The formatted traceback when the code raised.
        public var traceback: String?
        /// The exception's class name (e.g. "ValueError") when the code raised.
        public var errorName: String?
        /// "Name: message", the last line of the traceback.
        public var errorLine: String?
        /// The exit status requested by SystemExit, if raised.
        public var exitCode: Int32?
    }

    /// Whether a piece of interactive input can run yet.
    public enum Completeness: Equatable { case complete, incomplete(indent: String), invalid }

    /// Creates a session; `argv` becomes sys.argv.
    public init(sink: OutputSink = StandardSink(), argv: [String] = [""]) {
        self.sink = sink
        globals = Globals(moduleName: "__main__")
        globals["__name__"] = .str("__main__")
        globals["__doc__"] = Value.none
        Runtime.argv = argv
        Bindings.registerAll()
        BlasThreadPark.parkIdleWorkers()
    }

    /// The engine whose code is running (for globals()).
    nonisolated(unsafe) static var current: Engine? = nil

    /// Requests that running code stop with KeyboardInterrupt (safe to call from any thread).
    public func interrupt() { interruptRequested = true }
    public func clearInterrupt() { interruptRequested = false }

    /// Compiles code into a module-level function bound to this session's globals.
    func compile(_ code: String, name: String, display: ((Value) throws -> Void)?) throws -> FunctionCode {
        try Engine.compile(code, name: name, globals: globals, display: display)
    }

    /// Compiles code into a module-level function bound to `globals`.
    static func compile(_ code: String, name: String, globals: Globals, display: ((Value) throws -> Void)?) throws -> FunctionCode {
        let source = SourceFile(name: name, text: code)
        Traceback.sources[name] = source
        var lexer = Lexer(code)
        let tokens = try lexer.tokenize()
        let fc = FunctionCode(name: "<module>", qualname: "<module>", source: source, firstLine: 1)
        let scope = Scope(.module, parent: nil, code: fc)
        let parser = Parser(tokens: tokens, source: source, scope: scope, lexError: lexer.lexError)
        let body = try parser.parseModule()
        try Resolver(globals: globals).resolve(scope)
        if let d = display, let last = body.last as? ExprStmt { last.display = d }
        fc.body = body
        return fc
    }

    /// Runs `code` (a file's text or a cell); `cellName` names it in tracebacks.
    /// With `displayLastExpression`, a trailing expression's value is returned for display;
    /// with `displayAllExpressions`, every top-level expression statement prints its repr
    /// (Python's interactive mode, used by `apus -c`).
    /// With `clearingInterrupt`, an interrupt requested before the run starts is forgotten (a
    /// Ctrl-C at the REPL's prompt); the kernel passes false and clears it itself when the cell
    /// begins, so an interrupt that arrives between that and this call still stops the cell.
    public func execute(_ code: String, cellName: String = "<string>", displayLastExpression: Bool = false,
                        displayAllExpressions: Bool = false, clearingInterrupt: Bool = true) -> Result {
        var result = Result()
        Runtime.sink = sink
        Engine.current = self
        runOnLargeStack {
            do {
                var lastValue: Value? = nil
                let fc = try self.compile(code, name: cellName, display: displayLastExpression ? { v in lastValue = v } : nil)
                if displayAllExpressions {
                    for s in fc.body { if let e = s as? ExprStmt { e.display = { v in
                        if !v.isNone { Runtime.sink.write(try Interp.repr(v) + "\n", to: .stdout) } } } }
                }
                let frame = Frame(code: fc, globals: self.globals)
                frame.cells = fc.cellNames.map { _ in PyCell() }
                Interp.depth = 0
                if clearingInterrupt { interruptRequested = false }
                _ = try Interp.runFrame(frame)
                if let v = lastValue, !v.isNone {
                    result.value = v
                    result.valueRepr = (try? Interp.repr(v)) ?? "<unprintable>"
                    self.globals["_"] = v
                }
            } catch let e as SyntaxErrorInfo {
                let text = Traceback.formatSyntaxError(e, code: code, file: cellName)
                result.traceback = text
                result.errorName = e.kind
                result.errorLine = "\(e.kind): \(e.message)"
            } catch let e as PyError {
                if e.exc.cls === Builtins.exceptionClass("SystemExit") {
                    let args = ExceptionAttrs.args(e.exc)
                    if let a = args.first, case .int(let c) = a { result.exitCode = Int32(truncatingIfNeeded: c) }
                    else if let a = args.first, !a.isNone { self.sink.write(((try? Interp.str(a)) ?? "") + "\n", to: .stderr); result.exitCode = 1 }
                    else { result.exitCode = 0 }
                    return
                }
                result.traceback = Traceback.format(e.exc)
                result.errorName = e.exc.cls.name
                result.errorLine = Traceback.lastLine(e.exc)
            } catch {
                result.traceback = "SystemError: \(error)\n"
                result.errorName = "SystemError"
                result.errorLine = "SystemError: \(error)"
            }
        }
        sink.flush()
        return result
    }

    /// Decides whether interactive input is a complete statement, needs more lines, or is invalid.
    public func isComplete(_ code: String) -> Completeness {
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false)
        let lastLine = lines.last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }).map(String.init) ?? ""
        let indentOf: (String) -> String = { String($0.prefix { $0 == " " || $0 == "\t" }) }
        do {
            var lx = Lexer(code)
            let toks = try lx.tokenize()
            let scope = Scope(.module, parent: nil, code: nil)
            _ = try Parser(tokens: toks, source: SourceFile(name: "<input>", text: code), scope: scope, lexError: lx.lexError).parseModule()
            // A block is open until a blank line ends it.
            if lines.count > 1, lastLine.hasPrefix(" ") || lastLine.hasPrefix("\t"), !(code.hasSuffix("\n\n") || code.hasSuffix("\n")) {
                return .incomplete(indent: indentOf(lastLine))
            }
            return .complete
        } catch let e as SyntaxErrorInfo {
            let m = e.message
            if m.hasPrefix("unexpected EOF") || m.contains("was never closed") || m.hasPrefix("unterminated triple-quoted")
                || (m.hasPrefix("expected an indented block") && e.pos.line >= lines.count) {
                let extra = lastLine.trimmingCharacters(in: .whitespaces).hasSuffix(":") ? "    " : ""
                return .incomplete(indent: indentOf(lastLine) + extra)
            }
            return .invalid
        } catch { return .invalid }
    }

    /// Names that could complete the identifier (or dotted attribute) ending at `cursor`;
    /// directly inside a call's parentheses the call's keyword arguments (`sep=`) come first.
    public func complete(_ code: String, cursor: Int) -> (matches: [String], start: Int) {
        let scalars = Array(code.unicodeScalars.prefix(cursor))
        var i = scalars.count
        while i > 0, Lexer.isIdentChar(scalars[i - 1]) || scalars[i - 1] == "." { i -= 1 }
        let word = String(String.UnicodeScalarView(scalars[i...]))
        if let dot = word.lastIndex(of: ".") {
            let base = String(word[..<dot]), prefix = String(word[word.index(after: dot)...])
            guard let v = evaluateQuietly(base) else { return ([], cursor) }
            let names = (try? Interp.call(Builtins.table["dir"]!, [v])).flatMap { try? Interp.toArray($0) } ?? []
            let m = names.compactMap { n -> String? in if case .str(let s) = n, s.hasPrefix(prefix) { return s }; return nil }
            return (m.sorted(), cursor - prefix.unicodeScalars.count)
        }
        var names = Set(globals.definedNames)
        names.formUnion(Builtins.table.keys)
        names.formUnion(Parser.keywords)
        let keywords = keywordArgumentCompletions(before: scalars)
        return (keywords + names.filter { $0.hasPrefix(word) }.sorted(), i)
    }

    /// Help text for the name or dotted expression under `cursor`, from docstrings.
    public func inspect(_ code: String, cursor: Int) -> String? {
        let scalars = Array(code.unicodeScalars)
        var lo = min(cursor, scalars.count), hi = lo
        while lo > 0, Lexer.isIdentChar(scalars[lo - 1]) || scalars[lo - 1] == "." { lo -= 1 }
        while hi < scalars.count, Lexer.isIdentChar(scalars[hi]) { hi += 1 }
        if lo == hi && lo > 0 && scalars[lo - 1] == "(" {
            hi = lo - 1; lo = hi
            while lo > 0, Lexer.isIdentChar(scalars[lo - 1]) || scalars[lo - 1] == "." { lo -= 1 }
        }
        let word = String(String.UnicodeScalarView(scalars[lo..<hi]))
        guard !word.isEmpty, let v = evaluateQuietly(word) else { return nil }
        return try? Introspection.helpText(v)
    }

    /// Evaluates a dotted name without side effects on output; nil if it fails.
    func evaluateQuietly(_ dotted: String) -> Value? {
        let parts = dotted.split(separator: ".").map(String.init)
        guard let first = parts.first else { return nil }
        guard var v = globals[first] ?? Builtins.table[first] else { return nil }
        for p in parts.dropFirst() { guard let x = try? Interp.getAttr(v, p) else { return nil }; v = x }
        return v
    }

    /// The stack a cell needs so deep script recursion cannot overflow.
    public static let largeStackSize = 1 << 29

    /// Runs `body` on a thread with a large stack so deep script recursion cannot overflow.
    /// A thread started with `largeStackSize` or more (the kernel's evaluator) runs it itself:
    /// a thread per cell costs a spawn and two wake-ups on every execution.
    func runOnLargeStack(_ body: @escaping () -> Void) {
        if Thread.current.stackSize >= Engine.largeStackSize { body(); return }
        let done = DispatchSemaphore(value: 0)
        let t = Thread { body(); done.signal() }
        t.stackSize = Engine.largeStackSize
        t.start()
        done.wait()
    }
}

/// Formats tracebacks the way CPython prints them.
enum Traceback {
    static func qualifiedName(_ c: PyClass) -> String {
        c.module == "builtins" || c.module == "__main__" ? c.name : "\(c.module).\(c.name)"
    }
    static func lastLine(_ e: PyInstance) -> String {
        var msg = (try? Interp.str(.obj(e))) ?? ""
        if let h = Suggestions.hint(for: e) { msg += ". Did you mean: '\(h)'?" }
        return msg.isEmpty ? qualifiedName(e.cls) : "\(qualifiedName(e.cls)): \(msg)"
    }
    static func format(_ e: PyInstance) -> String {
        var out = ""
        if let c = e.cause {
            out += format(c) + "\nThe above exception was the direct cause of the following exception:\n\n"
        } else if let c = e.context, !e.suppressContext {
            out += format(c) + "\nDuring handling of the above exception, another exception occurred:\n\n"
        }
        out += "Traceback (most recent call last):\n"
        for t in e.traceback.reversed() {
            out += "  File \"\(t.file)\", line \(t.line), in \(t.function)\n"
            if let src = sources[t.file]?.line(t.line) {
                let stripped = src.trimmingCharacters(in: .whitespaces)
                if !stripped.isEmpty {
                    out += "    \(stripped)\n"
                    out += "    " + String(repeating: "^", count: stripped.count) + "\n"
                }
            }
        }
        return out + lastLine(e) + "\n"
    }
    static func formatSyntaxError(_ e: SyntaxErrorInfo, code: String, file: String) -> String {
        var out = "  File \"\(file)\", line \(e.pos.line)\n"
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false)
        if e.pos.line >= 1 && e.pos.line <= lines.count {
            let line = String(lines[e.pos.line - 1])
            let lead = line.prefix { $0 == " " || $0 == "\t" }.count
            out += "    " + line.dropFirst(lead) + "\n"
            out += "    " + String(repeating: " ", count: max(0, e.pos.col - 1 - lead)) + "^\n"
        }
        return out + "\(e.kind): \(e.message)\n"
    }
    /// Source files by name, so tracebacks can quote lines of code that ran earlier.
    nonisolated(unsafe) static var sources: [String: SourceFile] = [:]
}

/// help() text built from docstrings and signatures.
enum Introspection {
    static func signature(_ f: PyFunction) -> String {
        let c = f.code
        var parts: [String] = []
        let firstDefault = c.params.count - f.defaults.count
        for (i, p) in c.params.enumerated() {
            parts.append(i >= firstDefault ? "\(p)=\((try? Interp.repr(f.defaults[i - firstDefault])) ?? "?")" : p)
            if c.posOnlyCount > 0 && i == c.posOnlyCount - 1 { parts.append("/") }
        }
        if let v = c.varArgs { parts.append("*" + v) } else if !c.kwOnly.isEmpty { parts.append("*") }
        for k in c.kwOnly { parts.append(f.kwDefaults[k].map { "\(k)=\((try? Interp.repr($0)) ?? "?")" } ?? k) }
        if let v = c.varKw { parts.append("**" + v) }
        return "\(f.name)(\(parts.joined(separator: ", ")))"
    }
    static func helpText(_ v: Value) throws -> String {
        if case .obj(let o) = v {
            if let f = o as? PyFunction { return "Help on function \(f.name):\n\n\(signature(f))\n" + (f.code.doc.map { "    " + $0 + "\n" } ?? "") }
            if let b = o as? PyBuiltin { return "Help on built-in function \(b.name):\n\n" + (b.doc ?? "\(b.name)(...)") + "\n" }
            if let c = o as? PyClass {
                var s = "Help on class \(c.name):\n\nclass \(c.name)" + (c.base.map { "(\($0.name))" } ?? "") + "\n"
                if let d = c.doc { s += " |  \(d)\n" }
                for (k, m) in c.dict.ordered.sorted(by: { $0.0 < $1.0 }) {
                    if case .obj(let mo) = m, let f = mo as? PyFunction { s += " |  \(signature(f))\n"; if let d = f.code.doc { s += " |      \(d)\n" } }
                    _ = k
                }
                return s
            }
            if let m = o as? PyModule { return "Help on module \(m.name):\n\n" + (m.doc ?? "") + "\n" }
            if let n = o as? PyNative { return n.object.doc ?? n.object.typeName }
            if let bm = o as? PyBoundMethod { return try helpText(bm.function) }
        }
        return "Help on \(Interp.typeName(v)) object:\n\n\(try Interp.repr(v))\n"
    }
}

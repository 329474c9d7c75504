import Display

/// What front-ends ask of a session beyond running code: the rich form of a cell's value and
/// help text (for `?name`, the kernel's inspect and the REPL).
extension Engine {
    /// A script error raised while formatting a value (an interrupt, in practice: other
    /// formatter errors are reported on stderr and the type is left out).
    public struct DisplayFailure: Error {
        /// The exception's type name.
        public let name: String
        /// Its message.
        public let value: String
        /// The traceback, one line per element.
        public let traceback: [String]
    }

    /// The bundle to show for `value` (a cell's result), through `DisplayFormatter`, with the
    /// session's output sink receiving any formatter error. nil when the value displayed itself.
    public func displayBundle(for value: Value, repr: String? = nil) throws -> MimeBundle? {
        Runtime.sink = sink
        Engine.current = self
        do {
            return try DisplayFormatter.bundle(for: value, repr: repr)
        } catch let e as PyError {
            let text = Traceback.format(e.exc)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            let message = (try? Interp.str(.obj(e.exc))) ?? ""
            throw DisplayFailure(name: e.exc.cls.name, value: message, traceback: lines)
        }
    }

    /// Help for the name or dotted expression under `cursor` (as `inspect`), followed by the
    /// definition's source when `withSource` is set and the object is a script function
    /// (`??name`, inspect detail level 1).
    public func help(_ code: String, cursor: Int, withSource: Bool) -> String? {
        guard let text = inspect(code, cursor: cursor) else { return nil }
        guard withSource, let source = sourceText(code, cursor: cursor) else { return text }
        return text + (text.hasSuffix("\n") ? "" : "\n") + "\nSource:\n" + source
    }

    /// The source lines of the function (or method) named at `cursor`: its `def` line and
    /// the indented block under it.
    func sourceText(_ code: String, cursor: Int) -> String? {
        let scalars = Array(code.unicodeScalars)
        var lo = min(cursor, scalars.count), hi = lo
        while lo > 0, Lexer.isIdentChar(scalars[lo - 1]) || scalars[lo - 1] == "." { lo -= 1 }
        while hi < scalars.count, Lexer.isIdentChar(scalars[hi]) { hi += 1 }
        let word = String(String.UnicodeScalarView(scalars[lo..<hi]))
        guard var v = evaluateQuietly(word) else { return nil }
        if case .obj(let o) = v, let bound = o as? PyBoundMethod { v = bound.function }
        guard case .obj(let o) = v, let f = o as? PyFunction else { return nil }
        let source = f.code.source
        let first = f.code.firstLine
        guard let defLine = source.line(first) else { return nil }
        let indent = defLine.prefix { $0 == " " || $0 == "\t" }.count
        var lines = [defLine]
        var n = first + 1
        while let line = source.line(n) {
            let blank = line.trimmingCharacters(in: .whitespaces).isEmpty
            if !blank && line.prefix(while: { $0 == " " || $0 == "\t" }).count <= indent { break }
            lines.append(line)
            n += 1
        }
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }
}

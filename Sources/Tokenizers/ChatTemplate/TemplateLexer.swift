/// Splits template source into text and tag tokens the way Jinja's lexer does under
/// transformers' settings: `trim_blocks` (drop the newline after a block or comment tag),
/// `lstrip_blocks` (drop spaces before a block or comment tag at the start of a line), `-`
/// and `+` whitespace control on either side of a tag, comments, `{% raw %}`, Windows newlines
/// read as `\n`, and one trailing newline of the template dropped.
struct TemplateToken {
    enum Kind: Equatable {
        case text(String)
        case blockBegin, blockEnd, variableBegin, variableEnd
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        case op(String)
        case end
    }

    let kind: Kind
    let line: Int
}

struct TemplateLexer {
    private let source: [Unicode.Scalar]
    private var pos = 0
    private var line = 1
    private var tokens: [TemplateToken] = []
    /// Whether the last tag ended with a newline, so text after it starts a line (Jinja's
    /// `line_starting`, which lets `lstrip_blocks` strip indentation on the first line too).
    private var lineStarting = true

    static func tokenize(_ text: String) throws -> [TemplateToken] {
        var normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        if normalized.hasSuffix("\n") { normalized.removeLast() }
        var lexer = TemplateLexer(source: Array(normalized.unicodeScalars))
        try lexer.run()
        return lexer.tokens
    }

    private init(source: [Unicode.Scalar]) { self.source = source }

    private func fail(_ message: String) -> ChatTemplateError {
        ChatTemplateError(kind: .syntax, message: message, line: line)
    }

    private func at(_ i: Int, _ text: String) -> Bool {
        var j = i
        for s in text.unicodeScalars {
            guard j < source.count, source[j] == s else { return false }
            j += 1
        }
        return true
    }

    private mutating func emit(_ kind: TemplateToken.Kind) { tokens.append(TemplateToken(kind: kind, line: line)) }

    private mutating func advance(to end: Int) {
        for i in pos..<end where source[i] == "\n" { line += 1 }
        pos = end
    }

    /// Finds the next tag opener at or after `from`: its position and the opener's kind.
    private func nextTag(from: Int) -> (Int, Character)? {
        var i = from
        while i + 1 < source.count {
            if source[i] == "{" {
                let c = source[i + 1]
                if c == "{" || c == "%" || c == "#" { return (i, Character(c)) }
            }
            i += 1
        }
        return nil
    }

    /// If a `{% raw %}` tag starts at `i`, the index just past it and whether it ended in `-%}`.
    private func rawTag(at i: Int, word: String) -> (end: Int, sign: Character?, trailingMinus: Bool)? {
        guard at(i, "{%") else { return nil }
        var j = i + 2
        var sign: Character?
        if j < source.count, source[j] == "-" || source[j] == "+" { sign = Character(source[j]); j += 1 }
        while j < source.count, PythonFormatting.isSpace(source[j]) { j += 1 }
        guard at(j, word) else { return nil }
        j += word.unicodeScalars.count
        while j < source.count, PythonFormatting.isSpace(source[j]) { j += 1 }
        if at(j, "-%}") { return (j + 3, sign, true) }
        // `{% raw +%}` is not a raw tag for Jinja (the tag then fails as unknown); `endraw +%}` is.
        if at(j, "+%}") { return word == "raw" ? nil : (j + 3, sign, false) }
        if at(j, "%}") { return (j + 2, sign, false) }
        return nil
    }

    private mutating func run() throws {
        while pos < source.count {
            guard let (start, kind) = nextTag(from: pos) else {
                emitText(String(String.UnicodeScalarView(source[pos...])), sign: nil, isVariable: true)
                advance(to: source.count)
                break
            }
            let signScalar: Unicode.Scalar? = start + 2 < source.count ? source[start + 2] : nil
            let sign: Character? = signScalar.flatMap { $0 == "-" || $0 == "+" ? Character($0) : nil }
            let text = String(String.UnicodeScalarView(source[pos..<start]))
            if kind == "%", let raw = rawTag(at: start, word: "raw") {
                emitText(text, sign: raw.sign, isVariable: false)
                advance(to: raw.end)
                try lexRaw(afterMinus: raw.trailingMinus)
                continue
            }
            emitText(text, sign: sign, isVariable: kind == "{")
            advance(to: start)
            pos += 2 + (sign == nil ? 0 : 1)
            switch kind {
            case "#": try lexComment()
            case "%": emit(.blockBegin); try lexTag(closer: "%}", trimNewline: true)
            default: emit(.variableBegin); try lexTag(closer: "}}", trimNewline: false)
            }
        }
        emit(.end)
    }

    /// Emits the text before a tag after the tag's left-side whitespace control.
    private mutating func emitText(_ text: String, sign: Character?, isVariable: Bool) {
        var text = text
        if sign == "-" {
            while let last = text.unicodeScalars.last, PythonFormatting.isSpace(last) { text.unicodeScalars.removeLast() }
        } else if sign != "+" && !isVariable {
            let scalars = Array(text.unicodeScalars)
            let lineStart = (scalars.lastIndex(of: "\n").map { $0 + 1 }) ?? 0
            if lineStart > 0 || lineStarting {
                let tail = scalars[lineStart...]
                if !tail.isEmpty && tail.allSatisfy(PythonFormatting.isSpace) {
                    text = String(String.UnicodeScalarView(scalars[..<lineStart]))
                }
            }
        }
        if !text.isEmpty { emit(.text(text)) }
    }

    /// After a tag's closer: `-` eats all following whitespace, `+` nothing, and a plain block
    /// or comment closer one newline (trim_blocks).
    private mutating func afterCloser(minus: Bool, plus: Bool, trimNewline: Bool) {
        var end = pos
        if minus {
            while end < source.count, PythonFormatting.isSpace(source[end]) { end += 1 }
        } else if !plus && trimNewline, end < source.count, source[end] == "\n" {
            end += 1
        }
        let consumed = end > pos
        let lastChar = consumed ? source[end - 1] : nil
        advance(to: end)
        lineStarting = lastChar == "\n"
    }

    private mutating func lexComment() throws {
        var i = pos
        while i + 1 < source.count {
            if source[i] == "#" && source[i + 1] == "}" {
                let minus = i > pos && source[i - 1] == "-"
                let plus = i > pos && source[i - 1] == "+"
                advance(to: i + 2)
                afterCloser(minus: minus, plus: plus, trimNewline: true)
                return
            }
            i += 1
        }
        throw fail("missing end of comment tag")
    }

    private mutating func lexRaw(afterMinus: Bool) throws {
        if afterMinus {
            var end = pos
            while end < source.count, PythonFormatting.isSpace(source[end]) { end += 1 }
            advance(to: end)
        }
        var i = pos
        while i < source.count {
            if let close = rawTag(at: i, word: "endraw") {
                let text = String(String.UnicodeScalarView(source[pos..<i]))
                lineStarting = false
                emitText(text, sign: close.sign, isVariable: false)
                advance(to: close.end)
                let closer = source[close.end - 3]
                afterCloser(minus: close.trailingMinus, plus: closer == "+", trimNewline: true)
                return
            }
            i += 1
        }
        throw fail("missing end of raw directive")
    }

    private static let operators = ["//", "**", "==", "!=", ">=", "<=", "+", "-", "*", "/", "%", "~", "<", ">", "=",
                                    ".", ",", ":", "|", "(", ")", "[", "]", "{", "}", ";"]

    /// Tokens inside `{{ }}` or `{% %}` up to the closer; brackets must balance before it counts.
    private mutating func lexTag(closer: String, trimNewline: Bool) throws {
        var brackets: [Unicode.Scalar] = []
        while true {
            while pos < source.count, PythonFormatting.isSpace(source[pos]) { advance(to: pos + 1) }
            guard pos < source.count else { throw fail("unexpected end of template, expected '\(closer)'") }
            if brackets.isEmpty {
                if at(pos, "-" + closer) || at(pos, "+" + closer) {
                    let minus = source[pos] == "-"
                    let plus = source[pos] == "+" && trimNewline
                    if source[pos] == "+" && !trimNewline { /* `+}}` is not a closer */ } else {
                        advance(to: pos + 3)
                        emit(closer == "%}" ? .blockEnd : .variableEnd)
                        afterCloser(minus: minus, plus: plus, trimNewline: trimNewline)
                        return
                    }
                }
                if at(pos, closer) {
                    advance(to: pos + 2)
                    emit(closer == "%}" ? .blockEnd : .variableEnd)
                    afterCloser(minus: false, plus: false, trimNewline: trimNewline)
                    return
                }
            }
            let c = source[pos]
            if c == "'" || c == "\"" {
                try lexString(quote: c)
            } else if c.properties.isAlphabetic || c == "_" {
                var end = pos
                while end < source.count, source[end].properties.isAlphabetic || source[end] == "_" || ("0"..."9").contains(source[end]) { end += 1 }
                emit(.name(String(String.UnicodeScalarView(source[pos..<end]))))
                advance(to: end)
            } else if ("0"..."9").contains(c) {
                try lexNumber()
            } else if let op = Self.operators.first(where: { at(pos, $0) }) {
                switch op {
                case "(": brackets.append(")")
                case "[": brackets.append("]")
                case "{": brackets.append("}")
                case ")", "]", "}":
                    guard let expected = brackets.popLast() else { throw fail("unexpected '\(op)'") }
                    guard String(expected) == op else { throw fail("unexpected '\(op)', expected '\(expected)'") }
                default: break
                }
                emit(.op(op))
                advance(to: pos + op.count)
            } else {
                throw fail("unexpected character '\(Character(c))'")
            }
        }
    }

    private mutating func lexNumber() throws {
        var end = pos
        func digits() { while end < source.count, ("0"..."9").contains(source[end]) || source[end] == "_" { end += 1 } }
        digits()
        var isFloat = false
        if end + 1 < source.count, source[end] == ".", ("0"..."9").contains(source[end + 1]) {
            isFloat = true
            end += 1
            digits()
        }
        if end < source.count, source[end] == "e" || source[end] == "E" {
            var e = end + 1
            if e < source.count, source[e] == "+" || source[e] == "-" { e += 1 }
            if e < source.count, ("0"..."9").contains(source[e]) {
                isFloat = true
                end = e
                digits()
            }
        }
        let text = String(String.UnicodeScalarView(source[pos..<end])).replacingOccurrences(of: "_", with: "")
        if isFloat {
            guard let d = Double(text) else { throw fail("invalid number '\(text)'") }
            emit(.float(d))
        } else {
            guard let n = Int(text) else { throw fail("integer '\(text)' is too large") }
            emit(.integer(n))
        }
        advance(to: end)
    }

    /// A string literal with Python's backslash escapes.
    private mutating func lexString(quote: Unicode.Scalar) throws {
        var i = pos + 1
        var out = String.UnicodeScalarView()
        while true {
            guard i < source.count else { throw fail("unterminated string") }
            let c = source[i]
            if c == quote { break }
            if c == "\\", i + 1 < source.count {
                let e = source[i + 1]
                i += 2
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "0": out.append("\0")
                case "a": out.append("\u{07}")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "v": out.append("\u{0B}")
                case "\\", "'", "\"": out.append(e)
                case "\n": break
                case "x", "u", "U":
                    let width = e == "x" ? 2 : (e == "u" ? 4 : 8)
                    guard i + width <= source.count,
                          let v = UInt32(String(String.UnicodeScalarView(source[i..<(i + width)])), radix: 16),
                          let scalar = Unicode.Scalar(v) else { throw fail("invalid \\\(e) escape in a string") }
                    out.append(scalar)
                    i += width
                default:
                    out.append("\\")
                    out.append(e)
                }
                continue
            }
            out.append(c)
            i += 1
        }
        emit(.string(String(out)))
        advance(to: i + 1)
    }
}

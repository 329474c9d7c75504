/// A position in source text: 1-based line and column (columns count Unicode scalars).
public struct SourcePos: Equatable, Sendable {
    public var line: Int
    public var col: Int
    public init(line: Int, col: Int) { self.line = line; self.col = col }
}

/// The kinds of token the lexer produces; INDENT/DEDENT/NEWLINE follow Python's rules.
enum TokenKind: Equatable {
    case name, int, float, string, fstring, op, newline, indent, dedent, eof
    /// Where the lexer found an error; the parser reports it only if it gets this far,
    /// so earlier syntax errors win, as with CPython's incremental tokenizer.
    case error
}

/// One token with the exact span it came from.
struct Token {
    var kind: TokenKind
    var text: String          // name, operator or the decoded string value
    var intValue: Int = 0
    var floatValue: Double = 0
    var isBytes = false
    /// For f-strings: the raw body (escapes not yet processed) and whether it is raw.
    var rawBody: String = ""
    var isRaw = false
    var start: SourcePos
    var end: SourcePos
    /// Column (1-based) where an f-string's body begins, for positions of embedded expressions.
    var bodyStart: SourcePos = SourcePos(line: 0, col: 0)
}

/// A syntax error found while lexing or parsing, with the position Python would report.
public struct SyntaxErrorInfo: Error {
    public var kind: String = "SyntaxError"
    public var message: String
    public var pos: SourcePos
    public var endCol: Int? = nil
}

/// Turns source text into tokens, tracking indentation exactly as Python's tokenizer does.
struct Lexer {
    let src: [Unicode.Scalar]
    var i = 0
    var line = 1
    var lineStart = 0
    var indents: [Int] = [0]
    var depth = 0                 // bracket nesting; newlines inside brackets are ignored
    var atLineStart = true
    var tokens: [Token] = []
    var bracketStack: [(Unicode.Scalar, SourcePos)] = []

    init(_ text: String) { src = Array(text.unicodeScalars) }

    var col: Int { i - lineStart + 1 }
    var pos: SourcePos { SourcePos(line: line, col: col) }

    func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < src.count ? src[i + k] : nil }

    mutating func err(_ msg: String, _ p: SourcePos, kind: String = "SyntaxError") -> SyntaxErrorInfo {
        SyntaxErrorInfo(kind: kind, message: msg, pos: p)
    }

    mutating func add(_ kind: TokenKind, _ text: String, _ start: SourcePos) {
        tokens.append(Token(kind: kind, text: text, start: start, end: pos))
    }

    static func isIdentStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || (c.value < 128 ? ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z")) : c.properties.isXIDStart)
    }
    static func isIdentChar(_ c: Unicode.Scalar) -> Bool {
        c == "_" || (c.value < 128 ? ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")) : c.properties.isXIDContinue)
    }

    /// The error behind the final `.error` token, if lexing stopped early.
    var lexError: SyntaxErrorInfo? = nil

    mutating func tokenize() throws -> [Token] {
        do { return try tokenizeOrThrow() } catch let e as SyntaxErrorInfo {
            lexError = e
            tokens.append(Token(kind: .error, text: "", start: e.pos, end: e.pos))
            return tokens
        }
    }

    mutating func tokenizeOrThrow() throws -> [Token] {
        while true {
            if atLineStart && depth == 0 {
                // Measure indentation; skip blank and comment-only lines entirely.
                var width = 0
                var j = i
                while j < src.count, src[j] == " " || src[j] == "\t" || src[j] == "\u{0C}" {
                    if src[j] == "\t" { width = (width / 8 + 1) * 8 } else if src[j] == " " { width += 1 } else { width = 0 }
                    j += 1
                }
                if j >= src.count { i = j; break }
                let c = src[j]
                if c == "#" || c == "\n" || c == "\r" || (c == "\\" && j + 1 < src.count && src[j + 1] == "\n") {
                    // blank line: consume to end of line
                    i = j
                    while i < src.count, src[i] != "\n" { i += 1 }
                    if i < src.count { i += 1; line += 1; lineStart = i }
                    continue
                }
                i = j
                atLineStart = false
                if width > indents.last! {
                    indents.append(width)
                    // CPython reports an unexpected indent at the last column of the indentation.
                    let p = SourcePos(line: line, col: max(1, col - 1))
                    tokens.append(Token(kind: .indent, text: "", start: p, end: pos))
                } else if width < indents.last! {
                    while width < indents.last! {
                        indents.removeLast()
                        tokens.append(Token(kind: .dedent, text: "", start: pos, end: pos))
                    }
                    if width != indents.last! {
                        var e = i
                        while e < src.count, src[e] != "\n" { e += 1 }
                        throw err("unindent does not match any outer indentation level", SourcePos(line: line, col: e - lineStart + 1), kind: "IndentationError")
                    }
                }
            }
            guard let c = peek() else { break }
            let start = pos
            if c == " " || c == "\t" || c == "\u{0C}" || c == "\r" { i += 1; continue }
            if c == "#" { while let d = peek(), d != "\n" { i += 1 }; continue }
            if c == "\\" {
                if peek(1) == "\n" { i += 2; line += 1; lineStart = i; continue }
                if peek(1) == "\r" && peek(2) == "\n" { i += 3; line += 1; lineStart = i; continue }
                throw err("unexpected character after line continuation character", start)
            }
            if c == "\n" {
                if depth == 0 { add(.newline, "", start); atLineStart = true }
                i += 1; line += 1; lineStart = i
                continue
            }
            if Lexer.isIdentStart(c) {
                // String prefixes
                var j = i
                while j < src.count, Lexer.isIdentChar(src[j]) { j += 1 }
                let word = String(String.UnicodeScalarView(src[i..<j]))
                if j < src.count, src[j] == "\"" || src[j] == "'" {
                    let lw = word.lowercased()
                    if ["r", "b", "f", "u", "rb", "br", "fr", "rf"].contains(lw) {
                        i = j
                        try lexString(prefix: lw, start: start)
                        continue
                    }
                }
                i = j
                add(.name, word, start)
                continue
            }
            if c >= "0" && c <= "9" || (c == "." && (peek(1).map { $0 >= "0" && $0 <= "9" } ?? false)) {
                try lexNumber(start)
                continue
            }
            if c == "\"" || c == "'" { try lexString(prefix: "", start: start); continue }
            // Operators, longest first.
            let three = String(String.UnicodeScalarView(src[i..<min(i + 3, src.count)]))
            let ops3 = ["**=", "//=", ">>=", "<<=", "...", "!="]
            let ops2 = ["**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", ":="]
            var op: String? = nil
            if three.count == 3, ops3.contains(three) { op = three }
            else if three.count >= 2, ops2.contains(String(three.prefix(2))) { op = String(three.prefix(2)) }
            else if "+-*/%@&|^~<>()[]{},:;.=".unicodeScalars.contains(c) { op = String(c) }
            guard let o = op else {
                if c == "!" { throw err("invalid syntax", start) }
                throw err("invalid character '\(c)' (U+\(String(c.value, radix: 16, uppercase: true).leftPadded(4)))", start)
            }
            i += o.unicodeScalars.count
            if o == "(" || o == "[" || o == "{" { depth += 1; bracketStack.append((c, start)) }
            if o == ")" || o == "]" || o == "}" {
                guard let (open, _) = bracketStack.popLast() else { throw err("unmatched '\(o)'", start) }
                let expected: Unicode.Scalar = open == "(" ? ")" : open == "[" ? "]" : "}"
                if expected != c {
                    throw err("closing parenthesis '\(o)' does not match opening parenthesis '\(open)'", start)
                }
                depth -= 1
            }
            add(.op, o, start)
        }
        if let (open, p) = bracketStack.last {
            throw err("'\(open)' was never closed", p)
        }
        if let last = tokens.last, last.kind != .newline && last.kind != .dedent { add(.newline, "", pos) }
        while indents.count > 1 { indents.removeLast(); add(.dedent, "", pos) }
        add(.eof, "", pos)
        return tokens
    }

    mutating func lexNumber(_ start: SourcePos) throws {
        var j = i
        func digitsUnderscore(_ ok: (Unicode.Scalar) -> Bool) { while j < src.count, ok(src[j]) || src[j] == "_" { j += 1 } }
        let isDec: (Unicode.Scalar) -> Bool = { $0 >= "0" && $0 <= "9" }
        if src[j] == "0", j + 1 < src.count, "xXoObB".unicodeScalars.contains(src[j + 1]) {
            let radixChar = src[j + 1]
            let radix = (radixChar == "x" || radixChar == "X") ? 16 : (radixChar == "o" || radixChar == "O") ? 8 : 2
            j += 2
            let s = j
            digitsUnderscore { $0.properties.isASCIIHexDigit }
            let text = String(String.UnicodeScalarView(src[s..<j])).replacingOccurrences(of: "_", with: "")
            guard let v = Int(text, radix: radix) else {
                if text.isEmpty || Int64(text.prefix(1), radix: radix) == nil { throw err("invalid \(radix == 16 ? "hexadecimal" : radix == 8 ? "octal" : "binary") literal", start) }
                throw err("integer literal too large for a 64-bit int", start, kind: "OverflowError")
            }
            i = j
            var t = Token(kind: .int, text: "", start: start, end: pos); t.intValue = v
            tokens.append(t); return
        }
        var isFloat = false
        digitsUnderscore(isDec)
        if j < src.count, src[j] == "." { isFloat = true; j += 1; digitsUnderscore(isDec) }
        if j < src.count, src[j] == "e" || src[j] == "E" {
            var k = j + 1
            if k < src.count, src[k] == "+" || src[k] == "-" { k += 1 }
            if k < src.count, isDec(src[k]) { isFloat = true; j = k; digitsUnderscore(isDec) }
        }
        var imaginary = false
        if j < src.count, src[j] == "j" || src[j] == "J" { imaginary = true }
        let text = String(String.UnicodeScalarView(src[i..<j])).replacingOccurrences(of: "_", with: "")
        if imaginary { throw err("complex numbers are not supported", start) }
        if j < src.count, Lexer.isIdentStart(src[j]) { i = j; throw err("invalid decimal literal", start) }
        i = j
        if isFloat {
            var t = Token(kind: .float, text: text, start: start, end: pos)
            t.floatValue = Double(text) ?? 0
            tokens.append(t)
        } else {
            if text.count > 1, text.hasPrefix("0"), text.contains(where: { $0 != "0" }) {
                throw err("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", start)
            }
            guard let v = Int(text) else { throw err("integer literal too large for a 64-bit int", start, kind: "OverflowError") }
            var t = Token(kind: .int, text: text, start: start, end: pos); t.intValue = v
            tokens.append(t)
        }
    }

    mutating func lexString(prefix: String, start: SourcePos) throws {
        let q = src[i]
        let triple = peek(1) == q && peek(2) == q
        i += triple ? 3 : 1
        let isRaw = prefix.contains("r")
        let isF = prefix.contains("f")
        let bodyStart = pos
        var body: [Unicode.Scalar] = []
        while true {
            guard let c = peek() else {
                if triple { throw err("unterminated triple-quoted string literal (detected at line \(line))", start) }
                throw err("unterminated string literal (detected at line \(line))", start)
            }
            if c == "\\" {
                guard let d = peek(1) else { i += 1; continue }
                body.append(c); body.append(d); i += 2
                if d == "\n" { line += 1; lineStart = i }
                continue
            }
            if c == "\n" {
                if !triple { throw err("unterminated string literal (detected at line \(line))", start) }
                body.append(c); i += 1; line += 1; lineStart = i
                continue
            }
            if c == q {
                if !triple { i += 1; break }
                if peek(1) == q && peek(2) == q { i += 3; break }
            }
            body.append(c); i += 1
        }
        let raw = String(String.UnicodeScalarView(body))
        if isF {
            var t = Token(kind: .fstring, text: "", start: start, end: pos)
            t.rawBody = raw; t.isRaw = isRaw; t.bodyStart = bodyStart
            tokens.append(t)
            return
        }
        var t = Token(kind: .string, text: isRaw ? raw : try Lexer.unescape(body, at: start), start: start, end: pos)
        t.isBytes = prefix.contains("b")
        tokens.append(t)
    }

    /// Processes backslash escapes the way Python does for non-raw literals.
    static func unescape<C: Collection>(_ s: C, at p: SourcePos) throws -> String where C.Element == Unicode.Scalar {
        var out = String.UnicodeScalarView()
        let a = Array(s)
        var k = 0
        while k < a.count {
            let c = a[k]
            if c != "\\" || k + 1 >= a.count { out.append(c); k += 1; continue }
            let d = a[k + 1]
            k += 2
            switch d {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "0"..."7":
                var v = Int(d.value - 48); var n = 1
                while n < 3, k < a.count, a[k] >= "0" && a[k] <= "7" { v = v * 8 + Int(a[k].value - 48); k += 1; n += 1 }
                out.append(Unicode.Scalar(UInt32(v))!)
            case "\\": out.append("\\")
            case "'": out.append("'")
            case "\"": out.append("\"")
            case "\n": break
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "v": out.append("\u{0B}")
            case "x", "u", "U":
                let n = d == "x" ? 2 : d == "u" ? 4 : 8
                guard k + n <= a.count, let v = UInt32(String(String.UnicodeScalarView(a[k..<k + n])), radix: 16), let sc = Unicode.Scalar(v) else {
                    throw SyntaxErrorInfo(message: "(unicode error) 'unicodeescape' codec can't decode bytes: truncated \\\(d) escape", pos: p)
                }
                out.append(sc); k += n
            case "N":
                throw SyntaxErrorInfo(message: "\\N{...} escapes are not supported", pos: p)
            default: out.append("\\"); out.append(d)
            }
        }
        return String(out)
    }
}

extension String {
    func leftPadded(_ n: Int, with c: Character = "0") -> String {
        count >= n ? self : String(repeating: c, count: n - count) + self
    }
}

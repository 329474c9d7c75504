import Foundation

/// Something that finds the places to split a text: it returns consecutive ranges covering the
/// whole text, each flagged true when it is a match (a delimiter).
protocol SplitPattern {
    func findMatches(_ text: [Unicode.Scalar]) throws -> [(Offset, Bool)]
}

/// Matches single characters for which a predicate holds, each one separately.
struct CharacterPredicatePattern: SplitPattern {
    let predicate: (Unicode.Scalar) -> Bool

    func findMatches(_ text: [Unicode.Scalar]) throws -> [(Offset, Bool)] {
        var out: [(Offset, Bool)] = []
        var last = 0
        for (i, c) in text.enumerated() where predicate(c) {
            if last < i { out.append((Offset(last, i), false)) }
            out.append((Offset(i, i + 1), true))
            last = i + 1
        }
        if last < text.count { out.append((Offset(last, text.count), false)) }
        return out
    }
}

/// A character class known at compile time, so the split loop is specialised for it.
protocol ScalarClass { static func contains(_ c: Unicode.Scalar) -> Bool }
enum WhitespaceClass: ScalarClass { @inline(__always) static func contains(_ c: Unicode.Scalar) -> Bool { UnicodeClass.isWhitespace(c) } }
enum PunctuationClass: ScalarClass { @inline(__always) static func contains(_ c: Unicode.Scalar) -> Bool { UnicodeClass.isPunctuation(c) } }
enum NumericClass: ScalarClass { @inline(__always) static func contains(_ c: Unicode.Scalar) -> Bool { UnicodeClass.isNumeric(c) } }

/// Matches single characters of a class, each one separately (like `CharacterPredicatePattern`).
struct CharacterClassPattern<C: ScalarClass>: SplitPattern {
    func findMatches(_ text: [Unicode.Scalar]) throws -> [(Offset, Bool)] {
        var out: [(Offset, Bool)] = []
        var last = 0
        for i in text.indices where C.contains(text[i]) {
            if last < i { out.append((Offset(last, i), false)) }
            out.append((Offset(i, i + 1), true))
            last = i + 1
        }
        if last < text.count { out.append((Offset(last, text.count), false)) }
        return out
    }
}

/// Matches every non-overlapping occurrence of a literal string, left to right.
struct LiteralPattern: SplitPattern {
    let needle: [Unicode.Scalar]

    func findMatches(_ text: [Unicode.Scalar]) throws -> [(Offset, Bool)] {
        if needle.isEmpty || text.isEmpty { return [(Offset(0, text.count), false)] }
        var out: [(Offset, Bool)] = []
        var prev = 0, i = 0
        let n = needle.count, first = needle[0]
        while i + n <= text.count {
            if text[i] == first && (n == 1 || text[i..<(i + n)].elementsEqual(needle)) {
                if prev != i { out.append((Offset(prev, i), false)) }
                out.append((Offset(i, i + n), true))
                i += n
                prev = i
            } else {
                i += 1
            }
        }
        if prev != text.count { out.append((Offset(prev, text.count), false)) }
        return out
    }
}

/// A general regular expression (ICU syntax through Foundation, which accepts the Oniguruma
/// patterns tokenizer files use: `\p{L}`, `(?i:...)`, lookahead). Offsets are converted from
/// UTF-16 back to scalars.
final class RegexPattern: SplitPattern {
    let source: String
    let regex: NSRegularExpression

    init(_ source: String) throws {
        self.source = source
        do {
            regex = try NSRegularExpression(pattern: source, options: [])
        } catch {
            throw TokenizerError.invalidRegex(pattern: source, detail: "\(error)")
        }
    }

    func findMatches(_ text: [Unicode.Scalar]) throws -> [(Offset, Bool)] {
        if text.isEmpty { return [(Offset(0, 0), false)] }
        // UTF-16 index -> scalar index map; only scalar starts are ever match boundaries.
        var utf16ToScalar = [Int](repeating: 0, count: 0)
        utf16ToScalar.reserveCapacity(text.count + 8)
        for (i, c) in text.enumerated() {
            utf16ToScalar.append(i)
            if c.value > 0xFFFF { utf16ToScalar.append(i) }
        }
        utf16ToScalar.append(text.count)
        let string = text.string
        var out: [(Offset, Bool)] = []
        var prev = 0
        let ns = string as NSString
        for m in regex.matches(in: string, options: [], range: NSRange(location: 0, length: ns.length)) {
            let start = utf16ToScalar[m.range.location], end = utf16ToScalar[m.range.location + m.range.length]
            if prev != start { out.append((Offset(prev, start), false)) }
            out.append((Offset(start, end), true))
            prev = end
        }
        if prev != text.count { out.append((Offset(prev, text.count), false)) }
        return out
    }
}

/// Parses the `{"String": ...}` / `{"Regex": ...}` pattern objects of tokenizer files. Regexes
/// that are exactly the GPT-2 pattern use the hand-written scanner.
func makePattern(_ json: JSONObject, context: String) throws -> SplitPattern {
    if let s = json.optionalString("String") { return LiteralPattern(needle: s.scalars) }
    if let r = json.optionalString("Regex") {
        if r == GPT2Scanner.pattern { return GPT2Scanner() }
        return try RegexPattern(r)
    }
    throw TokenizerError.malformed(file: json.file, detail: "\(context): pattern must be {\"String\": ...} or {\"Regex\": ...}")
}

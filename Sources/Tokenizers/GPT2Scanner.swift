/// A hand-written matcher for the GPT-2 pre-tokenization regex
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
/// giving the same matches as the regex engine without one: it is the hot loop of every
/// byte-level BPE tokenizer.
struct GPT2Scanner: SplitPattern {
    static let pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    private enum Kind { case letter, number, space, other }

    @inline(__always) private static func kind(_ c: Unicode.Scalar) -> Kind {
        if UnicodeClass.isLetter(c) { return .letter }
        if UnicodeClass.isNumber(c) { return .number }
        if UnicodeClass.isWhitespace(c) { return .space }
        return .other
    }

    /// Length of the match starting at `i` (always at least 1 inside the text).
    private static func matchLength(_ t: [Unicode.Scalar], _ kinds: [Kind], at i: Int) -> Int {
        let n = t.count
        let c = t[i]
        if c == "'" && i + 1 < n {
            let d = t[i + 1]
            if d == "s" || d == "t" || d == "m" || d == "d" { return 2 }
            if i + 2 < n {
                let e = t[i + 2]
                if (d == "r" && e == "e") || (d == "v" && e == "e") || (d == "l" && e == "l") { return 3 }
            }
        }
        var j = i
        if c == " " && i + 1 < n && kinds[i + 1] != .space { j = i + 1 }
        let k = kinds[j]
        if k != .space {
            var e = j + 1
            while e < n && kinds[e] == k { e += 1 }
            return e - i
        }
        // Whitespace run: all of it at the end of text; otherwise leave the last one to prefix
        // the next word, unless the run is a single character.
        var e = i + 1
        while e < n && kinds[e] == .space { e += 1 }
        if e == n { return e - i }
        return e - i > 1 ? e - i - 1 : 1
    }

    func findMatches(_ text: [Unicode.Scalar]) throws -> [(Offset, Bool)] {
        if text.isEmpty { return [(Offset(0, 0), false)] }
        let kinds = text.map(GPT2Scanner.kind)
        var out: [(Offset, Bool)] = []
        out.reserveCapacity(text.count / 3 + 1)
        var i = 0
        while i < text.count {
            let len = GPT2Scanner.matchLength(text, kinds, at: i)
            out.append((Offset(i, i + len), true))
            i += len
        }
        return out
    }
}

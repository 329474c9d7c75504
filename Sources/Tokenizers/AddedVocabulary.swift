/// A token added on top of the model's vocabulary (special tokens such as `[CLS]`, or user
/// additions). Added tokens are cut out of the text before the model runs.
public struct AddedToken: Hashable {
    /// The token id.
    public var id: Int
    /// The exact text that is cut out of the input.
    public var content: String
    /// Only match when not inside a word.
    public var singleWord: Bool
    /// Swallow whitespace on the left / right of a match.
    public var lstrip: Bool, rstrip: Bool
    /// Match against the normalized text (true) or the raw text (false).
    public var normalized: Bool
    /// Special tokens are skipped by `decode(skipSpecialTokens: true)`.
    public var special: Bool

    /// An added token; by default matched on normalized text, not special.
    public init(id: Int, content: String, singleWord: Bool = false, lstrip: Bool = false, rstrip: Bool = false,
                normalized: Bool = true, special: Bool = false) {
        self.id = id; self.content = content; self.singleWord = singleWord; self.lstrip = lstrip
        self.rstrip = rstrip; self.normalized = normalized; self.special = special
    }
}

/// The added tokens of a tokenizer and the matching of them in text: leftmost-longest, raw-text
/// tokens first, then normalized-text tokens inside the normalized remaining pieces.
struct AddedVocabulary {
    private(set) var tokens: [AddedToken] = []
    private var byContent: [VocabKey: Int] = [:]
    private var byId: [Int: Int] = [:]
    private var rawTrie = ScalarTrie(), normalizedTrie = ScalarTrie()
    private var rawFirst = Set<UInt32>(), normalizedFirst = Set<UInt32>()
    var specialContents = Set<VocabKey>()

    var isEmpty: Bool { tokens.isEmpty }

    init() {}

    init(_ tokens: [AddedToken], normalizer: Normalizer?) throws {
        for t in tokens { try add(t, normalizer: normalizer) }
        freeze()
    }

    /// Compiles the matching tries; call after adding tokens.
    mutating func freeze() {
        rawTrie.freeze()
        normalizedTrie.freeze()
    }

    /// Whether some token (of the given trie) can start with `c`: a bitmap for the BMP keeps the
    /// per-character check of every encode cheap.
    private var rawFirstBits = [UInt64](repeating: 0, count: 1024), normalizedFirstBits = [UInt64](repeating: 0, count: 1024)

    @inline(__always) private static func mayStart(_ c: Unicode.Scalar, _ bits: [UInt64], _ set: Set<UInt32>) -> Bool {
        let v = c.value
        if v < 65536 { return bits[Int(v >> 6)] & (1 << UInt64(v & 63)) != 0 }
        return set.contains(v)
    }

    mutating func add(_ t: AddedToken, normalizer: Normalizer?) throws {
        if let i = byContent[exact: t.content] { tokens[i] = t } else { byContent[exact: t.content] = tokens.count; tokens.append(t) }
        byId[t.id] = byContent[exact: t.content]
        if t.special { specialContents.insert(VocabKey(t.content)) }
        guard let index = byContent[exact: t.content] else { return }
        if t.normalized {
            var n = NormalizedString(t.content)
            try normalizer?.normalize(&n)
            if let f = n.scalars.first {
                normalizedTrie.insert(n.scalars, value: index)
                normalizedFirst.insert(f.value)
                if f.value < 65536 { normalizedFirstBits[Int(f.value >> 6)] |= 1 << UInt64(f.value & 63) }
            }
        } else if let f = t.content.unicodeScalars.first {
            rawTrie.insert(t.content.unicodeScalars, value: index)
            rawFirst.insert(f.value)
            if f.value < 65536 { rawFirstBits[Int(f.value >> 6)] |= 1 << UInt64(f.value & 63) }
        }
    }

    func id(of content: String) -> Int? { byContent[exact: content].map { tokens[$0].id } }
    func token(for id: Int) -> AddedToken? { byId[id].map { tokens[$0] } }
    func isSpecial(_ content: String) -> Bool { specialContents.contains(VocabKey(content)) }

    /// Cuts `text` into pieces; pieces that are added tokens come with their token.
    private func split(_ text: NormalizedString, trie: ScalarTrie, first: Set<UInt32>, bits: [UInt64]) -> [(NormalizedString, [Token]?)] {
        let s = text.scalars
        if s.isEmpty { return [(text, nil)] }
        var matches: [(Int, Offset)] = []  // (token index, span)
        var startOffset = 0
        var i = 0
        s.withUnsafeBufferPointer { buf in
            while i < buf.count {
                guard AddedVocabulary.mayStart(buf[i], bits, first), let (index, len) = trie.longestPrefix(buf, from: i, to: buf.count) else {
                    i += 1
                    continue
                }
                var start = i, stop = i + len
                i = stop
                let t = tokens[index]
                if t.singleWord {
                    let startSpace = start == 0 || !UnicodeClass.isWord(buf[start - 1])
                    let stopSpace = stop == buf.count || !UnicodeClass.isWord(buf[stop])
                    if !startSpace || !stopSpace { continue }
                }
                if t.lstrip {
                    var k = start
                    while k > 0 && UnicodeClass.isWhitespace(buf[k - 1]) { k -= 1 }
                    start = max(k, startOffset)
                }
                if t.rstrip {
                    while stop < buf.count && UnicodeClass.isWhitespace(buf[stop]) { stop += 1 }
                }
                matches.append((index, Offset(start, stop)))
                startOffset = stop
            }
        }
        if matches.isEmpty { return [(text, nil)] }
        var out: [(NormalizedString, [Token]?)] = []
        var last = 0
        for (index, span) in matches {
            if last < span.start { out.append((text.slice(last, span.start), nil)) }
            let piece = text.slice(span.start, span.end)
            out.append((piece, [Token(id: tokens[index].id, value: piece.text, offsets: Offset(0, piece.count))]))
            last = span.end
        }
        if last < s.count { out.append((text.slice(last, s.count), nil)) }
        return out
    }

    /// Splits out raw-text added tokens, normalizes the rest, then splits out normalized ones.
    func extractAndNormalize(_ text: String, normalizer: Normalizer?) throws -> PreTokenizedString {
        var p = PreTokenizedString(text)
        if !rawFirst.isEmpty {
            p.splitWithTokens { split($0, trie: rawTrie, first: rawFirst, bits: rawFirstBits) }
        }
        try p.splitWithTokens { piece in
            var piece = piece
            try normalizer?.normalize(&piece)
            if normalizedFirst.isEmpty { return [(piece, nil)] }
            return split(piece, trie: normalizedTrie, first: normalizedFirst, bits: normalizedFirstBits)
        }
        return p
    }
}

/// A pre-tokenizer cuts normalized text into words before the model sees them.
public protocol PreTokenizer {
    /// Splits the untokenized pieces of `text` further.
    func preTokenize(_ text: inout PreTokenizedString) throws
}

extension PreTokenizer {
    /// The words of `text` with their character offsets (like `pre_tokenize_str`).
    public func preTokenize(_ text: String) throws -> [(String, Offset)] {
        var p = PreTokenizedString(text)
        try preTokenize(&p)
        return p.pieces
    }
}

/// BERT: split on whitespace (dropped), then isolate each punctuation character. Done in one
/// pass (the pieces are the same as the two successive splits give, with one copy per word).
public struct BertPreTokenizer: PreTokenizer {
    static let whitespace = CharacterClassPattern<WhitespaceClass>()
    static let punctuation = CharacterClassPattern<PunctuationClass>()
    public func preTokenize(_ text: inout PreTokenizedString) throws {
        text.split { _, s in
            var pieces: [NormalizedString] = []
            let t = s.scalars
            var start = 0, i = 0
            while i < t.count {
                let c = t[i]
                if UnicodeClass.isWhitespace(c) {
                    if start < i { pieces.append(s.slice(start, i)) }
                    start = i + 1
                } else if UnicodeClass.isPunctuation(c) {
                    if start < i { pieces.append(s.slice(start, i)) }
                    pieces.append(s.slice(i, i + 1))
                    start = i + 1
                }
                i += 1
            }
            if start == 0 && t.count > 0 { return [s] }
            if start < t.count { pieces.append(s.slice(start, t.count)) }
            return pieces
        }
    }
}

/// Runs of word characters or runs of other non-space characters (`\w+|[^\w\s]+`).
public struct WhitespacePreTokenizer: PreTokenizer {
    struct Pattern: SplitPattern {
        func findMatches(_ text: [Unicode.Scalar]) throws -> [(Offset, Bool)] {
            if text.isEmpty { return [(Offset(0, 0), false)] }
            var out: [(Offset, Bool)] = []
            var prev = 0, i = 0
            while i < text.count {
                let c = text[i]
                if UnicodeClass.isWhitespace(c) { i += 1; continue }
                let word = UnicodeClass.isWord(c)
                var j = i + 1
                while j < text.count && !UnicodeClass.isWhitespace(text[j]) && UnicodeClass.isWord(text[j]) == word { j += 1 }
                if prev != i { out.append((Offset(prev, i), false)) }
                out.append((Offset(i, j), true))
                prev = j
                i = j
            }
            if prev != text.count { out.append((Offset(prev, text.count), false)) }
            return out
        }
    }
    public func preTokenize(_ text: inout PreTokenizedString) throws {
        try text.split { _, s in try s.split(Pattern(), .removed, invert: true) }
    }
}

/// Split on whitespace, dropping it.
public struct WhitespaceSplitPreTokenizer: PreTokenizer {
    public func preTokenize(_ text: inout PreTokenizedString) throws {
        try text.split { _, s in try s.split(BertPreTokenizer.whitespace, .removed) }
    }
}

/// Split on punctuation characters.
public struct PunctuationPreTokenizer: PreTokenizer {
    public let behavior: SplitBehavior
    public func preTokenize(_ text: inout PreTokenizedString) throws {
        try text.split { _, s in try s.split(BertPreTokenizer.punctuation, behavior) }
    }
}

/// Split digits from the rest, one by one or as runs.
public struct DigitsPreTokenizer: PreTokenizer {
    public let individualDigits: Bool
    static let digits = CharacterClassPattern<NumericClass>()
    public func preTokenize(_ text: inout PreTokenizedString) throws {
        let behavior: SplitBehavior = individualDigits ? .isolated : .contiguous
        try text.split { _, s in try s.split(DigitsPreTokenizer.digits, behavior) }
    }
}

/// Split on one delimiter character, dropping it.
public struct CharDelimiterSplitPreTokenizer: PreTokenizer {
    public let delimiter: Unicode.Scalar
    public func preTokenize(_ text: inout PreTokenizedString) throws {
        let d = delimiter
        try text.split { _, s in try s.split(CharacterPredicatePattern(predicate: { $0 == d }), .removed) }
    }
}

/// Split on a literal string or a regex, with any delimiter behavior, optionally inverted
/// (the matches become the words).
public struct SplitPreTokenizer: PreTokenizer {
    let pattern: SplitPattern
    public let behavior: SplitBehavior
    public let invert: Bool
    public func preTokenize(_ text: inout PreTokenizedString) throws {
        try text.split { _, s in try s.split(pattern, behavior, invert: invert) }
    }
}

/// SentencePiece-style: spaces become `replacement` (▁), which is prepended as configured,
/// and words start at each replacement.
public struct MetaspacePreTokenizer: PreTokenizer {
    public enum PrependScheme: String { case always, never, first }
    public let replacement: Unicode.Scalar
    public let prependScheme: PrependScheme
    public let splitWords: Bool

    public func preTokenize(_ text: inout PreTokenizedString) throws {
        let r = replacement
        let space = LiteralPattern(needle: [" "])
        try text.split { _, s in
            var s = s
            try s.replace(space, with: [r])
            if s.scalars.first != r {
                if prependScheme == .always || (prependScheme == .first && s.originalShift == 0) { s.prepend([r]) }
            }
            if splitWords { return try s.split(CharacterPredicatePattern(predicate: { $0 == r }), .mergedWithNext) }
            return [s]
        }
    }
}

/// Runs pre-tokenizers one after another.
public struct PreTokenizerSequence: PreTokenizer {
    public let preTokenizers: [PreTokenizer]
    public func preTokenize(_ text: inout PreTokenizedString) throws {
        for p in preTokenizers { try p.preTokenize(&text) }
    }
}

/// The pre-tokenizer table: tokenizer.json `type` -> constructor.
/// Splits where the Unicode script changes, as `tokenizers`' UnicodeScripts does: a space
/// belongs to any script (it never splits and never counts as the previous script), Hiragana,
/// Katakana and the prolonged sound mark U+30FC count as Han. Like the reference, text before
/// the first character with a script (leading spaces) is dropped.
public struct UnicodeScriptsPreTokenizer: PreTokenizer {
    static let anyScript: UInt8 = 255

    /// The script number used for comparisons, with the reference's fix-ups.
    static func script(_ c: Unicode.Scalar) -> UInt8 {
        if c.value == 0x30FC { return UnicodeScriptTable.han }
        if c == " " { return anyScript }
        let starts = UnicodeScriptTable.starts
        var lo = 0, hi = starts.count - 1
        while lo < hi {  // the last run starting at or before c
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= c.value { lo = mid } else { hi = mid - 1 }
        }
        let raw = UnicodeScriptTable.scripts[lo]
        return raw == UnicodeScriptTable.hiragana || raw == UnicodeScriptTable.katakana ? UnicodeScriptTable.han : raw
    }

    public func preTokenize(_ text: inout PreTokenizedString) throws {
        text.split { _, s in
            let t = s.scalars
            var cuts: [Int] = []
            var last: UInt8? = nil
            for i in 0..<t.count {
                let script = Self.script(t[i])
                if script == Self.anyScript { continue }
                if last != script { cuts.append(i) }
                last = script
            }
            cuts.append(t.count)
            var pieces: [NormalizedString] = []
            for k in 0..<(cuts.count - 1) { pieces.append(s.slice(cuts[k], cuts[k + 1])) }
            return pieces
        }
    }
}

enum PreTokenizerRegistry {
    static func behavior(_ j: JSONObject, _ key: String, default value: SplitBehavior) throws -> SplitBehavior {
        guard let s = j.optionalString(key) else { return value }
        guard let b = SplitBehavior(rawValue: s) else {
            throw TokenizerError.malformed(file: j.file, detail: "unknown split behavior '\(s)'")
        }
        return b
    }

    nonisolated(unsafe) static var table: [String: (JSONObject) throws -> PreTokenizer] = [
        "BertPreTokenizer": { _ in BertPreTokenizer() },
        "Whitespace": { _ in WhitespacePreTokenizer() },
        "UnicodeScripts": { _ in UnicodeScriptsPreTokenizer() },
        "WhitespaceSplit": { _ in WhitespaceSplitPreTokenizer() },
        "Punctuation": { j in PunctuationPreTokenizer(behavior: try behavior(j, "behavior", default: .isolated)) },
        "Digits": { j in DigitsPreTokenizer(individualDigits: j.bool("individual_digits", default: false)) },
        "CharDelimiterSplit": { j in
            let d = try j.string("delimiter", in: "CharDelimiterSplit pre-tokenizer").unicodeScalars
            guard d.count == 1, let c = d.first else {
                throw TokenizerError.malformed(file: j.file, detail: "CharDelimiterSplit delimiter must be one character")
            }
            return CharDelimiterSplitPreTokenizer(delimiter: c)
        },
        "Split": { j in
            guard let p = j.object("pattern") else {
                throw TokenizerError.missingField(component: "Split pre-tokenizer", field: "pattern", file: j.file)
            }
            return SplitPreTokenizer(pattern: try makePattern(p, context: "Split pre-tokenizer"),
                                     behavior: try behavior(j, "behavior", default: .isolated),
                                     invert: j.bool("invert", default: false))
        },
        "Metaspace": { j in
            let r = (j.optionalString("replacement") ?? "▁").unicodeScalars
            guard r.count == 1, let c = r.first else {
                throw TokenizerError.malformed(file: j.file, detail: "Metaspace replacement must be one character")
            }
            var scheme = MetaspacePreTokenizer.PrependScheme.always
            if let s = j.optionalString("prepend_scheme") {
                guard let p = MetaspacePreTokenizer.PrependScheme(rawValue: s) else {
                    throw TokenizerError.malformed(file: j.file, detail: "unknown Metaspace prepend_scheme '\(s)'")
                }
                scheme = p
            } else if !j.bool("add_prefix_space", default: true) {
                scheme = .never
            }
            return MetaspacePreTokenizer(replacement: c, prependScheme: scheme, splitWords: j.bool("split", default: true))
        },
        "ByteLevel": { j in
            ByteLevelPreTokenizer(addPrefixSpace: j.bool("add_prefix_space", default: true),
                                  useRegex: j.bool("use_regex", default: true))
        },
        "Sequence": { j in
            PreTokenizerSequence(preTokenizers: try j.objects("pretokenizers", in: "Sequence pre-tokenizer").map(PreTokenizerRegistry.make))
        },
    ]

    static func make(_ json: JSONObject) throws -> PreTokenizer {
        let type = json.type ?? "<missing>"
        guard let make = table[type] else {
            throw TokenizerError.unknownComponent(kind: "pre-tokenizer", type: type, file: json.file)
        }
        return try make(json)
    }
}

import Foundation

/// A text normalizer (the first stage of the pipeline). Implementations change the text while
/// keeping every character's span in the original, through `NormalizedString`.
public protocol Normalizer {
    /// Normalizes `text` in place.
    func normalize(_ text: inout NormalizedString) throws
}

extension Normalizer {
    /// Normalizes a plain string (handy for inspection and tests).
    public func normalize(_ text: String) throws -> String {
        var n = NormalizedString(text)
        try normalize(&n)
        return n.text
    }
}

/// Unicode normalization forms, applied per combining sequence so that spans stay precise.
public struct UnicodeNormalizer: Normalizer {
    public enum Form { case nfc, nfd, nfkc, nfkd }
    public let form: Form

    func apply(_ s: String) -> String {
        switch form {
        case .nfc: return s.precomposedStringWithCanonicalMapping
        case .nfd: return s.decomposedStringWithCanonicalMapping
        case .nfkc: return s.precomposedStringWithCompatibilityMapping
        case .nfkd: return s.decomposedStringWithCompatibilityMapping
        }
    }

    /// Whether a character can combine with what precedes it: combining marks, and Hangul
    /// vowel/trailing jamo (starters that still compose into syllables).
    static func continuesSegment(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x300 { return false }
        if (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return true }
        return c.properties.canonicalCombiningClass.rawValue != 0
    }

    public func normalize(_ text: inout NormalizedString) throws {
        // Below U+00A0 every form is the identity.
        if text.scalars.allSatisfy({ $0.value < 0xA0 }) { return }
        var changes: [(Unicode.Scalar, Int)] = []
        changes.reserveCapacity(text.count)
        var changed = false
        let s = text.scalars
        var i = 0
        while i < s.count {
            // A segment: one character and the combining marks after it.
            var j = i + 1
            while j < s.count && UnicodeNormalizer.continuesSegment(s[j]) { j += 1 }
            if j == i + 1 && s[i].value < 0xA0 {
                changes.append((s[i], 0))
                i = j
                continue
            }
            let out = Array(apply(s[i..<j].string).unicodeScalars)
            let n = j - i, m = out.count
            if !changed && !(m == n && out.elementsEqual(s[i..<j])) { changed = true }
            for (k, c) in out.enumerated() {
                if k < n - 1 || m <= n {
                    changes.append((c, k == m - 1 && m < n ? -(n - m) : 0))
                } else {
                    changes.append((c, k == n - 1 ? 0 : 1))
                }
            }
            i = j
        }
        if changed { text.transform(changes) }
    }
}

/// Lowercases with full Unicode case mapping.
public struct LowercaseNormalizer: Normalizer {
    public func normalize(_ text: inout NormalizedString) throws { text.lowercase() }
}

/// Strips whitespace from either end.
public struct StripNormalizer: Normalizer {
    public let left: Bool, right: Bool
    public func normalize(_ text: inout NormalizedString) throws { text.strip(left: left, right: right) }
}

/// Removes combining marks (all of M*, unlike BERT's accent stripping); usually after NFD.
public struct StripAccentsNormalizer: Normalizer {
    public func normalize(_ text: inout NormalizedString) throws { text.filter { !UnicodeClass.isMark($0) } }
}

/// Replaces a literal string or regex match with fixed content.
public struct ReplaceNormalizer: Normalizer {
    let pattern: SplitPattern
    let content: [Unicode.Scalar]
    public func normalize(_ text: inout NormalizedString) throws { try text.replace(pattern, with: content) }
}

/// Prepends a fixed string to non-empty text.
public struct PrependNormalizer: Normalizer {
    public let prefix: String
    public func normalize(_ text: inout NormalizedString) throws { text.prepend(prefix.scalars) }
}

/// Runs normalizers one after another.
public struct NormalizerSequence: Normalizer {
    public let normalizers: [Normalizer]
    public func normalize(_ text: inout NormalizedString) throws {
        for n in normalizers { try n.normalize(&text) }
    }
}

/// BERT's normalizer: drop control characters and map whitespace to spaces, put spaces around
/// CJK ideographs, strip accents (by default when lowercasing), lowercase.
public struct BertNormalizer: Normalizer {
    public let cleanText: Bool, handleChineseChars: Bool, stripAccents: Bool?, lowercase: Bool

    public func normalize(_ text: inout NormalizedString) throws {
        if cleanText {
            text.filter { c in !(c.value == 0 || c.value == 0xFFFD || UnicodeClass.isControl(c)) }
            text.map { UnicodeClass.isBertWhitespace($0) ? " " : $0 }
        }
        if handleChineseChars, text.scalars.contains(where: UnicodeClass.isChineseChar) {
            var changes: [(Unicode.Scalar, Int)] = []
            for c in text.scalars {
                if UnicodeClass.isChineseChar(c) {
                    changes += [(" ", 0), (c, 1), (" ", 1)]
                } else {
                    changes.append((c, 0))
                }
            }
            text.transform(changes)
        }
        if stripAccents ?? lowercase {
            try UnicodeNormalizer(form: .nfd).normalize(&text)
            text.filter { !UnicodeClass.isNonspacingMark($0) }
        }
        if lowercase { text.lowercase() }
    }
}

/// The normalizer table: tokenizer.json `type` -> constructor.
enum NormalizerRegistry {
    nonisolated(unsafe) static var table: [String: (JSONObject) throws -> Normalizer] = [
        "NFC": { _ in UnicodeNormalizer(form: .nfc) },
        "NFD": { _ in UnicodeNormalizer(form: .nfd) },
        "NFKC": { _ in UnicodeNormalizer(form: .nfkc) },
        "NFKD": { _ in UnicodeNormalizer(form: .nfkd) },
        "Lowercase": { _ in LowercaseNormalizer() },
        "StripAccents": { _ in StripAccentsNormalizer() },
        "Strip": { j in StripNormalizer(left: j.bool("strip_left", default: true), right: j.bool("strip_right", default: true)) },
        "Prepend": { j in PrependNormalizer(prefix: try j.string("prepend", in: "Prepend normalizer")) },
        "Replace": { j in
            guard let p = j.object("pattern") else {
                throw TokenizerError.missingField(component: "Replace normalizer", field: "pattern", file: j.file)
            }
            return ReplaceNormalizer(pattern: try makePattern(p, context: "Replace normalizer"),
                                     content: try j.string("content", in: "Replace normalizer").scalars)
        },
        "Sequence": { j in
            NormalizerSequence(normalizers: try j.objects("normalizers", in: "Sequence normalizer").map(NormalizerRegistry.make))
        },
        "BertNormalizer": { j in
            BertNormalizer(cleanText: j.bool("clean_text", default: true),
                           handleChineseChars: j.bool("handle_chinese_chars", default: true),
                           stripAccents: j.isNull("strip_accents") ? nil : j.bool("strip_accents", default: false),
                           lowercase: j.bool("lowercase", default: true))
        },
    ]

    static func make(_ json: JSONObject) throws -> Normalizer {
        let type = json.type ?? "<missing>"
        guard let make = table[type] else {
            throw TokenizerError.unknownComponent(kind: "normalizer", type: type, file: json.file)
        }
        return try make(json)
    }
}

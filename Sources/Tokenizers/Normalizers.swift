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

/// Unicode normalization forms with character spans tracked the way the reference's alignment
/// crate does: each character decomposes (first piece replaces it, the rest are insertions),
/// combining marks are put in canonical order, and for NFC/NFKC a composed character absorbs the
/// characters it combined with (they count as removed after it).
public struct UnicodeNormalizer: Normalizer {
    public enum Form { case nfc, nfd, nfkc, nfkd }
    public let form: Form

    var compatibility: Bool { form == .nfkc || form == .nfkd }
    var composes: Bool { form == .nfc || form == .nfkc }

    @inline(__always) static func combiningClass(_ c: Unicode.Scalar) -> UInt8 {
        c.value < 0x300 ? 0 : c.properties.canonicalCombiningClass.rawValue
    }

    /// Full decomposition of one character.
    func decompose(_ c: Unicode.Scalar) -> [Unicode.Scalar] {
        if c.value < 0xA0 { return [c] }
        let s = String(c)
        return Array((compatibility ? s.decomposedStringWithCompatibilityMapping : s.decomposedStringWithCanonicalMapping).unicodeScalars)
    }

    /// Starters (class 0) that can still be the second half of a composition; everything else
    /// with class 0 only ever starts one, so no composition needs trying.
    static let secondStarters: Set<UInt32> = [0x0B3E, 0x0B56, 0x0B57, 0x0BBE, 0x0BD7, 0x0C56, 0x0CC2, 0x0CD5, 0x0CD6,
                                              0x0D3E, 0x0D57, 0x0DCF, 0x0DDF, 0x102E, 0x1B35, 0x110BA, 0x11127, 0x1133E,
                                              0x11357, 0x114B0, 0x114BA, 0x114BD, 0x115AF, 0x11930]

    @inline(__always) static func maySecond(_ c: Unicode.Scalar, _ cc: Int) -> Bool {
        if cc != 0 { return true }
        let v = c.value
        if v < 0x0B3E { return false }
        return (0x1161...0x1175).contains(v) || (0x11A8...0x11C2).contains(v) || secondStarters.contains(v)
    }

    /// The canonical composite of a pair, if there is one.
    static func compose(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> Unicode.Scalar? {
        // Hangul syllables compose arithmetically.
        let (av, bv) = (a.value, b.value)
        if (0x1100...0x1112).contains(av) && (0x1161...0x1175).contains(bv) {
            return Unicode.Scalar(0xAC00 + ((av - 0x1100) * 21 + (bv - 0x1161)) * 28)
        }
        if (0xAC00...0xD7A3).contains(av) && (av - 0xAC00) % 28 == 0 && (0x11A8...0x11C2).contains(bv) {
            return Unicode.Scalar(av + (bv - 0x11A7))
        }
        var s = String.UnicodeScalarView()
        s.append(a); s.append(b)
        let composed = String(s).precomposedStringWithCanonicalMapping.unicodeScalars
        guard composed.count == 1, let c = composed.first, c != a else { return nil }
        return c
    }

    public func normalize(_ text: inout NormalizedString) throws {
        // Below U+00A0 every form is the identity.
        if text.scalars.allSatisfy({ $0.value < 0xA0 }) { return }
        var out: [(Unicode.Scalar, Int)] = []
        out.reserveCapacity(text.count + 8)
        for c in text.scalars {
            for (k, d) in decompose(c).enumerated() { out.append((d, k == 0 ? 0 : 1)) }
        }
        // Canonical ordering: stable sort of each run of combining marks by class.
        var i = 0
        while i < out.count {
            guard UnicodeNormalizer.combiningClass(out[i].0) != 0 else { i += 1; continue }
            var j = i
            while j < out.count && UnicodeNormalizer.combiningClass(out[j].0) != 0 { j += 1 }
            if j - i > 1 {
                let sorted = out[i..<j].enumerated().sorted {
                    let (x, y) = (UnicodeNormalizer.combiningClass($0.element.0), UnicodeNormalizer.combiningClass($1.element.0))
                    return x != y ? x < y : $0.offset < $1.offset
                }.map(\.element)
                out.replaceSubrange(i..<j, with: sorted)
            }
            i = j
        }
        if composes {
            var composed: [(Unicode.Scalar, Int)] = []
            composed.reserveCapacity(out.count)
            var starter = -1
            var lastClass: Int = -1  // class of the last kept character after the starter
            for (c, change) in out {
                let cc = Int(UnicodeNormalizer.combiningClass(c))
                if starter >= 0 && UnicodeNormalizer.maySecond(c, cc) && (lastClass == -1 || (lastClass != 0 && lastClass < cc)),
                   let comp = UnicodeNormalizer.compose(composed[starter].0, c) {
                    composed[starter].0 = comp
                    composed[starter].1 += change - 1
                    continue
                }
                if cc == 0 {
                    starter = composed.count
                    lastClass = -1
                } else {
                    lastClass = cc
                }
                composed.append((c, change))
            }
            out = composed
        }
        if out.count == text.count && zip(out, text.scalars).allSatisfy({ $0.0.0 == $0.1 && $0.0.1 == 0 }) { return }
        text.transform(out)
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
        "Precompiled": { j in try PrecompiledNormalizer(json: j) },
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

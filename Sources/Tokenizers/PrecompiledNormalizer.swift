import Foundation

/// SentencePiece's compiled normalization rules (`precompiled_charsmap`, as in T5, ALBERT,
/// XLM-R tokenizer files): a double-array trie over UTF-8 bytes mapping character sequences to
/// replacement strings. Applied per grapheme cluster (whole cluster first, then character by
/// character), the way the reference does.
public struct PrecompiledNormalizer: Normalizer {
    private let units: [UInt32]
    private let replacements: [UInt8]

    init(json: JSONObject) throws {
        guard let encoded = json.optionalString("precompiled_charsmap") else {
            throw TokenizerError.missingField(component: "Precompiled normalizer", field: "precompiled_charsmap", file: json.file)
        }
        guard let data = Data(base64Encoded: encoded) else {
            throw TokenizerError.malformed(file: json.file, detail: "Precompiled normalizer: precompiled_charsmap is not base64")
        }
        try self.init(charsmap: [UInt8](data), file: json.file)
    }

    /// Parses the binary charsmap: a little-endian u32 trie size in bytes, the trie units, then
    /// the NUL-separated replacement strings.
    init(charsmap bytes: [UInt8], file: String) throws {
        guard bytes.count >= 4 else { throw TokenizerError.malformed(file: file, detail: "precompiled_charsmap is too short") }
        let size = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        guard size % 4 == 0, 4 + size <= bytes.count else {
            throw TokenizerError.malformed(file: file, detail: "precompiled_charsmap trie size \(size) does not fit its \(bytes.count) bytes")
        }
        units = stride(from: 4, to: 4 + size, by: 4).map {
            UInt32(bytes[$0]) | UInt32(bytes[$0 + 1]) << 8 | UInt32(bytes[$0 + 2]) << 16 | UInt32(bytes[$0 + 3]) << 24
        }
        replacements = Array(bytes[(4 + size)...])
    }

    /// The replacement for `key` (UTF-8), from the first (shortest) trie match, as the reference does.
    func replacement(_ key: [UInt8]) -> [Unicode.Scalar]? {
        guard !units.isEmpty else { return nil }
        var node = 0
        var unit = units[0]
        node ^= Int((unit >> 10) << ((unit & (1 << 9)) >> 6))
        for c in key {
            if c == 0 { break }
            node ^= Int(c)
            guard node < units.count else { return nil }
            unit = units[node]
            if Int(unit & ((1 << 31) | 0xFF)) != Int(c) { return nil }
            node ^= Int((unit >> 10) << ((unit & (1 << 9)) >> 6))
            guard node < units.count else { return nil }
            if (unit >> 8) & 1 == 1 {
                let start = Int(units[node] & ((1 << 31) - 1))
                guard start < replacements.count else { return nil }
                var end = start
                while end < replacements.count && replacements[end] != 0 { end += 1 }
                return Array(String(decoding: replacements[start..<end], as: UTF8.self).unicodeScalars)
            }
        }
        return nil
    }

    public func normalize(_ text: inout NormalizedString) throws {
        var changes: [(Unicode.Scalar, Int)] = []
        changes.reserveCapacity(text.count)
        var modified = false
        func replace(_ old: Int, _ new: [Unicode.Scalar]) {
            changes += new.map { ($0, 0) }
            let diff = new.count - old
            if diff > 0 {
                for k in (changes.count - diff)..<changes.count { changes[k].1 = 1 }
            } else if diff < 0, !changes.isEmpty {
                changes[changes.count - 1].1 += diff
            }
        }
        for grapheme in text.scalars.string {
            let scalars = Array(grapheme.unicodeScalars)
            let utf8 = Array(String(grapheme).utf8)
            if utf8.count < 6, let r = replacement(utf8) {
                modified = true
                replace(scalars.count, r)
                continue
            }
            for c in scalars {
                if let r = replacement(Array(String(c).utf8)) {
                    modified = true
                    replace(1, r)
                } else {
                    changes.append((c, 0))
                }
            }
        }
        if modified { text.transform(changes) }
    }
}

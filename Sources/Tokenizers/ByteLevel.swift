/// GPT-2's reversible mapping of the 256 byte values onto printable characters, so byte-level
/// BPE can work on strings: printable Latin-1 bytes map to themselves, the rest to U+0100 onwards.
enum ByteLevelAlphabet {
    static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var n: UInt32 = 0
        for b in 0..<256 {
            let printable = (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b)
            if printable {
                table[b] = Unicode.Scalar(UInt32(b))!
            } else {
                table[b] = Unicode.Scalar(256 + n)!
                n += 1
            }
        }
        return table
    }()

    /// Inverse map, indexed by scalar value (only 0..<324 are used).
    static let scalarToByte: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (b, s) in byteToScalar.enumerated() { table[Int(s.value)] = Int16(b) }
        return table
    }()

    static let space: Unicode.Scalar = byteToScalar[0x20]

    @inline(__always) static func byte(for c: Unicode.Scalar) -> UInt8? {
        let v = Int(c.value)
        guard v < scalarToByte.count, scalarToByte[v] >= 0 else { return nil }
        return UInt8(scalarToByte[v])
    }
}

/// Byte-level pre-tokenizer: optional prefix space, the GPT-2 regex split, then every UTF-8 byte
/// becomes one alphabet character (all spans pointing at the original character).
public struct ByteLevelPreTokenizer: PreTokenizer {
    public let addPrefixSpace: Bool
    public let useRegex: Bool

    public func preTokenize(_ text: inout PreTokenizedString) throws {
        let scanner = GPT2Scanner()
        try text.split { _, s in
            var s = s
            if addPrefixSpace && s.scalars.first != " " { s.prepend([" "]) }
            return useRegex ? try s.split(scanner, .isolated) : [s]
        }
        text.normalize { s in
            if s.scalars.allSatisfy({ $0.value < 0x80 }) {
                s.map { ByteLevelAlphabet.byteToScalar[Int($0.value)] }
                return
            }
            var changes: [(Unicode.Scalar, Int)] = []
            changes.reserveCapacity(s.count * 2)
            for c in s.scalars {
                for (i, b) in String(c).utf8.enumerated() { changes.append((ByteLevelAlphabet.byteToScalar[Int(b)], i > 0 ? 1 : 0)) }
            }
            s.transform(changes)
        }
    }
}

/// Trims the spans of tokens that start or end with (byte-level) spaces, as the ByteLevel and
/// RoBERTa post-processors do with `trim_offsets`.
func trimByteLevelOffsets(_ encoding: inout Encoding, addPrefixSpace: Bool) {
    for i in encoding.tokens.indices {
        let token = encoding.tokens[i].unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == ByteLevelAlphabet.space || UnicodeClass.isWhitespace($0) }
        var leading = 0
        for c in token { if isSpace(c) { leading += 1 } else { break } }
        var trailing = 0
        for c in token.reversed() { if isSpace(c) { trailing += 1 } else { break } }
        guard leading > 0 || trailing > 0 else { continue }
        var o = encoding.offsets[i]
        if leading > 0 {
            let isFirst = i == 0 || o.start == 0
            if isFirst && addPrefixSpace && leading == 1 { leading = 0 }
            o.start = min(o.start + leading, o.end)
        }
        if trailing > 0 && o.end >= trailing {
            o.end = max(o.end - trailing, o.start)
        }
        encoding.offsets[i] = o
    }
}

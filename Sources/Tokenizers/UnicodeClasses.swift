/// Character classes with the exact meaning the reference implementation gives them (Rust's
/// `char` methods and the regex crate's Unicode classes), so splits land in the same places.
enum UnicodeClass {
    /// Rust `char::is_whitespace`: the White_Space property.
    @inline(__always) static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x80 { return v == 0x20 || (v >= 0x09 && v <= 0x0D) }
        return c.properties.isWhitespace
    }

    /// Rust `char::is_numeric`: general categories Nd, Nl, No.
    @inline(__always) static func isNumeric(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x80 { return v >= 0x30 && v <= 0x39 }
        switch c.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// `\p{L}`: any letter category.
    @inline(__always) static func isLetter(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x80 { return (v | 0x20) >= 0x61 && (v | 0x20) <= 0x7A }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `\p{N}` is the same set as Rust's `is_numeric`.
    @inline(__always) static func isNumber(_ c: Unicode.Scalar) -> Bool { isNumeric(c) }

    /// Rust `char::is_alphanumeric`: Alphabetic or numeric.
    static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
        c.properties.isAlphabetic || isNumeric(c)
    }

    /// The regex crate's Unicode `\w`: Alphabetic, marks, decimal digits, connector punctuation,
    /// Join_Control.
    @inline(__always) static func isWord(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x80 {
            return (v >= 0x30 && v <= 0x39) || ((v | 0x20) >= 0x61 && (v | 0x20) <= 0x7A) || v == 0x5F
        }
        let p = c.properties
        if p.isAlphabetic || p.isJoinControl { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    /// Punctuation as BERT sees it: ASCII punctuation or any Unicode P* category.
    @inline(__always) static func isPunctuation(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x80 {
            return (v >= 0x21 && v <= 0x2F) || (v >= 0x3A && v <= 0x40) || (v >= 0x5B && v <= 0x60)
                || (v >= 0x7B && v <= 0x7E)
        }
        switch c.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    /// BERT's control test: categories C* except tab, newline and carriage return.
    @inline(__always) static func isControl(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x80 { return v < 0x20 ? !(v == 0x09 || v == 0x0A || v == 0x0D) : v == 0x7F }
        switch c.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// BERT's whitespace test: tab, newline, carriage return or White_Space.
    @inline(__always) static func isBertWhitespace(_ c: Unicode.Scalar) -> Bool {
        c == "\t" || c == "\n" || c == "\r" || isWhitespace(c)
    }

    /// Nonspacing marks (Mn), which accent stripping removes after NFD.
    @inline(__always) static func isNonspacingMark(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x300 { return false }
        return c.properties.generalCategory == .nonspacingMark
    }

    /// Any combining mark (Mn, Mc, Me), which the StripAccents normalizer removes.
    static func isMark(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x300 { return false }
        switch c.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// The CJK ideograph blocks BERT surrounds with spaces.
    @inline(__always) static func isChineseChar(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x3400 { return false }
        return (v >= 0x4E00 && v <= 0x9FFF) || (v >= 0x3400 && v <= 0x4DBF) || (v >= 0x20000 && v <= 0x2A6DF)
            || (v >= 0x2A700 && v <= 0x2B73F) || (v >= 0x2B740 && v <= 0x2B81F) || (v >= 0x2B920 && v <= 0x2CEAF)
            || (v >= 0xF900 && v <= 0xFAFF) || (v >= 0x2F800 && v <= 0x2FA1F)
    }
}

/// Builds a string from scalars by writing the UTF-8 directly (the generic scalar-view append
/// is several times slower, and strings are built for every token).
@inline(__always) func makeString(_ buf: UnsafeBufferPointer<Unicode.Scalar>) -> String {
    var bytes = 0
    for c in buf {
        let v = c.value
        bytes += v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4
    }
    return String(unsafeUninitializedCapacity: bytes) { out in
        var i = 0
        for c in buf {
            let v = c.value
            if v < 0x80 {
                out[i] = UInt8(v); i += 1
            } else if v < 0x800 {
                out[i] = UInt8(0xC0 | (v >> 6)); out[i + 1] = UInt8(0x80 | (v & 0x3F)); i += 2
            } else if v < 0x10000 {
                out[i] = UInt8(0xE0 | (v >> 12)); out[i + 1] = UInt8(0x80 | ((v >> 6) & 0x3F))
                out[i + 2] = UInt8(0x80 | (v & 0x3F)); i += 3
            } else {
                out[i] = UInt8(0xF0 | (v >> 18)); out[i + 1] = UInt8(0x80 | ((v >> 12) & 0x3F))
                out[i + 2] = UInt8(0x80 | ((v >> 6) & 0x3F)); out[i + 3] = UInt8(0x80 | (v & 0x3F)); i += 4
            }
        }
        return i
    }
}

extension Array where Element == Unicode.Scalar {
    /// The scalars as a Swift string.
    var string: String { withUnsafeBufferPointer(makeString) }
}

extension ArraySlice where Element == Unicode.Scalar {
    /// The scalars as a Swift string.
    var string: String { withUnsafeBufferPointer(makeString) }
}

extension String {
    /// The string's Unicode scalars, the unit every offset in this module counts in.
    var scalars: [Unicode.Scalar] { Array(unicodeScalars) }
}

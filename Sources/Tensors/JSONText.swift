/// JSON string literals written the way Python's `json.dumps` and Rust's `serde_json` write
/// them, so files and messages come out byte for byte as the reference libraries' do: `"` and
/// `\` escaped, `\n \r \t \b \f` by name, other control characters as lowercase `\u00xx`, and
/// with `asciiOnly` (Python's `ensure_ascii`) everything outside space...tilde as `\uxxxx`,
/// astral characters as surrogate pairs. Every module that writes JSON goes through here.
public enum JSONText {
    /// `text` as a quoted JSON string literal.
    public static func quoted(_ text: String, asciiOnly: Bool = false) -> String {
        var out = ""
        appendQuoted(text, asciiOnly: asciiOnly, to: &out)
        return out
    }

    /// Appends `text` as a quoted JSON string literal to `out`.
    public static func appendQuoted(_ text: String, asciiOnly: Bool = false, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || (asciiOnly && scalar.value > 0x7E) {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        appendEscape(0xD800 + (v >> 10), to: &out)
                        appendEscape(0xDC00 + (v & 0x3FF), to: &out)
                    } else {
                        appendEscape(scalar.value, to: &out)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `\u` and four lowercase hex digits.
    private static func appendEscape(_ value: UInt32, to out: inout String) {
        let digits = Array("0123456789abcdef".unicodeScalars)
        out += "\\u"
        for shift in stride(from: 12, through: 0, by: -4) {
            out.unicodeScalars.append(digits[Int((value >> UInt32(shift)) & 0xF)])
        }
    }
}

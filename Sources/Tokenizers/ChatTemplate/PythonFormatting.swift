import Tensors
/// How Python prints values, which is what a template's output shows: `str()` for `{{ }}`,
/// `repr()` for items inside printed lists and dicts, and `json.dumps` for `tojson`.
enum PythonFormatting {
    /// Python's `str(value)`.
    static func str(_ value: JinjaValue) -> String {
        switch value {
        case .undefined: return ""
        case .string(let s): return s
        default: return repr(value)
        }
    }

    /// Python's `repr(value)`.
    static func repr(_ value: JinjaValue) -> String {
        switch value {
        case .undefined: return "Undefined"
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let n): return String(n)
        case .double(let d): return float(d)
        case .string(let s): return stringRepr(s)
        case .list(let items): return "[" + items.map(repr).joined(separator: ", ") + "]"
        case .tuple(let items):
            return items.count == 1 ? "(" + repr(items[0]) + ",)" : "(" + items.map(repr).joined(separator: ", ") + ")"
        case .dict(let d):
            return "{" + d.entries.map { stringRepr($0.0) + ": " + repr($0.1) }.joined(separator: ", ") + "}"
        case .object(let o):
            if o.isNamespace {
                return "<Namespace {" + o.attributes.entries.map { stringRepr($0.0) + ": " + repr($0.1) }.joined(separator: ", ") + "}>"
            }
            return "<\(o.typeName) object>"
        case .callable(let c): return "<function \(c.name)>"
        case .iterator(let it): return "<\(it.typeName) object>"
        }
    }

    /// Python's shortest round-trip float text: fixed notation for decimal exponents in
    /// (-4, 16], scientific with a two-digit signed exponent otherwise.
    static func float(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description is also the shortest round-trip digit string; only the layout differs.
        var text = "\(d.magnitude)"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = Array(whole + fraction)
        var point = whole.count + exponent
        while digits.count > 1, digits.first == "0" { digits.removeFirst(); point -= 1 }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let sign = d < 0 ? "-" : ""
        let body: String
        if point > -4 && point <= 16 {
            if point <= 0 {
                body = "0." + String(repeating: "0", count: -point) + String(digits)
            } else if point >= digits.count {
                body = String(digits) + String(repeating: "0", count: point - digits.count) + ".0"
            } else {
                body = String(digits[..<point]) + "." + String(digits[point...])
            }
        } else {
            let e = point - 1
            let mantissa = digits.count > 1 ? String(digits[0]) + "." + String(digits[1...]) : String(digits[0])
            let magnitude = String(abs(e))
            body = mantissa + "e" + (e < 0 ? "-" : "+") + (magnitude.count < 2 ? "0" + magnitude : magnitude)
        }
        return sign + body
    }

    /// Python's `repr(str)`: single quotes unless the text holds a single quote and no double one.
    static func stringRepr(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x100 {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else if scalar.value < 0x10000 {
                    out += "\\u" + hex(scalar.value, width: 4)
                } else {
                    out += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        out.append(quote)
        return out
    }

    /// Python's `str.isprintable` for one character: not a control, format, surrogate,
    /// private-use, unassigned or separator character other than the space.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Python's `str.isspace` for one character, the set `strip()` and `split()` use.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Options of Python's `json.dumps` that transformers' `tojson` exposes.
    struct JSONOptions {
        var ensureASCII = false
        var indent: String?
        var itemSeparator = ", "
        var keySeparator = ": "
        var sortKeys = false
    }

    /// Python's `json.dumps(value, ...)`.
    static func json(_ value: JinjaValue, _ options: JSONOptions) throws -> String {
        var out = ""
        try writeJSON(value, options, level: 0, into: &out)
        return out
    }

    private static func writeJSON(_ value: JinjaValue, _ options: JSONOptions, level: Int, into out: inout String) throws {
        switch value {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let n): out += String(n)
        case .double(let d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d < 0 ? "-Infinity" : "Infinity" } else { out += float(d) }
        case .string(let s): out += jsonString(s, ensureASCII: options.ensureASCII)
        case .list(let items), .tuple(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (n, item) in items.enumerated() {
                if n > 0 { out += options.itemSeparator }
                newline(options, level: level + 1, into: &out)
                try writeJSON(item, options, level: level + 1, into: &out)
            }
            newline(options, level: level, into: &out)
            out += "]"
        case .dict(let d):
            if d.keys.isEmpty { out += "{}"; return }
            out += "{"
            let entries = options.sortKeys ? d.entries.sorted { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) } : d.entries
            for (n, (key, item)) in entries.enumerated() {
                if n > 0 { out += options.itemSeparator }
                newline(options, level: level + 1, into: &out)
                out += jsonString(key, ensureASCII: options.ensureASCII) + options.keySeparator
                try writeJSON(item, options, level: level + 1, into: &out)
            }
            newline(options, level: level, into: &out)
            out += "}"
        default:
            throw JinjaFailure("Object of type \(value.typeName) is not JSON serializable")
        }
    }

    private static func newline(_ options: JSONOptions, level: Int, into out: inout String) {
        guard let indent = options.indent else { return }
        out += "\n" + String(repeating: indent, count: level)
    }

    /// A JSON string literal as Python writes it.
    static func jsonString(_ s: String, ensureASCII: Bool) -> String { JSONText.quoted(s, asciiOnly: ensureASCII) }
}

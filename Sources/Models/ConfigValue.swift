import Foundation
import Tensors

/// One JSON value of a config.json, kept exactly: integers stay integers, objects keep their
/// key order, so a config read and written again is the same file.
public indirect enum ConfigValue: Equatable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([ConfigValue])
    /// An object as (key, value) pairs in file order.
    case object([(String, ConfigValue)])

    public static func == (a: ConfigValue, b: ConfigValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The integer, when this is one (a double with no fraction counts, as Python's int() of it).
    public var intValue: Int? {
        switch self {
        case .int(let v): return v
        case .double(let v) where v.rounded() == v && abs(v) < 9e18: return Int(v)
        default: return nil
        }
    }

    /// The number as a double (integers convert).
    public var doubleValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        default: return nil
        }
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var arrayValue: [ConfigValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: [(String, ConfigValue)]? { if case .object(let o) = self { return o } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The value of `key` in an object (nil for other values or an absent key).
    public subscript(key: String) -> ConfigValue? {
        objectValue?.first { $0.0 == key }?.1
    }

    /// Compact JSON text (as `json.dumps` with separators (", ", ": ")).
    public var description: String { json(indent: nil, level: 0) }

    /// JSON text, pretty-printed with `indent` spaces per level when given, as `json.dumps`.
    public func json(indent: Int?, level: Int = 0) -> String {
        let pad = indent.map { String(repeating: " ", count: $0 * (level + 1)) } ?? ""
        let close = indent.map { String(repeating: " ", count: $0 * level) } ?? ""
        let newline = indent == nil ? "" : "\n"
        let separator = indent == nil ? ", " : ",\n"
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let v): return String(v)
        case .double(let v): return ConfigValue.pythonRepr(v)
        case .string(let s): return ConfigValue.quoted(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[" + newline + items.map { pad + $0.json(indent: indent, level: level + 1) }
                .joined(separator: separator) + newline + close + "]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            return "{" + newline + pairs.map { pad + ConfigValue.quoted($0.0) + ": " + $0.1.json(indent: indent, level: level + 1) }
                .joined(separator: separator) + newline + close + "}"
        }
    }

    /// A float as Python prints it (`1e-12`, `0.1`, `2.0`), which is how config.json writes them.
    static func pythonRepr(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
        var text = "\(v)"   // Swift prints the shortest round-tripping digits, as Python does
        if let e = text.firstIndex(of: "e") {
            // Swift writes 1e-12 as "1e-12" and Python as "1e-12"; both drop a ".0" mantissa.
            var mantissa = String(text[..<e]), exponent = String(text[text.index(after: e)...])
            if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
            let negative = exponent.hasPrefix("-")
            exponent = exponent.trimmingCharacters(in: CharacterSet(charactersIn: "+-"))
            if exponent.count < 2 { exponent = "0" + exponent }
            text = mantissa + "e" + (negative ? "-" : "+") + exponent
        }
        return text
    }

    static func quoted(_ s: String) -> String { JSONText.quoted(s) }
}

/// A small strict JSON reader producing `ConfigValue`s (Foundation's JSONSerialization loses
/// key order and the int/float distinction, both of which a config needs).
struct ConfigJSONParser {
    private let bytes: [UInt8]
    private var position = 0
    private let source: String

    init(_ data: Data, source: String) {
        bytes = [UInt8](data)
        self.source = source
    }

    /// Parses the whole input as one JSON value.
    mutating func parse() throws -> ConfigValue {
        skipSpace()
        let value = try parseValue()
        skipSpace()
        guard position == bytes.count else { throw failure("unexpected text after the JSON value") }
        return value
    }

    private func failure(_ message: String) -> ModelError {
        var line = 1, column = 1
        for b in bytes[..<min(position, bytes.count)] {
            if b == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return .invalidConfig("\(source): invalid JSON at line \(line), column \(column): \(message)")
    }

    private mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    private mutating func expect(_ literal: String) throws {
        let l = Array(literal.utf8)
        guard position + l.count <= bytes.count, Array(bytes[position..<position + l.count]) == l else {
            throw failure("expected '\(literal)'")
        }
        position += l.count
    }

    private mutating func parseValue() throws -> ConfigValue {
        guard position < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            position += 1
            var pairs: [(String, ConfigValue)] = []
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(pairs) }
            while true {
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw failure("expected a string key") }
                let key = try parseString()
                skipSpace()
                try expect(":")
                skipSpace()
                let value = try parseValue()
                // A repeated key keeps the last value, as Python's json module does.
                if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = value } else { pairs.append((key, value)) }
                skipSpace()
                guard position < bytes.count else { throw failure("unterminated object") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(pairs) }
                throw failure("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            position += 1
            var items: [ConfigValue] = []
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try parseValue())
                skipSpace()
                guard position < bytes.count else { throw failure("unterminated array") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
                throw failure("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        // Python's json writes these for non-finite floats; accept them as it does.
        case UInt8(ascii: "N"): try expect("NaN"); return .double(.nan)
        case UInt8(ascii: "I"): try expect("Infinity"); return .double(.infinity)
        default: return try parseNumber()
        }
    }

    private mutating func parseNumber() throws -> ConfigValue {
        let start = position
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "I") { try expect("Infinity"); return .double(-.infinity) }
        }
        var isFloat = false
        while position < bytes.count {
            let b = bytes[position]
            if (0x30...0x39).contains(b) { position += 1 }
            else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
                        || ((b == UInt8(ascii: "+") || b == UInt8(ascii: "-")) && position > start) { isFloat = true; position += 1 }
            else { break }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if !isFloat, let v = Int(text) { return .int(v) }
        guard !text.isEmpty, let v = Double(text) else { throw failure("invalid value '\(text.isEmpty ? String(UnicodeScalar(bytes[start])) : text)'") }
        return .double(v)
    }

    private mutating func parseString() throws -> String {
        position += 1   // opening quote
        var utf8: [UInt8] = []
        while position < bytes.count {
            let b = bytes[position]
            position += 1
            if b == UInt8(ascii: "\"") { return String(decoding: utf8, as: UTF8.self) }
            if b != UInt8(ascii: "\\") { utf8.append(b); continue }
            guard position < bytes.count else { break }
            let e = bytes[position]
            position += 1
            switch e {
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code), position + 1 < bytes.count,
                   bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                    position += 2
                    let low = try hex4()
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                utf8 += Array(String(UnicodeScalar(code).map(Character.init) ?? "\u{FFFD}").utf8)
            default: utf8.append(e)
            }
        }
        throw failure("unterminated string")
    }

    private mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
            throw failure("invalid \\u escape")
        }
        position += 4
        return v
    }
}

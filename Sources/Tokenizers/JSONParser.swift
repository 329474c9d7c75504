/// A small exact JSON parser for tokenizer files. Foundation's parser on Linux rounds some
/// doubles to a neighbouring value (Unigram scores then break ties differently from the
/// reference) and drops a U+FEFF at the start of strings (a real vocabulary piece), so tokenizer
/// files are read with this instead. Produces `[String: Any]`, `[Any]`, `String`, `Int`,
/// `Double`, `Bool` and `NSNull`.
import Foundation

struct JSONParser {
    struct Failure: Error { let message: String; let offset: Int }

    private let bytes: [UInt8]
    private var i = 0

    /// Parses a whole document.
    static func parse(_ data: Data) throws -> Any {
        var p = JSONParser(bytes: [UInt8](data))
        // A byte-order mark before the document itself is allowed.
        if p.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { p.i = 3 }
        let v = try p.value()
        p.skipSpace()
        guard p.i == p.bytes.count else { throw Failure(message: "unexpected text after the JSON value", offset: p.i) }
        return v
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func value() throws -> Any {
        skipSpace()
        guard i < bytes.count else { throw Failure(message: "unexpected end of input", offset: i) }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        case UInt8(ascii: "n"): try literal("null"); return NSNull()
        default: return try number()
        }
    }

    private mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else {
            throw Failure(message: "invalid literal", offset: i)
        }
        i += w.count
    }

    private mutating func object() throws -> [String: Any] {
        i += 1
        var out: [String: Any] = [:]
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return out }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw Failure(message: "expected a string key", offset: i) }
            let key = try string()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw Failure(message: "expected ':'", offset: i) }
            i += 1
            out[key] = try value()
            skipSpace()
            guard i < bytes.count else { throw Failure(message: "unterminated object", offset: i) }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return out }
            throw Failure(message: "expected ',' or '}'", offset: i)
        }
    }

    private mutating func array() throws -> [Any] {
        i += 1
        var out: [Any] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return out }
        while true {
            out.append(try value())
            skipSpace()
            guard i < bytes.count else { throw Failure(message: "unterminated array", offset: i) }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return out }
            throw Failure(message: "expected ',' or ']'", offset: i)
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count else { throw Failure(message: "short \\u escape", offset: i) }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw Failure(message: "bad hex digit in \\u escape", offset: i)
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private mutating func string() throws -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\") { i += 1 }
        guard i < bytes.count else { throw Failure(message: "unterminated string", offset: start) }
        if bytes[i] == UInt8(ascii: "\"") {
            let s = String(decoding: bytes[start..<i], as: UTF8.self)
            i += 1
            return s
        }
        var buf = Array(bytes[start..<i])
        while true {
            guard i < bytes.count else { throw Failure(message: "unterminated string", offset: start) }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; break }
            if c != UInt8(ascii: "\\") { buf.append(c); i += 1; continue }
            i += 1
            guard i < bytes.count else { throw Failure(message: "unterminated escape", offset: i) }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): buf.append(0x22)
            case UInt8(ascii: "\\"): buf.append(0x5C)
            case UInt8(ascii: "/"): buf.append(0x2F)
            case UInt8(ascii: "b"): buf.append(0x08)
            case UInt8(ascii: "f"): buf.append(0x0C)
            case UInt8(ascii: "n"): buf.append(0x0A)
            case UInt8(ascii: "r"): buf.append(0x0D)
            case UInt8(ascii: "t"): buf.append(0x09)
            case UInt8(ascii: "u"):
                var v = try hex4()
                if (0xD800..<0xDC00).contains(v), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        buf += Array(String(Unicode.Scalar(0xFFFD)!).utf8)
                        v = low
                    }
                }
                let scalar = Unicode.Scalar(v) ?? Unicode.Scalar(0xFFFD)!
                buf += Array(String(scalar).utf8)
            default: throw Failure(message: "invalid escape", offset: i - 1)
            }
        }
        return String(decoding: buf, as: UTF8.self)
    }

    private mutating func number() throws -> Any {
        let start = i
        var isInteger = true
        while i < bytes.count {
            let c = bytes[i]
            if (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
                i += 1
            } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                isInteger = false
                i += 1
            } else {
                break
            }
        }
        guard i > start else { throw Failure(message: "unexpected character", offset: i) }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if isInteger, let n = Int(text) { return n }
        guard let d = Double(text) else { throw Failure(message: "invalid number '\(text)'", offset: start) }
        return d
    }
}

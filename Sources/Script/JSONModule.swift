import Foundation
import Tensors

/// json.dumps / json.loads / json.dump / json.load with CPython's default formatting.
enum JSONModule {
    static func make() -> PyModule {
        PyModule("json", [
            "dumps": Modules.fn("dumps") { a, kw in .str(try dumps(a[0], kw)) },
            "loads": Modules.fn("loads") { a, _ in
                guard case .str(let s) = a[0] else { throw Interp.typeError("the JSON object must be str") }
                return try loads(s)
            },
            "dump": Modules.fn("dump") { a, kw in _ = try Interp.callMethod(a[1], "write", [.str(try dumps(a[0], kw))]); return Value.none },
            "load": Modules.fn("load") { a, _ in
                guard case .str(let s) = try Interp.callMethod(a[0], "read", []) else { return Value.none }
                return try loads(s)
            },
            "JSONDecodeError": .obj(Builtins.exceptionClass("JSONDecodeError")),
        ])
    }

    static func escape(_ s: String, ascii: Bool) -> String { JSONText.quoted(s, asciiOnly: ascii) }

    static func dumps(_ v: Value, _ kw: [(String, Value)]) throws -> String {
        var indent: String? = nil
        if let i = Builtins.kwarg(kw, "indent"), !i.isNone {
            if case .int(let n) = i { indent = String(repeating: " ", count: n) } else if case .str(let s) = i { indent = s }
        }
        let sortKeys = try Builtins.kwarg(kw, "sort_keys").map(Interp.truthy) ?? false
        let ascii = try Builtins.kwarg(kw, "ensure_ascii").map(Interp.truthy) ?? true
        var itemSep = indent == nil ? ", " : ",", keySep = ": "
        if let s = Builtins.kwarg(kw, "separators"), case .obj(let o) = s, let t = o as? PyTuple, t.items.count == 2,
           case .str(let a) = t.items[0], case .str(let b) = t.items[1] { itemSep = a; keySep = b }
        let dflt = Builtins.kwarg(kw, "default")
        func enc(_ v: Value, _ level: Int) throws -> String {
            switch v {
            case .none: return "null"
            case .bool(let b): return b ? "true" : "false"
            case .int(let i): return String(i)
            case .float(let d):
                if d.isNaN { return "NaN" }; if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
                return Interp.floatRepr(d)
            case .str(let s): return escape(s, ascii: ascii)
            case .obj(let o):
                let nl = indent.map { "\n" + String(repeating: $0, count: level + 1) } ?? ""
                let close = indent.map { "\n" + String(repeating: $0, count: level) } ?? ""
                if o is PyList || o is PyTuple {
                    let items = try Interp.toArray(v)
                    if items.isEmpty { return "[]" }
                    return "[" + nl + (try items.map { try enc($0, level + 1) }.joined(separator: itemSep + nl)) + close + "]"
                }
                if let d = o as? PyDict {
                    var items = d.items
                    if items.isEmpty { return "{}" }
                    if sortKeys { try items.sort { try Interp.order($0.0, $1.0) < 0 } }
                    let parts = try items.map { (k, x) -> String in
                        let ks: String
                        switch k {
                        case .str(let s): ks = s
                        case .int(let i): ks = String(i)
                        case .float(let f): ks = Interp.floatRepr(f)
                        case .bool(let b): ks = b ? "true" : "false"
                        case .none: ks = "null"
                        default: throw Interp.typeError("keys must be str, int, float, bool or None, not \(Interp.typeName(k))")
                        }
                        return escape(ks, ascii: ascii) + keySep + (try enc(x, level + 1))
                    }
                    return "{" + nl + parts.joined(separator: itemSep + nl) + close + "}"
                }
                if let f = dflt { return try enc(try Interp.call(f, [v]), level) }
                throw Interp.typeError("Object of type \(Interp.typeName(v)) is not JSON serializable")
            }
        }
        return try enc(v, 0)
    }

    static func loads(_ s: String) throws -> Value {
        let u = Array(s.unicodeScalars)
        var i = 0
        func fail(_ msg: String) -> PyError {
            var line = 1, col = 1
            for k in 0..<min(i, u.count) { if u[k] == "\n" { line += 1; col = 1 } else { col += 1 } }
            return Interp.error("JSONDecodeError", "\(msg): line \(line) column \(col) (char \(i))")
        }
        func ws() { while i < u.count, u[i] == " " || u[i] == "\n" || u[i] == "\t" || u[i] == "\r" { i += 1 } }
        func value() throws -> Value {
            ws()
            guard i < u.count else { throw fail("Expecting value") }
            let c = u[i]
            if c == "{" {
                i += 1; let d = PyDict(); ws()
                if i < u.count, u[i] == "}" { i += 1; return .obj(d) }
                while true {
                    ws()
                    guard i < u.count, u[i] == "\"" else { throw fail("Expecting property name enclosed in double quotes") }
                    let k = try string()
                    ws()
                    guard i < u.count, u[i] == ":" else { throw fail("Expecting ':' delimiter") }
                    i += 1
                    d.set(.str(k), try value())
                    ws()
                    if i < u.count, u[i] == "," { i += 1; continue }
                    if i < u.count, u[i] == "}" { i += 1; return .obj(d) }
                    throw fail("Expecting ',' delimiter")
                }
            }
            if c == "[" {
                i += 1; var out: [Value] = []; ws()
                if i < u.count, u[i] == "]" { i += 1; return .list(out) }
                while true {
                    out.append(try value()); ws()
                    if i < u.count, u[i] == "," { i += 1; continue }
                    if i < u.count, u[i] == "]" { i += 1; return .list(out) }
                    throw fail("Expecting ',' delimiter")
                }
            }
            if c == "\"" { return .str(try string()) }
            for (lit, v) in [("true", Value.bool(true)), ("false", .bool(false)), ("null", .none), ("NaN", .float(.nan)), ("Infinity", .float(.infinity)), ("-Infinity", .float(-.infinity))] {
                let l = Array(lit.unicodeScalars)
                if i + l.count <= u.count, Array(u[i..<(i + l.count)]) == l { i += l.count; return v }
            }
            let st = i
            if i < u.count, u[i] == "-" { i += 1 }
            var isFloat = false
            while i < u.count, (u[i] >= "0" && u[i] <= "9") || u[i] == "." || u[i] == "e" || u[i] == "E" || ((u[i] == "+" || u[i] == "-") && (u[i - 1] == "e" || u[i - 1] == "E")) {
                if u[i] == "." || u[i] == "e" || u[i] == "E" { isFloat = true }
                i += 1
            }
            let text = String(String.UnicodeScalarView(u[st..<i]))
            if text.isEmpty || text == "-" { i = st; throw fail("Expecting value") }
            if !isFloat, let n = Int(text) { return .int(n) }
            if let d = Double(text) { return .float(d) }
            throw fail("Expecting value")
        }
        func string() throws -> String {
            i += 1
            var out = String.UnicodeScalarView()
            while i < u.count {
                let c = u[i]
                if c == "\"" { i += 1; return String(out) }
                if c == "\\" {
                    i += 1
                    guard i < u.count else { break }
                    let e = u[i]
                    switch e {
                    case "n": out.append("\n"); case "t": out.append("\t"); case "r": out.append("\r")
                    case "b": out.append("\u{08}"); case "f": out.append("\u{0C}")
                    case "u":
                        guard i + 4 < u.count, var v = UInt32(String(String.UnicodeScalarView(u[(i + 1)...(i + 4)])), radix: 16) else { throw fail("Invalid \\uXXXX escape") }
                        i += 4
                        if v >= 0xd800 && v < 0xdc00, i + 6 < u.count, u[i + 1] == "\\", u[i + 2] == "u",
                           let lo = UInt32(String(String.UnicodeScalarView(u[(i + 3)...(i + 6)])), radix: 16) {
                            v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00); i += 6
                        }
                        out.append(Unicode.Scalar(v) ?? "?")
                    default: out.append(e)
                    }
                    i += 1; continue
                }
                out.append(c); i += 1
            }
            throw fail("Unterminated string starting at")
        }
        let v = try value()
        ws()
        if i < u.count { throw fail("Extra data") }
        return v
    }
}

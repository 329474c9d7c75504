import Foundation

/// repr(), str() and format() exactly as CPython prints them.
extension Interp {
    static func floatRepr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        var s = "\(d.magnitude)"
        let neg = d < 0
        var digits = "", decpt = 0
        var exp = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exp = Int(s[s.index(after: e)...]) ?? 0
            s = String(s[..<e])
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        let ip = String(parts[0]), fp = parts.count > 1 ? String(parts[1]) : ""
        digits = ip + fp
        decpt = ip.count + exp
        while digits.hasPrefix("0") { digits.removeFirst(); decpt -= 1 }
        while digits.hasSuffix("0") { digits.removeLast() }
        if digits.isEmpty { digits = "0"; decpt = 1 }
        var out: String
        let x = decpt - 1
        if x < -4 || x >= 16 {
            out = String(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += "e" + (x < 0 ? "-" : "+") + String(abs(x)).leftPadded(2)
        } else if decpt <= 0 {
            out = "0." + String(repeating: "0", count: -decpt) + digits
        } else if decpt >= digits.count {
            out = digits + String(repeating: "0", count: decpt - digits.count) + ".0"
        } else {
            let i = digits.index(digits.startIndex, offsetBy: decpt)
            out = digits[..<i] + "." + digits[i...]
        }
        return neg ? "-" + out : out
    }

    static func strRepr(_ s: String) -> String {
        let useDouble = s.contains("'") && !s.contains("\"")
        let q: Character = useDouble ? "\"" : "'"
        var out = String(q)
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(c) == q { out += "\\" + String(q) }
                else if c.value < 0x20 || c.value == 0x7f { out += "\\x" + String(c.value, radix: 16).leftPadded(2) }
                else if c.value >= 0x80 && c.value < 0xa0 { out += "\\x" + String(c.value, radix: 16).leftPadded(2) }
                else { out.unicodeScalars.append(c) }
            }
        }
        out.append(q)
        return out
    }

    @exclusivity(unchecked) nonisolated(unsafe) static var reprStack: [ObjectIdentifier] = []

    static func repr(_ v: Value) throws -> String {
        switch v {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return floatRepr(d)
        case .str(let s): return strRepr(s)
        case .obj(let o):
            let id = ObjectIdentifier(o)
            if o is PyList || o is PyDict || o is PyInstance {
                if reprStack.contains(id) { return o is PyList ? "[...]" : o is PyDict ? "{...}" : "..." }
            }
            reprStack.append(id)
            defer { reprStack.removeLast() }
            if let l = o as? PyList { return "[" + (try l.items.map(repr).joined(separator: ", ")) + "]" }
            if let t = o as? PyTuple {
                if t.items.count == 1 { return "(" + (try repr(t.items[0])) + ",)" }
                return "(" + (try t.items.map(repr).joined(separator: ", ")) + ")"
            }
            if let d = o as? PyDict {
                let body = try d.items.map { "\(try repr($0.0)): \(try repr($0.1))" }.joined(separator: ", ")
                switch d.kind {
                case .plain: return "{" + body + "}"
                case .defaultdict: return "defaultdict(\(try d.defaultFactory.map(repr) ?? "None"), {\(body)})"
                case .counter:
                    let sorted = try d.items.enumerated().sorted { a, b in
                        let c = try order(b.element.1, a.element.1); return c < 0 || (c == 0 && a.offset < b.offset) }
                    return "Counter({" + (try sorted.map { "\(try repr($0.element.0)): \(try repr($0.element.1))" }.joined(separator: ", ")) + "})"
                case .ordered: return d.count == 0 ? "OrderedDict()" : "OrderedDict([" + (try d.items.map { "(\(try repr($0.0)), \(try repr($0.1)))" }.joined(separator: ", ")) + "])"
                }
            }
            if let s = o as? PySet {
                if s.set.count == 0 { return "set()" }
                return "{" + (try s.set.elements.map(repr).joined(separator: ", ")) + "}"
            }
            if let s = o as? PyFrozenSet {
                if s.set.count == 0 { return "frozenset()" }
                return "frozenset({" + (try s.set.elements.map(repr).joined(separator: ", ")) + "})"
            }
            if let dv = o as? PyDictView { return dv.kind.rawValue + "(" + (try repr(.list(dv.elements))) + ")" }
            if let r = o as? PyRange { return r.step == 1 ? "range(\(r.start), \(r.stop))" : "range(\(r.start), \(r.stop), \(r.step))" }
            if let s = o as? PySlice { return "slice(\(try repr(s.start)), \(try repr(s.stop)), \(try repr(s.step)))" }
            if let i = o as? PyInstance {
                if let r = i.cls.lookup("__repr__") {
                    let s = try call(r, [v])
                    guard case .str(let str) = s else { throw typeError("__repr__ returned non-string (type \(typeName(s)))") }
                    return str
                }
                if i.cls.isSubclass(of: Builtins.baseException) {
                    let args = ExceptionAttrs.args(i)
                    if args.count == 1 { return "\(i.cls.name)(\(try repr(args[0])))" }
                    return "\(i.cls.name)(" + (try args.map(repr).joined(separator: ", ")) + ")"
                }
                if let fields = i.cls.dataclassFields {
                    return "\(i.cls.name)(" + (try fields.map { "\($0)=\(try repr(i.attrs[$0] ?? Value.none))" }.joined(separator: ", ")) + ")"
                }
                return "<\(i.cls.module).\(i.cls.name) object at \(address(o))>"
            }
            if let c = o as? PyClass {
                if c.module == "builtins" { return "<class '\(c.name)'>" }
                return "<class '\(c.module).\(c.name)'>"
            }
            if let f = o as? PyFunction { return "<function \(f.qualname) at \(address(o))>" }
            if let b = o as? PyBuiltin { return "<built-in function \(b.name)>" }
            if let m = o as? PyBoundMethod {
                if case .obj(let fo) = m.function, let f = fo as? PyFunction {
                    return "<bound method \(f.qualname) of \(try repr(m.selfValue))>"
                }
                return "<built-in method \(try repr(m.function)) of \(typeName(m.selfValue)) object at \(address(o))>"
            }
            if let m = o as? PyModule { return "<module '\(m.name)'>" }
            if let n = o as? PyNative { return try n.object.repr() }
            if o === Builtins.ellipsis { return "Ellipsis" }
            if o === Builtins.notImplemented { return "NotImplemented" }
            if o is PyGenerator { return "<generator object at \(address(o))>" }
            if let it = o as? PyIterator { return "<\(it.typeName) object at \(address(o))>" }
            return "<\(typeName(v)) object at \(address(o))>"
        }
    }

    static func address(_ o: AnyObject) -> String {
        "0x" + String(UInt(bitPattern: ObjectIdentifier(o).hashValue), radix: 16).leftPadded(12)
    }

    static func str(_ v: Value) throws -> String {
        switch v {
        case .str(let s): return s
        case .obj(let o):
            if let i = o as? PyInstance {
                if let s = i.cls.lookup("__str__") {
                    let r = try call(s, [v])
                    guard case .str(let str) = r else { throw typeError("__str__ returned non-string (type \(typeName(r)))") }
                    return str
                }
                if i.cls.isSubclass(of: Builtins.baseException) { return try ExceptionAttrs.str(i) }
            }
            if let n = o as? PyNative, let s = try n.object.getAttribute("__str__") {
                if case .str(let str) = try call(s, []) { return str }
            }
            return try repr(v)
        default: return try repr(v)
        }
    }

    // MARK: format()
    struct Spec {
        var fill: Character = " ", align: Character? = nil, sign: Character = "-", alt = false, zero = false
        var width = 0, grouping: Character? = nil, precision: Int? = nil, type: Character? = nil
    }

    static func parseSpec(_ s: String) throws -> Spec {
        var spec = Spec()
        let c = Array(s)
        var i = 0
        if c.count >= 2, "<>^=".contains(c[1]) { spec.fill = c[0]; spec.align = c[1]; i = 2 }
        else if c.count >= 1, "<>^=".contains(c[0]) { spec.align = c[0]; i = 1 }
        if i < c.count, "+- ".contains(c[i]) { spec.sign = c[i]; i += 1 }
        if i < c.count, c[i] == "#" { spec.alt = true; i += 1 }
        if i < c.count, c[i] == "0" { spec.zero = true; i += 1 }
        var w = ""
        while i < c.count, c[i].isNumber { w.append(c[i]); i += 1 }
        spec.width = Int(w) ?? 0
        if i < c.count, c[i] == "," || c[i] == "_" { spec.grouping = c[i]; i += 1 }
        if i < c.count, c[i] == "." {
            i += 1; var p = ""
            while i < c.count, c[i].isNumber { p.append(c[i]); i += 1 }
            guard let pv = Int(p) else { throw valueError("Format specifier missing precision") }
            spec.precision = pv
        }
        if i < c.count { spec.type = c[i]; i += 1 }
        if i < c.count { throw valueError("Invalid format specifier '\(s)' for object of type 'float'") }
        return spec
    }

    static func group(_ digits: String, _ sep: Character) -> String {
        var out = ""
        for (k, ch) in digits.reversed().enumerated() { if k > 0 && k % 3 == 0 { out.append(sep) }; out.append(ch) }
        return String(out.reversed())
    }

    static func pad(_ body: String, _ sign: String, _ spec: Spec, defaultAlign: Character) -> String {
        let len = body.count + sign.count
        if spec.width <= len { return sign + body }
        let n = spec.width - len
        var align = spec.align ?? defaultAlign
        var fill = spec.fill
        if spec.zero && spec.align == nil { align = "="; fill = "0" }
        switch align {
        case "<": return sign + body + String(repeating: fill, count: n)
        case "^": return String(repeating: fill, count: n / 2) + sign + body + String(repeating: fill, count: n - n / 2)
        case "=": return sign + String(repeating: fill, count: n) + body
        default: return String(repeating: fill, count: n) + sign + body
        }
    }

    /// format(v, spec): a class's own `__format__` decides when it has one (even for an
    /// empty spec, as `f"{x}"` calls it too); otherwise an empty spec gives str(v), as
    /// object.__format__ does, and the built-in types read the spec themselves.
    static func format(_ v: Value, _ specText: String) throws -> String {
        if case .obj(let o) = v, let method = try formatMethod(o) {
            let r = try call(method.function, method.selfArgument + [.str(specText)])
            guard case .str(let s) = r else { throw typeError("__format__ must return a str, not \(typeName(r))") }
            return s
        }
        if specText.isEmpty { return try str(v) }
        var spec = try parseSpec(specText)
        switch v {
        case .int(let i):
            if let t = spec.type, "eEfFgG%".contains(t) { return try format(.float(Double(i)), specText) }
            if spec.precision != nil { throw valueError("Precision not allowed in integer format specifier") }
            var body: String
            let mag = i.magnitude
            switch spec.type {
            case "x": body = String(mag, radix: 16); if spec.alt { body = "0x" + body }
            case "X": body = String(mag, radix: 16).uppercased(); if spec.alt { body = "0X" + body }
            case "o": body = String(mag, radix: 8); if spec.alt { body = "0o" + body }
            case "b": body = String(mag, radix: 2); if spec.alt { body = "0b" + body }
            case "c":
                guard let u = UInt32(exactly: i).flatMap(Unicode.Scalar.init) else { throw error("OverflowError", "%c arg not in range(0x110000)") }
                return pad(String(Character(u)), "", spec, defaultAlign: "<")
            case nil, "d", "n": body = String(mag)
            default: throw valueError("Unknown format code '\(spec.type!)' for object of type 'int'")
            }
            var prefix = ""
            if spec.alt, body.count > 2, ["0x", "0X", "0o", "0b"].contains(String(body.prefix(2))) { prefix = String(body.prefix(2)); body.removeFirst(2) }
            if let g = spec.grouping { body = group(body, g) }
            let sign = (i < 0 ? "-" : spec.sign == "+" ? "+" : spec.sign == " " ? " " : "") + prefix
            if spec.zero && spec.align == nil && spec.grouping != nil {
                // zero padding with grouping pads the digits themselves
                var digits = String(mag)
                while group(digits, spec.grouping!).count + sign.count < spec.width { digits = "0" + digits }
                return sign + group(digits, spec.grouping!)
            }
            return pad(body, sign, spec, defaultAlign: ">")
        case .bool(let b):
            if spec.type == nil || spec.type == "s" { return pad(b ? "True" : "False", "", spec, defaultAlign: "<") }
            return try format(.int(b ? 1 : 0), specText)
        case .float(let d):
            var body: String
            let mag = abs(d)
            let neg = d.sign == .minus && !(d == 0 && spec.type == nil)
            switch spec.type {
            case "f", "F": body = mag.isFinite ? String(format: "%.\(spec.precision ?? 6)f", mag) : floatRepr(mag)
            case "e", "E":
                body = mag.isFinite ? String(format: "%.\(spec.precision ?? 6)e", mag) : floatRepr(mag)
                if spec.type == "E" { body = body.uppercased() }
            case "g", "G":
                let p = max(spec.precision ?? 6, 1)
                body = mag.isFinite ? String(format: spec.alt ? "%#.\(p)g" : "%.\(p)g", mag) : floatRepr(mag)
                if spec.type == "G" { body = body.uppercased() }
            case "%":
                body = mag.isFinite ? String(format: "%.\(spec.precision ?? 6)f", mag * 100) + "%" : floatRepr(mag) + "%"
            case nil:
                if let p = spec.precision {
                    body = mag.isFinite ? String(format: "%.\(max(p, 1))g", mag) : floatRepr(mag)
                    if mag.isFinite && !body.contains(".") && !body.contains("e") { body += ".0" }
                } else { body = floatRepr(mag) }
            default: throw valueError("Unknown format code '\(spec.type!)' for object of type 'float'")
            }
            if spec.type == "F" { body = body.uppercased() }
            if let g = spec.grouping {
                let intEnd = body.firstIndex { $0 == "." || $0 == "e" || $0 == "%" } ?? body.endIndex
                body = group(String(body[..<intEnd]), g) + body[intEnd...]
            }
            let sign = neg ? "-" : spec.sign == "+" ? "+" : spec.sign == " " ? " " : ""
            return pad(body, sign, spec, defaultAlign: ">")
        case .str(var s):
            if let t = spec.type, t != "s" { throw valueError("Unknown format code '\(t)' for object of type 'str'") }
            if let p = spec.precision { s = String(s.prefix(p)) }
            if spec.sign != "-" { throw valueError("Sign not allowed in string format specifier") }
            spec.zero = spec.zero && spec.align != nil
            return pad(s, "", spec, defaultAlign: "<")
        case .none:
            throw typeError("unsupported format string passed to NoneType.__format__")
        default:
            throw typeError("unsupported format string passed to \(typeName(v)).__format__")
        }
    }

    /// The `__format__` a script class or native type defines, with the arguments that bind
    /// it (a class's function takes the instance first; a native one is already bound).
    static func formatMethod(_ o: PyObject) throws -> (function: Value, selfArgument: [Value])? {
        if let i = o as? PyInstance, let f = i.cls.lookup("__format__") { return (f, [.obj(i)]) }
        if let n = o as? PyNative, let f = try n.object.getAttribute("__format__") { return (f, []) }
        return nil
    }

    /// printf-style `%` formatting for strings.
    static func percentFormat(_ fmt: String, _ arg: Value) throws -> String {
        var args: [Value]
        var mapping: PyDict? = nil
        if case .obj(let o) = arg, let t = o as? PyTuple { args = t.items }
        else if case .obj(let o) = arg, let d = o as? PyDict { mapping = d; args = [arg] }
        else { args = [arg] }
        var out = ""
        let c = Array(fmt)
        var i = 0, ai = 0
        func nextArg() throws -> Value {
            guard ai < args.count else { throw typeError("not enough arguments for format string") }
            ai += 1; return args[ai - 1]
        }
        while i < c.count {
            if c[i] != "%" { out.append(c[i]); i += 1; continue }
            i += 1
            guard i < c.count else { throw valueError("incomplete format") }
            var key: String? = nil
            if c[i] == "(" {
                var j = i + 1; while j < c.count && c[j] != ")" { j += 1 }
                key = String(c[(i + 1)..<j]); i = j + 1
            }
            var flags = ""
            while i < c.count, "-+ #0".contains(c[i]) { flags.append(c[i]); i += 1 }
            var width = ""
            while i < c.count, c[i].isNumber || c[i] == "*" { width.append(c[i]); i += 1 }
            var prec: String? = nil
            if i < c.count, c[i] == "." { i += 1; prec = ""; while i < c.count, c[i].isNumber { prec!.append(c[i]); i += 1 } }
            guard i < c.count else { throw valueError("incomplete format") }
            let t = c[i]; i += 1
            if t == "%" { out += "%"; continue }
            let v: Value = key != nil ? (mapping?.get(.str(key!)) ?? Value.none) : try nextArg()
            var spec = ""
            if flags.contains("-") { spec += "<" } else if !flags.contains("0") { spec += ">" }
            if flags.contains("+") { spec += "+" } else if flags.contains(" ") { spec += " " }
            if flags.contains("0") && !flags.contains("-") { spec += "0" }
            spec += width
            if let p = prec { spec += "." + (p.isEmpty ? "0" : p) }
            switch t {
            case "s": out += try format(.str(try str(v)), spec.replacingOccurrences(of: "+", with: ""))
            case "r": out += try format(.str(try repr(v)), spec)
            case "d", "i", "u":
                var iv = v
                if case .float(let d) = v { iv = .int(Int(d)) }
                guard case .int = iv else {
                    if case .bool(let b) = iv { out += try format(.int(b ? 1 : 0), spec); continue }
                    throw typeError("%\(t) format: a real number is required, not \(typeName(v))")
                }
                out += try format(iv, spec)
            case "f", "F", "e", "E", "g", "G":
                guard let d = numericValue(v) else { throw typeError("must be real number, not \(typeName(v))") }
                if prec == nil { spec += ".6" }
                out += try format(.float(d), spec + String(t))
            case "x", "X", "o":
                var sp = spec
                if flags.contains("#") { let k = sp.firstIndex { $0 == "0" || $0.isNumber } ?? sp.endIndex; sp.insert("#", at: k) }
                out += try format(v, sp + String(t))
            case "c":
                if case .int(let n) = v {
                    guard let u = UInt32(exactly: n).flatMap(Unicode.Scalar.init) else { throw error("OverflowError", "%c arg not in range(0x110000)") }
                    out += String(Character(u))
                } else { out += try str(v) }
            default: throw valueError("unsupported format character '\(t)' (0x\(String(t.asciiValue ?? 0, radix: 16))) at index \(i - 1)")
            }
        }
        if mapping == nil && ai < args.count { throw typeError("not all arguments converted during string formatting") }
        return out
    }
}

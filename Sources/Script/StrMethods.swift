import Foundation

/// Methods of str.
enum StrMethods {
    static func str(_ v: Value, _ what: String) throws -> String {
        guard case .str(let s) = v else { throw Interp.typeError("\(what) arg must be None or str") }
        return s
    }
    static func isSpace(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace || (c.value >= 0x1c && c.value <= 0x1f) }

    static func strip(_ s: String, _ chars: Value?, left: Bool, right: Bool) throws -> String {
        let u = Array(s.unicodeScalars)
        var set: Set<Unicode.Scalar>? = nil
        if let c = chars, !c.isNone { set = Set(try str(c, "strip").unicodeScalars) }
        func strippable(_ c: Unicode.Scalar) -> Bool { set.map { $0.contains(c) } ?? isSpace(c) }
        var lo = 0, hi = u.count
        if left { while lo < hi, strippable(u[lo]) { lo += 1 } }
        if right { while hi > lo, strippable(u[hi - 1]) { hi -= 1 } }
        return String(String.UnicodeScalarView(u[lo..<hi]))
    }

    static func splitWhitespace(_ s: String, _ maxsplit: Int) -> [Value] {
        var out: [Value] = []
        let u = Array(s.unicodeScalars)
        var i = 0
        while i < u.count {
            while i < u.count, isSpace(u[i]) { i += 1 }
            if i >= u.count { break }
            if maxsplit >= 0 && out.count == maxsplit {
                var end = u.count
                while end > i, isSpace(u[end - 1]) { end -= 1 }
                out.append(.str(String(String.UnicodeScalarView(u[i..<end])))); return out
            }
            let st = i
            while i < u.count, !isSpace(u[i]) { i += 1 }
            out.append(.str(String(String.UnicodeScalarView(u[st..<i]))))
        }
        return out
    }

    static func find(_ s: String, _ sub: String, _ start: Int = 0, reverse: Bool = false) -> Int {
        let u = Array(s.unicodeScalars), p = Array(sub.unicodeScalars)
        if p.count > u.count - start { return p.isEmpty && start <= u.count ? start : -1 }
        let range = Array(start...(u.count - p.count))
        for i in reverse ? range.reversed() : range {
            var ok = true
            for k in 0..<p.count where u[i + k] != p[k] { ok = false; break }
            if ok { return i }
        }
        return -1
    }

    static func normStart(_ a: [Value], _ i: Int, _ n: Int) throws -> Int? {
        guard i < a.count, !a[i].isNone else { return nil }
        var v = try Builtins.intArg(a[i]); if v < 0 { v = max(0, v + n) }; return min(v, n)
    }

    static func call(_ s: String, _ name: String, _ a: [Value], _ kw: [(String, Value)]) throws -> Value {
        switch name {
        case "split", "rsplit":
            let sep = Builtins.arg(a, 0, kw, "sep") ?? Value.none
            let maxsplit = try Builtins.arg(a, 1, kw, "maxsplit").map { try Builtins.intArg($0) } ?? -1
            if sep.isNone {
                if name == "rsplit" && maxsplit >= 0 {
                    let parts = splitWhitespace(String(s.reversed()), maxsplit)
                    return .list(parts.reversed().map { if case .str(let x) = $0 { return .str(String(x.reversed())) }; return $0 })
                }
                return .list(splitWhitespace(s, maxsplit))
            }
            let sp = try str(sep, "split")
            if sp.isEmpty { throw Interp.valueError("empty separator") }
            var parts = s.components(separatedBy: sp)
            if maxsplit >= 0 && parts.count > maxsplit + 1 {
                if name == "split" { parts = Array(parts[..<maxsplit]) + [parts[maxsplit...].joined(separator: sp)] }
                else { let k = parts.count - maxsplit; parts = [parts[..<k].joined(separator: sp)] + Array(parts[k...]) }
            }
            return .list(parts.map { .str($0) })
        case "join":
            try Builtins.want("str.join", a, 1, 1)
            var first = true
            var idx = 0
            return .str(try TextBuilder.build { out in
                try Interp.forEach(a[0]) { x in
                    guard case .str(let t) = x else { throw Interp.typeError("sequence item \(idx): expected str instance, \(Interp.typeName(x)) found") }
                    if !first { out.append(s) }
                    out.append(t); first = false; idx += 1; return true
                }
            })
        case "strip": return .str(try strip(s, a.first, left: true, right: true))
        case "lstrip": return .str(try strip(s, a.first, left: true, right: false))
        case "rstrip": return .str(try strip(s, a.first, left: false, right: true))
        case "upper": return .str(s.uppercased())
        case "lower": return .str(s.lowercased())
        case "casefold": return .str(s.lowercased())
        case "swapcase": return .str(String(s.map { $0.isUppercase ? Character($0.lowercased()) : Character($0.uppercased()) }))
        case "title":
            var out = ""; var prevCased = false
            for ch in s { out += prevCased ? ch.lowercased() : ch.uppercased(); prevCased = ch.isLetter }
            return .str(out)
        case "capitalize": return .str(s.prefix(1).uppercased() + s.dropFirst().lowercased())
        case "replace":
            try Builtins.want("replace", a, 2, 3)
            let old = try str(a[0], "replace"), new = try str(a[1], "replace")
            let count = a.count > 2 ? try Builtins.intArg(a[2]) : -1
            if count < 0 {
                if old.isEmpty { return .str(new + s.map { String($0) + new }.joined()) }
                return .str(s.replacingOccurrences(of: old, with: new))
            }
            var out = "", rest = Substring(s), n = 0
            while n < count, let r = rest.range(of: old), !old.isEmpty { out += rest[..<r.lowerBound] + new; rest = rest[r.upperBound...]; n += 1 }
            return .str(out + rest)
        case "startswith", "endswith":
            let u = Array(s.unicodeScalars)
            let st = try normStart(a, 1, u.count) ?? 0, en = try normStart(a, 2, u.count) ?? u.count
            let sub = en >= st ? String(String.UnicodeScalarView(u[st..<en])) : ""
            var pats: [String] = []
            if case .obj(let o) = a[0], let t = o as? PyTuple { pats = try t.items.map { try str($0, name) } }
            else if case .str(let p) = a[0] { pats = [p] }
            else { throw Interp.typeError("\(name) first arg must be str or a tuple of str, not \(Interp.typeName(a[0]))") }
            return .bool(pats.contains { name == "startswith" ? sub.unicodeScalars.starts(with: $0.unicodeScalars) : sub.unicodeScalars.reversed().starts(with: $0.unicodeScalars.reversed()) })
        case "find", "index", "rfind", "rindex":
            let sub = try str(a[0], name)
            let u = Array(s.unicodeScalars)
            let st = try normStart(a, 1, u.count) ?? 0, en = try normStart(a, 2, u.count) ?? u.count
            let hay = en >= st ? String(String.UnicodeScalarView(u[st..<en])) : ""
            let r = en >= st ? find(hay, sub, 0, reverse: name.hasPrefix("r")) : -1
            if r < 0 && name.hasSuffix("index") { throw Interp.valueError("substring not found") }
            return .int(r < 0 ? -1 : r + st)
        case "count":
            let sub = try str(a[0], "count")
            if sub.isEmpty { return .int(s.unicodeScalars.count + 1) }
            return .int(s.components(separatedBy: sub).count - 1)
        case "isdigit", "isnumeric", "isdecimal": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType != nil })
        case "isalpha": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic })
        case "isalnum": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil })
        case "isspace": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(isSpace))
        case "isupper", "islower":
            var cased = false
            for u in s.unicodeScalars {
                let p = u.properties
                let title = p.generalCategory == .titlecaseLetter
                if title || (name == "isupper" ? p.isLowercase : p.isUppercase) { return .bool(false) }
                if name == "isupper" ? p.isUppercase : p.isLowercase { cased = true }
            }
            return .bool(cased)
        case "isascii": return .bool(s.unicodeScalars.allSatisfy { $0.isASCII })
        case "isprintable": return .bool(s.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f })
        case "istitle":
            var prevCased = false, ok = false
            for ch in s {
                if ch.isUppercase { if prevCased { return .bool(false) }; ok = true; prevCased = true }
                else if ch.isLowercase { if !prevCased { return .bool(false) }; ok = true; prevCased = true }
                else { prevCased = false }
            }
            return .bool(ok)
        case "isidentifier":
            guard let f = s.unicodeScalars.first, Lexer.isIdentStart(f) else { return .bool(false) }
            return .bool(s.unicodeScalars.allSatisfy(Lexer.isIdentChar))
        case "format": return .str(try formatMethod(s, a, kw))
        case "format_map":
            guard case .obj(let o) = a[0], let d = o as? PyDict else { throw Interp.typeError("format_map() argument must be a mapping") }
            return .str(try formatMethod(s, [], d.items.compactMap { if case .str(let k) = $0.0 { return (k, $0.1) }; return nil }))
        case "zfill":
            let w = try Builtins.intArg(a[0])
            let n = s.unicodeScalars.count
            if n >= w { return .str(s) }
            if s.hasPrefix("-") || s.hasPrefix("+") { return .str(String(s.first!) + String(repeating: "0", count: w - n) + s.dropFirst()) }
            return .str(String(repeating: "0", count: w - n) + s)
        case "center", "ljust", "rjust":
            let w = try Builtins.intArg(a[0])
            let fill: Character = a.count > 1 ? (try str(a[1], name)).first ?? " " : " "
            let n = s.count
            if n >= w { return .str(s) }
            let total = w - n
            switch name {
            case "ljust": return .str(s + String(repeating: fill, count: total))
            case "rjust": return .str(String(repeating: fill, count: total) + s)
            default:
                let left = total / 2 + (total & w & 1)
                return .str(String(repeating: fill, count: left) + s + String(repeating: fill, count: total - left))
            }
        case "partition", "rpartition":
            let sep = try str(a[0], name)
            if sep.isEmpty { throw Interp.valueError("empty separator") }
            let r = name == "partition" ? s.range(of: sep) : s.range(of: sep, options: .backwards)
            guard let rr = r else { return name == "partition" ? .tuple([.str(s), .str(""), .str("")]) : .tuple([.str(""), .str(""), .str(s)]) }
            return .tuple([.str(String(s[..<rr.lowerBound])), .str(sep), .str(String(s[rr.upperBound...]))])
        case "splitlines":
            let keep = try Builtins.arg(a, 0, kw, "keepends").map(Interp.truthy) ?? false
            var out: [Value] = []
            var cur = ""
            let u = Array(s.unicodeScalars)
            var i = 0
            while i < u.count {
                let c = u[i]
                if c == "\n" || c == "\r" || c == "\u{0B}" || c == "\u{0C}" || c == "\u{1C}" || c == "\u{1D}" || c == "\u{1E}" || c == "\u{85}" || c == "\u{2028}" || c == "\u{2029}" {
                    var end = String(c)
                    if c == "\r" && i + 1 < u.count && u[i + 1] == "\n" { end = "\r\n"; i += 1 }
                    out.append(.str(keep ? cur + end : cur)); cur = ""
                } else { cur.unicodeScalars.append(c) }
                i += 1
            }
            if !cur.isEmpty { out.append(.str(cur)) }
            return .list(out)
        case "encode": return .str(s)
        case "expandtabs":
            let ts = a.isEmpty ? 8 : try Builtins.intArg(a[0])
            var out = "", col = 0
            for ch in s {
                if ch == "\t" { let n = ts > 0 ? ts - col % ts : 0; out += String(repeating: " ", count: n); col += n }
                else if ch == "\n" { out.append(ch); col = 0 } else { out.append(ch); col += 1 }
            }
            return .str(out)
        case "removeprefix": let p = try str(a[0], name); return .str(s.hasPrefix(p) ? String(s.dropFirst(p.count)) : s)
        case "removesuffix": let p = try str(a[0], name); return .str(s.hasSuffix(p) && !p.isEmpty ? String(s.dropLast(p.count)) : s)
        default: throw Interp.error("AttributeError", "'str' object has no attribute '\(name)'")
        }
    }

    /// str.format: {}, {0}, {name}, {0.attr}, {0[key]}, conversions and nested specs.
    static func formatMethod(_ s: String, _ a: [Value], _ kw: [(String, Value)]) throws -> String {
        var out = ""
        let c = Array(s)
        var i = 0, auto = 0
        while i < c.count {
            if c[i] == "{" {
                if i + 1 < c.count && c[i + 1] == "{" { out += "{"; i += 2; continue }
                var j = i + 1, depth = 1
                while j < c.count { if c[j] == "{" { depth += 1 } else if c[j] == "}" { depth -= 1; if depth == 0 { break } }; j += 1 }
                guard j < c.count else { throw Interp.valueError("Single '{' encountered in format string") }
                let field = String(c[(i + 1)..<j])
                i = j + 1
                var name = field, conv: Character? = nil, spec = ""
                if let colon = field.firstIndex(of: ":") { spec = String(field[field.index(after: colon)...]); name = String(field[..<colon]) }
                if let bang = name.firstIndex(of: "!") { conv = name[name.index(after: bang)...].first; name = String(name[..<bang]) }
                // Split off .attr and [key] accessors.
                var head = name, rest = ""
                if let k = name.firstIndex(where: { $0 == "." || $0 == "[" }) { head = String(name[..<k]); rest = String(name[k...]) }
                var v: Value
                if head.isEmpty {
                    guard auto < a.count else { throw Interp.error("IndexError", "Replacement index \(auto) out of range for positional args tuple") }
                    v = a[auto]; auto += 1
                } else if let n = Int(head) {
                    guard n < a.count else { throw Interp.error("IndexError", "Replacement index \(n) out of range for positional args tuple") }
                    v = a[n]
                } else {
                    guard let x = kw.first(where: { $0.0 == head })?.1 else { throw Interp.error("KeyError", args: [.str(head)]) }
                    v = x
                }
                var r = Substring(rest)
                while !r.isEmpty {
                    if r.first == "." {
                        r = r.dropFirst()
                        let end = r.firstIndex { $0 == "." || $0 == "[" } ?? r.endIndex
                        v = try Interp.getAttr(v, String(r[..<end])); r = r[end...]
                    } else if r.first == "[" {
                        guard let end = r.firstIndex(of: "]") else { break }
                        let key = String(r[r.index(after: r.startIndex)..<end])
                        v = try Interp.getItem(v, Int(key).map { .int($0) } ?? .str(key)); r = r[r.index(after: end)...]
                    } else { break }
                }
                if conv == "r" { v = .str(try Interp.repr(v)) } else if conv == "s" { v = .str(try Interp.str(v)) }
                if spec.contains("{") { spec = try formatMethod(spec, Array(a[min(auto, a.count)...]), kw) }
                out += try Interp.format(v, spec)
                continue
            }
            if c[i] == "}" {
                if i + 1 < c.count && c[i + 1] == "}" { out += "}"; i += 2; continue }
                throw Interp.valueError("Single '}' encountered in format string")
            }
            out.append(c[i]); i += 1
        }
        return out
    }
}

/// The Python methods templates call on values: string methods (`strip`, `split`,
/// `startswith`, `replace`, `format`...), dict views (`get`, `items`, `keys`, `values`) and the
/// read-only list methods. Methods that would change a list or dict are refused, as in
/// transformers' immutable sandbox.
enum TemplateMethods {
    private static let mutatingDict: Set<String> = ["update", "pop", "popitem", "setdefault", "clear"]
    private static let mutatingList: Set<String> = ["append", "extend", "insert", "pop", "remove", "sort", "reverse", "clear"]

    static func method(_ obj: JinjaValue, _ name: String) -> JinjaCallable? {
        switch obj {
        case .string(let s): return stringMethod(s, name)
        case .dict(let d):
            if mutatingDict.contains(name) { return refused(name, "dict") }
            return dictMethod(d, name)
        case .list(let items), .tuple(let items):
            if case .list = obj, mutatingList.contains(name) { return refused(name, "list") }
            return listMethod(items, name)
        default: return nil
        }
    }

    private static func refused(_ name: String, _ type: String) -> JinjaCallable {
        JinjaCallable(name) { _ in throw JinjaFailure("access to attribute '\(name)' of '\(type)' object is unsafe.") }
    }

    private static func string(_ v: JinjaValue?, _ what: String) throws -> String? {
        guard let v else { return nil }
        switch v {
        case .none: return nil
        case .string(let s): return s
        default: throw JinjaFailure("\(what) arg must be None or str")
        }
    }

    private static func dictMethod(_ d: JinjaDict, _ name: String) -> JinjaCallable? {
        switch name {
        case "get":
            return JinjaCallable(name) { args in
                guard let key = args.value(0, "key") else { throw JinjaFailure("get expected at least 1 argument, got 0") }
                if case .string(let k) = key, let v = d[k] { return v }
                return args.value(1, "default") ?? .none
            }
        case "items": return JinjaCallable(name) { _ in .list(d.entries.map { .tuple([.string($0.0), $0.1]) }) }
        case "keys": return JinjaCallable(name) { _ in .list(d.keys.map { .string($0) }) }
        case "values": return JinjaCallable(name) { _ in .list(d.entries.map { $0.1 }) }
        case "copy": return JinjaCallable(name) { _ in .dict(d) }
        default: return nil
        }
    }

    private static func listMethod(_ items: [JinjaValue], _ name: String) -> JinjaCallable? {
        switch name {
        case "index":
            return JinjaCallable(name) { args in
                guard let x = args.positional.first else { throw JinjaFailure("index expected 1 argument") }
                guard let i = items.firstIndex(where: { PythonOperators.equals($0, x) }) else {
                    throw JinjaFailure("\(PythonFormatting.repr(x)) is not in list")
                }
                return .int(i)
            }
        case "count":
            return JinjaCallable(name) { args in
                guard let x = args.positional.first else { throw JinjaFailure("count expected 1 argument") }
                return .int(items.filter { PythonOperators.equals($0, x) }.count)
            }
        default: return nil
        }
    }

    /// Python's `str.strip` family: `chars` nil strips whitespace.
    static func strip(_ s: String, _ chars: String?, leading: Bool, trailing: Bool) -> String {
        let set = chars.map { Set($0.unicodeScalars) }
        func strippable(_ c: Unicode.Scalar) -> Bool { set?.contains(c) ?? PythonFormatting.isSpace(c) }
        var scalars = Array(s.unicodeScalars)[...]
        if leading { while let f = scalars.first, strippable(f) { scalars.removeFirst() } }
        if trailing { while let l = scalars.last, strippable(l) { scalars.removeLast() } }
        return String(String.UnicodeScalarView(scalars))
    }

    /// Python's `str.split(sep, maxsplit)`.
    static func split(_ s: String, _ separator: String?, _ maxSplit: Int) throws -> [String] {
        let scalars = Array(s.unicodeScalars)
        var parts: [String] = []
        if let separator {
            let sep = Array(separator.unicodeScalars)
            guard !sep.isEmpty else { throw JinjaFailure("empty separator") }
            var start = 0
            while maxSplit < 0 || parts.count < maxSplit, let at = PythonOperators.substringIndex(scalars, sep, from: start) {
                parts.append(String(String.UnicodeScalarView(scalars[start..<at])))
                start = at + sep.count
            }
            parts.append(String(String.UnicodeScalarView(scalars[start...])))
            return parts
        }
        var i = 0
        while i < scalars.count {
            while i < scalars.count, PythonFormatting.isSpace(scalars[i]) { i += 1 }
            guard i < scalars.count else { break }
            if maxSplit >= 0 && parts.count == maxSplit {
                var end = scalars.count
                while end > i, PythonFormatting.isSpace(scalars[end - 1]) { end -= 1 }
                parts.append(String(String.UnicodeScalarView(scalars[i..<end])))
                break
            }
            let start = i
            while i < scalars.count, !PythonFormatting.isSpace(scalars[i]) { i += 1 }
            parts.append(String(String.UnicodeScalarView(scalars[start..<i])))
        }
        return parts
    }

    /// Python's `str.lower()`: per-character lowercase mappings, with a capital sigma at the
    /// end of a word becoming the final form (ς).
    static func pythonLower(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        var out = ""
        for i in scalars.indices {
            out += lowerScalar(scalars, i)
        }
        return out
    }

    private static func lowerScalar(_ scalars: [Unicode.Scalar], _ i: Int) -> String {
        let c = scalars[i]
        guard c == "\u{03A3}" else { return c.properties.lowercaseMapping }
        // Final_Sigma: a cased letter before (skipping case-ignorable ones) and none after.
        var j = i - 1
        while j >= 0, scalars[j].properties.isCaseIgnorable { j -= 1 }
        let casedBefore = j >= 0 && scalars[j].properties.isCased
        var k = i + 1
        while k < scalars.count, scalars[k].properties.isCaseIgnorable { k += 1 }
        let casedAfter = k < scalars.count && scalars[k].properties.isCased
        return casedBefore && !casedAfter ? "\u{03C2}" : "\u{03C3}"
    }

    /// Python's `str.upper()`.
    static func pythonUpper(_ s: String) -> String {
        s.unicodeScalars.map { $0.properties.uppercaseMapping }.joined()
    }

    /// Python's `str.title()`: a character after a cased one is lowered, any other title-cased.
    static func pythonTitle(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        var out = ""
        var previousCased = false
        for i in scalars.indices {
            out += previousCased ? lowerScalar(scalars, i) : scalars[i].properties.titlecaseMapping
            previousCased = scalars[i].properties.isCased
        }
        return out
    }

    /// Python's `str.capitalize()`: the first character title-cased, the rest lowered.
    static func capitalize(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        guard let first = scalars.first else { return s }
        var out = first.properties.titlecaseMapping
        for i in scalars.indices.dropFirst() { out += lowerScalar(scalars, i) }
        return out
    }

    /// Python's `str.splitlines()`: every Unicode line boundary, `\r\n` counting as one.
    static func splitLines(_ s: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var iterator = Array(s.unicodeScalars)[...]
        while let c = iterator.popFirst() {
            switch c.value {
            case 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029:
                if c == "\r", iterator.first == "\n" { iterator.removeFirst() }
                lines.append(String(current))
                current = String.UnicodeScalarView()
            default:
                current.append(c)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    private static func stringMethod(_ s: String, _ name: String) -> JinjaCallable? {
        switch name {
        case "strip", "lstrip", "rstrip":
            return JinjaCallable(name) { args in
                let chars = try string(args.value(0, "chars"), name)
                return .string(strip(s, chars, leading: name != "rstrip", trailing: name != "lstrip"))
            }
        case "startswith", "endswith":
            return JinjaCallable(name) { args in
                guard let p = args.positional.first else { throw JinjaFailure("\(name) takes at least 1 argument") }
                let candidates: [JinjaValue]
                switch p {
                case .tuple(let items), .list(let items): candidates = items
                default: candidates = [p]
                }
                let scalars = Array(s.unicodeScalars)
                for candidate in candidates {
                    guard case .string(let c) = candidate else {
                        throw JinjaFailure("\(name) first arg must be str or a tuple of str, not \(candidate.typeName)")
                    }
                    let cs = Array(c.unicodeScalars)
                    if name == "startswith" ? scalars.starts(with: cs) : scalars.reversed().starts(with: cs.reversed()) { return .bool(true) }
                }
                return .bool(false)
            }
        case "split", "rsplit":
            return JinjaCallable(name) { args in
                let sep = try string(args.value(0, "sep"), "split")
                let max = args.value(1, "maxsplit")?.integer ?? -1
                if name == "rsplit" && max >= 0 {
                    // Split from the right: reverse, split, reverse back.
                    let reversed = String(String.UnicodeScalarView(s.unicodeScalars.reversed()))
                    let rsep = sep.map { String(String.UnicodeScalarView($0.unicodeScalars.reversed())) }
                    let parts = try split(reversed, rsep, max)
                    return .list(parts.reversed().map { .string(String(String.UnicodeScalarView($0.unicodeScalars.reversed()))) })
                }
                return .list(try split(s, sep, max).map { .string($0) })
            }
        case "splitlines":
            return JinjaCallable(name) { _ in .list(splitLines(s).map { .string($0) }) }
        case "upper": return JinjaCallable(name) { _ in .string(pythonUpper(s)) }
        case "lower": return JinjaCallable(name) { _ in .string(pythonLower(s)) }
        case "title": return JinjaCallable(name) { _ in .string(pythonTitle(s)) }
        case "capitalize": return JinjaCallable(name) { _ in .string(capitalize(s)) }
        case "replace":
            return JinjaCallable(name) { args in
                guard case .string(let old)? = args.value(0, "old"), case .string(let new)? = args.value(1, "new") else {
                    throw JinjaFailure("replace expects two strings")
                }
                return .string(replace(s, old, new, count: args.value(2, "count")?.integer ?? -1))
            }
        case "find", "rfind", "index", "rindex", "count":
            return JinjaCallable(name) { args in
                guard case .string(let sub)? = args.positional.first else { throw JinjaFailure("\(name) expects a string") }
                let hay = Array(s.unicodeScalars), needle = Array(sub.unicodeScalars)
                var found: [Int] = []
                var from = 0
                while let at = PythonOperators.substringIndex(hay, needle, from: from) {
                    found.append(at)
                    from = at + max(needle.count, 1)
                    if from > hay.count { break }
                }
                if name == "count" { return .int(found.count) }
                let at = name.hasPrefix("r") ? found.last : found.first
                if let at { return .int(at) }
                if name.hasSuffix("index") { throw JinjaFailure("substring not found") }
                return .int(-1)
            }
        case "join":
            return JinjaCallable(name) { args in
                guard let items = args.positional.first?.iterated else { throw JinjaFailure("can only join an iterable") }
                return .string(try items.map { item -> String in
                    guard case .string(let t) = item else { throw JinjaFailure("sequence item: expected str instance, \(item.typeName) found") }
                    return t
                }.joined(separator: s))
            }
        case "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower":
            return JinjaCallable(name) { _ in
                let scalars = Array(s.unicodeScalars)
                guard !scalars.isEmpty else { return .bool(false) }
                switch name {
                case "isdigit": return .bool(scalars.allSatisfy { $0.properties.numericType != nil && $0.properties.numericType != .numeric })
                case "isalpha": return .bool(scalars.allSatisfy { $0.properties.isAlphabetic })
                case "isalnum": return .bool(scalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil })
                case "isspace": return .bool(scalars.allSatisfy(PythonFormatting.isSpace))
                case "isupper", "islower":
                    var sawCased = false
                    for c in scalars where c.properties.isCased {
                        sawCased = true
                        if name == "isupper" ? !c.properties.isUppercase : !c.properties.isLowercase { return .bool(false) }
                    }
                    return .bool(sawCased)
                default: return .bool(false)
                }
            }
        case "format":
            return JinjaCallable(name) { args in .string(try formatBraces(s, args)) }
        default:
            return nil
        }
    }

    /// Python's `str.replace(old, new, count)` by code points.
    static func replace(_ s: String, _ old: String, _ new: String, count: Int) -> String {
        let hay = Array(s.unicodeScalars), needle = Array(old.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var done = 0
        if needle.isEmpty {
            // Python inserts `new` before every character and at the end.
            for c in hay {
                if count < 0 || done < count { out.append(contentsOf: new.unicodeScalars); done += 1 }
                out.append(c)
            }
            if count < 0 || done < count { out.append(contentsOf: new.unicodeScalars) }
            return String(out)
        }
        while i < hay.count {
            if (count < 0 || done < count), let at = PythonOperators.substringIndex(hay, needle, from: i) {
                out.append(contentsOf: hay[i..<at])
                out.append(contentsOf: new.unicodeScalars)
                i = at + needle.count
                done += 1
            } else {
                out.append(contentsOf: hay[i...])
                break
            }
        }
        return String(out)
    }

    /// `str.format` with `{}`, `{0}` and `{name}` fields (no format specs).
    static func formatBraces(_ s: String, _ args: JinjaArguments) throws -> String {
        var out = ""
        var automatic = 0
        var scalars = Array(s.unicodeScalars)[...]
        while let c = scalars.popFirst() {
            if c == "{" {
                if scalars.first == "{" { scalars.removeFirst(); out += "{"; continue }
                var field = ""
                while let f = scalars.popFirst(), f != "}" { field.unicodeScalars.append(f) }
                if field.contains(":") || field.contains("!") { throw JinjaFailure("format specs are not supported in str.format") }
                let value: JinjaValue?
                if field.isEmpty {
                    value = automatic < args.positional.count ? args.positional[automatic] : nil
                    automatic += 1
                } else if let n = Int(field) {
                    value = n < args.positional.count ? args.positional[n] : nil
                } else {
                    value = args.keyword.first { $0.0 == field }?.1
                }
                guard let value else { throw JinjaFailure("Replacement index out of range for positional args tuple") }
                out += PythonFormatting.str(value)
            } else if c == "}" {
                if scalars.first == "}" { scalars.removeFirst() }
                out += "}"
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

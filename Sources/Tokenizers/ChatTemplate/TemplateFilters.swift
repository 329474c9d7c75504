import Foundation

/// Jinja's built-in filters as chat templates use them, plus transformers' own `tojson`
/// (`json.dumps` with `ensure_ascii=False`, optional `indent`, `separators`, `sort_keys`, and
/// no HTML escaping).
extension TemplateRenderer {
    func applyFilter(_ name: String, _ value: JinjaValue, _ args: JinjaArguments) throws -> JinjaValue {
        func text() -> String { PythonFormatting.str(value) }
        func sequence() throws -> [JinjaValue] {
            guard let items = value.iterated else { throw JinjaFailure("'\(value.typeName)' object is not iterable") }
            return items
        }
        func flag(_ index: Int, _ key: String) -> Bool { args.value(index, key)?.truthy ?? false }

        switch name {
        case "trim":
            let chars: String?
            if case .string(let c)? = args.value(0, "chars") { chars = c } else { chars = nil }
            return .string(TemplateMethods.strip(text(), chars, leading: true, trailing: true))
        case "length", "count":
            switch value {
            case .undefined: return .int(0)
            case .string(let s): return .int(s.unicodeScalars.count)
            case .list(let items), .tuple(let items): return .int(items.count)
            case .dict(let d): return .int(d.keys.count)
            case .object(let o) where o.isNamespace: throw JinjaFailure("object of type 'Namespace' has no len()")
            default: throw JinjaFailure("object of type '\(value.typeName)' has no len()")
            }
        case "tojson":
            var options = PythonFormatting.JSONOptions()
            options.ensureASCII = flag(0, "ensure_ascii")
            switch args.value(1, "indent") {
            case .int(let n)?: options.indent = String(repeating: " ", count: max(0, n))
            case .string(let s)?: options.indent = s
            default: break
            }
            if options.indent != nil { options.itemSeparator = "," }
            if let separators = args.value(2, "separators"), !separators.isUndefined, separators.truthy || separators.iterated != nil {
                guard let pair = separators.iterated, pair.count == 2, case .string(let item) = pair[0], case .string(let key) = pair[1] else {
                    throw JinjaFailure("separators must be a pair of strings")
                }
                options.itemSeparator = item
                options.keySeparator = key
            }
            options.sortKeys = flag(3, "sort_keys")
            return .string(try PythonFormatting.json(value, options))
        case "upper": return .string(TemplateMethods.pythonUpper(text()))
        case "lower": return .string(TemplateMethods.pythonLower(text()))
        case "capitalize": return .string(TemplateMethods.capitalize(text()))
        case "title":
            // Jinja's own title: words start after `-`, whitespace or an opening bracket; each
            // word is its first character upper-cased and the rest lower-cased.
            var out = ""
            var word = String.UnicodeScalarView()
            func flush() {
                guard let first = word.first else { return }
                out += TemplateMethods.pythonUpper(String(first)) + TemplateMethods.pythonLower(String(String.UnicodeScalarView(word.dropFirst())))
                word = String.UnicodeScalarView()
            }
            for scalar in text().unicodeScalars {
                if PythonFormatting.isSpace(scalar) || "-({[<".unicodeScalars.contains(scalar) {
                    flush()
                    out.unicodeScalars.append(scalar)
                } else {
                    word.append(scalar)
                }
            }
            flush()
            return .string(out)
        case "default", "d":
            let fallback = args.value(0, "default_value") ?? .string("")
            if value.isUndefined || (flag(1, "boolean") && !value.truthy) { return fallback }
            return value
        case "join":
            let separator = args.value(0, "d").map(PythonFormatting.str) ?? ""
            var items = try sequence()
            if case .string(let attribute)? = args.value(1, "attribute") { items = try items.map { try lookupPath($0, attribute) } }
            return .string(items.map(PythonFormatting.str).joined(separator: separator))
        case "items":
            switch value {
            case .undefined: return .iterator(JinjaIterator([]))
            case .dict(let d): return .iterator(JinjaIterator(d.entries.map { .tuple([.string($0.0), $0.1]) }))
            default: throw JinjaFailure("Can only get item pairs from a mapping.")
            }
        case "list": return .list(try sequence())
        case "string": return .string(text())
        case "safe", "e", "escape", "forceescape":
            // Markup(value) is text: `none | safe` is the string "None".
            if name == "safe" { return .string(text()) }
            var out = ""
            for c in text().unicodeScalars {
                switch c {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&#34;"
                case "'": out += "&#39;"
                default: out.unicodeScalars.append(c)
                }
            }
            return .string(out)
        case "first":
            if case .undefined = value { return .undefined("No first item, sequence was empty.") }
            return try sequence().first ?? .undefined("No first item, sequence was empty.")
        case "last":
            if case .undefined = value { return .undefined("No last item, sequence was empty.") }
            if case .iterator(let it) = value { throw JinjaFailure("'\(it.typeName)' object is not reversible") }
            return try sequence().last ?? .undefined("No last item, sequence was empty.")
        case "reverse":
            if case .string(let s) = value { return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed()))) }
            switch value {
            case .list(let items): return .iterator(JinjaIterator(items.reversed(), typeName: "list_reverseiterator"))
            case .dict(let d): return .iterator(JinjaIterator(d.keys.reversed().map { .string($0) }, typeName: "dict_reversekeyiterator"))
            default: return .list(try sequence().reversed())
            }
        case "int":
            // int(Undefined) fails in Python, so no default applies.
            if case .undefined(let message) = value { throw JinjaFailure(message) }
            let fallback = args.value(0, "default") ?? .int(0)
            switch value {
            case .int: return value
            case .bool(let b): return .int(b ? 1 : 0)
            case .double(let d):
                guard d.isFinite else { return fallback }
                guard abs(d) < 9.2e18 else { throw JinjaFailure("integer \(PythonFormatting.float(d)) is beyond the 64-bit integers templates support") }
                return .int(Int(d.rounded(.towardZero)))
            case .string(let s):
                let base = args.value(1, "base")?.integer ?? 10
                let trimmed = TemplateMethods.strip(s, nil, leading: true, trailing: true).replacingOccurrences(of: "_", with: "")
                if let n = Int(trimmed, radix: base) { return .int(n) }
                if let d = Double(trimmed), d.isFinite, abs(d) < 9.2e18 { return .int(Int(d.rounded(.towardZero))) }
                return fallback
            default: return fallback
            }
        case "float":
            if case .undefined(let message) = value { throw JinjaFailure(message) }
            let fallback = args.value(0, "default") ?? .double(0)
            switch value {
            case .double: return value
            case .int(let n): return .double(Double(n))
            case .bool(let b): return .double(b ? 1 : 0)
            case .string(let s):
                let trimmed = TemplateMethods.strip(s, nil, leading: true, trailing: true)
                return Double(trimmed).map(JinjaValue.double) ?? fallback
            default: return fallback
            }
        case "abs":
            switch value {
            case .int(let n): guard n != Int.min else { throw JinjaFailure("integer overflow") }; return .int(abs(n))
            case .bool(let b): return .int(b ? 1 : 0)
            case .double(let d): return .double(abs(d))
            default: throw JinjaFailure("bad operand type for abs(): '\(value.typeName)'")
            }
        case "round":
            guard let d = value.numeric else { throw JinjaFailure("type \(value.typeName) doesn't define __round__ method") }
            let precision = args.value(0, "precision")?.integer ?? 0
            let method = args.value(1, "method").map(PythonFormatting.str) ?? "common"
            let scale = pow(10.0, Double(precision))
            switch method {
            case "common":
                // Python's round() keeps an int an int.
                if precision >= 0, let n = value.integer { return .int(n) }
                return .double((d * scale).rounded(.toNearestOrEven) / scale)
            case "floor": return .double((d * scale).rounded(.down) / scale)
            case "ceil": return .double((d * scale).rounded(.up) / scale)
            default: throw JinjaFailure("method must be common, ceil or floor")
            }
        case "replace":
            guard let old = args.value(0, "old"), let new = args.value(1, "new") else { throw JinjaFailure("replace needs old and new") }
            let count = args.value(2, "count")?.integer ?? -1
            return .string(TemplateMethods.replace(text(), PythonFormatting.str(old), PythonFormatting.str(new), count: count))
        case "indent":
            guard case .string = value else { throw JinjaFailure("indent needs a string, not \(value.typeName)") }
            let width: String
            switch args.value(0, "width") {
            case .string(let s)?: width = s
            case let w?: width = String(repeating: " ", count: max(0, w.integer ?? 4))
            case nil: width = "    "
            }
            let first = flag(1, "first"), blank = flag(2, "blank")
            // Jinja appends a newline before Python's splitlines, so a trailing line break
            // leaves an empty last line.
            let lines = TemplateMethods.splitLines(text() + "\n")
            var out: String
            if blank {
                out = lines.joined(separator: "\n" + width)
            } else {
                out = lines.isEmpty ? "" : lines[0]
                if lines.count > 1 {
                    out += "\n" + lines[1...].map { $0.isEmpty ? $0 : width + $0 }.joined(separator: "\n")
                }
            }
            return .string(first ? width + out : out)
        case "wordcount":
            var count = 0
            var inWord = false
            for scalar in text().unicodeScalars {
                let isWord = scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "_"
                if isWord && !inWord { count += 1 }
                inWord = isWord
            }
            return .int(count)
        case "dictsort":
            guard case .dict(let d) = value else { throw JinjaFailure("You can only sort by either \"key\" or \"value\"") }
            let caseSensitive = flag(0, "case_sensitive")
            let byValue = args.value(1, "by").map(PythonFormatting.str) == "value"
            let reverse = flag(2, "reverse")
            let sorted = try stableSort(d.entries.map { JinjaValue.tuple([.string($0.0), $0.1]) }, reverse: reverse) { pair in
                guard case .tuple(let p) = pair else { return pair }
                return sortKey(byValue ? p[1] : p[0], caseSensitive: caseSensitive)
            }
            return .list(sorted)
        case "sort":
            let reverse = flag(0, "reverse"), caseSensitive = flag(1, "case_sensitive")
            let attribute: String? = { if case .string(let a)? = args.value(2, "attribute") { return a }; return nil }()
            return .list(try stableSort(try sequence(), reverse: reverse) { item in
                sortKey(attribute.map { (try? self.lookupPath(item, $0)) ?? .undefined("") } ?? item, caseSensitive: caseSensitive)
            })
        case "unique":
            let caseSensitive = flag(0, "case_sensitive")
            let attribute: String? = { if case .string(let a)? = args.value(1, "attribute") { return a }; return nil }()
            var seen: [JinjaValue] = []
            var out: [JinjaValue] = []
            for item in try sequence() {
                let key = sortKey(try attribute.map { try lookupPath(item, $0) } ?? item, caseSensitive: caseSensitive)
                if !seen.contains(where: { PythonOperators.equals($0, key) }) { seen.append(key); out.append(item) }
            }
            return .iterator(JinjaIterator(out))
        case "sum":
            var total = args.value(1, "start") ?? .int(0)
            let attribute: String? = { if case .string(let a)? = args.value(0, "attribute") { return a }; return nil }()
            for item in try sequence() { total = try PythonOperators.binary("+", total, try attribute.map { try lookupPath(item, $0) } ?? item) }
            return total
        case "min", "max":
            let caseSensitive = flag(0, "case_sensitive")
            let attribute: String? = { if case .string(let a)? = args.value(1, "attribute") { return a }; return nil }()
            var best: (JinjaValue, JinjaValue)?
            for item in try sequence() {
                let key = sortKey(try attribute.map { try lookupPath(item, $0) } ?? item, caseSensitive: caseSensitive)
                if let (_, bestKey) = best {
                    let better = name == "min" ? try PythonOperators.less(key, bestKey) : try PythonOperators.less(bestKey, key)
                    if better { best = (item, key) }
                } else {
                    best = (item, key)
                }
            }
            return best?.0 ?? .undefined("No aggregated item, sequence was empty.")
        case "attr":
            guard case .string(let attribute)? = args.positional.first else { throw JinjaFailure("attr needs a name") }
            if TemplateMethods.method(value, attribute) != nil { return try self.attribute(value, attribute) }
            if case .object(let o) = value { return o.attributes[attribute] ?? .undefined("no attribute '\(attribute)'") }
            return .undefined("'\(value.typeName) object' has no attribute '\(attribute)'")
        case "map":
            // Jinja maps nothing over a falsy value without iterating it.
            if !value.truthy { return .iterator(JinjaIterator([])) }
            let items = try sequence()
            if case .string(let attribute)? = args.keyword.first(where: { $0.0 == "attribute" })?.1 {
                let fallback = args.keyword.first(where: { $0.0 == "default" })?.1
                return .iterator(JinjaIterator(try items.map { item in
                    let v = try lookupPath(item, attribute)
                    if v.isUndefined, let fallback { return fallback }
                    return v
                }))
            }
            guard case .string(let filter)? = args.positional.first else { throw JinjaFailure("map requires a filter argument") }
            let rest = JinjaArguments(positional: Array(args.positional.dropFirst()), keyword: args.keyword)
            return .iterator(JinjaIterator(try items.map { try applyFilter(filter, $0, rest) }))
        case "select", "reject":
            // Jinja selects nothing from a falsy value without iterating it.
            if !value.truthy { return .iterator(JinjaIterator([])) }
            let keep = name == "select"
            return .iterator(JinjaIterator(try sequence().filter { item in
                guard case .string(let test)? = args.positional.first else { return item.truthy == keep }
                let rest = JinjaArguments(positional: Array(args.positional.dropFirst()), keyword: args.keyword)
                return try applyTest(test, item, rest) == keep
            }))
        case "selectattr", "rejectattr":
            let keep = name == "selectattr"
            if !value.truthy { return .iterator(JinjaIterator([])) }
            guard case .string(let attribute)? = args.positional.first else { throw JinjaFailure("\(name) needs an attribute name") }
            return .iterator(JinjaIterator(try sequence().filter { item in
                let v = try lookupPath(item, attribute)
                guard args.positional.count > 1, case .string(let test) = args.positional[1] else { return v.truthy == keep }
                let rest = JinjaArguments(positional: Array(args.positional.dropFirst(2)), keyword: args.keyword)
                return try applyTest(test, v, rest) == keep
            }))
        case "batch":
            guard let size = args.value(0, "linecount")?.integer, size > 0 else { throw JinjaFailure("batch needs a positive size") }
            let items = try sequence()
            var out: [JinjaValue] = []
            var start = 0
            while start < items.count {
                var chunk = Array(items[start..<min(start + size, items.count)])
                if chunk.count < size, let fill = args.value(1, "fill_with") { chunk += Array(repeating: fill, count: size - chunk.count) }
                out.append(.list(chunk))
                start += size
            }
            return .list(out)
        case "center":
            let width = args.value(0, "width")?.integer ?? 80
            let s = text()
            let n = s.unicodeScalars.count
            guard width > n else { return .string(s) }
            let total = width - n
            let left = total / 2 + (total & width & 1)
            return .string(String(repeating: " ", count: left) + s + String(repeating: " ", count: total - left))
        case "format":
            var packed: JinjaValue = .tuple(args.positional)
            if args.positional.count == 1 { packed = .tuple([args.positional[0]]) }
            return .string(try PythonPercentFormat.format(text(), packed))
        default:
            throw JinjaFailure("No filter named '\(name)'.")
        }
    }

    /// The key Jinja sorts by: strings lowered unless case-sensitive.
    private func sortKey(_ v: JinjaValue, caseSensitive: Bool) -> JinjaValue {
        if !caseSensitive, case .string(let s) = v { return .string(TemplateMethods.pythonLower(s)) }
        return v
    }

    /// Python's stable `sorted(key=..., reverse=...)`, failing on unorderable values.
    private func stableSort(_ items: [JinjaValue], reverse: Bool, key: (JinjaValue) throws -> JinjaValue) throws -> [JinjaValue] {
        let keyed = try items.enumerated().map { ($0.offset, $0.element, try key($0.element)) }
        var failure: Error?
        let sorted = keyed.sorted { a, b in
            do {
                if reverse ? try PythonOperators.less(b.2, a.2) : try PythonOperators.less(a.2, b.2) { return true }
                if reverse ? try PythonOperators.less(a.2, b.2) : try PythonOperators.less(b.2, a.2) { return false }
            } catch {
                failure = error
            }
            return a.0 < b.0
        }
        if let failure { throw failure }
        return sorted.map { $0.1 }
    }
}

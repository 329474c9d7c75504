import Foundation

/// Python's operators on template values: arithmetic with int overflow reported instead of
/// trapping, true division, floor division and modulo with Python's signs, string and list
/// concatenation and repetition, deep equality, ordering and `in`.
enum PythonOperators {
    static func unary(_ op: String, _ v: JinjaValue) throws -> JinjaValue {
        if case .undefined(let message) = v { throw JinjaFailure(message) }
        switch (op, v) {
        case ("-", .int(let n)):
            guard n != Int.min else { throw JinjaFailure("integer overflow") }
            return .int(-n)
        case ("-", .bool(let b)): return .int(b ? -1 : 0)
        case ("-", .double(let d)): return .double(-d)
        case ("+", .int), ("+", .double): return v
        case ("+", .bool(let b)): return .int(b ? 1 : 0)
        default: throw JinjaFailure("bad operand type for unary \(op): '\(v.typeName)'")
        }
    }

    private static func unsupported(_ op: String, _ a: JinjaValue, _ b: JinjaValue) -> JinjaFailure {
        if op == "+", case .string = a { return JinjaFailure("can only concatenate str (not \"\(b.typeName)\") to str") }
        if op == "+", case .list = a { return JinjaFailure("can only concatenate list (not \"\(b.typeName)\") to list") }
        return JinjaFailure("unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'")
    }

    private static func checked(_ result: (partialValue: Int, overflow: Bool)) throws -> JinjaValue {
        guard !result.overflow else { throw JinjaFailure("integer overflow") }
        return .int(result.partialValue)
    }

    static func binary(_ op: String, _ a: JinjaValue, _ b: JinjaValue) throws -> JinjaValue {
        if op == "~" { return .string(PythonFormatting.str(a) + PythonFormatting.str(b)) }
        if case .undefined(let message) = a { throw JinjaFailure(message) }
        if case .undefined(let message) = b { throw JinjaFailure(message) }
        switch op {
        case "+":
            switch (a, b) {
            case (.string(let x), .string(let y)): return .string(x + y)
            case (.list(let x), .list(let y)): return .list(x + y)
            case (.tuple(let x), .tuple(let y)): return .tuple(x + y)
            default: break
            }
            if let x = a.integer, let y = b.integer { return try checked(x.addingReportingOverflow(y)) }
            if let x = a.numeric, let y = b.numeric { return .double(x + y) }
        case "-":
            if let x = a.integer, let y = b.integer { return try checked(x.subtractingReportingOverflow(y)) }
            if let x = a.numeric, let y = b.numeric { return .double(x - y) }
        case "*":
            if let x = a.integer, let y = b.integer { return try checked(x.multipliedReportingOverflow(by: y)) }
            if let x = a.numeric, let y = b.numeric { return .double(x * y) }
            if let (sequence, count) = repetition(a, b) ?? repetition(b, a) {
                let unit: Int
                switch sequence {
                case .string(let s): unit = max(1, s.utf8.count)
                case .list(let items), .tuple(let items): unit = max(1, items.count)
                default: unit = 1
                }
                guard count < 10_000_000 / unit else { throw JinjaFailure("repetition result too large") }
                switch sequence {
                case .string(let s): return .string(String(repeating: s, count: max(0, count)))
                case .list(let items): return .list(Array([[JinjaValue]](repeating: items, count: max(0, count)).joined()))
                case .tuple(let items): return .tuple(Array([[JinjaValue]](repeating: items, count: max(0, count)).joined()))
                default: break
                }
            }
        case "/":
            if let x = a.numeric, let y = b.numeric {
                guard y != 0 else { throw JinjaFailure("division by zero") }
                return .double(x / y)
            }
        case "//":
            if let x = a.integer, let y = b.integer {
                guard y != 0 else { throw JinjaFailure("integer division or modulo by zero") }
                guard !(x == Int.min && y == -1) else { throw JinjaFailure("integer overflow") }
                let q = x / y
                return .int((x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q)
            }
            if let x = a.numeric, let y = b.numeric {
                guard y != 0 else { throw JinjaFailure("float floor division by zero") }
                return .double((x / y).rounded(.down))
            }
        case "%":
            if let x = a.integer, let y = b.integer {
                guard y != 0 else { throw JinjaFailure("integer division or modulo by zero") }
                guard !(x == Int.min && y == -1) else { return .int(0) }
                let r = x % y
                return .int(r != 0 && (r < 0) != (y < 0) ? r + y : r)
            }
            if let x = a.numeric, let y = b.numeric {
                guard y != 0 else { throw JinjaFailure("float modulo") }
                let r = fmod(x, y)
                return .double(r != 0 && (r < 0) != (y < 0) ? r + y : r)
            }
            if case .string(let format) = a { return .string(try PythonPercentFormat.format(format, b)) }
        case "**":
            if let x = a.integer, let y = b.integer, y >= 0 {
                if x == -1 { return .int(y % 2 == 0 ? 1 : -1) }
                var result = 1
                for _ in 0..<y {
                    let (p, overflow) = result.multipliedReportingOverflow(by: x)
                    guard !overflow else { throw JinjaFailure("integer overflow") }
                    result = p
                    if result == 0 || result == 1 { break }
                }
                return .int(result)
            }
            if let x = a.numeric, let y = b.numeric {
                let result = pow(x, y)
                if result.isInfinite && x.isFinite && y.isFinite { throw JinjaFailure("(34, 'Numerical result out of range')") }
                return .double(result)
            }
        default:
            break
        }
        throw unsupported(op, a, b)
    }

    private static func repetition(_ a: JinjaValue, _ b: JinjaValue) -> (JinjaValue, Int)? {
        switch a {
        case .string, .list, .tuple:
            if let n = b.integer { return (a, n) }
            return nil
        default: return nil
        }
    }

    static func compare(_ op: String, _ a: JinjaValue, _ b: JinjaValue) throws -> Bool {
        switch op {
        case "==": return equals(a, b)
        case "!=": return !equals(a, b)
        case "<": return try less(a, b)
        case ">": return try less(b, a)
        case "<=": return try !less(b, a)
        case ">=": return try !less(a, b)
        case "in": return try contains(b, a)
        case "not in": return try !contains(b, a)
        default: throw JinjaFailure("unknown comparison '\(op)'")
        }
    }

    /// Python `==`: numbers compare across int, float and bool; dicts ignore key order.
    static func equals(_ a: JinjaValue, _ b: JinjaValue) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let x), .string(let y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equals($0, $1) }
        case (.dict(let x), .dict(let y)):
            return x.keys.count == y.keys.count && x.keys.allSatisfy { k in
                guard let u = x[k], let v = y[k] else { return false }
                return equals(u, v)
            }
        case (.object(let x), .object(let y)): return x === y
        case (.callable(let x), .callable(let y)): return x === y
        case (.iterator(let x), .iterator(let y)): return x === y
        default:
            if let x = a.numeric, let y = b.numeric { return x == y && (a.integer == nil || b.integer == nil || a.integer == b.integer) }
            return false
        }
    }

    /// Python `<` for numbers, strings (by code point) and sequences (element by element).
    static func less(_ a: JinjaValue, _ b: JinjaValue) throws -> Bool {
        if case .undefined(let message) = a { throw JinjaFailure(message) }
        if case .undefined(let message) = b { throw JinjaFailure(message) }
        switch (a, b) {
        case (.string(let x), .string(let y)):
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            for (u, v) in zip(x, y) where !equals(u, v) { return try less(u, v) }
            return x.count < y.count
        default:
            if let x = a.integer, let y = b.integer { return x < y }
            if let x = a.numeric, let y = b.numeric { return x < y }
            throw JinjaFailure("'<' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    /// Python `item in container`.
    static func contains(_ container: JinjaValue, _ item: JinjaValue) throws -> Bool {
        switch container {
        case .undefined: return false
        case .string(let s):
            guard case .string(let t) = item else {
                throw JinjaFailure("'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return substringIndex(Array(s.unicodeScalars), Array(t.unicodeScalars), from: 0) != nil
        case .list(let items), .tuple(let items): return items.contains { equals($0, item) }
        case .iterator(let it): return it.take().contains { equals($0, item) }
        case .dict(let d):
            switch item {
            case .string(let k): return d[k] != nil
            case .list, .dict: throw JinjaFailure("unhashable type: '\(item.typeName)'")
            default: return false
            }
        default:
            throw JinjaFailure("argument of type '\(container.typeName)' is not iterable")
        }
    }

    /// The first index at or after `from` where `needle` occurs in `haystack`, by code points.
    static func substringIndex(_ haystack: [Unicode.Scalar], _ needle: [Unicode.Scalar], from: Int) -> Int? {
        if needle.isEmpty { return from <= haystack.count ? from : nil }
        guard haystack.count >= needle.count else { return nil }
        var i = from
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}

/// Python's `"..." % values` for the conversions templates use: `%s %r %d %i %f %%`.
enum PythonPercentFormat {
    static func format(_ format: String, _ values: JinjaValue) throws -> String {
        var args: [JinjaValue]
        if case .tuple(let items) = values { args = items } else { args = [values] }
        var out = ""
        var scalars = Array(format.unicodeScalars)[...]
        while let c = scalars.popFirst() {
            guard c == "%" else { out.unicodeScalars.append(c); continue }
            guard let spec = scalars.popFirst() else { throw JinjaFailure("incomplete format") }
            if spec == "%" { out += "%"; continue }
            guard !args.isEmpty else { throw JinjaFailure("not enough arguments for format string") }
            let arg = args.removeFirst()
            switch spec {
            case "s": out += PythonFormatting.str(arg)
            case "r": out += PythonFormatting.repr(arg)
            case "d", "i":
                guard let d = arg.numeric else { throw JinjaFailure("%d format: a real number is required, not \(arg.typeName)") }
                out += arg.integer.map(String.init) ?? String(Int(d.rounded(.towardZero)))
            case "f":
                guard let d = arg.numeric else { throw JinjaFailure("must be real number, not \(arg.typeName)") }
                out += String(format: "%.6f", d)
            default: throw JinjaFailure("unsupported format character '\(Character(spec))'")
            }
        }
        guard args.isEmpty else { throw JinjaFailure("not all arguments converted during string formatting") }
        return out
    }
}

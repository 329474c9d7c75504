import Foundation

/// Jinja's tests (`x is defined`, `x is string`, `x is divisibleby 3`...) and the global
/// functions transformers provides to templates: `raise_exception`, `strftime_now`,
/// `namespace`, `dict` and `range`.
extension TemplateRenderer {
    func applyTest(_ name: String, _ value: JinjaValue, _ args: JinjaArguments) throws -> Bool {
        func other() throws -> JinjaValue {
            guard let v = args.positional.first else { throw JinjaFailure("test '\(name)' needs an argument") }
            return v
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true }; return false
        case "boolean": if case .bool = value { return true }; return false
        case "true": if case .bool(true) = value { return true }; return false
        case "false": if case .bool(false) = value { return true }; return false
        case "integer": if case .int = value { return true }; return false
        case "float": if case .double = value { return true }; return false
        case "number": return value.numeric != nil
        case "string": if case .string = value { return true }; return false
        case "mapping": if case .dict = value { return true }; return false
        case "iterable":
            if case .iterator = value { return true }
            return value.iterated != nil
        case "sequence":
            switch value {
            case .undefined, .string, .list, .tuple, .dict: return true
            default: return false
            }
        case "callable": if case .callable = value { return true }; return false
        case "odd", "even":
            // Python's `value % 2 == 1`, so floats qualify too.
            let remainder = try PythonOperators.binary("%", value, .int(2))
            return PythonOperators.equals(remainder, .int(name == "odd" ? 1 : 0))
        case "divisibleby":
            let remainder = try PythonOperators.binary("%", value, try other())
            return PythonOperators.equals(remainder, .int(0))
        case "equalto", "eq", "==": return PythonOperators.equals(value, try other())
        case "ne", "!=": return !PythonOperators.equals(value, try other())
        case "lt", "lessthan", "<": return try PythonOperators.less(value, try other())
        case "gt", "greaterthan", ">": return try PythonOperators.less(try other(), value)
        case "le", "<=": return try !PythonOperators.less(try other(), value)
        case "ge", ">=": return try !PythonOperators.less(value, try other())
        case "in": return try PythonOperators.contains(try other(), value)
        case "sameas":
            let o = try other()
            switch (value, o) {
            case (.none, .none): return true
            case (.bool(let a), .bool(let b)): return a == b
            case (.object(let a), .object(let b)): return a === b
            default: return false
            }
        case "lower", "upper":
            // Python's `str(value).islower()`: some cased letter, and every cased letter lower.
            var sawCased = false
            for scalar in PythonFormatting.str(value).unicodeScalars where scalar.properties.isCased {
                sawCased = true
                if name == "lower" ? !scalar.properties.isLowercase : !scalar.properties.isUppercase { return false }
            }
            return sawCased
        case "escaped": return false
        case "filter", "test":
            guard case .string(let n) = value else { return false }
            if name == "test" { return (try? applyTest(n, .none, JinjaArguments())) != nil || Self.testNames.contains(n) }
            return Self.filterNames.contains(n)
        default:
            throw JinjaFailure("No test named '\(name)'.")
        }
    }

    static let testNames: Set<String> = ["defined", "undefined", "none", "boolean", "true", "false", "integer", "float",
                                         "number", "string", "mapping", "iterable", "sequence", "callable", "odd", "even",
                                         "divisibleby", "equalto", "eq", "ne", "lt", "gt", "le", "ge", "in", "sameas",
                                         "lower", "upper", "escaped", "filter", "test"]
    static let filterNames: Set<String> = ["trim", "length", "count", "tojson", "upper", "lower", "capitalize", "title",
                                           "default", "d", "join", "items", "list", "string", "safe", "e", "escape",
                                           "first", "last", "reverse", "int", "float", "abs", "round", "replace", "indent",
                                           "wordcount", "dictsort", "sort", "unique", "sum", "min", "max", "attr", "map",
                                           "select", "reject", "selectattr", "rejectattr", "batch", "center", "format"]

    func installGlobals() {
        builtins.variables["raise_exception"] = .callable(JinjaCallable("raise_exception") { args in
            let message = args.positional.first.map(PythonFormatting.str) ?? ""
            throw JinjaFailure(message, raised: true)
        })
        builtins.variables["strftime_now"] = .callable(JinjaCallable("strftime_now") { args in
            guard case .string(let format)? = args.value(0, "format") else { throw JinjaFailure("strftime_now needs a format string") }
            return .string(Self.strftimeNow(format))
        })
        builtins.variables["namespace"] = .callable(JinjaCallable("namespace") { args in
            var attributes = JinjaDict()
            if let first = args.positional.first {
                guard case .dict(let d) = first else { throw JinjaFailure("namespace() takes a mapping") }
                attributes = d
            }
            for (k, v) in args.keyword { attributes[k] = v }
            if let bad = attributes.keys.first(where: { $0.hasPrefix("_") }) {
                throw JinjaFailure("Chat templates cannot store underscore-prefixed attributes on a namespace, but got '\(bad)'. Please rename the attribute.")
            }
            return .object(JinjaObject(typeName: "Namespace", isNamespace: true, attributes: attributes))
        })
        builtins.variables["dict"] = .callable(JinjaCallable("dict") { args in
            var d = JinjaDict()
            if let first = args.positional.first {
                switch first {
                case .dict(let given): d = given
                default:
                    for pair in first.iterated ?? [] {
                        guard let kv = pair.iterated, kv.count == 2, case .string(let k) = kv[0] else {
                            throw JinjaFailure("dict() needs key/value pairs with string keys")
                        }
                        d[k] = kv[1]
                    }
                }
            }
            for (k, v) in args.keyword { d[k] = v }
            return .dict(d)
        })
        builtins.variables["range"] = .callable(JinjaCallable("range") { args in
            let numbers = try args.positional.map { v -> Int in
                guard let n = v.integer else { throw JinjaFailure("'\(v.typeName)' object cannot be interpreted as an integer") }
                return n
            }
            let (start, stop, step): (Int, Int, Int)
            switch numbers.count {
            case 1: (start, stop, step) = (0, numbers[0], 1)
            case 2: (start, stop, step) = (numbers[0], numbers[1], 1)
            case 3: (start, stop, step) = (numbers[0], numbers[1], numbers[2])
            default: throw JinjaFailure("range expected 1 to 3 arguments, got \(numbers.count)")
            }
            guard step != 0 else { throw JinjaFailure("range() arg 3 must not be zero") }
            // The sandbox caps ranges at 100000 items; estimate in floating point so that
            // extreme bounds cannot overflow before the check.
            let estimate = (Double(stop) - Double(start)) / Double(step)
            guard estimate <= 100_000 else { throw JinjaFailure("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).") }
            let count = estimate <= 0 ? 0 : Array(stride(from: start, to: stop, by: step)).count
            return .list((0..<count).map { .int(start + $0 * step) })
        })
    }

    /// The local time formatted with C's `strftime`, which is what Python's `strftime` uses.
    static func strftimeNow(_ format: String) -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 512)
        let n = strftime(&buffer, buffer.count, format, &parts)
        return n == 0 && !format.isEmpty ? "" : String(cString: buffer)
    }
}

import Foundation

/// Jinja's tests (`x is defined`, `x is string`, `x is divisibleby 3`...), with Python's
/// semantics for each.
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
}

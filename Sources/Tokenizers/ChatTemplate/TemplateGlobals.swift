import Foundation

/// The global functions templates can call, as transformers' environment provides them:
/// `raise_exception` (whose message becomes the thrown error), `strftime_now`, `namespace`
/// (underscore-prefixed attributes refused, as transformers does), `dict` and `range` (capped
/// at 100000 items, as Jinja's sandbox does).
extension TemplateRenderer {
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

import Foundation
import Tensors

/// A Python-style parameter list for a native function, written as the script sees it
/// (`"input, dim=None, keepdim=False, *, dtype=None"`), parsed once when the binding is made.
/// It binds a call's positional and keyword arguments to names, fills defaults, and raises
/// the TypeErrors Python raises for missing, duplicate or unexpected arguments.
public struct Signature {
    /// One parameter: its name, its default (nil: required) and how it may be passed.
    public struct Parameter {
        public var name: String
        public var defaultValue: Value?
        public var keywordOnly: Bool
        /// `*name`: collects the remaining positional arguments into a tuple.
        public var variadic: Bool
        /// `**name`: collects keyword arguments no other parameter takes into a dict.
        public var keywordVariadic = false
    }

    public let parameters: [Parameter]
    /// The text the signature was written as, shown in help.
    public let text: String

    /// Parses `text`; defaults may be None, True, False, numbers or quoted strings.
    public init(_ text: String) {
        self.text = text
        var params: [Parameter] = []
        var keywordOnly = false
        for raw in text.split(separator: ",") {
            let part = raw.trimmingCharacters(in: .whitespaces)
            if part.isEmpty { continue }
            if part == "*" { keywordOnly = true; continue }
            if part.hasPrefix("**") {
                params.append(Parameter(name: String(part.dropFirst(2)), defaultValue: nil, keywordOnly: true,
                                        variadic: false, keywordVariadic: true))
                continue
            }
            if part.hasPrefix("*") {
                params.append(Parameter(name: String(part.dropFirst()), defaultValue: nil, keywordOnly: false, variadic: true))
                keywordOnly = true
                continue
            }
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let value = pieces.count == 2 ? Signature.literal(pieces[1]) : nil
            params.append(Parameter(name: pieces[0], defaultValue: value, keywordOnly: keywordOnly, variadic: false))
        }
        parameters = params
    }

    static func literal(_ s: String) -> Value {
        switch s {
        case "None": return .none
        case "True": return .bool(true)
        case "False": return .bool(false)
        default:
            if let i = Int(s) { return .int(i) }
            if let d = Double(s) { return .float(d) }
            if s.count >= 2, s.first == "'" || s.first == "\"" { return .str(String(s.dropFirst().dropLast())) }
            return .str(s)
        }
    }

    /// Matches a call's arguments to the parameters; `function` names the callee in errors.
    public func bind(_ args: [Value], _ kwargs: [(String, Value)], function: String) throws -> Arguments {
        var values = [Value?](repeating: nil, count: parameters.count)
        var position = 0
        for (i, p) in parameters.enumerated() {
            if p.variadic {
                values[i] = .tuple(Array(args[min(position, args.count)...]))
                position = args.count
                break
            }
            if p.keywordOnly || p.keywordVariadic { break }
            if position < args.count { values[i] = args[position]; position += 1 }
        }
        if position < args.count {
            let positional = parameters.filter { !$0.keywordOnly && !$0.variadic }.count
            throw ScriptBridge.error("TypeError", "\(function)() takes \(positional) positional argument\(positional == 1 ? "" : "s") but \(args.count) were given")
        }
        let collector = parameters.firstIndex { $0.keywordVariadic }
        var collected: [(String, Value)] = []
        for (name, value) in kwargs {
            guard let i = parameters.firstIndex(where: { $0.name == name && !$0.variadic && !$0.keywordVariadic }) else {
                if collector != nil { collected.append((name, value)); continue }
                throw ScriptBridge.error("TypeError", "\(function)() got an unexpected keyword argument '\(name)'")
            }
            if values[i] != nil { throw ScriptBridge.error("TypeError", "\(function)() got multiple values for argument '\(name)'") }
            values[i] = value
        }
        if let c = collector { values[c] = ScriptBridge.dict(collected) }
        for (i, p) in parameters.enumerated() where values[i] == nil {
            if let d = p.defaultValue { values[i] = d; continue }
            if p.variadic { values[i] = .tuple([]); continue }
            throw ScriptBridge.error("TypeError", "\(function)() missing 1 required \(p.keywordOnly ? "keyword-only" : "positional") argument: '\(p.name)'")
        }
        return Arguments(function: function, names: parameters.map(\.name), values: values.map { $0 ?? .none })
    }
}

/// A call's arguments after binding: read by parameter name and converted to Swift types,
/// with a TypeError naming the parameter when a value has the wrong type.
public struct Arguments {
    public let function: String
    let names: [String]
    let values: [Value]

    /// The raw value of parameter `name`.
    public subscript(_ name: String) -> Value {
        if let i = names.firstIndex(of: name) { return values[i] }
        return .none
    }

    /// Whether `name` was left as None.
    public func isNone(_ name: String) -> Bool { self[name].isNone }

    func mismatch(_ name: String, _ expected: String) -> Error {
        ScriptBridge.error("TypeError", "\(function)(): argument '\(name)' must be \(expected), not \(Interp.typeName(self[name]))")
    }

    func elementMismatch(_ name: String, _ item: Value, position: Int) -> Error {
        if position > 1 {
            return ScriptBridge.error("TypeError", "\(function)(): argument '\(name)' failed to unpack the object at pos \(position) with error \"type must be tuple of ints,but got \(Interp.typeName(item))\"")
        }
        return ScriptBridge.error("TypeError", "\(function)(): argument '\(name)' (position \(position)) must be tuple of ints, not \(Interp.typeName(item))")
    }

    public func int(_ name: String) throws -> Int {
        switch self[name] {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        case let v:
            if let t = ScriptBridge.unwrap(v, as: Tensor.self), t.count == 1, t.dtype.isIntegral { return Int(try t.item()) }
            throw mismatch(name, "int")
        }
    }
    public func optionalInt(_ name: String) throws -> Int? { isNone(name) ? nil : try int(name) }
    public func double(_ name: String) throws -> Double {
        switch self[name] {
        case .int(let i): return Double(i)
        case .float(let d): return d
        case .bool(let b): return b ? 1 : 0
        case let v:
            if let t = ScriptBridge.unwrap(v, as: Tensor.self), t.count == 1 { return try t.item() }
            throw mismatch(name, "float")
        }
    }
    public func optionalDouble(_ name: String) throws -> Double? { isNone(name) ? nil : try double(name) }
    public func bool(_ name: String) throws -> Bool {
        switch self[name] {
        case .bool(let b): return b
        case .int(let i): return i != 0
        default: throw mismatch(name, "bool")
        }
    }
    public func string(_ name: String) throws -> String {
        guard case .str(let s) = self[name] else { throw mismatch(name, "str") }
        return s
    }
    /// A tensor argument; numbers and (nested) lists become tensors as torch.tensor would.
    public func tensor(_ name: String) throws -> Tensor {
        let v = self[name]
        if let t = ScriptBridge.unwrap(v, as: Tensor.self) { return t }
        switch v {
        case .int, .float, .bool: return try Conversions.tensor(from: v, dtype: nil)
        case .obj(let o) where o is PyList || o is PyTuple: return try Conversions.tensor(from: v, dtype: nil)
        default: throw mismatch(name, "Tensor")
        }
    }
    /// Only a real tensor (no conversion), for functions whose torch versions demand one.
    public func strictTensor(_ name: String) throws -> Tensor {
        guard let t = ScriptBridge.unwrap(self[name], as: Tensor.self) else { throw mismatch(name, "Tensor") }
        return t
    }
    public func optionalTensor(_ name: String) throws -> Tensor? { isNone(name) ? nil : try tensor(name) }
    public func dtype(_ name: String) throws -> DType? {
        if isNone(name) { return nil }
        guard let d = Conversions.dtype(self[name]) else { throw mismatch(name, "torch.dtype") }
        return d
    }
    /// A list of ints: a tuple, list, torch.Size or a single int.
    public func ints(_ name: String) throws -> [Int] {
        let v = self[name]
        if case .int(let i) = v { return [i] }
        do { return try Conversions.ints(v) } catch { throw mismatch(name, "tuple of ints") }
    }
    /// Dims as torch takes them: None (all), one int, or a tuple/list of ints.
    public func dims(_ name: String) throws -> [Int]? {
        if isNone(name) { return nil }
        return try ints(name)
    }
    /// A shape for a new tensor: like `shape`, but negative sizes are refused as torch does.
    public func newShape(_ name: String) throws -> [Int] {
        let dims = try shape(name)
        if let bad = dims.first(where: { $0 < 0 }) {
            throw ScriptBridge.error("RuntimeError", "Trying to create tensor with negative dimension \(bad): \(dims.shapeString)")
        }
        try Arguments.checkAllocatable(dims.reduce(1.0) { $0 * Double($1) })
        return dims
    }

    /// Refuses element counts no machine here could hold, instead of failing to allocate.
    static func checkAllocatable(_ count: Double) throws {
        guard count.isFinite, count <= Double(1 << 36) else {
            throw ScriptBridge.error("RuntimeError", "[enforce fail at alloc_cpu.cpp] DefaultCPUAllocator: not enough memory: you tried to allocate \(count.isFinite ? String(format: "%.0f", count * 4) : "inf") bytes.")
        }
    }

    /// A shape given either as varargs (`zeros(2, 3)`) or as one sequence (`zeros((2, 3))`).
    public func shape(_ name: String) throws -> [Int] {
        guard case .obj(let o) = self[name], let t = o as? PyTuple else { return try ints(name) }
        if t.items.count == 1, case .obj = t.items[0] {
            do { return try Conversions.ints(t.items[0]) } catch { throw elementMismatch(name, t.items[0], position: 1) }
        }
        for (i, item) in t.items.enumerated() {
            if case .int = item { continue }
            if let e = ScriptBridge.unwrap(item, as: Tensor.self), e.count == 1, e.dtype.isIntegral { continue }
            throw elementMismatch(name, item, position: i + 1)
        }
        return try Conversions.ints(self[name])
    }
}

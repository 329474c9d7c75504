/// The values a template computes with. Beyond JSON they carry Jinja's undefined (a missing
/// name or key, which prints as nothing and fails when used in arithmetic), tuples (printed
/// with parentheses), objects with attributes (`namespace()`, `loop`) and callables (macros,
/// globals, bound methods).
enum JinjaValue {
    case undefined(String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([JinjaValue])
    case tuple([JinjaValue])
    case dict(JinjaDict)
    case object(JinjaObject)
    case callable(JinjaCallable)
    /// A one-pass iterator, what Jinja's `map`, `select`, `selectattr`, `items`, `unique` and
    /// `reverse` return: always true, without a length, empty once iterated.
    case iterator(JinjaIterator)

    init(_ value: TemplateValue) {
        switch value {
        case .null: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let n): self = .int(n)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .list(items.map(JinjaValue.init))
        case .object(let object):
            var dict = JinjaDict()
            for (key, item) in object.entries { dict[key] = JinjaValue(item) }
            self = .dict(dict)
        }
    }

    var isUndefined: Bool { if case .undefined = self { return true } else { return false } }

    /// Python's truth value.
    var truthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let n): return n != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let items), .tuple(let items): return !items.isEmpty
        case .dict(let d): return !d.keys.isEmpty
        case .object, .callable, .iterator: return true
        }
    }

    /// The Python type name, for error messages.
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .object(let o): return o.typeName
        case .callable: return "function"
        case .iterator(let it): return it.typeName
        }
    }

    /// The elements of anything a `for` loop or a filter can iterate (dicts give their keys,
    /// strings their characters, undefined nothing), or nil.
    var iterated: [JinjaValue]? {
        switch self {
        case .undefined: return []
        case .list(let items), .tuple(let items): return items
        case .dict(let d): return d.keys.map { .string($0) }
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .iterator(let it): return it.take()
        default: return nil
        }
    }

    /// The number as a Double when this is a number (bools count, as in Python).
    var numeric: Double? {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .int(let n): return Double(n)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The number as an Int when it is an int or a bool.
    var integer: Int? {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .int(let n): return n
        default: return nil
        }
    }
}

/// An insertion-ordered dictionary with string keys (JSON's, which is what templates see).
struct JinjaDict {
    private(set) var keys: [String] = []
    private var storage: [String: JinjaValue] = [:]

    subscript(key: String) -> JinjaValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    var entries: [(String, JinjaValue)] { keys.map { ($0, storage[$0]!) } }
}

/// An object with attributes: `namespace()` (whose attributes `set` may change) or a loop.
final class JinjaObject {
    let typeName: String
    let isNamespace: Bool
    var attributes: JinjaDict

    init(typeName: String, isNamespace: Bool, attributes: JinjaDict = JinjaDict()) {
        self.typeName = typeName
        self.isNamespace = isNamespace
        self.attributes = attributes
    }
}

/// Arguments of one call: positional ones, then keyword ones in the order written.
struct JinjaArguments {
    var positional: [JinjaValue] = []
    var keyword: [(String, JinjaValue)] = []

    /// The argument at `index` or named `name`, else nil.
    func value(_ index: Int, _ name: String) -> JinjaValue? {
        if let kw = keyword.first(where: { $0.0 == name }) { return kw.1 }
        return index < positional.count ? positional[index] : nil
    }
}

/// The items of a one-pass iterator; taking them leaves it empty, as a Python generator.
final class JinjaIterator {
    let typeName: String
    private var items: [JinjaValue]?

    init(_ items: [JinjaValue], typeName: String = "generator") {
        self.items = items
        self.typeName = typeName
    }

    func take() -> [JinjaValue] {
        defer { items = nil }
        return items ?? []
    }
}

/// Something a template can call: a macro, a global function or a bound method.
final class JinjaCallable {
    let name: String
    let body: (JinjaArguments) throws -> JinjaValue

    init(_ name: String, _ body: @escaping (JinjaArguments) throws -> JinjaValue) {
        self.name = name
        self.body = body
    }
}

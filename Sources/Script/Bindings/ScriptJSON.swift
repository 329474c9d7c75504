import Display

/// Conversions between script values and JSON for display data, comm messages and metadata.
enum ScriptJSON {
    /// The JSON form of a script value: None, bools, numbers, strings, lists, tuples and dicts
    /// with string keys. Anything else is a TypeError naming its type, as `json.dumps` says.
    static func json(_ v: Value) throws -> JSONValue {
        switch v {
        case .none: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .double(d)
        case .str(let s): return .string(s)
        case .obj(let o):
            if let l = o as? PyList { return .array(try l.items.map(json)) }
            if let t = o as? PyTuple { return .array(try t.items.map(json)) }
            if let d = o as? PyDict {
                return .object(try d.items.map { key, value in
                    guard case .str(let k) = key else {
                        throw Interp.typeError("keys must be str for JSON, not \(Interp.typeName(key))")
                    }
                    return (k, try json(value))
                })
            }
            throw Interp.typeError("Object of type \(Interp.typeName(v)) is not JSON serializable")
        }
    }

    /// The script value of a JSON value (objects become dicts in key order).
    static func value(_ j: JSONValue) -> Value {
        switch j {
        case .null: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .float(d)
        case .string(let s): return .str(s)
        case .array(let a): return .list(a.map(value))
        case .object(let pairs):
            let d = PyDict()
            for (k, x) in pairs { d.set(.str(k), value(x)) }
            return .obj(d)
        }
    }

    /// A script dict's entries as (key, JSON) pairs; None means no entries.
    static func pairs(_ v: Value, what: String) throws -> [(String, JSONValue)] {
        if v.isNone { return [] }
        guard case .object(let pairs) = try json(v) else {
            throw Interp.typeError("\(what) must be a dict, not \(Interp.typeName(v))")
        }
        return pairs
    }
}

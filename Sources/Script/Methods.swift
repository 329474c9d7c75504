import Foundation

/// A live view of a dict's keys, values or items.
final class PyDictView: PyObject {
    enum Kind: String { case keys = "dict_keys", values = "dict_values", items = "dict_items" }
    let dict: PyDict, kind: Kind
    init(_ d: PyDict, _ k: Kind) { dict = d; kind = k }
    var elements: [Value] {
        switch kind {
        case .keys: return dict.orderedKeys
        case .values: return dict.items.map { $0.1 }
        case .items: return dict.items.map { .tuple([$0.0, $0.1]) }
        }
    }
}

/// Methods of the builtin types (str, list, dict, set, tuple, int, float, generators, files).
enum Methods {
    static let strNames: Set<String> = ["split", "rsplit", "join", "strip", "lstrip", "rstrip", "upper", "lower", "title",
        "capitalize", "swapcase", "replace", "startswith", "endswith", "find", "rfind", "index", "rindex", "count",
        "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "istitle", "isnumeric", "isdecimal",
        "isidentifier", "format", "zfill", "center", "ljust", "rjust", "partition", "rpartition", "splitlines",
        "encode", "casefold", "expandtabs", "removeprefix", "removesuffix", "format_map", "isascii", "isprintable"]
    static let listNames: Set<String> = ["append", "extend", "insert", "pop", "remove", "index", "count", "sort", "reverse", "clear", "copy"]
    static let dictNames: Set<String> = ["get", "keys", "values", "items", "pop", "popitem", "setdefault", "update", "clear", "copy",
                                         "most_common", "elements", "subtract", "total", "move_to_end"]
    static let setNames: Set<String> = ["add", "remove", "discard", "pop", "clear", "copy", "update", "union", "intersection",
        "difference", "symmetric_difference", "issubset", "issuperset", "isdisjoint", "intersection_update", "difference_update"]

    static func names(for v: Value) -> [String] {
        switch v {
        case .str: return Array(strNames)
        case .obj(let o):
            if o is PyList { return Array(listNames) }
            if o is PyDict { return Array(dictNames) }
            if o is PySet { return Array(setNames) }
            return []
        default: return []
        }
    }

    static func has(_ v: Value, _ name: String) -> Bool {
        switch v {
        case .str: return strNames.contains(name)
        case .int, .bool: return ["bit_length", "conjugate", "to_bytes"].contains(name)
        case .float: return ["is_integer", "conjugate"].contains(name)
        case .obj(let o):
            if o is PyList { return listNames.contains(name) }
            if let d = o as? PyDict {
                if ["most_common", "elements", "subtract", "total"].contains(name) { return d.kind == .counter }
                if name == "move_to_end" { return d.kind == .ordered }
                return dictNames.contains(name)
            }
            if o is PySet { return setNames.contains(name) }
            if o is PyFrozenSet { return ["union", "intersection", "difference", "symmetric_difference", "issubset", "issuperset", "isdisjoint", "copy"].contains(name) }
            if o is PyTuple { return name == "index" || name == "count" }
            if o is PyGenerator { return ["send", "close", "throw", "__next__", "__iter__"].contains(name) }
            if o is PyIterator { return name == "__next__" || name == "__iter__" }
            if o is FileObject { return FileObject.methodNames.contains(name) }
            if o is PyDictView { return false }
            if o is PyRange { return name == "index" || name == "count" }
            return false
        default: return false
        }
    }

    static func boundMethod(_ v: Value, _ name: String) -> Value? {
        if case .obj(let o) = v {
            if let r = o as? PyRange {
                switch name { case "start": return .int(r.start); case "stop": return .int(r.stop); case "step": return .int(r.step); default: break }
            }
            if let s = o as? PySlice {
                switch name { case "start": return s.start; case "stop": return s.stop; case "step": return s.step; default: break }
            }
            if let d = o as? PyDict, d.kind == .defaultdict, name == "default_factory" { return d.defaultFactory ?? Value.none }
            if let f = o as? FileObject { if name == "closed" { return .bool(f.closed) }; if name == "name" { return .str(f.path) } }
            if let s = o as? PySuper, let r = try? s.lookup(name) { return r }
        }
        if case .float(let d) = v { if name == "real" { return v }; if name == "imag" { return .float(0) }; _ = d }
        if case .int = v { if name == "real" || name == "numerator" { return v }; if name == "imag" { return .int(0) }; if name == "denominator" { return .int(1) } }
        guard has(v, name) else { return nil }
        return .obj(PyBuiltin(name) { a, kw in
            guard let r = try call(v, name, a, kw) else { throw Interp.error("AttributeError", "'\(Interp.typeName(v))' object has no attribute '\(name)'") }
            return r
        })
    }

    static func classMethod(_ c: PyClass, _ name: String) -> Value? {
        if (c === Builtins.dictClass || c.isSubclass(of: Builtins.dictClass)) && name == "fromkeys" {
            return .obj(PyBuiltin("fromkeys") { a, _ in
                let d = PyDict()
                let v = a.count > 1 ? a[1] : .none
                try Interp.forEach(a[0]) { k in d.set(k, v); return true }
                return .obj(d)
            })
        }
        if c === Builtins.strClass && name == "maketrans" { return nil }
        // Unbound builtin methods such as str.upper or list.append.
        let sample: Value?
        switch c.builtinTag {
        case "str": sample = .str("")
        case "list": sample = .list([])
        case "dict": sample = .obj(PyDict())
        case "set": sample = .obj(PySet())
        default: sample = nil
        }
        if let s = sample, has(s, name) {
            return .obj(PyBuiltin(name) { a, kw in
                guard let first = a.first, let r = try call(first, name, Array(a.dropFirst()), kw) else { throw Interp.typeError("descriptor '\(name)' needs an argument") }
                return r
            })
        }
        return nil
    }

    /// Calls a builtin-type method directly; nil if `v` has no builtin method `name`.
    static func call(_ v: Value, _ name: String, _ a: [Value], _ kw: [(String, Value)]) throws -> Value? {
        switch v {
        case .str(let s): return strClassify(name) ? try StrMethods.call(s, name, a, kw) : nil
        case .int(let i):
            if name == "bit_length" { return .int(i == 0 ? 0 : Int.bitWidth - i.magnitude.leadingZeroBitCount) }
            if name == "conjugate" { return v }
            return nil
        case .float(let d):
            if name == "is_integer" { return .bool(d.isFinite && d == d.rounded()) }
            return nil
        case .obj(let o):
            if let l = o as? PyList { return try listMethod(l, name, a, kw) }
            if let d = o as? PyDict { return try dictMethod(d, name, a, kw) }
            if let s = o as? PySet {
                // The mutators that change one element work on the set in place: going
                // through a copy would duplicate its whole table on every call.
                switch name {
                case "add":
                    try Builtins.want("set.add", a, 1, 1); try Interp.checkHashable(a[0])
                    s.set.insert(a[0]); return Value.none
                case "discard":
                    try Builtins.want("set.discard", a, 1, 1); try Interp.checkHashable(a[0])
                    s.set.remove(a[0]); return Value.none
                case "remove":
                    try Builtins.want("set.remove", a, 1, 1); try Interp.checkHashable(a[0])
                    if !s.set.remove(a[0]) { throw Interp.error("KeyError", args: [a[0]]) }
                    return Value.none
                default: break
                }
                return try setMethod(s.set, name, a, isFrozen: false) { s.set = $0 }
            }
            if let s = o as? PyFrozenSet { return try setMethod(s.set, name, a, isFrozen: true) { s.set = $0 } }
            if let t = o as? PyTuple {
                if name == "count" { return .int(try t.items.filter { try Interp.equals($0, a[0]) }.count) }
                if name == "index" {
                    if let i = try t.items.firstIndex(where: { try Interp.equals($0, a[0]) }) { return .int(i) }
                    throw Interp.valueError("tuple.index(x): x not in tuple")
                }
                return nil
            }
            if let g = o as? PyGenerator { return try g.method(name, a) }
            if let it = o as? PyIterator, name == "__next__" {
                if let x = try it.next() { return x }
                throw Interp.error("StopIteration", nil)
            }
            if let f = o as? FileObject { return try f.method(name, a) }
            return nil
        default: return nil
        }
    }
    static func strClassify(_ n: String) -> Bool { strNames.contains(n) }

    static func listMethod(_ l: PyList, _ name: String, _ a: [Value], _ kw: [(String, Value)]) throws -> Value? {
        switch name {
        case "append": try Builtins.want("list.append", a, 1, 1); l.items.append(a[0]); return Value.none
        case "extend": l.items.append(contentsOf: try Interp.toArray(a[0])); return Value.none
        case "insert":
            try Builtins.want("insert", a, 2, 2)
            var i = try Builtins.intArg(a[0]); let n = l.items.count
            if i < 0 { i = max(0, i + n) }; i = min(i, n)
            l.items.insert(a[1], at: i); return Value.none
        case "pop":
            if l.items.isEmpty { throw Interp.error("IndexError", "pop from empty list") }
            if a.isEmpty { return l.items.removeLast() }
            var i = try Builtins.intArg(a[0]); if i < 0 { i += l.items.count }
            if i < 0 || i >= l.items.count { throw Interp.error("IndexError", "pop index out of range") }
            return l.items.remove(at: i)
        case "remove":
            guard let i = try l.items.firstIndex(where: { try Interp.equals($0, a[0]) }) else { throw Interp.valueError("list.remove(x): x not in list") }
            l.items.remove(at: i); return Value.none
        case "index":
            let start = a.count > 1 ? try Builtins.intArg(a[1]) : 0
            for i in max(0, start)..<max(max(0, start), l.items.count) where try Interp.equals(l.items[i], a[0]) { return .int(i) }
            throw Interp.valueError("\(try Interp.repr(a[0])) is not in list")
        case "count": return .int(try l.items.filter { try Interp.equals($0, a[0]) }.count)
        case "sort":
            var items = l.items
            try Builtins.sortValues(&items, key: Builtins.kwarg(kw, "key").flatMap { $0.isNone ? nil : $0 },
                                    reverse: try Builtins.kwarg(kw, "reverse").map(Interp.truthy) ?? false)
            l.items = items; return Value.none
        case "reverse": l.items.reverse(); return Value.none
        case "clear": l.items.removeAll(); return Value.none
        case "copy": return .list(l.items)
        default: return nil
        }
    }

    static func dictMethod(_ d: PyDict, _ name: String, _ a: [Value], _ kw: [(String, Value)]) throws -> Value? {
        switch name {
        case "get":
            try Builtins.want("get", a, 1, 2)
            try Interp.checkHashable(a[0])
            return d.get(a[0]) ?? (a.count > 1 ? a[1] : .none)
        case "keys": return .obj(PyDictView(d, .keys))
        case "values": return .obj(PyDictView(d, .values))
        case "items": return .obj(PyDictView(d, .items))
        case "pop":
            if let v = d.remove(a[0]) { return v }
            if a.count > 1 { return a[1] }
            throw Interp.error("KeyError", args: [a[0]])
        case "popitem":
            guard let k = d.keys.last(where: { $0 != nil }) ?? nil else { throw Interp.error("KeyError", "popitem(): dictionary is empty") }
            let v = d.remove(k)!
            return .tuple([k, v])
        case "setdefault":
            if let v = d.get(a[0]) { return v }
            let v = a.count > 1 ? a[1] : .none
            d.set(a[0], v); return v
        case "update":
            if d.kind == .counter {
                if let s = a.first { try Builtins.counterUpdate(d, s, sign: 1) }
            } else if let s = a.first { try Builtins.fillDict(d, s) }
            for (k, v) in kw { d.set(.str(k), v) }
            return Value.none
        case "subtract": if let s = a.first { try Builtins.counterUpdate(d, s, sign: -1) }; return Value.none
        case "clear": d.clear(); return Value.none
        case "copy": return .obj(d.copy())
        case "most_common":
            var items = d.items.enumerated().map { ($0.offset, $0.element) }
            try items.sort { x, y in let c = try Interp.order(y.1.1, x.1.1); return c < 0 || (c == 0 && x.0 < y.0) }
            var out = items.map { Value.tuple([$0.1.0, $0.1.1]) }
            if let n = a.first, case .int(let k) = n { out = Array(out.prefix(max(0, k))) }
            return .list(out)
        case "elements":
            var out: [Value] = []
            for (k, v) in d.items { if case .int(let n) = v, n > 0 { for _ in 0..<n { out.append(k) } } }
            return .list(out)
        case "total":
            var acc: Value = .int(0); for (_, v) in d.items { acc = try Interp.binary(.add, acc, v) }; return acc
        case "move_to_end":
            let last = try Builtins.kwarg(kw, "last").map(Interp.truthy) ?? (a.count > 1 ? try Interp.truthy(a[1]) : true)
            guard let v = d.remove(a[0]) else { throw Interp.error("KeyError", args: [a[0]]) }
            if last { d.set(a[0], v) } else {
                let rest = d.items; d.clear(); d.set(a[0], v); for (k, x) in rest { d.set(k, x) }
            }
            return Value.none
        default: return nil
        }
    }

    static func setMethod(_ s: OrderedSet, _ name: String, _ a: [Value], isFrozen: Bool, _ store: (OrderedSet) -> Void) throws -> Value? {
        var set = s
        func make(_ x: OrderedSet) -> Value {
            if isFrozen { let f = PyFrozenSet(); f.set = x; return .obj(f) }
            let r = PySet(); r.set = x; return .obj(r)
        }
        func others() throws -> [Set<HKey>] { try a.map { Set(try Interp.toArray($0).map(HKey.init)) } }
        switch name {
        case "add": try Interp.checkHashable(a[0]); set.insert(a[0]); store(set); return Value.none
        case "remove":
            try Interp.checkHashable(a[0])
            if !set.remove(a[0]) { throw Interp.error("KeyError", args: [a[0]]) }
            store(set); return Value.none
        case "discard": set.remove(a[0]); store(set); return Value.none
        case "pop":
            guard let x = set.elements.first else { throw Interp.error("KeyError", "pop from an empty set") }
            set.remove(x); store(set); return x
        case "clear": store(OrderedSet()); return Value.none
        case "copy": return make(set)
        case "update", "union":
            var out = set
            for o in a { try Interp.forEach(o) { x in try Interp.checkHashable(x); out.insert(x); return true } }
            if name == "update" { store(out); return Value.none }
            return make(out)
        case "intersection", "intersection_update":
            let os = try others()
            var out = OrderedSet()
            for x in set.elements where os.allSatisfy({ $0.contains(HKey(x)) }) { out.insert(x) }
            if name == "intersection_update" { store(out); return Value.none }
            return make(out)
        case "difference", "difference_update":
            let os = try others()
            var out = OrderedSet()
            for x in set.elements where !os.contains(where: { $0.contains(HKey(x)) }) { out.insert(x) }
            if name == "difference_update" { store(out); return Value.none }
            return make(out)
        case "symmetric_difference":
            let other = try Interp.toArray(a[0])
            let os = Set(other.map(HKey.init))
            var out = OrderedSet()
            for x in set.elements where !os.contains(HKey(x)) { out.insert(x) }
            for x in other where !set.contains(x) { out.insert(x) }
            return make(out)
        case "issubset": let o = Set(try Interp.toArray(a[0]).map(HKey.init)); return .bool(set.storage.isSubset(of: o))
        case "issuperset": let o = Set(try Interp.toArray(a[0]).map(HKey.init)); return .bool(set.storage.isSuperset(of: o))
        case "isdisjoint": let o = Set(try Interp.toArray(a[0]).map(HKey.init)); return .bool(set.storage.isDisjoint(with: o))
        default: return nil
        }
    }
}

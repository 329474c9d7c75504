/// @dataclass and namedtuple: generated __init__, __repr__ and __eq__.
enum Dataclasses {
    static let fieldClass: PyClass = { let c = PyClass(name: "Field", base: Builtins.objectClass); c.module = "dataclasses"; return c }()
    static let missing = PyObject()

    static func apply(_ cls: PyClass, _ kw: [(String, Value)]) throws -> Value {
        var names: [String] = []
        if let b = cls.base?.dataclassFields { names = b }
        if case .obj(let o)? = cls.dict["__annotations_order__"], let l = o as? PyList {
            for v in l.items { if case .str(let s) = v, !names.contains(s) { names.append(s) } }
        }
        var defaults: [String: Value] = [:]
        var factories: [String: Value] = [:]
        for c in cls.mro.reversed() { for n in names { if let d = c.dict[n] {
            if case .obj(let o) = d, let f = o as? PyInstance, f.cls === fieldClass {
                if let df = f.attrs["default_factory"] { factories[n] = df } else if let dv = f.attrs["default"] { defaults[n] = dv }
                if c === cls { cls.dict.removeValue(forKey: n) }
            } else { defaults[n] = d }
        } } }
        cls.dataclassFields = names
        let frozen = try Builtins.kwarg(kw, "frozen").map(Interp.truthy) ?? false
        if cls.dict["__init__"] == nil {
            cls.dict["__init__"] = .obj(PyBuiltin("__init__") { a, kwa in
                guard case .obj(let so) = a[0], let inst = so as? PyInstance else { return Value.none }
                if a.count - 1 > names.count { throw Interp.typeError("__init__() takes \(names.count + 1) positional arguments but \(a.count) were given") }
                for (i, n) in names.enumerated() {
                    var v: Value? = i + 1 < a.count ? a[i + 1] : nil
                    if let k = kwa.first(where: { $0.0 == n }) {
                        if v != nil { throw Interp.typeError("__init__() got multiple values for argument '\(n)'") }
                        v = k.1
                    }
                    if v == nil { if let d = defaults[n] { v = d } else if let f = factories[n] { v = try Interp.call(f, []) } }
                    guard let val = v else { throw Interp.typeError("__init__() missing 1 required positional argument: '\(n)'") }
                    inst.attrs[n] = val
                }
                for (k, _) in kwa where !names.contains(k) { throw Interp.typeError("__init__() got an unexpected keyword argument '\(k)'") }
                if let post = inst.cls.lookup("__post_init__") { _ = try Interp.call(post, [a[0]]) }
                return Value.none
            })
        }
        if cls.dict["__eq__"] == nil {
            cls.dict["__eq__"] = .obj(PyBuiltin("__eq__") { a, _ in
                guard case .obj(let x) = a[0], let p = x as? PyInstance, case .obj(let y) = a[1], let q = y as? PyInstance, p.cls === q.cls else { return .obj(Builtins.notImplemented) }
                for n in names where !(try Interp.equals(p.attrs[n] ?? Value.none, q.attrs[n] ?? Value.none)) { return .bool(false) }
                return .bool(true)
            })
        }
        if frozen {
            cls.dict["__frozen__"] = .bool(true)
            cls.dict["__hash__"] = .obj(PyBuiltin("__hash__") { a, _ in
                guard case .obj(let x) = a[0], let p = x as? PyInstance else { return .int(0) }
                var h = Hasher(); for n in names { hashValue(p.attrs[n] ?? Value.none, into: &h) }; return .int(h.finalize())
            })
            // Frozen instances are filled by __init__ through the attribute dict directly.
        }
        return .obj(cls)
    }

    static func asdict(_ v: Value) throws -> Value {
        if case .obj(let o) = v {
            if let i = o as? PyInstance, let names = i.cls.dataclassFields {
                let d = PyDict(); for n in names { d.set(.str(n), try asdict(i.attrs[n] ?? Value.none)) }; return .obj(d)
            }
            if let l = o as? PyList { return .list(try l.items.map(asdict)) }
            if let t = o as? PyTuple { return .tuple(try t.items.map(asdict)) }
            if let d = o as? PyDict { let r = PyDict(); for (k, x) in d.items { r.set(k, try asdict(x)) }; return .obj(r) }
        }
        return v
    }

    static func namedTuple(_ name: String, _ fields: [String]) -> PyClass {
        let cls = PyClass(name: name, base: Builtins.objectClass)
        cls.module = "__main__"
        cls.dataclassFields = fields
        cls.dict["__init__"] = .obj(PyBuiltin("__init__") { a, kw in
            guard case .obj(let so) = a[0], let inst = so as? PyInstance else { return Value.none }
            for (i, n) in fields.enumerated() {
                guard let v = i + 1 < a.count ? a[i + 1] : kw.first(where: { $0.0 == n })?.1 else {
                    throw Interp.typeError("\(name).__new__() missing 1 required positional argument: '\(n)'")
                }
                inst.attrs[n] = v
            }
            return Value.none
        })
        func items(_ v: Value) -> [Value] {
            guard case .obj(let o) = v, let i = o as? PyInstance else { return [] }
            return fields.map { i.attrs[$0] ?? Value.none }
        }
        cls.dict["__getitem__"] = .obj(PyBuiltin("__getitem__") { a, _ in try Interp.getItem(.tuple(items(a[0])), a[1]) })
        cls.dict["__iter__"] = .obj(PyBuiltin("__iter__") { a, _ in try Interp.iter(.tuple(items(a[0]))) })
        cls.dict["__len__"] = .obj(PyBuiltin("__len__") { _, _ in .int(fields.count) })
        cls.dict["__eq__"] = .obj(PyBuiltin("__eq__") { a, _ in .bool(try Interp.equals(.tuple(items(a[0])), .tuple(items(a[1])))) })
        cls.dict["__hash__"] = .obj(PyBuiltin("__hash__") { a, _ in var h = Hasher(); hashValue(.tuple(items(a[0])), into: &h); return .int(h.finalize()) })
        cls.dict["_asdict"] = .obj(PyBuiltin("_asdict") { a, _ in
            let d = PyDict(); for (n, v) in zip(fields, items(a[0])) { d.set(.str(n), v) }; return .obj(d)
        })
        cls.dict["_fields"] = .tuple(fields.map { .str($0) })
        return cls
    }
}

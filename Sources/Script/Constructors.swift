import Foundation

/// Calling a builtin type: int(...), str(...), list(...), property(...), and so on.
extension Builtins {
    static func registerConstructors() {
        var c: [String: NativeFn] = [:]
        c["int"] = { a, kw in
            if a.isEmpty { return .int(0) }
            if let b = arg(a, 1, kw, "base") {
                guard case .str(let s) = a[0] else { throw Interp.typeError("int() can't convert non-string with explicit base") }
                return .int(try parseInt(s, base: try intArg(b)))
            }
            return try toInt(a[0])
        }
        c["float"] = { a, _ in a.isEmpty ? .float(0) : .float(try toFloat(a[0])) }
        c["str"] = { a, _ in a.isEmpty ? .str("") : .str(try Interp.str(a[0])) }
        c["bool"] = { a, _ in a.isEmpty ? .bool(false) : .bool(try Interp.truthy(a[0])) }
        c["list"] = { a, _ in try want("list", a, 0, 1); return .list(a.isEmpty ? [] : try Interp.toArray(a[0])) }
        c["tuple"] = { a, _ in
            if let x = a.first, case .obj(let o) = x, o is PyTuple { return x }
            return .tuple(a.isEmpty ? [] : try Interp.toArray(a[0]))
        }
        c["dict"] = { a, kw in
            let d = PyDict()
            if let src = a.first { try fillDict(d, src) }
            for (k, v) in kw { d.set(.str(k), v) }
            return .obj(d)
        }
        c["set"] = { a, _ in
            let s = PySet()
            if let src = a.first { try Interp.forEach(src) { x in try Interp.checkHashable(x); s.set.insert(x); return true } }
            return .obj(s)
        }
        c["frozenset"] = { a, _ in
            let s = PyFrozenSet()
            if let src = a.first { try Interp.forEach(src) { x in try Interp.checkHashable(x); s.set.insert(x); return true } }
            return .obj(s)
        }
        c["range"] = { a, _ in
            try want("range", a, 1, 3)
            let n = try a.map { v -> Int in
                if case .float = v { throw Interp.typeError("'float' object cannot be interpreted as an integer") }
                return try intArg(v)
            }
            if n.count == 1 { return .obj(PyRange(0, n[0], 1)) }
            let step = n.count == 3 ? n[2] : 1
            if step == 0 { throw Interp.valueError("range() arg 3 must not be zero") }
            return .obj(PyRange(n[0], n[1], step))
        }
        c["slice"] = { a, _ in
            if a.count == 1 { return .obj(PySlice(.none, a[0], .none)) }
            return .obj(PySlice(a[0], a.count > 1 ? a[1] : .none, a.count > 2 ? a[2] : .none))
        }
        c["object"] = { _, _ in .obj(PyInstance(objectClass)) }
        c["type"] = { a, _ in
            if a.count == 1 { return .obj(Interp.classOf(a[0])) }
            guard a.count == 3, case .str(let name) = a[0], case .obj(let bo) = a[1], let bases = bo as? PyTuple, case .obj(let dobj) = a[2], let d = dobj as? PyDict else {
                throw Interp.typeError("type() takes 1 or 3 arguments")
            }
            var base = objectClass
            if let b = bases.items.first, case .obj(let bc) = b, let cls = bc as? PyClass { base = cls }
            var ns: [String: Value] = [:]
            for (k, v) in d.items { if case .str(let ks) = k { ns[ks] = v } }
            let cls = PyClass(name: name, base: base, dict: ns)
            cls.module = "__main__"
            return .obj(cls)
        }
        c["property"] = { a, kw in .obj(PyProperty(arg(a, 0, kw, "fget"), arg(a, 1, kw, "fset"))) }
        c["staticmethod"] = { a, _ in .obj(PyStaticMethod(a[0])) }
        c["classmethod"] = { a, _ in .obj(PyClassMethod(a[0])) }
        c["defaultdict"] = { a, kw in
            let d = PyDict(); d.kind = .defaultdict
            d.defaultFactory = a.first ?? Value.none
            if a.count > 1 { try fillDict(d, a[1]) }
            for (k, v) in kw { d.set(.str(k), v) }
            return .obj(d)
        }
        c["Counter"] = { a, kw in
            let d = PyDict(); d.kind = .counter
            if let src = a.first { try counterUpdate(d, src, sign: 1) }
            for (k, v) in kw { d.set(.str(k), v) }
            return .obj(d)
        }
        c["OrderedDict"] = { a, kw in
            let d = PyDict(); d.kind = .ordered
            if let src = a.first { try fillDict(d, src) }
            for (k, v) in kw { d.set(.str(k), v) }
            return .obj(d)
        }
        constructors = c
    }

    static func fillDict(_ d: PyDict, _ src: Value) throws {
        if case .obj(let o) = src, let s = o as? PyDict { for (k, v) in s.items { d.set(k, v) }; return }
        if Interp.isInstanceLike(src), (try? Interp.getAttr(src, "keys")) != nil {
            try Interp.forEach(try Interp.callMethod(src, "keys", [])) { k in d.set(k, try Interp.getItem(src, k)); return true }
            return
        }
        var i = 0
        try Interp.forEach(src) { item in
            let pair: [Value]
            do { pair = try Interp.toArray(item) } catch let e as PyError where e.exc.cls === exceptionClass("TypeError") {
                throw Interp.typeError("cannot convert dictionary update sequence element #\(i) to a sequence")
            }
            guard pair.count == 2 else {
                throw Interp.valueError("dictionary update sequence element #\(i) has length \(pair.count); 2 is required")
            }
            try Interp.checkHashable(pair[0])
            d.set(pair[0], pair[1]); i += 1; return true
        }
    }

    static func counterUpdate(_ d: PyDict, _ src: Value, sign: Int) throws {
        if case .obj(let o) = src, let s = o as? PyDict {
            for (k, v) in s.items { d.set(k, try Interp.binary(sign > 0 ? .add : .sub, d.get(k) ?? .int(0), v)) }
            return
        }
        try Interp.forEach(src) { x in
            try Interp.checkHashable(x)
            d.set(x, try Interp.binary(.add, d.get(x) ?? .int(0), .int(sign))); return true
        }
    }
}

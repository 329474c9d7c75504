import Foundation

/// The interpreter's core operations on values: errors, truth, arithmetic, comparison,
/// attributes, items, calls and iteration. Everything else builds on these.
enum Interp {
    // MARK: errors
    static func error(_ name: String, _ msg: String?) -> PyError {
        error(name, args: msg.map { [Value.str($0)] } ?? [])
    }
    static func error(_ name: String, args: [Value]) -> PyError {
        let cls = Builtins.exceptionClass(name)
        let inst = PyInstance(cls)
        inst.attrs["args"] = .tuple(args)
        return PyError(inst)
    }
    static func typeError(_ m: String) -> PyError { error("TypeError", m) }
    static func valueError(_ m: String) -> PyError { error("ValueError", m) }
    static func overflow() -> PyError { error("OverflowError", "integer overflow: result does not fit in a 64-bit int") }

    static func typeName(_ v: Value) -> String {
        switch v {
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .str: return "str"
        case .obj(let o):
            if let n = o as? PyNative { return n.object.typeName }
            if let i = o as? PyIterator { return i.typeName }
            return o.pyClass.name
        }
    }
    static func classOf(_ v: Value) -> PyClass {
        switch v {
        case .none: return Builtins.noneClass
        case .bool: return Builtins.boolClass
        case .int: return Builtins.intClass
        case .float: return Builtins.floatClass
        case .str: return Builtins.strClass
        case .obj(let o): return o.pyClass
        }
    }

    // MARK: truth
    /// Truth of a condition: comparisons give bools, so test that case before the full rules.
    @inline(__always) static func isTrue(_ v: Value) throws -> Bool {
        if case .bool(let b) = v { return b }
        return try truthy(v)
    }
    static func truthy(_ v: Value) throws -> Bool {
        switch v {
        case .bool(let b): return b
        case .none: return false
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .str(let s): return !s.isEmpty
        case .obj(let o):
            if let l = o as? PyList { return !l.items.isEmpty }
            if let t = o as? PyTuple { return !t.items.isEmpty }
            if let d = o as? PyDict { return d.count > 0 }
            if let dv = o as? PyDictView { return dv.dict.count > 0 }
            if let s = o as? PySet { return s.set.count > 0 }
            if let s = o as? PyFrozenSet { return s.set.count > 0 }
            if let r = o as? PyRange { return r.count > 0 }
            if let i = o as? PyInstance {
                if i.cls.lookup("__bool__") != nil { return try truthy(try callMethod(v, "__bool__", [])) }
                if i.cls.lookup("__len__") != nil { return try len(v) > 0 }
            }
            if let n = o as? PyNative, let b = try n.object.getAttribute("__bool__") { return try truthy(try call(b, [])) }
            return true
        }
    }

    // MARK: arithmetic
    static func binary(_ op: BinOpKind, _ a: Value, _ b: Value) throws -> Value {
        if let r = try numeric(op, a, b) { return r }
        if let r = try sequenceOp(op, a, b) { return r }
        // User-defined operators: a.__op__(b), then b.__rop__(a).
        let name = "__\(op.dunder)__", rname = "__r\(op.dunder)__"
        if let r = try tryDunder(a, name, b) { return r }
        if let r = try tryDunder(b, rname, a) { return r }
        throw typeError("unsupported operand type(s) for \(op.rawValue): '\(typeName(a))' and '\(typeName(b))'")
    }

    static func inplace(_ op: BinOpKind, _ a: Value, _ b: Value) throws -> Value {
        if case .obj(let o) = a {
            if let l = o as? PyList, op == .add { l.items.append(contentsOf: try toArray(b)); return a }
            if o is PyInstance || o is PyNative, let r = try tryDunder(a, "__i\(op.dunder)__", b) { return r }
        }
        return try binary(op, a, b)
    }

    /// Calls a dunder on `a` if defined and not returning NotImplemented.
    static func tryDunder(_ a: Value, _ name: String, _ b: Value) throws -> Value? {
        guard case .obj(let o) = a else { return nil }
        if let i = o as? PyInstance, let m = i.cls.lookup(name) {
            let r = try call(m, [a, b])
            if case .obj(let ro) = r, ro === Builtins.notImplemented { return nil }
            return r
        }
        if let n = o as? PyNative, let m = try n.object.getAttribute(name) {
            let r = try call(m, [b])
            if case .obj(let ro) = r, ro === Builtins.notImplemented { return nil }
            return r
        }
        return nil
    }

    static func intPow(_ x: Int, _ y: Int) throws -> Value {
        if y < 0 { return .float(Foundation.pow(Double(x), Double(y))) }
        var result = 1, base = x, e = y
        while e > 0 {
            if e & 1 == 1 { let (r, o) = result.multipliedReportingOverflow(by: base); if o { throw overflow() }; result = r }
            e >>= 1
            if e > 0 { let (r, o) = base.multipliedReportingOverflow(by: base); if o { throw overflow() }; base = r }
        }
        return .int(result)
    }

    static func floorDiv(_ x: Int, _ y: Int) throws -> Int {
        if y == 0 { throw error("ZeroDivisionError", "integer division or modulo by zero") }
        if x == Int.min && y == -1 { throw overflow() }
        let q = x / y
        return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q
    }
    static func floorMod(_ x: Int, _ y: Int) throws -> Int {
        if y == 0 { throw error("ZeroDivisionError", "integer modulo by zero") }
        if y == -1 { return 0 }
        let r = x % y
        return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r
    }
    static func floatMod(_ x: Double, _ y: Double) throws -> Double {
        if y == 0 { throw error("ZeroDivisionError", "float modulo") }
        var r = fmod(x, y)
        if r != 0 && ((r < 0) != (y < 0)) { r += y }
        else if r == 0 { r = copysign(0, y) }
        return r
    }

    static func numeric(_ op: BinOpKind, _ a: Value, _ b: Value) throws -> Value? {
        var x = 0, y = 0
        var isInt = true
        switch a {
        case .int(let i): x = i
        case .bool(let t): x = t ? 1 : 0
        case .float: isInt = false
        default: return nil
        }
        switch b {
        case .int(let i): y = i
        case .bool(let t): y = t ? 1 : 0
        case .float: isInt = false
        default: return nil
        }
        if isInt {
            switch op {
            case .add: let (r, o) = x.addingReportingOverflow(y); if o { throw overflow() }; return .int(r)
            case .sub: let (r, o) = x.subtractingReportingOverflow(y); if o { throw overflow() }; return .int(r)
            case .mul: let (r, o) = x.multipliedReportingOverflow(by: y); if o { throw overflow() }; return .int(r)
            case .div:
                if y == 0 { throw error("ZeroDivisionError", "division by zero") }
                return .float(Double(x) / Double(y))
            case .floordiv: return .int(try floorDiv(x, y))
            case .mod: return .int(try floorMod(x, y))
            case .pow: return try intPow(x, y)
            case .lshift:
                if y < 0 { throw valueError("negative shift count") }
                if x == 0 { return .int(0) }
                if y >= 63 || (x << y) >> y != x { throw overflow() }
                return .int(x << y)
            case .rshift:
                if y < 0 { throw valueError("negative shift count") }
                return .int(y >= 64 ? (x < 0 ? -1 : 0) : x >> y)
            case .band: if case .bool(let p) = a, case .bool(let q) = b { return .bool(p && q) }; return .int(x & y)
            case .bor: if case .bool(let p) = a, case .bool(let q) = b { return .bool(p || q) }; return .int(x | y)
            case .bxor: if case .bool(let p) = a, case .bool(let q) = b { return .bool(p != q) }; return .int(x ^ y)
            case .matmul: return nil
            }
        }
        let p = numericValue(a)!, q = numericValue(b)!
        switch op {
        case .add: return .float(p + q)
        case .sub: return .float(p - q)
        case .mul: return .float(p * q)
        case .div:
            if q == 0 { throw error("ZeroDivisionError", "float division by zero") }
            return .float(p / q)
        case .floordiv:
            if q == 0 { throw error("ZeroDivisionError", "float floor division by zero") }
            return .float(Foundation.floor(p / q))
        case .mod: return .float(try floatMod(p, q))
        case .pow:
            if p == 0 && q < 0 { throw error("ZeroDivisionError", "0.0 cannot be raised to a negative power") }
            if p < 0 && q != q.rounded() { throw valueError("math domain error") }
            let r = Foundation.pow(p, q)
            if r.isInfinite && p.isFinite && q.isFinite { throw error("OverflowError", args: [.tuple([.int(34), .str("Numerical result out of range")])]) }
            return .float(r)
        default: return nil
        }
    }

    static func sequenceOp(_ op: BinOpKind, _ a: Value, _ b: Value) throws -> Value? {
        switch (op, a, b) {
        case (.add, .str(let x), .str(let y)): return .str(x + y)
        case (.mul, .str(let s), .int(let n)), (.mul, .int(let n), .str(let s)):
            if n > 0 && s.utf8.count.multipliedReportingOverflow(by: n).partialValue > 1 << 32 || (n > 0 && s.utf8.count.multipliedReportingOverflow(by: n).overflow) { throw error("MemoryError", nil) }
            return .str(n <= 0 ? "" : String(repeating: s, count: n))
        case (.mod, .str(let s), _): return .str(try percentFormat(s, b))
        case (.add, .obj(let x), .obj(let y)):
            if let p = x as? PyList, let q = y as? PyList { return .list(p.items + q.items) }
            if let p = x as? PyTuple, let q = y as? PyTuple { return .tuple(p.items + q.items) }
            if x is PyList, !(y is PyInstance) { throw typeError("can only concatenate list (not \"\(typeName(b))\") to list") }
            if x is PyTuple, !(y is PyInstance) { throw typeError("can only concatenate tuple (not \"\(typeName(b))\") to tuple") }
            return nil
        case (.add, .str, .int), (.add, .str, .float), (.add, .str, .none), (.add, .str, .bool):
            throw typeError("can only concatenate str (not \"\(typeName(b))\") to str")
        case (.add, .str, .obj(let o)) where !(o is PyInstance) && !(o is PyNative):
            throw typeError("can only concatenate str (not \"\(typeName(b))\") to str")
        case (.add, .obj(let x), _) where x is PyList && !(isInstanceLike(b)):
            throw typeError("can only concatenate list (not \"\(typeName(b))\") to list")
        case (.mul, .obj(let x), .int(let n)), (.mul, .int(let n), .obj(let x)):
            let size = (x as? PyList)?.items.count ?? (x as? PyTuple)?.items.count ?? 0
            if n > 0 && (size.multipliedReportingOverflow(by: n).overflow || size * n > 1 << 31) { throw error("MemoryError", nil) }
            if let l = x as? PyList { var out: [Value] = []; if n > 0 { for _ in 0..<n { out.append(contentsOf: l.items) } }; return .list(out) }
            if let t = x as? PyTuple { var out: [Value] = []; if n > 0 { for _ in 0..<n { out.append(contentsOf: t.items) } }; return .tuple(out) }
            return nil
        case (.mul, .str, _), (.mul, _, .str):
            if !isInstanceLike(a) && !isInstanceLike(b) { throw typeError("can't multiply sequence by non-int of type '\(typeName(isSeq(a) ? b : a))'") }
            return nil
        case (.mul, .obj(let x), _) where (x is PyList || x is PyTuple) && !isInstanceLike(b):
            throw typeError("can't multiply sequence by non-int of type '\(typeName(b))'")
        case (.mul, _, .obj(let y)) where (y is PyList || y is PyTuple) && !isInstanceLike(a):
            throw typeError("can't multiply sequence by non-int of type '\(typeName(a))'")
        case (.bor, .obj(let x), .obj(let y)), (.band, .obj(let x), .obj(let y)), (.sub, .obj(let x), .obj(let y)), (.bxor, .obj(let x), .obj(let y)):
            if let p = setElements(x), let q = setElements(y) {
                var out = OrderedSet()
                let qs = Set(q.map(HKey.init))
                switch op {
                case .bor: for v in p { out.insert(v) }; for v in q { out.insert(v) }
                case .band: for v in p where qs.contains(HKey(v)) { out.insert(v) }
                case .sub: for v in p where !qs.contains(HKey(v)) { out.insert(v) }
                default:
                    let ps = Set(p.map(HKey.init))
                    for v in p where !qs.contains(HKey(v)) { out.insert(v) }
                    for v in q where !ps.contains(HKey(v)) { out.insert(v) }
                }
                if x is PyFrozenSet { let f = PyFrozenSet(); f.set = out; return .obj(f) }
                let s = PySet(); s.set = out; return .obj(s)
            }
            if op == .bor, let p = x as? PyDict, let q = y as? PyDict {
                let d = p.copy(); for (k, v) in q.items { d.set(k, v) }; return .obj(d)
            }
            return nil
        default: return nil
        }
    }
    static func isSeq(_ v: Value) -> Bool {
        if case .str = v { return true }
        if case .obj(let o) = v { return o is PyList || o is PyTuple }
        return false
    }
    static func isInstanceLike(_ v: Value) -> Bool { if case .obj(let o) = v { return o is PyInstance || o is PyNative }; return false }
    static func setElements(_ o: PyObject) -> [Value]? {
        if let s = o as? PySet { return s.set.elements }
        if let s = o as? PyFrozenSet { return s.set.elements }
        return nil
    }

    static func unary(_ op: UnaryKind, _ v: Value) throws -> Value {
        switch (op, v) {
        case (.neg, .int(let i)): if i == Int.min { throw overflow() }; return .int(-i)
        case (.neg, .float(let d)): return .float(-d)
        case (.neg, .bool(let b)): return .int(b ? -1 : 0)
        case (.pos, .int), (.pos, .float): return v
        case (.pos, .bool(let b)): return .int(b ? 1 : 0)
        case (.invert, .int(let i)): return .int(~i)
        case (.invert, .bool(let b)): return .int(~(b ? 1 : 0))
        case (.not, _): return .bool(!(try truthy(v)))
        default:
            let name = op == .neg ? "__neg__" : op == .pos ? "__pos__" : "__invert__"
            if case .obj(let o) = v, o is PyInstance || o is PyNative, (try? getAttr(v, name)) != nil { return try callMethod(v, name, []) }
            let sym = op == .neg ? "-" : op == .pos ? "+" : "~"
            throw typeError("bad operand type for unary \(sym): '\(typeName(v))'")
        }
    }

    // MARK: comparison
    static func compare(_ op: CmpOp, _ a: Value, _ b: Value) throws -> Value {
        switch op {
        case .is_: return .bool(identical(a, b))
        case .isNot: return .bool(!identical(a, b))
        case .isIn: return .bool(try contains(b, a))
        case .notIn: return .bool(!(try contains(b, a)))
        case .eq: return try richEq(a, b)
        case .ne:
            if isInstanceLike(a) || isInstanceLike(b) {
                if let r = try tryDunder(a, "__ne__", b) { return r }
                if let r = try tryDunder(a, "__eq__", b) { return .bool(!(try truthy(r))) }
                if let r = try tryDunder(b, "__eq__", a) { return .bool(!(try truthy(r))) }
                return .bool(!identical(a, b))
            }
            return .bool(!(try equals(a, b)))
        case .lt, .le, .gt, .ge:
            if let x = numericValue(a), let y = numericValue(b) {
                if case .int(let i) = a, case .int(let j) = b { return .bool(cmpOrder(op, i < j ? -1 : i == j ? 0 : 1)) }
                if x.isNaN || y.isNaN { return .bool(false) }
                return .bool(cmpOrder(op, x < y ? -1 : x == y ? 0 : 1))
            }
            if case .str(let x) = a, case .str(let y) = b { return .bool(cmpOrder(op, compareStrings(x, y))) }
            if isInstanceLike(a) || isInstanceLike(b) {
                let names: [CmpOp: (String, String)] = [.lt: ("__lt__", "__gt__"), .le: ("__le__", "__ge__"), .gt: ("__gt__", "__lt__"), .ge: ("__ge__", "__le__")]
                let (n, rn) = names[op]!
                if let r = try tryDunder(a, n, b) { return r }
                if let r = try tryDunder(b, rn, a) { return r }
            }
            if let c = try sequenceCompare(a, b) { return .bool(cmpOrder(op, c)) }
            if case .obj(let x) = a, case .obj(let y) = b, let p = setElements(x), let q = setElements(y) {
                let ps = Set(p.map(HKey.init)), qs = Set(q.map(HKey.init))
                switch op {
                case .le: return .bool(ps.isSubset(of: qs))
                case .lt: return .bool(ps.isStrictSubset(of: qs))
                case .ge: return .bool(ps.isSuperset(of: qs))
                default: return .bool(ps.isStrictSuperset(of: qs))
                }
            }
            throw typeError("'\(op.rawValue)' not supported between instances of '\(typeName(a))' and '\(typeName(b))'")
        }
    }
    static func cmpOrder(_ op: CmpOp, _ c: Int) -> Bool {
        switch op { case .lt: return c < 0; case .le: return c <= 0; case .gt: return c > 0; default: return c >= 0 }
    }
    static func compareStrings(_ x: String, _ y: String) -> Int {
        // Python orders strings by code point.
        var i = x.unicodeScalars.makeIterator(), j = y.unicodeScalars.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let a?, let b?): if a != b { return a.value < b.value ? -1 : 1 }
            }
        }
    }
    /// Three-way comparison for sort(): numbers, strings, tuples/lists, else `<`.
    static func order(_ a: Value, _ b: Value) throws -> Int {
        if case .int(let x) = a, case .int(let y) = b { return x < y ? -1 : x == y ? 0 : 1 }
        if case .str(let x) = a, case .str(let y) = b { return compareStrings(x, y) }
        if let x = numericValue(a), let y = numericValue(b) { return x < y ? -1 : x == y ? 0 : 1 }
        if let c = try sequenceCompare(a, b) { return c }
        if try truthy(try compare(.lt, a, b)) { return -1 }
        if try truthy(try compare(.lt, b, a)) { return 1 }
        return 0
    }
    static func sequenceCompare(_ a: Value, _ b: Value) throws -> Int? {
        guard case .obj(let x) = a, case .obj(let y) = b else { return nil }
        var p: [Value], q: [Value]
        if let l = x as? PyList, let m = y as? PyList { p = l.items; q = m.items }
        else if let l = x as? PyTuple, let m = y as? PyTuple { p = l.items; q = m.items }
        else { return nil }
        for k in 0..<min(p.count, q.count) {
            if try equals(p[k], q[k]) { continue }
            return try order(p[k], q[k])
        }
        return p.count < q.count ? -1 : p.count == q.count ? 0 : 1
    }

    static func identical(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x.bitPattern == y.bitPattern
        case (.str(let x), .str(let y)): return x == y
        case (.obj(let x), .obj(let y)): return x === y
        default: return false
        }
    }

    static func richEq(_ a: Value, _ b: Value) throws -> Value {
        if isInstanceLike(a) || isInstanceLike(b) {
            if let r = try tryDunder(a, "__eq__", b) { return r }
            if let r = try tryDunder(b, "__eq__", a) { return r }
            return .bool(identical(a, b))
        }
        return .bool(try equals(a, b))
    }

    static func equals(_ a: Value, _ b: Value) throws -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y
        case (.str(let x), .str(let y)): return x == y
        case (.none, .none): return true
        case (.none, _), (_, .none): return false
        case (.obj(let x), .obj(let y)):
            if x === y { return true }
            if let p = x as? PyList, let q = y as? PyList { return try seqEq(p.items, q.items) }
            if let p = x as? PyTuple, let q = y as? PyTuple { return try seqEq(p.items, q.items) }
            if let p = x as? PyDict, let q = y as? PyDict {
                if p.count != q.count { return false }
                for (k, v) in p.items { guard let w = q.get(k), try equals(v, w) else { return false } }
                return true
            }
            if let p = setElements(x), let q = setElements(y) { return Set(p.map(HKey.init)) == Set(q.map(HKey.init)) }
            if let p = x as? PyRange, let q = y as? PyRange { return p.count == q.count && (p.count == 0 || (p.start == q.start && (p.count == 1 || p.step == q.step))) }
            if x is PyInstance || y is PyInstance || x is PyNative || y is PyNative { return try truthy(try richEq(a, b)) }
            return false
        default:
            if let x = numericValue(a), let y = numericValue(b) {
                if case .int(let i) = a, case .float(let d) = b { return Double(i) == d && (d.magnitude >= 9.3e18 || Int(d) == i) }
                if case .float(let d) = a, case .int(let i) = b { return Double(i) == d && (d.magnitude >= 9.3e18 || Int(d) == i) }
                return x == y
            }
            if isInstanceLike(a) || isInstanceLike(b) { return try truthy(try richEq(a, b)) }
            return false
        }
    }
    static func seqEq(_ p: [Value], _ q: [Value]) throws -> Bool {
        if p.count != q.count { return false }
        for k in 0..<p.count where !(identical(p[k], q[k])) { if !(try equals(p[k], q[k])) { return false } }
        return true
    }

    static func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .str(let s):
            guard case .str(let sub) = item else { throw typeError("'in <string>' requires string as left operand, not \(typeName(item))") }
            return sub.isEmpty || s.contains(sub)
        case .obj(let o):
            if let d = o as? PyDict { try checkHashable(item); return d.get(item) != nil }
            if let s = o as? PySet { try checkHashable(item); return s.set.contains(item) }
            if let s = o as? PyFrozenSet { try checkHashable(item); return s.set.contains(item) }
            if let l = o as? PyList { for x in l.items { if identical(x, item) { return true }; if try equals(x, item) { return true } }; return false }
            if let t = o as? PyTuple { for x in t.items { if identical(x, item) { return true }; if try equals(x, item) { return true } }; return false }
            if let dv = o as? PyDictView, dv.kind == .keys { return dv.dict.get(item) != nil }
            if let r = o as? PyRange {
                guard case .int(let i) = item else { return false }
                if r.step > 0 ? (i < r.start || i >= r.stop) : (i > r.start || i <= r.stop) { return false }
                return (i - r.start) % r.step == 0
            }
            if let i = o as? PyInstance, i.cls.lookup("__contains__") != nil { return try truthy(try callMethod(container, "__contains__", [item])) }
            if let n = o as? PyNative, let m = try n.object.getAttribute("__contains__") { return try truthy(try call(m, [item])) }
            var found = false
            try forEach(container) { x in if try equals(x, item) { found = true; return false }; return true }
            return found
        default:
            throw typeError("argument of type '\(typeName(container))' is not iterable")
        }
    }

    static func checkHashable(_ v: Value) throws {
        if case .obj(let o) = v {
            if o is PyList || o is PyDict || o is PySet { throw typeError("unhashable type: '\(typeName(v))'") }
            if let t = o as? PyTuple { for x in t.items { try checkHashable(x) } }
            if let i = o as? PyInstance, i.cls.lookup("__eq__") != nil, i.cls.lookup("__hash__") == nil,
               i.cls.dataclassFields == nil || true, i.cls.lookup("__eq__") != nil && !classDefinesHashNone(i.cls) {
                // Python sets __hash__ = None when a class defines __eq__ without __hash__.
                throw typeError("unhashable type: '\(i.cls.name)'")
            }
        }
    }
    static func classDefinesHashNone(_ c: PyClass) -> Bool { false }

    static func len(_ v: Value) throws -> Int {
        switch v {
        case .str(let s): return scalarCount(s)
        case .obj(let o):
            // Exact-class checks first: one pointer compare each instead of a dynamic cast.
            if let l = o.exactly(PyList.self) { return l.items.count }
            if let t = o.exactly(PyTuple.self) { return t.items.count }
            if let d = o.exactly(PyDict.self) { return d.count }
            if let s = o.exactly(PySet.self) { return s.set.count }
            if let l = o as? PyList { return l.items.count }
            if let t = o as? PyTuple { return t.items.count }
            if let d = o as? PyDict { return d.count }
            if let s = o as? PySet { return s.set.count }
            if let s = o as? PyFrozenSet { return s.set.count }
            if let r = o as? PyRange { return r.count }
            if let dv = o as? PyDictView { return dv.dict.count }
            if o is PyInstance || o is PyNative, (try? getAttr(v, "__len__")) != nil {
                let r = try callMethod(v, "__len__", [])
                guard case .int(let n) = r else { throw typeError("'\(typeName(r))' object cannot be interpreted as an integer") }
                if n < 0 { throw valueError("__len__() should return >= 0") }
                return n
            }
        default: break
        }
        throw typeError("object of type '\(typeName(v))' has no len()")
    }

    /// The number of code points in `s` (Python's len): every UTF-8 byte that is not a
    /// continuation byte starts one, which a plain byte loop counts quickly.
    static func scalarCount(_ s: String) -> Int {
        var s = s
        return s.withUTF8 { buf in
            var n = 0
            for b in buf where b & 0xC0 != 0x80 { n += 1 }
            return n
        }
    }

    // MARK: functions and calls
    static func makeFunction(_ code: FunctionCode, _ defaults: [Expr], _ kwDefaults: [(String, Expr)], _ f: Frame) throws -> PyFunction {
        let dv = try defaults.map { try $0.eval(f) }
        var kd: [String: Value] = [:]
        for (n, e) in kwDefaults { kd[n] = try e.eval(f) }
        let closure = code.freeSources.map { captureCell($0, from: f) }
        let fn = PyFunction(code: code, globals: f.globals, defaults: dv, kwDefaults: kd, closure: closure)
        if let d = code.doc { fn.attrs["__doc__"] = .str(d) }
        return fn
    }

    /// The cell for variable key `name` in frame `f` (its own cell or one it received).
    static func captureCell(_ name: String, from f: Frame) -> PyCell {
        if let i = f.code.cellNames.firstIndex(of: name) { return f.cells[i] }
        if let i = f.code.freeNames.firstIndex(of: name) { return f.cells[f.code.cellNames.count + i] }
        return PyCell()
    }

    @exclusivity(unchecked) nonisolated(unsafe) static var depth = 0
    @exclusivity(unchecked) nonisolated(unsafe) static var recursionLimit = 1000

    /// Calls a plain positional function, evaluating the arguments straight into its frame
    /// (after `selfValue`, for a method call), so the call allocates no argument array.
    ///
    /// `lentReceiver` points at a variable holding the receiver that stays unchanged for the
    /// whole call (the caller guarantees it): when the function never rebinds its first
    /// parameter, the frame's slot gets a bitwise copy of it, without a reference, and the
    /// copy is dropped uncounted at the end. That saves two atomic operations per method call.
    @inline(__always)
    static func callDirect(_ fn: PyFunction, _ argExprs: [Expr], _ caller: Frame, selfValue: Value?,
                           selfObject: Unmanaged<PyObject>? = nil, lentReceiver: UnsafePointer<Value?>? = nil) throws -> Value {
        let code = fn.code
        let u = Frame.acquire(code, fn.globals)
        let r: Value
        var lent = false
        do {
            r = try u._withUnsafeGuaranteedRef { frame -> Value in
                // Only `super()` reads the running function; otherwise nothing needs it kept.
                if code.usesSuper { frame.function = fn }
                var i = 0
                if let p = lentReceiver, code.receiverBorrowable {
                    // The slot holds nil (a pooled or new frame), so overwriting it leaks nothing.
                    UnsafeMutableRawPointer(frame.locals).copyMemory(from: p, byteCount: MemoryLayout<Value?>.size)
                    lent = true; i = 1
                } else if let p = lentReceiver { frame.locals[0] = p.pointee; i = 1 }
                else if let s = selfValue { frame.locals[0] = s; i = 1 }
                else if let o = selfObject { frame.locals[0] = .obj(o.takeUnretainedValue()); i = 1 }
                // Everything the call needs from `fn` is taken before the arguments run: the
                // caller lends `fn` without a reference, and an argument may drop the last
                // other one (rebinding the variable or class attribute it came from). From
                // here on the frame holds all it needs, its code included.
                let hasCells = !code.cellNames.isEmpty || !code.freeNames.isEmpty
                if hasCells { prepareCells(fn, code, frame) }
                // The call node's array keeps the argument expressions alive: no retain per argument.
                var k = 0
                let n = argExprs.count
                while k < n {
                    frame.locals[i] = try Unmanaged.passUnretained(argExprs[k])._withUnsafeGuaranteedRef { try $0.eval(caller) }
                    i += 1; k += 1
                }
                if hasCells { fillParameterCells(frame.code, frame) }
                try runBody(frame)
                return frame.takeReturnValue()
            }
        } catch {
            if lent { forgetReceiver(u) }
            Frame.relinquish(u)
            throw error
        }
        if lent { forgetReceiver(u) }
        Frame.relinquish(u)
        return r
    }

    /// Drops the lent receiver copy from the frame's first slot without releasing it.
    @inline(__always) static func forgetReceiver(_ u: Unmanaged<Frame>) {
        u._withUnsafeGuaranteedRef { $0.locals.initialize(to: nil) }
    }

    /// `C(args)` for a user class whose `__init__` is a plain positional function: builds the
    /// instance and runs `__init__` without argument arrays. Nil when the class needs the
    /// general path (custom `__new__`, exceptions, builtin bases, other signatures).
    @inline(__always)
    static func constructDirect(_ c: PyClass, _ argExprs: [Expr], _ caller: Frame) throws -> Value? {
        guard c.isUserLike else { return nil }
        if c.cache.version != classVersion { c.refreshCache() }
        // The cache holds the function until the new frame takes its own reference.
        guard let u = c.cache.directInitRef,
              u._withUnsafeGuaranteedRef({ $0.code.fastArity == argExprs.count + 1 }) else { return nil }
        // `receiver` holds the new instance throughout and is the result: `__init__` borrows it.
        var receiver: Value? = .obj(PyInstance(c))
        let r = try withUnsafePointer(to: &receiver) { p in
            try u._withUnsafeGuaranteedRef { fn in
                try callDirect(fn, argExprs, caller, selfValue: nil, lentReceiver: p)
            }
        }
        if !r.isNone { throw typeError("__init__() should return None, not '\(typeName(r))'") }
        return receiver.unsafelyUnwrapped
    }

    static func setupCells(_ fn: PyFunction, _ code: FunctionCode, _ frame: Frame) {
        prepareCells(fn, code, frame)
        fillParameterCells(code, frame)
    }
    /// Gives the frame its cells: new ones for its captured variables, then the closure's.
    static func prepareCells(_ fn: PyFunction, _ code: FunctionCode, _ frame: Frame) {
        // Without cells of its own, the frame uses the closure's cell array as it is: variables
        // live in the cell objects and the array is never changed, so nothing is allocated.
        if code.cellNames.isEmpty { frame.cells = fn.closure; return }
        var cells: [PyCell] = []
        cells.reserveCapacity(code.cellNames.count + fn.closure.count)
        for _ in code.cellNames { cells.append(PyCell()) }
        cells.append(contentsOf: fn.closure)
        frame.cells = cells
    }
    /// Moves captured parameters into their cells, once the arguments are bound.
    static func fillParameterCells(_ code: FunctionCode, _ frame: Frame) {
        for (slot, ci) in code.paramCells { frame.cells[ci].value = frame.locals[slot] }
    }

    static func callFunction(_ fn: PyFunction, _ args: [Value], _ kw: [(String, Value)]) throws -> Value {
        let code = fn.code
        if code.fastArity == args.count && kw.isEmpty {
            let u = Frame.acquire(code, fn.globals)
            let r: Value
            do {
                r = try u._withUnsafeGuaranteedRef { frame -> Value in
                    if code.usesSuper { frame.function = fn }
                    for i in 0..<args.count { frame.locals[i] = args[i] }
                    if !code.cellNames.isEmpty || !code.freeNames.isEmpty { setupCells(fn, code, frame) }
                    try runBody(frame)
                    return frame.takeReturnValue()
                }
            } catch {
                Frame.relinquish(u)
                throw error
            }
            Frame.relinquish(u)
            return r
        }
        let frame = Frame(code: code, globals: fn.globals)
        frame.function = fn
        try bindArguments(fn, code, frame, args, kw)
        if !code.cellNames.isEmpty || !code.freeNames.isEmpty {
            var cells: [PyCell] = []
            cells.reserveCapacity(code.cellNames.count + fn.closure.count)
            for _ in code.cellNames { cells.append(PyCell()) }
            cells.append(contentsOf: fn.closure)
            frame.cells = cells
            for (slot, ci) in code.paramCells { cells[ci].value = frame.locals[slot] }
        }
        if code.isGenerator { return .obj(PyGenerator(frame)) }
        return try runFrame(frame)
    }

    static func runFrame(_ frame: Frame) throws -> Value {
        try runBody(frame)
        return frame.retval
    }

    /// Runs the frame's code to its end or `return` (the value is left in `frame.retval`),
    /// counting the call against the recursion limit and adding this frame to the traceback
    /// of an exception that leaves it.
    static func runBody(_ frame: Frame) throws {
        depth += 1
        defer { depth -= 1 }
        if depth > recursionLimit { throw error("RecursionError", "maximum recursion depth exceeded") }
        try checkInterrupt()
        do {
            // The code owns its statements and the frame owns its code: nothing is retained.
            let statements = frame.code.statements
            var i = 0
            let n = statements.count
            while i < n {
                let r = try statements[i]._withUnsafeGuaranteedRef { s -> Flow in
                    frame.line = s.line
                    return try s.exec(frame)
                }
                if case .normal = r { i += 1; continue }
                break
            }
        } catch let e as PyError {
            addTrace(e.exc, frame)
            throw e
        }
    }

    static func addTrace(_ exc: PyInstance, _ frame: Frame) {
        if exc.traceback.isEmpty, exc.attrs["name"] != nil, exc.cls.isSubclass(of: Builtins.exceptionClass("NameError")) {
            // Names visible where the error happened, for the "Did you mean" hint.
            var names: [String] = []
            for (i, n) in frame.code.localNames.enumerated() where i < frame.nlocals && !n.contains("@") && frame.locals[i] != nil { names.append(n) }
            if frame.code.name != "<module>" { exc.attrs["__candidate_locals__"] = .list(names.map { .str($0) }) }
            exc.attrs["__candidate_globals__"] = .list(frame.globals.definedNames.map { .str($0) })
        }
        exc.traceback.append(TraceEntry(file: frame.code.source.name, line: frame.line, col: 0, endCol: 0,
                                        function: frame.code.name == "<module>" ? "<module>" : frame.code.name))
    }

    static func bindArguments(_ fn: PyFunction, _ code: FunctionCode, _ frame: Frame, _ args: [Value], _ kw: [(String, Value)]) throws {
        let np = code.params.count
        if code.simplePositional && kw.isEmpty && args.count == np {
            for i in 0..<np { frame.locals[i] = args[i] }
            return
        }
        let fname = code.qualname
        if args.count > np && code.varArgs == nil {
            let req = np - fn.defaults.count
            let takes = fn.defaults.isEmpty ? "\(np)" : "from \(req) to \(np)"
            throw typeError("\(fname)() takes \(takes) positional argument\(np == 1 && fn.defaults.isEmpty ? "" : "s") but \(args.count) \(args.count == 1 ? "was" : "were") given")
        }
        for i in 0..<min(args.count, np) { frame.locals[i] = args[i] }
        var slot = np + code.kwOnly.count
        if code.varArgs != nil {
            frame.locals[slot] = .tuple(args.count > np ? Array(args[np...]) : [])
            slot += 1
        }
        var extra: PyDict? = nil
        if code.varKw != nil { extra = PyDict(); frame.locals[slot] = .obj(extra!) }
        for (k, v) in kw {
            if let i = code.params.firstIndex(of: k), i >= code.posOnlyCount {
                if frame.locals[i] != nil { throw typeError("\(fname)() got multiple values for argument '\(k)'") }
                frame.locals[i] = v
            } else if let i = code.kwOnly.firstIndex(of: k) {
                frame.locals[np + i] = v
            } else if let e = extra {
                e.set(.str(k), v)
            } else {
                throw typeError("\(fname)() got an unexpected keyword argument '\(k)'")
            }
        }
        let firstDefault = np - fn.defaults.count
        var missing: [String] = []
        for i in 0..<np where frame.locals[i] == nil {
            if i >= firstDefault { frame.locals[i] = fn.defaults[i - firstDefault] } else { missing.append(code.params[i]) }
        }
        if !missing.isEmpty {
            let names = missing.map { "'\($0)'" }
            let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
            throw typeError("\(fname)() missing \(missing.count) required positional argument\(missing.count == 1 ? "" : "s"): \(list)")
        }
        var missingKw: [String] = []
        for (i, k) in code.kwOnly.enumerated() where frame.locals[np + i] == nil {
            if let d = fn.kwDefaults[k] { frame.locals[np + i] = d } else { missingKw.append(k) }
        }
        if !missingKw.isEmpty {
            let names = missingKw.map { "'\($0)'" }
            let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
            throw typeError("\(fname)() missing \(missingKw.count) required keyword-only argument\(missingKw.count == 1 ? "" : "s"): \(list)")
        }
    }

    static func call(_ f: Value, _ args: [Value], _ kw: [(String, Value)] = []) throws -> Value {
        guard case .obj(let o) = f else { throw typeError("'\(typeName(f))' object is not callable") }
        if let fn = o.exactly(PyFunction.self) { return try callFunction(fn, args, kw) }
        if let b = o.exactly(PyBuiltin.self) { try checkInterrupt(); return try b.fn(args, kw) }
        if let m = o.exactly(PyBoundMethod.self) {
            if case .obj(let fo) = m.function, let fn = fo.exactly(PyFunction.self) {
                var a = args; a.insert(m.selfValue, at: 0)
                return try callFunction(fn, a, kw)
            }
            return try call(m.function, [m.selfValue] + args, kw)
        }
        if let c = o.exactly(PyClass.self) { return try construct(c, args, kw) }
        if let i = o.exactly(PyInstance.self), let m = i.cls.lookup("__call__") { return try call(m, [f] + args, kw) }
        if let n = o as? PyNative { return try n.object.call(args, kw) }
        throw typeError("'\(typeName(f))' object is not callable")
    }

    static func construct(_ c: PyClass, _ args: [Value], _ kw: [(String, Value)]) throws -> Value {
        let cache = c.cached
        if c.isUserLike || cache.isException {
            if let newFn = cache.newFn, case .obj(let nf) = newFn, nf is PyStaticMethod || nf is PyFunction {
                let fnv: Value = (nf as? PyStaticMethod)?.function ?? newFn
                let obj = try call(fnv, [.obj(c)] + args, kw)
                if case .obj(let oo) = obj, let inst = oo as? PyInstance, inst.cls.isSubclass(of: c), let ini = c.lookup("__init__") {
                    _ = try call(ini, [obj] + args, kw)
                }
                return obj
            }
            let inst = PyInstance(c)
            let v = Value.obj(inst)
            if cache.isException { inst.attrs["args"] = .tuple(args) }
            if let ini = cache.initFn {
                var full: [Value] = []
                full.reserveCapacity(args.count + 1)
                full.append(v); full.append(contentsOf: args)
                let r: Value
                if case .obj(let io) = ini, let fn = io as? PyFunction { r = try callFunction(fn, full, kw) } else { r = try call(ini, full, kw) }
                if !r.isNone { throw typeError("__init__() should return None, not '\(typeName(r))'") }
            } else if !args.isEmpty || !kw.isEmpty, !cache.isException {
                throw typeError("\(c.name)() takes no arguments")
            }
            return v
        }
        if let ctor = c.constructor { return try ctor(args, kw) }
        guard let ctor = Builtins.constructors[c.builtinTag ?? c.name] else { throw typeError("cannot create '\(c.name)' instances") }
        c.constructor = ctor
        return try ctor(args, kw)
    }

    static func callMethod(_ o: Value, _ name: String, _ args: [Value], _ kw: [(String, Value)] = []) throws -> Value {
        if let m = try Methods.call(o, name, args, kw) { return m }
        return try call(try getAttr(o, name), args, kw)
    }

    // MARK: attributes
    static func getAttr(_ v: Value, _ name: String) throws -> Value {
        if let r = try lookupAttr(v, name) { return r }
        if case .obj(let o) = v, let i = o as? PyInstance, let ga = i.cls.cached.getattr {
            return try call(ga, [v, .str(name)])
        }
        let e: PyError
        if case .obj(let o) = v, let m = o as? PyModule {
            e = error("AttributeError", "module '\(m.name)' has no attribute '\(name)'")
        } else if case .obj(let o) = v, let c = o as? PyClass {
            e = error("AttributeError", "type object '\(c.name)' has no attribute '\(name)'")
        } else {
            e = error("AttributeError", "'\(typeName(v))' object has no attribute '\(name)'")
        }
        e.exc.attrs["name"] = .str(name)
        e.exc.attrs["obj"] = v
        throw e
    }

    static func bindIfNeeded(_ attr: Value, _ selfV: Value, _ cls: PyClass) throws -> Value {
        guard case .obj(let o) = attr else { return attr }
        if o is PyFunction || o is PyBuiltin { return .obj(PyBoundMethod(selfV, attr)) }
        if let s = o as? PyStaticMethod { return s.function }
        if let c = o as? PyClassMethod { return .obj(PyBoundMethod(.obj(cls), c.function)) }
        if let p = o as? PyProperty {
            guard let g = p.getter else { throw error("AttributeError", "property has no getter") }
            return try call(g, [selfV])
        }
        return attr
    }

    static func lookupAttr(_ v: Value, _ name: String) throws -> Value? {
        if case .obj(let o) = v {
            if let i = o as? PyInstance {
                if let a = i.attrs[name] {
                    if i.cls.cached.hasProperties, let m = i.cls.lookup(name), case .obj(let mo) = m, mo is PyProperty { return try bindIfNeeded(m, v, i.cls) }
                    return a
                }
                if let a = i.cls.lookup(name) { return try bindIfNeeded(a, v, i.cls) }
                if i.cls.isSubclass(of: Builtins.baseException) { return try ExceptionAttrs.get(i, name) }
                return try Builtins.commonAttr(v, name)
            }
            if let c = o as? PyClass {
                if let a = c.lookup(name) {
                    if case .obj(let ao) = a {
                        if let s = ao as? PyStaticMethod { return s.function }
                        if let cm = ao as? PyClassMethod { return .obj(PyBoundMethod(v, cm.function)) }
                    }
                    return a
                }
                switch name {
                case "__name__": return .str(c.name)
                case "__qualname__": return .str(c.name)
                case "__module__": return .str(c.module)
                case "__doc__": return c.doc.map { .str($0) } ?? Value.none
                case "__bases__": return .tuple(c.base.map { [.obj($0)] } ?? [])
                case "__base__": return c.base.map { .obj($0) } ?? Value.none
                case "__mro__": return .tuple(c.mro.map { .obj($0) })
                case "__dict__": let d = PyDict(); for (k, x) in c.dict { d.set(.str(k), x) }; return .obj(d)
                default: break
                }
                if let m = Methods.classMethod(c, name) { return m }
                return nil
            }
            if let m = o as? PyModule {
                if let a = m.attrs[name] { return a }
                if name == "__name__" { return .str(m.name) }
                if name == "__doc__" { return m.doc.map { .str($0) } ?? Value.none }
                if name == "__dict__" { let d = PyDict(); for (k, x) in m.attrs { d.set(.str(k), x) }; return .obj(d) }
                return nil
            }
            if let fn = o as? PyFunction {
                if let a = fn.attrs[name] { return a }
                switch name {
                case "__name__": return .str(fn.name)
                case "__qualname__": return .str(fn.qualname)
                case "__doc__": return fn.code.doc.map { .str($0) } ?? Value.none
                case "__module__": return .str(fn.globals.moduleName)
                case "__defaults__": return fn.defaults.isEmpty ? Value.none : .tuple(fn.defaults)
                case "__dict__": let d = PyDict(); for (k, x) in fn.attrs { d.set(.str(k), x) }; return .obj(d)
                default: return try Builtins.commonAttr(v, name)
                }
            }
            if let n = o as? PyNative {
                if let a = try n.object.getAttribute(name) { return a }
                if name == "__doc__" { return n.object.doc.map { .str($0) } ?? Value.none }
                return nil
            }
            if let m = o as? PyBoundMethod {
                switch name {
                case "__self__": return m.selfValue
                case "__func__": return m.function
                default: return try lookupAttr(m.function, name)
                }
            }
            if let p = o as? PyProperty {
                switch name {
                case "setter": return .obj(PyBuiltin("setter") { a, _ in .obj(PyProperty(p.getter, a.first)) })
                case "getter": return .obj(PyBuiltin("getter") { a, _ in .obj(PyProperty(a.first, p.setter)) })
                case "fget": return p.getter ?? Value.none
                default: return nil
                }
            }
            if let b = o as? PyBuiltin {
                if name == "__name__" { return .str(b.name) }
                if name == "__doc__" { return b.doc.map { .str($0) } ?? Value.none }
            }
        }
        if let m = Methods.boundMethod(v, name) { return m }
        return try Builtins.commonAttr(v, name)
    }

    static func setAttr(_ v: Value, _ name: String, _ x: Value) throws {
        guard case .obj(let o) = v else {
            throw error("AttributeError", "'\(typeName(v))' object has no attribute '\(name)'")
        }
        if let i = o as? PyInstance {
            let cache = i.cls.cached
            if cache.hasProperties, let p = i.cls.lookup(name), case .obj(let po) = p, let prop = po as? PyProperty {
                guard let s = prop.setter else { throw error("AttributeError", "can't set attribute '\(name)'") }
                _ = try call(s, [v, x]); return
            }
            if let sa = cache.setattr { _ = try call(sa, [v, .str(name), x]); return }
            if cache.frozen { throw error("FrozenInstanceError", "cannot assign to field '\(name)'") }
            i.attrs[name] = x; return
        }
        if let c = o as? PyClass { c.dict[name] = x; return }
        if let m = o as? PyModule { m.attrs[name] = x; return }
        if let fn = o as? PyFunction { if name == "__name__", case .str(let s) = x { fn.name = s } else if name == "__qualname__", case .str(let s) = x { fn.qualname = s }; fn.attrs[name] = x; return }
        if let n = o as? PyNative, try n.object.setAttribute(name, x) { return }
        throw error("AttributeError", "'\(typeName(v))' object has no attribute '\(name)'")
    }

    static func delAttr(_ v: Value, _ name: String) throws {
        if case .obj(let o) = v {
            if let i = o as? PyInstance, i.attrs.removeValue(forKey: name) != nil { return }
            if let c = o as? PyClass, c.dict.removeValue(forKey: name) != nil { return }
            if let m = o as? PyModule, m.attrs.removeValue(forKey: name) != nil { return }
        }
        throw error("AttributeError", "'\(typeName(v))' object has no attribute '\(name)'")
    }

    // MARK: items
    static func index(_ v: Value, _ n: Int, _ what: String) throws -> Int {
        guard case .int(var i) = v else {
            if case .bool(let b) = v { return try index(.int(b ? 1 : 0), n, what) }
            if isInstanceLike(v), let r = try? callMethod(v, "__index__", []) { return try index(r, n, what) }
            throw typeError("\(what) indices must be integers or slices, not \(typeName(v))")
        }
        if i < 0 { i = i < -n ? -1 : i + n }
        if i < 0 || i >= n { throw error("IndexError", "\(what) index out of range") }
        return i
    }

    /// Resolves a slice against a length: start, stop, step, count (Python's PySlice_AdjustIndices).
    static func sliceIndices(_ s: PySlice, _ n: Int) throws -> (Int, Int, Int, Int) {
        func toInt(_ v: Value) throws -> Int? {
            switch v {
            case .none: return nil
            case .int(let i): return i
            case .bool(let b): return b ? 1 : 0
            default:
                if isInstanceLike(v), let r = try? callMethod(v, "__index__", []), case .int(let i) = r { return i }
                throw typeError("slice indices must be integers or None or have an __index__ method")
            }
        }
        let step = try toInt(s.step) ?? 1
        if step == 0 { throw valueError("slice step cannot be zero") }
        var start: Int, stop: Int
        if step > 0 {
            start = try toInt(s.start) ?? 0; stop = try toInt(s.stop) ?? n
            if start < 0 { start = start < -n ? 0 : start + n } else { start = min(start, n) }
            if stop < 0 { stop = stop < -n ? 0 : stop + n } else { stop = min(stop, n) }
            return (start, stop, step, stop > start ? (stop - start + step - 1) / step : 0)
        }
        start = try toInt(s.start) ?? (n - 1); stop = try toInt(s.stop) ?? -n - 1
        if start < 0 { start = start < -n ? -1 : start + n } else { start = min(start, n - 1) }
        if stop < 0 { stop = stop < -n ? -1 : stop + n } else { stop = min(stop, n - 1) }
        return (start, stop, step, start > stop ? (start - stop - step - 1) / (-step) : 0)
    }

    static func sliceArray(_ a: [Value], _ s: PySlice) throws -> [Value] {
        let (start, _, step, count) = try sliceIndices(s, a.count)
        if step == 1 { return Array(a[start..<(start + count)]) }
        var out: [Value] = []; out.reserveCapacity(count)
        var i = start
        for _ in 0..<count { out.append(a[i]); i += step }
        return out
    }

    static func getItem(_ o: Value, _ i: Value) throws -> Value {
        switch o {
        case .str(let s):
            let scalars = Array(s.unicodeScalars)
            if case .obj(let so) = i, let sl = so as? PySlice {
                return .str(String(String.UnicodeScalarView(try sliceArray(scalars.map { .str(String($0)) }, sl).map { v -> Unicode.Scalar in
                    if case .str(let c) = v { return c.unicodeScalars.first! }; return " " })))
            }
            return .str(String(scalars[try index(i, scalars.count, "string")]))
        case .obj(let obj):
            if let l = obj as? PyList {
                if case .obj(let so) = i, let sl = so as? PySlice { return .list(try sliceArray(l.items, sl)) }
                return l.items[try index(i, l.items.count, "list")]
            }
            if let t = obj as? PyTuple {
                if case .obj(let so) = i, let sl = so as? PySlice { return .tuple(try sliceArray(t.items, sl)) }
                return t.items[try index(i, t.items.count, "tuple")]
            }
            if let d = obj as? PyDict {
                try checkHashable(i)
                if let v = d.get(i) { return v }
                if d.kind == .defaultdict, let f = d.defaultFactory, !f.isNone { let v = try call(f, []); d.set(i, v); return v }
                if d.kind == .counter { return .int(0) }
                throw error("KeyError", args: [i])
            }
            if let r = obj as? PyRange {
                if case .obj(let so) = i, let sl = so as? PySlice {
                    let (start, _, step, count) = try sliceIndices(sl, r.count)
                    let a = r.start + start * r.step
                    return .obj(PyRange(a, a + count * step * r.step, step * r.step))
                }
                return .int(r.start + r.step * (try index(i, r.count, "range object")))
            }
            if let inst = obj as? PyInstance, inst.cls.lookup("__getitem__") != nil { return try callMethod(o, "__getitem__", [i]) }
            if let c = obj as? PyClass, let cg = c.lookup("__class_getitem__") { return try call(cg, [o, i]) }
            if obj is PyClass { return o }   // list[int] and friends in annotations
            if let n = obj as? PyNative, let m = try n.object.getAttribute("__getitem__") { return try call(m, [i]) }
        default: break
        }
        throw typeError("'\(typeName(o))' object is not subscriptable")
    }

    static func setItem(_ o: Value, _ i: Value, _ v: Value) throws {
        if case .obj(let obj) = o {
            if let l = obj as? PyList {
                if case .obj(let so) = i, let sl = so as? PySlice {
                    let items = try toArray(v)
                    let (start, stop, step, count) = try sliceIndices(sl, l.items.count)
                    if step == 1 { l.items.replaceSubrange(start..<max(start, stop), with: items); return }
                    if items.count != count { throw valueError("attempt to assign sequence of size \(items.count) to extended slice of size \(count)") }
                    var k = start
                    for x in items { l.items[k] = x; k += step }
                    return
                }
                l.items[try index(i, l.items.count, "list assignment")] = v; return
            }
            if let d = obj as? PyDict { try checkHashable(i); d.set(i, v); return }
            if let inst = obj as? PyInstance, inst.cls.lookup("__setitem__") != nil { _ = try callMethod(o, "__setitem__", [i, v]); return }
            if let n = obj as? PyNative, let m = try n.object.getAttribute("__setitem__") { _ = try call(m, [i, v]); return }
        }
        throw typeError("'\(typeName(o))' object does not support item assignment")
    }

    static func delItem(_ o: Value, _ i: Value) throws {
        if case .obj(let obj) = o {
            if let l = obj as? PyList {
                if case .obj(let so) = i, let sl = so as? PySlice {
                    let (start, _, step, count) = try sliceIndices(sl, l.items.count)
                    var idx = (0..<count).map { start + $0 * step }
                    idx.sort(by: >)
                    for k in idx { l.items.remove(at: k) }
                    return
                }
                l.items.remove(at: try index(i, l.items.count, "list assignment")); return
            }
            if let d = obj as? PyDict { if d.remove(i) == nil { throw error("KeyError", args: [i]) }; return }
            if let inst = obj as? PyInstance, inst.cls.lookup("__delitem__") != nil { _ = try callMethod(o, "__delitem__", [i]); return }
        }
        throw typeError("'\(typeName(o))' object doesn't support item deletion")
    }

    // MARK: iteration
    static func iter(_ v: Value) throws -> Value {
        switch v {
        case .str(let s):
            var it = s.unicodeScalars.makeIterator()
            return .obj(PyIterator("str_ascii_iterator") { it.next().map { .str(String($0)) } })
        case .obj(let o):
            if o is PyIterator || o is PyGenerator { return v }
            if let l = o as? PyList {
                var i = 0
                return .obj(PyIterator("list_iterator") { if i < l.items.count { i += 1; return l.items[i - 1] }; return nil })
            }
            if let t = o as? PyTuple { var i = 0; let items = t.items; return .obj(PyIterator("tuple_iterator") { if i < items.count { i += 1; return items[i - 1] }; return nil }) }
            if let r = o as? PyRange {
                var i = r.start; let stop = r.stop, step = r.step
                return .obj(PyIterator("range_iterator") {
                    if step > 0 ? i < stop : i > stop { i += step; return .int(i - step) }
                    return nil
                })
            }
            if let d = o as? PyDict {
                var i = 0; let startCount = d.keys.count, startLive = d.live
                return .obj(PyIterator("dict_keyiterator") {
                    if d.keys.count != startCount || d.live != startLive { throw error("RuntimeError", "dictionary changed size during iteration") }
                    while i < d.keys.count { i += 1; if let k = d.keys[i - 1] { return k } }
                    return nil
                })
            }
            if let dv = o as? PyDictView { let e = dv.elements; var i = 0; return .obj(PyIterator(dv.kind.rawValue.replacingOccurrences(of: "dict_", with: "dict_") + "iterator") { if i < e.count { i += 1; return e[i - 1] }; return nil }) }
            if let f = o as? FileObject { return .obj(PyIterator("TextIOWrapper") { f.readLine().map { .str($0) } }) }
            if let s = o as? PySet { let e = s.set.elements; var i = 0; return .obj(PyIterator("set_iterator") { if i < e.count { i += 1; return e[i - 1] }; return nil }) }
            if let s = o as? PyFrozenSet { let e = s.set.elements; var i = 0; return .obj(PyIterator("set_iterator") { if i < e.count { i += 1; return e[i - 1] }; return nil }) }
            if let inst = o as? PyInstance {
                if inst.cls.lookup("__iter__") != nil { return try callMethod(v, "__iter__", []) }
                if inst.cls.lookup("__getitem__") != nil {
                    var i = 0
                    return .obj(PyIterator("iterator") {
                        do { let r = try callMethod(v, "__getitem__", [.int(i)]); i += 1; return r }
                        catch let e as PyError where e.exc.cls.isSubclass(of: Builtins.exceptionClass("IndexError")) || e.exc.cls.isSubclass(of: Builtins.exceptionClass("StopIteration")) { return nil }
                    })
                }
                if inst.cls.lookup("__next__") != nil { return v }
            }
            if let n = o as? PyNative, let m = try n.object.getAttribute("__iter__") { return try call(m, []) }
        default: break
        }
        throw typeError("'\(typeName(v))' object is not iterable")
    }

    /// Advances an iterator; nil when exhausted.
    static func next(_ it: Value) throws -> Value? {
        if case .obj(let o) = it {
            if let i = o.exactly(PyIterator.self) { return try i.next() }
            if let g = o.exactly(PyGenerator.self) { return try g.resume(send: .none) }
            if o is PyInstance || o is PyNative {
                do { return try callMethod(it, "__next__", []) }
                catch let e as PyError where e.exc.cls === Builtins.exceptionClass("StopIteration") { return nil }
            }
        }
        throw typeError("'\(typeName(it))' object is not an iterator")
    }

    /// Calls `body` for each element; `body` returns false to stop early.
    static func forEach(_ v: Value, _ body: (Value) throws -> Bool) throws {
        if case .obj(let o) = v {
            if let l = o as? PyList {
                var i = 0
                while i < l.items.count { if !(try body(l.items[i])) { return }; i += 1 }
                return
            }
            if let r = o as? PyRange {
                var i = r.start
                while r.step > 0 ? i < r.stop : i > r.stop { try checkInterrupt(); if !(try body(.int(i))) { return }; i += r.step }
                return
            }
        }
        let it = try iter(v)
        if case .obj(let io) = it, let i = io.exactly(PyIterator.self) {
            // One load of the step function, not one per element.
            let step = i.next
            while let x = try step() { if !(try body(x)) { return } }
            return
        }
        while let x = try next(it) { if !(try body(x)) { return } }
    }

    static func toArray(_ v: Value) throws -> [Value] {
        if case .obj(let o) = v {
            if let l = o as? PyList { return l.items }
            if let t = o as? PyTuple { return t.items }
        }
        var out: [Value] = []
        try forEach(v) { out.append($0); return true }
        return out
    }

    // MARK: exceptions
    static func makeException(_ v: Value) throws -> PyInstance {
        if case .obj(let o) = v {
            if let i = o as? PyInstance, i.cls.isSubclass(of: Builtins.baseException) { return i }
            if let c = o as? PyClass, c.isSubclass(of: Builtins.baseException) {
                let r = try call(v, [])
                if case .obj(let ro) = r, let i = ro as? PyInstance { return i }
            }
        }
        throw typeError("exceptions must derive from BaseException")
    }

    static func exceptionMatches(_ exc: PyInstance, _ t: Value) throws -> Bool {
        if case .obj(let o) = t {
            if let c = o as? PyClass { return exc.cls.isSubclass(of: c) }
            if let tup = o as? PyTuple { for x in tup.items where try exceptionMatches(exc, x) { return true }; return false }
        }
        throw typeError("catching classes that do not inherit from BaseException is not allowed")
    }
}

import Foundation

/// The builtin namespace: types, exception classes and functions every script sees.
public enum Builtins {
    static func makeClass(_ name: String, _ base: PyClass?, tag: String? = nil) -> PyClass {
        let c = PyClass(name: name, base: base)
        c.builtinTag = tag ?? name
        return c
    }
    public static let objectClass: PyClass = { let c = PyClass(name: "object", base: nil); c.builtinTag = nil; return c }()
    static let typeClass = makeClass("type", objectClass)
    static let noneClass = makeClass("NoneType", objectClass)
    static let intClass = makeClass("int", objectClass)
    static let boolClass = makeClass("bool", intClass)
    static let floatClass = makeClass("float", objectClass)
    static let strClass = makeClass("str", objectClass)
    static let listClass = makeClass("list", objectClass)
    static let tupleClass = makeClass("tuple", objectClass)
    static let dictClass = makeClass("dict", objectClass)
    static let defaultdictClass: PyClass = { let c = makeClass("defaultdict", dictClass); c.module = "collections"; return c }()
    static let counterClass: PyClass = { let c = makeClass("Counter", dictClass); c.module = "collections"; return c }()
    static let orderedDictClass: PyClass = { let c = makeClass("OrderedDict", dictClass); c.module = "collections"; return c }()
    static let setClass = makeClass("set", objectClass)
    static let frozensetClass = makeClass("frozenset", objectClass)
    static let rangeClass = makeClass("range", objectClass)
    static let sliceClass = makeClass("slice", objectClass)
    static let functionClass = makeClass("function", objectClass)
    static let builtinFunctionClass = makeClass("builtin_function_or_method", objectClass)
    static let methodClass = makeClass("method", objectClass)
    static let moduleClass = makeClass("module", objectClass)
    static let iteratorClass = makeClass("iterator", objectClass)
    static let generatorClass = makeClass("generator", objectClass)
    static let propertyClass = makeClass("property", objectClass)
    static let fileClass = makeClass("TextIOWrapper", objectClass)
    static let staticmethodClass = makeClass("staticmethod", objectClass)
    static let classmethodClass = makeClass("classmethod", objectClass)
    static let ellipsis: PyObject = PySingleton(makeClass("ellipsis", objectClass))
    static let notImplemented: PyObject = PySingleton(makeClass("NotImplementedType", objectClass))

    public static let baseException: PyClass = { let c = PyClass(name: "BaseException", base: objectClass); return c }()
    nonisolated(unsafe) static var exceptions: [String: PyClass] = {
        var m: [String: PyClass] = ["BaseException": baseException]
        let tree: [(String, String)] = [
            ("SystemExit", "BaseException"), ("KeyboardInterrupt", "BaseException"), ("GeneratorExit", "BaseException"),
            ("Exception", "BaseException"), ("StopIteration", "Exception"), ("StopAsyncIteration", "Exception"),
            ("ArithmeticError", "Exception"), ("FloatingPointError", "ArithmeticError"), ("OverflowError", "ArithmeticError"),
            ("ZeroDivisionError", "ArithmeticError"), ("AssertionError", "Exception"), ("AttributeError", "Exception"),
            ("BufferError", "Exception"), ("EOFError", "Exception"), ("ImportError", "Exception"),
            ("ModuleNotFoundError", "ImportError"), ("LookupError", "Exception"), ("IndexError", "LookupError"),
            ("KeyError", "LookupError"), ("MemoryError", "Exception"), ("NameError", "Exception"),
            ("UnboundLocalError", "NameError"), ("OSError", "Exception"), ("FileNotFoundError", "OSError"),
            ("FileExistsError", "OSError"), ("PermissionError", "OSError"), ("IsADirectoryError", "OSError"),
            ("NotADirectoryError", "OSError"), ("TimeoutError", "OSError"), ("RuntimeError", "Exception"),
            ("NotImplementedError", "RuntimeError"), ("RecursionError", "RuntimeError"), ("SyntaxError", "Exception"),
            ("IndentationError", "SyntaxError"), ("TabError", "IndentationError"), ("SystemError", "Exception"),
            ("TypeError", "Exception"), ("ValueError", "Exception"), ("UnicodeError", "ValueError"),
            ("UnicodeDecodeError", "UnicodeError"), ("UnicodeEncodeError", "UnicodeError"), ("Warning", "Exception"),
            ("UserWarning", "Warning"), ("DeprecationWarning", "Warning"), ("RuntimeWarning", "Warning"),
            ("FutureWarning", "Warning"), ("FrozenInstanceError", "AttributeError"), ("JSONDecodeError", "ValueError"),
            // What input() raises in a front-end that cannot take input (IPython's name for it).
            ("StdinNotImplementedError", "NotImplementedError"),
            // What chat templates raise (jinja2's names).
            ("TemplateError", "Exception"), ("TemplateSyntaxError", "TemplateError"),
        ]
        for (n, b) in tree { m[n] = PyClass(name: n, base: m[b]!) }
        m["FrozenInstanceError"]!.module = "dataclasses"
        m["JSONDecodeError"]!.module = "json.decoder"
        m["TemplateError"]!.module = "jinja2.exceptions"
        m["TemplateSyntaxError"]!.module = "jinja2.exceptions"
        return m
    }()
    static func exceptionClass(_ name: String) -> PyClass { exceptions[name] ?? exceptions["Exception"]! }

    /// Constructors for builtin types, keyed by builtin tag.
    nonisolated(unsafe) static var constructors: [String: NativeFn] = [:]

    /// The builtin functions and types by name.
    nonisolated(unsafe) public static var table: [String: Value] = makeTable()
    /// The builtin `len`, which calls recognise by identity to skip building an argument array.
    nonisolated(unsafe) static let lenFunction: PyObject? = { if case .obj(let o)? = table["len"] { return o }; return nil }()

    static func fn(_ name: String, _ doc: String? = nil, _ f: @escaping NativeFn) -> Value { .obj(PyBuiltin(name, doc: doc, f)) }

    static func arg(_ a: [Value], _ i: Int, _ kw: [(String, Value)], _ name: String) -> Value? {
        if i < a.count { return a[i] }
        return kw.first { $0.0 == name }?.1
    }
    static func kwarg(_ kw: [(String, Value)], _ name: String) -> Value? { kw.first { $0.0 == name }?.1 }
    static func want(_ name: String, _ a: [Value], _ lo: Int, _ hi: Int) throws {
        if a.count < lo || a.count > hi {
            if lo == hi { throw Interp.typeError("\(name)() takes exactly \(lo == 1 ? "one argument" : "\(lo) arguments") (\(a.count) given)") }
            if a.count < lo { throw Interp.typeError("\(name) expected at least \(lo) argument\(lo == 1 ? "" : "s"), got \(a.count)") }
            throw Interp.typeError("\(name) expected at most \(hi) argument\(hi == 1 ? "" : "s"), got \(a.count)")
        }
    }
    static func intArg(_ v: Value, _ what: String = "") throws -> Int {
        switch v {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default:
            if Interp.isInstanceLike(v), let r = try? Interp.callMethod(v, "__index__", []), case .int(let i) = r { return i }
            throw Interp.typeError("'\(Interp.typeName(v))' object cannot be interpreted as an integer")
        }
    }

    static func parseInt(_ s: String, base: Int) throws -> Int {
        if base != 0 && (base < 2 || base > 36) { throw Interp.valueError("int() base must be >= 2 and <= 36, or 0") }
        var t = s.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "_", with: "")
        var neg = false
        if t.hasPrefix("-") { neg = true; t.removeFirst() } else if t.hasPrefix("+") { t.removeFirst() }
        var b = base
        let lower = t.lowercased()
        if (b == 16 || b == 0) && lower.hasPrefix("0x") { t.removeFirst(2); b = 16 }
        else if (b == 8 || b == 0) && lower.hasPrefix("0o") { t.removeFirst(2); b = 8 }
        else if (b == 2 || b == 0) && lower.hasPrefix("0b") { t.removeFirst(2); b = 2 }
        if b == 0 { b = 10 }
        guard !t.isEmpty, let v = Int(t, radix: b) else {
            if !t.isEmpty, t.allSatisfy({ $0.isNumber }) { throw Interp.overflow() }
            throw Interp.valueError("invalid literal for int() with base \(base == 0 ? 10 : base): \(Interp.strRepr(s))")
        }
        return neg ? -v : v
    }

    static func parseFloat(_ s: String) throws -> Double {
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "_", with: "")
        switch t.lowercased() {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan", "+nan", "-nan": return .nan
        default: break
        }
        guard let d = Double(t), !t.lowercased().hasPrefix("0x"), !t.isEmpty else {
            throw Interp.valueError("could not convert string to float: \(Interp.strRepr(s))")
        }
        return d
    }

    static func toInt(_ v: Value) throws -> Value {
        switch v {
        case .int: return v
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d):
            if d.isNaN { throw Interp.valueError("cannot convert float NaN to integer") }
            if d.isInfinite { throw Interp.error("OverflowError", "cannot convert float infinity to integer") }
            if d.magnitude >= 9.223372036854775807e18 { throw Interp.overflow() }
            return .int(Int(d))
        case .str(let s): return .int(try parseInt(s, base: 10))
        default:
            if Interp.isInstanceLike(v) {
                if (try? Interp.getAttr(v, "__int__")) != nil { return try Interp.callMethod(v, "__int__", []) }
                if (try? Interp.getAttr(v, "__index__")) != nil { return try Interp.callMethod(v, "__index__", []) }
            }
            throw Interp.typeError("int() argument must be a string, a bytes-like object or a real number, not '\(Interp.typeName(v))'")
        }
    }

    static func toFloat(_ v: Value) throws -> Double {
        switch v {
        case .int(let i): return Double(i)
        case .bool(let b): return b ? 1 : 0
        case .float(let d): return d
        case .str(let s): return try parseFloat(s)
        default:
            if Interp.isInstanceLike(v), (try? Interp.getAttr(v, "__float__")) != nil, case .float(let d) = try Interp.callMethod(v, "__float__", []) { return d }
            throw Interp.typeError("float() argument must be a string or a real number, not '\(Interp.typeName(v))'")
        }
    }

    /// Attributes every object has (`__class__`, `__dict__`, `__doc__`).
    static func commonAttr(_ v: Value, _ name: String) throws -> Value? {
        switch name {
        case "__class__": return .obj(Interp.classOf(v))
        case "__dict__":
            if case .obj(let o) = v, let i = o as? PyInstance {
                let d = PyDict(); for (k, x) in i.attrs.ordered where k != "args" || !i.cls.isSubclass(of: baseException) { d.set(.str(k), x) }
                return .obj(d)
            }
            return nil
        case "__doc__":
            if case .obj(let o) = v, let i = o as? PyInstance { return i.cls.doc.map { .str($0) } ?? Value.none }
            return nil
        default: return nil
        }
    }

    static func isinstance(_ v: Value, _ t: Value) throws -> Bool {
        if case .obj(let o) = t {
            if let c = o as? PyClass {
                if c === objectClass { return true }
                return Interp.classOf(v).isSubclass(of: c)
            }
            if let tup = o as? PyTuple { for x in tup.items where try isinstance(v, x) { return true }; return false }
        }
        throw Interp.typeError("isinstance() arg 2 must be a type, a tuple of types, or a union")
    }

    static func minMax(_ name: String, _ a: [Value], _ kw: [(String, Value)], _ wantMax: Bool) throws -> Value {
        let key = kwarg(kw, "key").flatMap { $0.isNone ? nil : $0 }
        var items: [Value]
        if a.count == 1 { items = try Interp.toArray(a[0]) } else if a.isEmpty { throw Interp.typeError("\(name) expected at least 1 argument, got 0") } else { items = a }
        if items.isEmpty {
            if let d = kwarg(kw, "default") { return d }
            throw Interp.valueError("\(name)() arg is an empty sequence")
        }
        var best = items[0]
        var bestKey = try key.map { try Interp.call($0, [best]) } ?? best
        for x in items.dropFirst() {
            let k = try key.map { try Interp.call($0, [x]) } ?? x
            let better = try Interp.truthy(try Interp.compare(wantMax ? .gt : .lt, k, bestKey))
            if better { best = x; bestKey = k }
        }
        return best
    }

    static func sortValues(_ items: inout [Value], key: Value?, reverse: Bool) throws {
        let keys = try key.map { k in try items.map { try Interp.call(k, [$0]) } } ?? items
        var idx = Array(0..<items.count)
        var failure: Error? = nil
        idx.sort { i, j in
            if failure != nil { return false }
            do {
                let c = reverse ? try Interp.order(keys[j], keys[i]) : try Interp.order(keys[i], keys[j])
                return c < 0 || (c == 0 && i < j)
            } catch { failure = error; return false }
        }
        if let f = failure { throw f }
        items = idx.map { items[$0] }
    }

    static func printValues(_ a: [Value], _ kw: [(String, Value)]) throws -> Value {
        var sep = " ", end = "\n"
        if let s = kwarg(kw, "sep"), case .str(let x) = s { sep = x }
        if let e = kwarg(kw, "end"), case .str(let x) = e { end = x }
        var text = ""
        for (i, v) in a.enumerated() {
            if i > 0 { text += sep }
            if case .str(let s) = v { text += s } else { text += try Interp.str(v) }
        }
        text += end
        if let f = kwarg(kw, "file"), !f.isNone {
            _ = try Interp.callMethod(f, "write", [.str(text)])
        } else {
            Runtime.sink.write(text, to: .stdout)
        }
        if let fl = kwarg(kw, "flush"), try Interp.truthy(fl) { Runtime.sink.flush() }
        return Value.none
    }

    static func makeTable() -> [String: Value] {
        var t: [String: Value] = [:]
        for (n, c) in exceptions { t[n] = .obj(c) }
        t["EnvironmentError"] = .obj(exceptions["OSError"]!); t["IOError"] = .obj(exceptions["OSError"]!)
        t.removeValue(forKey: "FrozenInstanceError"); t.removeValue(forKey: "JSONDecodeError")
        for c in [objectClass, typeClass, intClass, boolClass, floatClass, strClass, listClass, tupleClass, dictClass,
                  setClass, frozensetClass, rangeClass, sliceClass, propertyClass] { t[c.name] = .obj(c) }
        t["staticmethod"] = .obj(staticmethodClass)
        t["classmethod"] = .obj(classmethodClass)
        t["None"] = Value.none
        t["Ellipsis"] = .obj(ellipsis)
        t["NotImplemented"] = .obj(notImplemented)
        registerConstructors()

        t["print"] = fn("print", "print(*values, sep=' ', end='\\n', file=None, flush=False)") { a, kw in try printValues(a, kw) }
        t["len"] = fn("len", "Return the number of items in a container.") { a, _ in try want("len", a, 1, 1); return .int(try Interp.len(a[0])) }
        t["repr"] = fn("repr") { a, _ in try want("repr", a, 1, 1); return .str(try Interp.repr(a[0])) }
        t["ascii"] = fn("ascii") { a, _ in .str(try Interp.repr(a[0])) }
        t["abs"] = fn("abs") { a, _ in
            try want("abs", a, 1, 1)
            switch a[0] {
            case .int(let i): if i == Int.min { throw Interp.overflow() }; return .int(abs(i))
            case .float(let d): return .float(abs(d))
            case .bool(let b): return .int(b ? 1 : 0)
            default:
                if Interp.isInstanceLike(a[0]) { return try Interp.callMethod(a[0], "__abs__", []) }
                throw Interp.typeError("bad operand type for abs(): '\(Interp.typeName(a[0]))'")
            }
        }
        t["round"] = fn("round") { a, kw in
            guard let x = arg(a, 0, kw, "number") else { throw Interp.typeError("round() missing required argument 'number' (pos 1)") }
            let nd = arg(a, 1, kw, "ndigits").flatMap { $0.isNone ? nil : $0 }
            if Interp.isInstanceLike(x) { return try Interp.callMethod(x, "__round__", nd.map { [$0] } ?? []) }
            if case .int(let i) = x {
                guard let n = nd else { return x }
                let k = try intArg(n)
                if k >= 0 { return x }
                var p = 1; for _ in 0..<(-k) { p *= 10 }
                let q = Double(i) / Double(p)
                guard let r = Int(exactly: q.rounded(.toNearestOrEven)) else { throw Interp.overflow() }
                let (m, o) = r.multipliedReportingOverflow(by: p)
                if o { throw Interp.overflow() }
                return .int(m)
            }
            if case .bool(let b) = x { return .int(b ? 1 : 0) }
            guard case .float(let d) = x else { throw Interp.typeError("type \(Interp.typeName(x)) doesn't define __round__ method") }
            guard let n = nd else {
                if d.isNaN { throw Interp.valueError("cannot convert float NaN to integer") }
                if d.isInfinite { throw Interp.error("OverflowError", "cannot convert float infinity to integer") }
                guard let r = Int(exactly: d.rounded(.toNearestOrEven)) else { throw Interp.overflow() }
                return .int(r)
            }
            let k = try intArg(n)
            if !d.isFinite { return x }
            if k >= 0 { return .float(Double(String(format: "%.\(min(k, 300))f", d)) ?? d) }
            let p = Foundation.pow(10.0, Double(-k))
            return .float((d / p).rounded(.toNearestOrEven) * p)
        }
        t["min"] = fn("min") { a, kw in try minMax("min", a, kw, false) }
        t["max"] = fn("max") { a, kw in try minMax("max", a, kw, true) }
        t["sum"] = fn("sum") { a, kw in
            try want("sum", a, 1, 2)
            var acc: Value = arg(a, 1, kw, "start") ?? .int(0)
            if case .str = acc { throw Interp.typeError("sum() can't sum strings [use ''.join(seq) instead]") }
            try Interp.forEach(a[0]) { x in
                if case .int(let p) = acc, case .int(let q) = x { let (r, o) = p.addingReportingOverflow(q); if !o { acc = .int(r); return true } }
                if case .float(let p) = acc, case .float(let q) = x { acc = .float(p + q); return true }
                acc = try Interp.binary(.add, acc, x); return true
            }
            return acc
        }
        t["any"] = fn("any") { a, _ in var r = false; try Interp.forEach(a[0]) { x in if try Interp.truthy(x) { r = true; return false }; return true }; return .bool(r) }
        t["all"] = fn("all") { a, _ in var r = true; try Interp.forEach(a[0]) { x in if !(try Interp.truthy(x)) { r = false; return false }; return true }; return .bool(r) }
        t["sorted"] = fn("sorted") { a, kw in
            try want("sorted", a, 1, 1)
            var items = try Interp.toArray(a[0])
            try sortValues(&items, key: kwarg(kw, "key").flatMap { $0.isNone ? nil : $0 }, reverse: try kwarg(kw, "reverse").map(Interp.truthy) ?? false)
            return .list(items)
        }
        t["reversed"] = fn("reversed") { a, _ in
            try want("reversed", a, 1, 1)
            if Interp.isInstanceLike(a[0]), (try? Interp.getAttr(a[0], "__reversed__")) != nil { return try Interp.callMethod(a[0], "__reversed__", []) }
            let items: [Value]
            if case .obj(let o) = a[0], o is PyList || o is PyTuple || o is PyRange { items = try Interp.toArray(a[0]) }
            else if case .str = a[0] { items = try Interp.toArray(a[0]) }
            else if case .obj(let o) = a[0], o is PyDict { items = try Interp.toArray(a[0]) }
            else if Interp.isInstanceLike(a[0]), (try? Interp.getAttr(a[0], "__len__")) != nil {
                let n = try Interp.len(a[0]); var out: [Value] = []
                for i in stride(from: n - 1, through: 0, by: -1) { out.append(try Interp.getItem(a[0], .int(i))) }
                var k = 0
                return .obj(PyIterator("reversed") { if k < out.count { k += 1; return out[k - 1] }; return nil })
            }
            else { throw Interp.typeError("'\(Interp.typeName(a[0]))' object is not reversible") }
            var i = items.count
            return .obj(PyIterator(a[0].isListLike ? "list_reverseiterator" : "reversed") { if i > 0 { i -= 1; return items[i] }; return nil })
        }
        t["enumerate"] = fn("enumerate") { a, kw in
            guard let src = arg(a, 0, kw, "iterable") else { throw Interp.typeError("enumerate() missing required argument 'iterable' (pos 1)") }
            let it = try Interp.iter(src)
            var i = try arg(a, 1, kw, "start").map { try intArg($0) } ?? 0
            return .obj(PyIterator("enumerate") {
                guard let x = try Interp.next(it) else { return nil }
                i += 1; return .tuple([.int(i - 1), x])
            })
        }
        t["zip"] = fn("zip") { a, kw in
            let its = try a.map(Interp.iter)
            let strict = try kwarg(kw, "strict").map(Interp.truthy) ?? false
            return .obj(PyIterator("zip") {
                if its.isEmpty { return nil }
                var out: [Value] = []
                for (k, it) in its.enumerated() {
                    guard let x = try Interp.next(it) else {
                        if strict && k > 0 { throw Interp.valueError("zip() argument \(k + 1) is shorter than argument 1") }
                        if strict && k == 0 { for (j, rest) in its.enumerated().dropFirst() where try Interp.next(rest) != nil { throw Interp.valueError("zip() argument \(j + 1) is longer than argument 1") } }
                        return nil
                    }
                    out.append(x)
                }
                return .tuple(out)
            })
        }
        t["map"] = fn("map") { a, _ in
            if a.count < 2 { throw Interp.typeError("map() must have at least two arguments.") }
            let f = a[0]; let its = try a.dropFirst().map(Interp.iter)
            return .obj(PyIterator("map") {
                var args: [Value] = []
                for it in its { guard let x = try Interp.next(it) else { return nil }; args.append(x) }
                return try Interp.call(f, args)
            })
        }
        t["filter"] = fn("filter") { a, _ in
            try want("filter", a, 2, 2)
            let f = a[0]; let it = try Interp.iter(a[1])
            return .obj(PyIterator("filter") {
                while let x = try Interp.next(it) {
                    if try Interp.truthy(f.isNone ? x : try Interp.call(f, [x])) { return x }
                }
                return nil
            })
        }
        t["isinstance"] = fn("isinstance") { a, _ in try want("isinstance", a, 2, 2); return .bool(try isinstance(a[0], a[1])) }
        t["issubclass"] = fn("issubclass") { a, _ in
            try want("issubclass", a, 2, 2)
            guard case .obj(let o) = a[0], let c = o as? PyClass else { throw Interp.typeError("issubclass() arg 1 must be a class") }
            func check(_ t: Value) throws -> Bool {
                if case .obj(let to) = t, let tc = to as? PyClass { return tc === objectClass || c.isSubclass(of: tc) }
                if case .obj(let to) = t, let tup = to as? PyTuple { return try tup.items.contains { try check($0) } }
                throw Interp.typeError("issubclass() arg 2 must be a class, a tuple of classes, or a union")
            }
            return .bool(try check(a[1]))
        }
        t["hasattr"] = fn("hasattr") { a, _ in
            try want("hasattr", a, 2, 2)
            guard case .str(let n) = a[1] else { throw Interp.typeError("attribute name must be string, not '\(Interp.typeName(a[1]))'") }
            do { _ = try Interp.getAttr(a[0], n); return .bool(true) }
            catch let e as PyError where e.exc.cls.isSubclass(of: exceptionClass("AttributeError")) { return .bool(false) }
        }
        t["getattr"] = fn("getattr") { a, _ in
            try want("getattr", a, 2, 3)
            guard case .str(let n) = a[1] else { throw Interp.typeError("attribute name must be string, not '\(Interp.typeName(a[1]))'") }
            if a.count == 3 {
                do { return try Interp.getAttr(a[0], n) }
                catch let e as PyError where e.exc.cls.isSubclass(of: exceptionClass("AttributeError")) { return a[2] }
            }
            return try Interp.getAttr(a[0], n)
        }
        t["setattr"] = fn("setattr") { a, _ in
            try want("setattr", a, 3, 3)
            guard case .str(let n) = a[1] else { throw Interp.typeError("attribute name must be string, not '\(Interp.typeName(a[1]))'") }
            try Interp.setAttr(a[0], n, a[2]); return Value.none
        }
        t["delattr"] = fn("delattr") { a, _ in
            guard a.count == 2, case .str(let n) = a[1] else { throw Interp.typeError("delattr expected 2 arguments") }
            try Interp.delAttr(a[0], n); return Value.none
        }
        t["iter"] = fn("iter") { a, _ in try want("iter", a, 1, 2); return try Interp.iter(a[0]) }
        t["next"] = fn("next") { a, _ in
            try want("next", a, 1, 2)
            if case .obj(let o) = a[0], o is PyIterator || o is PyGenerator || o is PyInstance || o is PyNative {
                if let v = try Interp.next(a[0]) { return v }
                if a.count == 2 { return a[1] }
                if case .obj(let go) = a[0], let g = go as? PyGenerator, !g.returnValue.isNone {
                    throw Interp.error("StopIteration", args: [g.returnValue])
                }
                throw Interp.error("StopIteration", nil)
            }
            throw Interp.typeError("'\(Interp.typeName(a[0]))' object is not an iterator")
        }
        t["callable"] = fn("callable") { a, _ in
            guard case .obj(let o) = a[0] else { return .bool(false) }
            if o is PyFunction || o is PyBuiltin || o is PyBoundMethod || o is PyClass { return .bool(true) }
            if let i = o as? PyInstance { return .bool(i.cls.lookup("__call__") != nil) }
            return .bool(false)
        }
        t["id"] = fn("id") { a, _ in
            if case .obj(let o) = a[0] { return .int(ObjectIdentifier(o).hashValue) }
            var h = Hasher(); hashValue(a[0], into: &h); return .int(h.finalize())
        }
        t["hash"] = fn("hash") { a, _ in
            try want("hash", a, 1, 1)
            try Interp.checkHashable(a[0])
            switch a[0] {
            case .int(let i): return .int(i == -1 ? -2 : i)
            case .bool(let b): return .int(b ? 1 : 0)
            case .none: return .int(0)
            case .float(let d) where d == d.rounded() && abs(d) < 9e18: return .int(Int(d))
            default:
                if case .obj(let o) = a[0], let i = o as? PyInstance, i.cls.lookup("__hash__") != nil { return try Interp.callMethod(a[0], "__hash__", []) }
                var h = Hasher(); hashValue(a[0], into: &h); return .int(h.finalize())
            }
        }
        t["divmod"] = fn("divmod") { a, _ in
            try want("divmod", a, 2, 2)
            return .tuple([try Interp.binary(.floordiv, a[0], a[1]), try Interp.binary(.mod, a[0], a[1])])
        }
        t["pow"] = fn("pow") { a, _ in
            if a.count == 3, case .int(let b) = a[0], case .int(var e) = a[1], case .int(let m) = a[2] {
                if m == 0 { throw Interp.valueError("pow() 3rd argument cannot be 0") }
                var r = 1 % m, x = ((b % m) + m) % m
                while e > 0 { if e & 1 == 1 { r = Int((Int64(r).multipliedFullWidth(by: Int64(x)).low % UInt64(m))) }; x = Int(UInt64(x) * UInt64(x) % UInt64(m)); e >>= 1 }
                return .int(r)
            }
            try want("pow", a, 2, 2)
            return try Interp.binary(.pow, a[0], a[1])
        }
        t["hex"] = fn("hex") { a, _ in let i = try intArg(a[0]); return .str((i < 0 ? "-0x" : "0x") + String(i.magnitude, radix: 16)) }
        t["oct"] = fn("oct") { a, _ in let i = try intArg(a[0]); return .str((i < 0 ? "-0o" : "0o") + String(i.magnitude, radix: 8)) }
        t["bin"] = fn("bin") { a, _ in let i = try intArg(a[0]); return .str((i < 0 ? "-0b" : "0b") + String(i.magnitude, radix: 2)) }
        t["ord"] = fn("ord") { a, _ in
            guard case .str(let s) = a[0] else { throw Interp.typeError("ord() expected string of length 1, but \(Interp.typeName(a[0])) found") }
            let u = Array(s.unicodeScalars)
            guard u.count == 1 else { throw Interp.typeError("ord() expected a character, but string of length \(u.count) found") }
            return .int(Int(u[0].value))
        }
        t["chr"] = fn("chr") { a, _ in
            let i = try intArg(a[0])
            guard i >= 0, i <= 0x10FFFF, let u = Unicode.Scalar(UInt32(i)) else { throw Interp.valueError("chr() arg not in range(0x110000)") }
            return .str(String(Character(u)))
        }
        t["format"] = fn("format") { a, _ in
            try want("format", a, 1, 2)
            var spec = ""
            if a.count == 2, case .str(let s) = a[1] { spec = s }
            return .str(try Interp.format(a[0], spec))
        }
        t["input"] = fn("input") { a, _ in
            let prompt = try a.first.map(Interp.str) ?? ""
            // A front-end's provider shows the prompt itself (a kernel sends it with its request).
            if let p = Runtime.inputProvider {
                let line: String?
                do { line = try p(prompt) } catch let e as InputUnavailable { throw Interp.error(e.exceptionName, e.message) }
                guard let l = line else { throw Interp.error("EOFError", "EOF when reading a line") }
                return .str(l)
            }
            Runtime.sink.write(prompt, to: .stdout); Runtime.sink.flush()
            guard let line = readLine() else { throw Interp.error("EOFError", "EOF when reading a line") }
            return .str(line)
        }
        t["open"] = fn("open") { a, kw in try FileObject.open(a, kw) }
        t["dir"] = fn("dir") { a, _ in
            guard let v = a.first else {
                // Without the caller's frame at hand, list the session's globals.
                return .list((Engine.current?.globals.definedNames ?? []).sorted().map { .str($0) })
            }
            var names = Set<String>()
            if case .obj(let o) = v {
                if let i = o as? PyInstance { names.formUnion(i.attrs.keys.filter { !$0.hasPrefix("__") }); for c in i.cls.mro { names.formUnion(c.dict.keys) }; names.formUnion(objectDunders) }
                else if let c = o as? PyClass { for k in c.mro { names.formUnion(k.dict.keys) }; names.formUnion(objectDunders) }
                else if let m = o as? PyModule { names.formUnion(m.attrs.keys) }
                else if let n = o as? PyNative { names.formUnion(n.object.attributeNames) }
            }
            names.formUnion(Methods.names(for: v))
            return .list(names.sorted().map { .str($0) })
        }
        t["help"] = fn("help") { a, _ in
            guard let v = a.first else { return Value.none }
            Runtime.sink.write(try Introspection.helpText(v) + "\n", to: .stdout)
            return Value.none
        }
        t["vars"] = fn("vars") { a, _ in
            guard let v = a.first, let d = try commonAttr(v, "__dict__") ?? Interp.lookupAttr(v, "__dict__") else { throw Interp.typeError("vars() argument must have __dict__ attribute") }
            return d
        }
        t["super"] = .obj(superBuiltin)
        t["__import__"] = fn("__import__") { a, _ in
            guard let n = a.first, case .str(let name) = n else { throw Interp.typeError("__import__() argument 1 must be str") }
            return try Modules.importModule(name)
        }
        t["globals"] = fn("globals") { _, _ in
            // Without a frame at hand, expose the main session's globals as a snapshot.
            let d = PyDict()
            if let g = Engine.current?.globals { for n in g.definedNames { d.set(.str(n), g[n]!) } }
            return .obj(d)
        }
        t["exit"] = fn("exit") { a, _ in throw Interp.error("SystemExit", args: a) }
        t["quit"] = t["exit"]
        return t
    }

    static let objectDunders = ["__class__", "__delattr__", "__dict__", "__dir__", "__doc__", "__eq__", "__format__", "__ge__",
        "__getattribute__", "__getstate__", "__gt__", "__hash__", "__init__", "__init_subclass__", "__le__", "__lt__", "__module__",
        "__ne__", "__new__", "__reduce__", "__reduce_ex__", "__repr__", "__setattr__", "__sizeof__", "__str__", "__subclasshook__", "__weakref__"]

    static let superBuiltin = PyBuiltin("super") { a, _ in
        guard a.count == 2, case .obj(let o) = a[0], let c = o as? PyClass else {
            throw Interp.error("RuntimeError", "super(): no arguments")
        }
        return .obj(PySuper(c, a[1]))
    }
}

/// Ellipsis and NotImplemented: unique objects with their own type.
final class PySingleton: PyObject {
    let cls: PyClass
    init(_ c: PyClass) { cls = c }
    override var pyClass: PyClass { cls }
}

/// The object returned by super(): attribute lookup starts after `cls` in the instance's MRO.
final class PySuper: PyObject {
    let cls: PyClass, selfValue: Value
    init(_ c: PyClass, _ s: Value) { cls = c; selfValue = s }
    func lookup(_ name: String) throws -> Value? {
        var c = cls.base
        while let k = c {
            if let v = k.dict[name] { return try Interp.bindIfNeeded(v, selfValue, Interp.classOf(selfValue)) }
            c = k.base
        }
        if name == "__init__" {
            let target = selfValue
            return .obj(PyBuiltin("__init__") { a, _ in
                // BaseException.__init__ records its arguments.
                if case .obj(let o) = target, let inst = o as? PyInstance, inst.cls.isSubclass(of: Builtins.baseException) {
                    inst.attrs["args"] = .tuple(a)
                }
                return Value.none
            })
        }
        return nil
    }
}

extension Value {
    var isListLike: Bool { if case .obj(let o) = self { return o is PyList }; return false }
}

/// Attributes and str() of exception instances.
enum ExceptionAttrs {
    static func args(_ e: PyInstance) -> [Value] {
        if case .obj(let o)? = e.attrs["args"], let t = o as? PyTuple { return t.items }
        return []
    }
    static func get(_ e: PyInstance, _ name: String) throws -> Value? {
        switch name {
        case "args": return .tuple(args(e))
        case "__cause__": return e.cause.map { .obj($0) } ?? Value.none
        case "__context__": return e.context.map { .obj($0) } ?? Value.none
        case "__traceback__": return Value.none
        case "__suppress_context__": return .bool(e.suppressContext)
        case "value" where e.cls.isSubclass(of: Builtins.exceptionClass("StopIteration")): return args(e).first ?? Value.none
        case "code" where e.cls.isSubclass(of: Builtins.exceptionClass("SystemExit")): return args(e).first ?? Value.none
        case "errno" where e.cls.isSubclass(of: Builtins.exceptionClass("OSError")): return args(e).count >= 2 ? args(e)[0] : .none
        case "strerror" where e.cls.isSubclass(of: Builtins.exceptionClass("OSError")): return args(e).count >= 2 ? args(e)[1] : .none
        case "filename" where e.cls.isSubclass(of: Builtins.exceptionClass("OSError")): return args(e).count >= 3 ? args(e)[2] : .none
        case "with_traceback": return .obj(PyBuiltin("with_traceback") { _, _ in .obj(e) })
        case "add_note": return .obj(PyBuiltin("add_note") { _, _ in .none })
        default: return try Builtins.commonAttr(.obj(e), name)
        }
    }
    static func str(_ e: PyInstance) throws -> String {
        let a = args(e)
        if e.cls.isSubclass(of: Builtins.exceptionClass("KeyError")) && a.count == 1 { return try Interp.repr(a[0]) }
        if e.cls.isSubclass(of: Builtins.exceptionClass("OSError")) && a.count >= 2 {
            var s = "[Errno \(try Interp.str(a[0]))] \(try Interp.str(a[1]))"
            if a.count >= 3 { s += ": " + (try Interp.repr(a[2])) }
            return s
        }
        if a.isEmpty { return "" }
        if a.count == 1 { return try Interp.str(a[0]) }
        return try Interp.repr(.tuple(a))
    }
}

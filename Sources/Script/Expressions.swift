/// Base of syntax-tree nodes: every node keeps its source span.
class Node {
    var line: Int, col: Int, endLine: Int, endCol: Int
    init(_ s: SourcePos, _ e: SourcePos) { line = s.line; col = s.col; endLine = e.line; endCol = e.col }
    var start: SourcePos { SourcePos(line: line, col: col) }
}

/// An expression node; evaluation is a virtual call on the node itself.
class Expr: Node {
    func eval(_ f: Frame) throws -> Value { fatalError("eval not implemented for \(type(of: self))") }
    func assign(_ f: Frame, _ v: Value) throws { throw Interp.error("SyntaxError", "cannot assign to expression") }
    func delete(_ f: Frame) throws { throw Interp.error("SyntaxError", "cannot delete expression") }
    /// Describes the node for "cannot assign to X" messages.
    var describe: String { "expression" }
}

final class Const: Expr {
    let value: Value
    init(_ v: Value, _ s: SourcePos, _ e: SourcePos) { value = v; super.init(s, e) }
    override func eval(_ f: Frame) throws -> Value { value }
    override var describe: String {
        switch value { case .none: return "None"; case .bool(let b): return b ? "True" : "False"; default: return "literal" }
    }
}

/// How a name was resolved at compile time.
enum NameRef { case unresolved, fast(Int), cell(Int), global(Int), classBody(Int) }

final class Name: Expr {
    let name: String
    var ref: NameRef = .unresolved
    @exclusivity(unchecked) var cachedBuiltin: Value? = nil
    init(_ n: String, _ s: SourcePos, _ e: SourcePos) { name = n; super.init(s, e) }
    override var describe: String { "name" }

    @inline(__always) func loadGlobal(_ f: Frame, _ slot: Int) throws -> Value {
        if let v = f.globals.values[slot] { return v }
        if let b = cachedBuiltin { return b }
        if let b = Builtins.table[name] { cachedBuiltin = b; return b }
        let e = Interp.error("NameError", "name '\(name)' is not defined")
        e.exc.attrs["name"] = .str(name)
        throw e
    }
    override func eval(_ f: Frame) throws -> Value {
        switch ref {
        case .fast(let i):
            if let v = f.locals[i] { return v }
            throw Interp.error("UnboundLocalError", "cannot access local variable '\(name)' where it is not associated with a value")
        case .global(let slot): return try loadGlobal(f, slot)
        case .cell(let i):
            if let v = f.cells[i].value { return v }
            if i >= f.code.cellNames.count {
                throw Interp.error("NameError", "cannot access free variable '\(name)' where it is not associated with a value in enclosing scope")
            }
            throw Interp.error("UnboundLocalError", "cannot access local variable '\(name)' where it is not associated with a value")
        case .classBody(let slot):
            if let v = f.classNS?[name] { return v }
            return try loadGlobal(f, slot)
        case .unresolved: fatalError("unresolved name \(name)")
        }
    }
    override func assign(_ f: Frame, _ v: Value) throws {
        switch ref {
        case .fast(let i): f.locals[i] = v
        case .global(let slot): f.globals.values[slot] = v
        case .cell(let i): f.cells[i].value = v
        case .classBody: f.classNS![name] = v
        case .unresolved: fatalError("unresolved name \(name)")
        }
    }
    override func delete(_ f: Frame) throws {
        let missing = Interp.error("NameError", "name '\(name)' is not defined")
        switch ref {
        case .fast(let i): if f.locals[i] == nil { throw missing }; f.locals[i] = nil
        case .global(let slot): if f.globals.values[slot] == nil { throw missing }; f.globals.values[slot] = nil
        case .cell(let i): f.cells[i].value = nil
        case .classBody: if f.classNS!.removeValue(forKey: name) == nil { throw missing }
        case .unresolved: break
        }
    }
}

final class Attribute: Expr {
    let obj: Expr, name: String
    init(_ o: Expr, _ n: String, _ s: SourcePos, _ e: SourcePos) { obj = o; name = n; super.init(s, e) }
    override var describe: String { "attribute" }
    /// The local slot `obj` reads when it is a plain local name, else -1 (-2: not yet known).
    @exclusivity(unchecked) var receiverSlot = -2
    @inline(__always) var receiverLocal: Int {
        if receiverSlot == -2 { receiverSlot = localSlot(of: obj) }
        return receiverSlot
    }
    override func eval(_ f: Frame) throws -> Value {
        let slot = receiverLocal
        if slot >= 0, let u = f.unretainedObject(slot), let iu = u.exactly(PyInstance.self) {
            // The instance stays in the frame's slot while its attribute is read.
            let hit: Value? = iu._withUnsafeGuaranteedRef { inst in
                inst.cls.knownPropertyFree ? inst.attrs[name] : nil
            }
            if let v = hit { return v }
        }
        let o = try obj.eval(f)
        if case .obj(let p) = o, let inst = p.exactly(PyInstance.self), let v = inst.attrs[name], !inst.cls.anyProperties { return v }
        return try Interp.getAttr(o, name)
    }
    override func assign(_ f: Frame, _ v: Value) throws {
        let slot = receiverLocal
        if slot >= 0, let u = f.unretainedObject(slot), let iu = u.exactly(PyInstance.self) {
            // `v` is already evaluated, so nothing can rebind the slot during the store.
            let done: Bool = iu._withUnsafeGuaranteedRef { inst in
                guard inst.cls.knownPlainStores else { return false }
                inst.attrs.update(name, v)
                return true
            }
            if done { return }
        }
        let o = try obj.eval(f)
        if case .obj(let p) = o, let inst = p.exactly(PyInstance.self), inst.cls.plainAttributeStores {
            inst.attrs[name] = v; return
        }
        try Interp.setAttr(o, name, v)
    }
    override func delete(_ f: Frame) throws { try Interp.delAttr(try obj.eval(f), name) }
}

final class Subscript: Expr {
    let obj: Expr, index: Expr
    init(_ o: Expr, _ i: Expr, _ s: SourcePos, _ e: SourcePos) { obj = o; index = i; super.init(s, e) }
    override var describe: String { "subscript" }
    /// The local slot `obj` reads when it is a plain local name and evaluating `index` cannot
    /// rebind that slot, else -1 (-2: not yet known). Such a receiver is used where it lies.
    @exclusivity(unchecked) var receiverSlot = -2
    @inline(__always) func borrowableReceiver() -> Int {
        if receiverSlot == -2 {
            receiverSlot = cannotRebindLocals(index) ? localSlot(of: obj) : -1
            indexSlot = localSlot(of: index)
        }
        return receiverSlot
    }
    /// The local slot `index` reads when it is a plain local name, else -1.
    @exclusivity(unchecked) var indexSlot = -1
    /// The index value: straight from its slot when it is a bound local, else evaluated.
    @inline(__always) func indexValue(_ f: Frame) throws -> Value {
        if indexSlot >= 0, let v = f.locals[indexSlot] { return v }
        return try index.eval(f)
    }
    override func eval(_ f: Frame) throws -> Value {
        let slot = borrowableReceiver()
        if slot >= 0, let u = f.unretainedObject(slot) {
            let i = try indexValue(f)
            // The slot still holds the container (`index` could not rebind it): no reference
            // is taken for the lookup.
            let hit: Value? = u._withUnsafeGuaranteedRef { o in
                if let l = o.exactly(PyList.self), case .int(var k) = i {
                    let n = l.items.count
                    if k < 0 { k += n }
                    if k >= 0 && k < n { return l.items[k] }
                } else if let d = o.exactly(PyDict.self) {
                    switch i { case .int, .str: return d.get(i); default: break }
                }
                return nil
            }
            if let v = hit { return v }
            return try Interp.getItem(.obj(u.takeUnretainedValue()), i)
        }
        let o = try obj.eval(f)
        let i = try index.eval(f)
        if case .obj(let lo) = o {
            if let l = lo.exactly(PyList.self), case .int(var k) = i {
                if k < 0 { k += l.items.count }
                if k >= 0 && k < l.items.count { return l.items[k] }
            } else if let d = lo.exactly(PyDict.self) {
                switch i { case .int, .str: if let v = d.get(i) { return v }; default: break }
            }
        }
        return try Interp.getItem(o, i)
    }
    override func assign(_ f: Frame, _ v: Value) throws {
        let slot = borrowableReceiver()
        if slot >= 0, let u = f.unretainedObject(slot) {
            let i = try indexValue(f)
            let done: Bool = u._withUnsafeGuaranteedRef { o in
                if let l = o.exactly(PyList.self), case .int(var k) = i {
                    let n = l.items.count
                    if k < 0 { k += n }
                    if k >= 0 && k < n { l.items[k] = v; return true }
                } else if let d = o.exactly(PyDict.self) {
                    switch i { case .int, .str: d.set(i, v); return true; default: break }
                }
                return false
            }
            if done { return }
            try Interp.setItem(.obj(u.takeUnretainedValue()), i, v)
            return
        }
        let o = try obj.eval(f)
        let i = try index.eval(f)
        if case .obj(let lo) = o {
            if let l = lo.exactly(PyList.self), case .int(var k) = i {
                if k < 0 { k += l.items.count }
                if k >= 0 && k < l.items.count { l.items[k] = v; return }
            } else if let d = lo.exactly(PyDict.self) {
                switch i { case .int, .str: d.set(i, v); return; default: break }
            }
        }
        try Interp.setItem(o, i, v)
    }
    override func delete(_ f: Frame) throws { try Interp.delItem(try obj.eval(f), try index.eval(f)) }
}

final class SliceExpr: Expr {
    let lo: Expr?, hi: Expr?, step: Expr?
    init(_ a: Expr?, _ b: Expr?, _ c: Expr?, _ s: SourcePos, _ e: SourcePos) { lo = a; hi = b; step = c; super.init(s, e) }
    override func eval(_ f: Frame) throws -> Value {
        .obj(PySlice(try lo?.eval(f) ?? Value.none, try hi?.eval(f) ?? Value.none, try step?.eval(f) ?? Value.none))
    }
}

/// One argument in a call: positional, *iterable, name=value or **mapping.
enum CallArg { case pos(Expr), star(Expr), kw(String, Expr), starstar(Expr) }

func evalArgs(_ args: [CallArg], _ simple: Bool, _ f: Frame) throws -> ([Value], [(String, Value)]) {
    if simple {
        var pos: [Value] = []; pos.reserveCapacity(args.count)
        for a in args { if case .pos(let e) = a { pos.append(try e.eval(f)) } }
        return (pos, [])
    }
    var pos: [Value] = []; var kw: [(String, Value)] = []
    for a in args {
        switch a {
        case .pos(let e): pos.append(try e.eval(f))
        case .star(let e): pos.append(contentsOf: try Interp.toArray(try e.eval(f)))
        case .kw(let n, let e):
            if kw.contains(where: { $0.0 == n }) { throw Interp.typeError("keyword argument repeated: \(n)") }
            kw.append((n, try e.eval(f)))
        case .starstar(let e):
            let m = try e.eval(f)
            guard let items = try Interp.mappingItems(m) else {
                throw Interp.typeError("argument after ** must be a mapping, not \(Interp.typeName(m))")
            }
            for (k, v) in items {
                guard case .str(let ks) = k else { throw Interp.typeError("keywords must be strings") }
                if kw.contains(where: { $0.0 == ks }) { throw Interp.typeError("got multiple values for keyword argument '\(ks)'") }
                kw.append((ks, v))
            }
        }
    }
    return (pos, kw)
}

final class Call: Expr {
    /// super() with no arguments: the class that defined the running method, and its first argument.
    static func zeroArgSuper(_ f: Frame) throws -> Value {
        guard let cls = f.function?.definingClass, let first = f.code.params.first else {
            throw Interp.error("RuntimeError", "super(): no arguments")
        }
        var selfValue: Value? = f.nlocals > 0 ? f.locals[0] : nil
        if let ci = f.code.cellNames.firstIndex(of: first) { selfValue = f.cells[ci].value }
        guard let s = selfValue else { throw Interp.error("RuntimeError", "super(): arg[0] deleted") }
        return .obj(PySuper(cls, s))
    }

    let fn: Expr, args: [CallArg]
    let simple: Bool
    /// The argument expressions when every argument is plain positional.
    let positional: [Expr]
    init(_ fn: Expr, _ args: [CallArg], _ s: SourcePos, _ e: SourcePos) {
        self.fn = fn; self.args = args
        simple = args.allSatisfy { if case .pos = $0 { return true }; return false }
        positional = simple ? args.compactMap { if case .pos(let e) = $0 { return e }; return nil } : []
        super.init(s, e)
    }
    override var describe: String { "function call" }
    /// Where a callee that is a plain name lives: 0 a local slot, 1 a global slot, -1 elsewhere
    /// (-2: not yet known; names are resolved after the tree is built).
    @exclusivity(unchecked) var calleeKind = -2
    @exclusivity(unchecked) var calleeSlot = 0
    /// The callee object where it lies in its variable, without taking a reference.
    @inline(__always) func borrowedCallee(_ f: Frame) -> Unmanaged<PyObject>? {
        if calleeKind == -2 {
            calleeKind = -1
            if let n = fn as? Name {
                switch n.ref {
                case .fast(let i): calleeKind = 0; calleeSlot = i
                case .global(let i): calleeKind = 1; calleeSlot = i
                default: break
                }
            }
        }
        if calleeKind == 0 { return f.unretainedObject(calleeSlot) }
        if calleeKind == 1 { return f.globals.unretainedObject(calleeSlot) }
        return nil
    }
    override func eval(_ f: Frame) throws -> Value {
        if simple, let u = borrowedCallee(f) {
            // A script function's frame, or a new instance, takes its own reference to the
            // function or class before any argument runs, so the variable may change meanwhile.
            let kind: Int = u._withUnsafeGuaranteedRef { o in
                if let pf = o.exactly(PyFunction.self) { return pf.code.fastArity == positional.count ? 1 : 0 }
                return o.exactly(PyClass.self) != nil ? 2 : 0
            }
            if kind == 1 {
                return try u._withUnsafeGuaranteedRef { o in
                    try Interp.callDirect(unsafeDowncast(o, to: PyFunction.self), positional, f, selfValue: nil)
                }
            }
            if kind == 2, let r = try u._withUnsafeGuaranteedRef({ o in
                try Interp.constructDirect(unsafeDowncast(o, to: PyClass.self), positional, f)
            }) { return r }
        }
        let callee = try fn.eval(f)
        if simple, case .obj(let o) = callee {
            if let pf = o.exactly(PyFunction.self) {
                if pf.code.fastArity == positional.count { return try Interp.callDirect(pf, positional, f, selfValue: nil) }
            } else if let c = o.exactly(PyClass.self) {
                if let r = try Interp.constructDirect(c, positional, f) { return r }
            } else if let b = o.exactly(PyBuiltin.self), !positional.isEmpty {
                if positional.count == 1 && b === Builtins.lenFunction {
                    // len(x) is everywhere in loops: no argument array.
                    return .int(try Interp.len(try positional[0].eval(f)))
                }
                var pos: [Value] = []
                pos.reserveCapacity(positional.count)
                for e in positional { pos.append(try e.eval(f)) }
                try checkInterrupt()
                return try b.fn(pos, [])
            }
        }
        let (pos, kw) = try evalArgs(args, simple, f)
        if pos.isEmpty, case .obj(let o) = callee, o === Builtins.superBuiltin { return try Call.zeroArgSuper(f) }
        return try Interp.call(callee, pos, kw)
    }
}

/// obj.name(args): avoids creating a bound method for builtin container methods.
final class MethodCall: Expr {
    let obj: Expr, name: String, args: [CallArg]
    let simple: Bool
    /// The argument expressions when every argument is plain positional.
    let positional: [Expr]
    let isAppend: Bool, isGet: Bool
    /// Whether evaluating the arguments cannot rebind a local (see `cannotRebindLocals`).
    let argumentsKeepLocals: Bool
    /// Inline cache of the method found on the receiver's class at this call site, valid while
    /// `classVersion` is unchanged (any class dictionary change bumps it).
    @exclusivity(unchecked) var cachedClass: PyClass? = nil
    @exclusivity(unchecked) var cachedVersion = -1
    @exclusivity(unchecked) var cachedFunction: PyFunction? = nil
    init(_ o: Expr, _ n: String, _ args: [CallArg], _ s: SourcePos, _ e: SourcePos) {
        obj = o; name = n; self.args = args
        simple = args.allSatisfy { if case .pos = $0 { return true }; return false }
        positional = simple ? args.compactMap { if case .pos(let e) = $0 { return e }; return nil } : []
        isAppend = simple && n == "append" && args.count == 1
        isGet = simple && n == "get" && args.count == 2
        argumentsKeepLocals = positional.allSatisfy(cannotRebindLocals)
        super.init(s, e)
    }
    override var describe: String { "function call" }

    /// The cached method again when the receiver and this site's positional arguments fill
    /// its parameters exactly (a direct call), without a reference: `cachedFunction` keeps
    /// the function alive until the next lookup at this site.
    @exclusivity(unchecked) var cachedDirect: Unmanaged<PyFunction>? = nil
    /// The method to call directly on the instance `u`, if it is one whose class gives this
    /// name a plain function taking the receiver and this site's arguments, and the instance
    /// does not shadow it with an attribute of its own. Takes no reference to anything.
    @inline(__always) func directMethod(_ u: Unmanaged<PyObject>) -> Unmanaged<PyFunction>? {
        guard let iu = u.exactly(PyInstance.self) else { return nil }
        return iu._withUnsafeGuaranteedRef { inst -> Unmanaged<PyFunction>? in
            if !(inst.cls === cachedClass && cachedVersion == classVersion) { refreshMethod(inst) }
            guard let m = cachedDirect, inst.attrs.index(name) == nil else { return nil }
            return m
        }
    }
    /// The cache miss of `directMethod`, kept out of line so the hit path stays small.
    @inline(never) func refreshMethod(_ inst: PyInstance) { _ = method(of: inst.cls) }
    /// The plain function `name` resolves to on instances of `cls`, if it is one.
    @inline(__always) func method(of cls: PyClass) -> PyFunction? {
        if cls === cachedClass && cachedVersion == classVersion { return cachedFunction }
        var found: PyFunction? = nil
        if let m = cls.lookup(name), case .obj(let mo) = m { found = mo.exactly(PyFunction.self) }
        cachedClass = cls; cachedVersion = classVersion; cachedFunction = found
        cachedDirect = nil
        if simple, let fn = found, fn.code.fastArity == positional.count + 1 { cachedDirect = Unmanaged.passUnretained(fn) }
        return found
    }

    /// The local slot `obj` reads when it is a plain local name, else -1 (-2: not yet known).
    @exclusivity(unchecked) var receiverSlot = -2
    /// Whether the arguments hold no `:=`, so they cannot rebind a local of the caller and the
    /// callee may borrow the receiver in its slot (nil: not yet known).
    @exclusivity(unchecked) var argumentsLeaveReceiver: Bool? = nil

    override func eval(_ f: Frame) throws -> Value {
        if receiverSlot == -2 { receiverSlot = localSlot(of: obj) }
        if receiverSlot >= 0, simple, let u = f.unretainedObject(receiverSlot) {
            // Find the method while the receiver sits in the caller's slot; the callee's frame
            // takes its own reference to it before any argument is evaluated.
            if let m = directMethod(u) {
                if argumentsLeaveReceiver == nil { argumentsLeaveReceiver = !positional.contains(where: mayRebindLocals) }
                // The cache holds the function until the callee's frame takes its reference.
                // Without `:=` in the arguments nothing rebinds the receiver's variable during
                // the call (only this frame's code could), so the callee may borrow it there.
                let lent: UnsafePointer<Value?>? = argumentsLeaveReceiver == true ? UnsafePointer(f.locals + receiverSlot) : nil
                return try m._withUnsafeGuaranteedRef { fn in
                    try Interp.callDirect(fn, positional, f, selfValue: nil, selfObject: u, lentReceiver: lent)
                }
            }
            if argumentsKeepLocals, let r = try u._withUnsafeGuaranteedRef({ try containerCall($0, f) }) { return r }
            // Lists and dicts: one reference for the call (the arguments may run any code).
            let o = u.takeUnretainedValue()
            if isAppend, let l = o.exactly(PyList.self) { l.items.append(try positional[0].eval(f)); return Value.none }
            if isGet, let d = o.exactly(PyDict.self), d.kind != .counter {
                let k = try positional[0].eval(f)
                let dflt = try positional[1].eval(f)
                switch k { case .int, .str: break; default: try Interp.checkHashable(k) }
                return d.get(k) ?? dflt
            }
        }
        let o = try obj.eval(f)
        if case .obj(let lo) = o {
            if let inst = lo.exactly(PyInstance.self) {
                if let fn = method(of: inst.cls), inst.attrs.index(name) == nil {
                    if simple && fn.code.fastArity == positional.count + 1 {
                        return try Interp.callDirect(fn, positional, f, selfValue: o)
                    }
                    var (pos, kw) = try evalArgs(args, simple, f)
                    pos.insert(o, at: 0)
                    return try Interp.callFunction(fn, pos, kw)
                }
            } else if let l = lo.exactly(PyList.self) {
                if isAppend { l.items.append(try positional[0].eval(f)); return Value.none }
            } else if let d = lo.exactly(PyDict.self) {
                if isGet && d.kind != .counter {
                    let k = try positional[0].eval(f)
                    let dflt = try positional[1].eval(f)
                    switch k { case .int, .str: break; default: try Interp.checkHashable(k) }
                    return d.get(k) ?? dflt
                }
            }
        }
        let (pos, kw) = try evalArgs(args, simple, f)
        return try Interp.callMethod(o, name, pos, kw)
    }
}

enum BinOpKind: String {
    case add = "+", sub = "-", mul = "*", div = "/", floordiv = "//", mod = "%", pow = "**"
    case matmul = "@", lshift = "<<", rshift = ">>", band = "&", bor = "|", bxor = "^"
    var dunder: String {
        switch self {
        case .add: return "add"; case .sub: return "sub"; case .mul: return "mul"; case .div: return "truediv"
        case .floordiv: return "floordiv"; case .mod: return "mod"; case .pow: return "pow"; case .matmul: return "matmul"
        case .lshift: return "lshift"; case .rshift: return "rshift"; case .band: return "and"; case .bor: return "or"; case .bxor: return "xor"
        }
    }
}

final class BinOp: Expr {
    let op: BinOpKind, l: Expr, r: Expr
    init(_ op: BinOpKind, _ l: Expr, _ r: Expr, _ s: SourcePos, _ e: SourcePos) { self.op = op; self.l = l; self.r = r; super.init(s, e) }
    /// How the operands can be read without evaluating them as nodes, worked out on the first
    /// evaluation (names are resolved after the tree is built): see `OperandShape`.
    @exclusivity(unchecked) var shape = OperandShape.unknown
    override func eval(_ f: Frame) throws -> Value {
        if case .general = shape {} else if let v = try shaped(f) { return v }
        let a = try l.eval(f), b = try r.eval(f)
        if let v = BinOp.quick(op, a, b) { return v }
        return try Interp.binary(op, a, b)
    }
    /// Ints in local slots (and int constants) straight from where they lie. Nil when the
    /// shape does not apply or the operands are not ints (nothing was evaluated then: reading
    /// a local or a constant has no effect to repeat); a left operand evaluated as a node
    /// always gets its full answer here. Kept out of line so the general path stays small.
    @inline(never) func shaped(_ f: Frame) throws -> Value? {
        switch shape {
        case .unknown:
            shape = OperandShape(l, r, constantRight: true)
            if case .general = shape { return nil }
            return try shaped(f)
        case .localConstant(let i, let y):
            if case .int(let x)? = f.locals[i], let v = BinOp.ints(op, x, y) { return v }
        case .localLocal(let i, let j):
            if case .int(let x)? = f.locals[i], case .int(let y)? = f.locals[j], let v = BinOp.ints(op, x, y) { return v }
        case .nodeConstant(let y):
            let a = try l.eval(f)
            if case .int(let x) = a, let v = BinOp.ints(op, x, y) { return v }
            let b = Value.int(y)
            if let v = BinOp.quick(op, a, b) { return v }
            return try Interp.binary(op, a, b)
        case .general: break
        }
        return nil
    }
    /// The result of `x op y` when plain 64-bit arithmetic gives Python's answer, else nil.
    @inline(__always) static func ints(_ op: BinOpKind, _ x: Int, _ y: Int) -> Value? {
        switch op {
        case .add: let (v, o) = x.addingReportingOverflow(y); if !o { return .int(v) }
        case .sub: let (v, o) = x.subtractingReportingOverflow(y); if !o { return .int(v) }
        case .mul: let (v, o) = x.multipliedReportingOverflow(by: y); if !o { return .int(v) }
        case .mod: if y > 0 && x >= 0 { return .int(x % y) }
        case .floordiv: if y > 0 && x >= 0 { return .int(x / y) }
        case .band: return .int(x & y)
        case .bor: return .int(x | y)
        case .bxor: return .int(x ^ y)
        case .div: if y != 0 { return .float(Double(x) / Double(y)) }
        case .lshift, .rshift, .pow, .matmul: break
        }
        return nil
    }
    /// The result for the common operand types (ints that do not overflow, floats, string
    /// concatenation), or nil when the general rules must decide.
    @inline(__always) static func quick(_ op: BinOpKind, _ a: Value, _ b: Value) -> Value? {
        if case .int(let x) = a, case .int(let y) = b {
            if let v = ints(op, x, y) { return v }
        } else if case .float(let x) = a {
            let y: Double
            switch b { case .float(let d): y = d; case .int(let i): y = Double(i); default: return nil }
            switch op {
            case .add: return .float(x + y)
            case .sub: return .float(x - y)
            case .mul: return .float(x * y)
            case .div: if y != 0 { return .float(x / y) }
            default: break
            }
        } else if case .int(let i) = a, case .float(let y) = b {
            let x = Double(i)
            switch op {
            case .add: return .float(x + y)
            case .sub: return .float(x - y)
            case .mul: return .float(x * y)
            case .div: if y != 0 { return .float(x / y) }
            default: break
            }
        } else if op == .add, case .str(let x) = a, case .str(let y) = b {
            return .str(x + y)
        }
        return nil
    }
}

enum UnaryKind { case neg, pos, invert, not }

final class UnaryOp: Expr {
    let op: UnaryKind, operand: Expr
    init(_ op: UnaryKind, _ x: Expr, _ s: SourcePos, _ e: SourcePos) { self.op = op; operand = x; super.init(s, e) }
    override func eval(_ f: Frame) throws -> Value {
        let v = try operand.eval(f)
        if op == .not { return .bool(!(try Interp.truthy(v))) }
        return try Interp.unary(op, v)
    }
}

final class BoolOp: Expr {
    let isAnd: Bool, values: [Expr]
    init(_ isAnd: Bool, _ v: [Expr], _ s: SourcePos, _ e: SourcePos) { self.isAnd = isAnd; values = v; super.init(s, e) }
    override func eval(_ f: Frame) throws -> Value {
        var v: Value = .none
        var i = 0
        let n = values.count
        while i < n {
            // The node's array keeps each operand alive: no retain to evaluate it.
            v = try Unmanaged.passUnretained(values[i])._withUnsafeGuaranteedRef { try $0.eval(f) }
            let t = try Interp.isTrue(v)
            if isAnd ? !t : t { return v }
            i += 1
        }
        return v
    }
}

enum CmpOp: String { case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">=", isIn = "in", notIn = "not in", is_ = "is", isNot = "is not" }

final class Compare: Expr {
    let first: Expr, ops: [CmpOp], rest: [Expr]
    init(_ a: Expr, _ ops: [CmpOp], _ rest: [Expr], _ s: SourcePos, _ e: SourcePos) {
        first = a; self.ops = ops; self.rest = rest
        super.init(s, e)
    }
    /// See `OperandShape`; only single comparisons use it.
    @exclusivity(unchecked) var shape = OperandShape.unknown
    override func eval(_ f: Frame) throws -> Value {
        if case .general = shape {} else if let v = shaped(f) { return v }
        var a = try first.eval(f)
        if ops.count == 1 {
            let op = ops[0]
            // The node's array keeps the operand alive: no retain to evaluate it.
            let b = try Unmanaged.passUnretained(rest[0])._withUnsafeGuaranteedRef { try $0.eval(f) }
            if case .int(let x) = a, case .int(let y) = b {
                switch op {
                case .lt: return .bool(x < y); case .le: return .bool(x <= y); case .gt: return .bool(x > y)
                case .ge: return .bool(x >= y); case .eq: return .bool(x == y); case .ne: return .bool(x != y)
                default: break
                }
            } else if case .float(let x) = a, case .float(let y) = b {
                switch op {
                case .lt: return .bool(x < y); case .le: return .bool(x <= y); case .gt: return .bool(x > y)
                case .ge: return .bool(x >= y); case .eq: return .bool(x == y); case .ne: return .bool(x != y)
                default: break
                }
            }
            return try Interp.compare(op, a, b)
        }
        for k in 0..<ops.count {
            let b = try rest[k].eval(f)
            let r: Value
            if case .int(let x) = a, case .int(let y) = b {
                switch ops[k] {
                case .lt: r = .bool(x < y); case .le: r = .bool(x <= y); case .gt: r = .bool(x > y)
                case .ge: r = .bool(x >= y); case .eq: r = .bool(x == y); case .ne: r = .bool(x != y)
                default: r = try Interp.compare(ops[k], a, b)
                }
            } else if case .float(let x) = a, case .float(let y) = b {
                switch ops[k] {
                case .lt: r = .bool(x < y); case .le: r = .bool(x <= y); case .gt: r = .bool(x > y)
                case .ge: r = .bool(x >= y); case .eq: r = .bool(x == y); case .ne: r = .bool(x != y)
                default: r = try Interp.compare(ops[k], a, b)
                }
            } else {
                r = try Interp.compare(ops[k], a, b)
            }
            if k == ops.count - 1 { return r }
            if !(try Interp.truthy(r)) { return r }
            a = b
        }
        return a
    }
}

final class IfExp: Expr {
    let cond: Expr, a: Expr, b: Expr
    init(_ c: Expr, _ a: Expr, _ b: Expr, _ s: SourcePos, _ e: SourcePos) { cond = c; self.a = a; self.b = b; super.init(s, e) }
    override func eval(_ f: Frame) throws -> Value { try Interp.isTrue(try cond.eval(f)) ? try a.eval(f) : try b.eval(f) }
    override var describe: String { "conditional expression" }
}

final class NamedExpr: Expr {
    let target: Name, value: Expr
    init(_ t: Name, _ v: Expr, _ s: SourcePos, _ e: SourcePos) { target = t; value = v; super.init(s, e) }
    override func eval(_ f: Frame) throws -> Value { let v = try value.eval(f); try target.assign(f, v); return v }
}

final class Starred: Expr {
    let value: Expr
    init(_ v: Expr, _ s: SourcePos, _ e: SourcePos) { value = v; super.init(s, e) }
    override func eval(_ f: Frame) throws -> Value { throw Interp.error("SyntaxError", "can't use starred expression here") }
    override var describe: String { "starred" }
}

func evalElements(_ elts: [Expr], _ f: Frame) throws -> [Value] {
    var out: [Value] = []; out.reserveCapacity(elts.count)
    for e in elts {
        if let s = e as? Starred { out.append(contentsOf: try Interp.toArray(try s.value.eval(f))) }
        else { out.append(try e.eval(f)) }
    }
    return out
}

/// Unpacks `v` into the targets, supporting one starred target.
func assignUnpack(_ elts: [Expr], _ f: Frame, _ v: Value) throws {
    let items = try Interp.toArray(v)
    if let star = elts.firstIndex(where: { $0 is Starred }) {
        let after = elts.count - star - 1
        if items.count < elts.count - 1 {
            throw Interp.valueError("not enough values to unpack (expected at least \(elts.count - 1), got \(items.count))")
        }
        for k in 0..<star { try elts[k].assign(f, items[k]) }
        try (elts[star] as! Starred).value.assign(f, .list(Array(items[star..<(items.count - after)])))
        for k in 0..<after { try elts[star + 1 + k].assign(f, items[items.count - after + k]) }
        return
    }
    if items.count != elts.count {
        if items.count > elts.count { throw Interp.valueError("too many values to unpack (expected \(elts.count))") }
        throw Interp.valueError("not enough values to unpack (expected \(elts.count), got \(items.count))")
    }
    for (k, e) in elts.enumerated() { try e.assign(f, items[k]) }
}

final class TupleExpr: Expr {
    let elts: [Expr]
    init(_ e: [Expr], _ s: SourcePos, _ en: SourcePos) { elts = e; super.init(s, en) }
    override func eval(_ f: Frame) throws -> Value { .obj(PyTuple(try evalElements(elts, f))) }
    override func assign(_ f: Frame, _ v: Value) throws { try assignUnpack(elts, f, v) }
    override func delete(_ f: Frame) throws { for e in elts { try e.delete(f) } }
    override var describe: String { "tuple" }
}

final class ListExpr: Expr {
    let elts: [Expr]
    init(_ e: [Expr], _ s: SourcePos, _ en: SourcePos) { elts = e; super.init(s, en) }
    override func eval(_ f: Frame) throws -> Value { .obj(PyList(try evalElements(elts, f))) }
    override func assign(_ f: Frame, _ v: Value) throws { try assignUnpack(elts, f, v) }
    override var describe: String { "list" }
}

final class SetExpr: Expr {
    let elts: [Expr]
    init(_ e: [Expr], _ s: SourcePos, _ en: SourcePos) { elts = e; super.init(s, en) }
    override func eval(_ f: Frame) throws -> Value {
        let s = PySet()
        for v in try evalElements(elts, f) { try Interp.checkHashable(v); s.set.insert(v) }
        return .obj(s)
    }
    override var describe: String { "set display" }
}

final class DictExpr: Expr {
    /// nil key means `**mapping`.
    let keys: [Expr?], values: [Expr]
    init(_ k: [Expr?], _ v: [Expr], _ s: SourcePos, _ e: SourcePos) { keys = k; values = v; super.init(s, e) }
    override func eval(_ f: Frame) throws -> Value {
        let d = PyDict()
        for (k, ve) in zip(keys, values) {
            if let k = k {
                let kv = try k.eval(f)
                try Interp.checkHashable(kv)
                d.set(kv, try ve.eval(f))
            } else {
                let m = try ve.eval(f)
                guard let items = try Interp.mappingItems(m) else { throw Interp.typeError("'\(Interp.typeName(m))' object is not a mapping") }
                for (a, b) in items { d.set(a, b) }
            }
        }
        return .obj(d)
    }
    override var describe: String { "dict literal" }
}

/// One `for … in … if …` clause of a comprehension.
struct CompClause { var target: Expr; var iter: Expr; var conds: [Expr] }

/// List, set and dict comprehensions run inline in the enclosing frame (their variables get
/// private slots there), which is how CPython 3.12 runs them too.
final class Comprehension: Expr {
    enum Kind { case list, set, dict }
    let kind: Kind, elt: Expr, value: Expr?, clauses: [CompClause]
    init(_ k: Kind, _ elt: Expr, _ v: Expr?, _ c: [CompClause], _ s: SourcePos, _ e: SourcePos) {
        kind = k; self.elt = elt; value = v; clauses = c; super.init(s, e)
    }
    override var describe: String { kind == .list ? "list comprehension" : kind == .set ? "set comprehension" : "dict comprehension" }
    /// The local slot of each clause's target when it is a plain local name, else -1; worked
    /// out on the first evaluation (names are resolved after the tree is built).
    @exclusivity(unchecked) var targetSlots: [Int] = []

    override func eval(_ f: Frame) throws -> Value {
        if targetSlots.isEmpty { targetSlots = clauses.map { localSlot(of: $0.target) } }
        switch kind {
        case .list:
            let out = PyList()
            try run(0, f, sized: { out.items.reserveCapacity($0) }) { out.items.append(try self.elt.eval(f)) }
            return .obj(out)
        case .set:
            let out = PySet()
            try run(0, f) {
                let v = try self.elt.eval(f)
                switch v { case .int, .str: break; default: try Interp.checkHashable(v) }
                out.set.insert(v)
            }
            return .obj(out)
        case .dict:
            let out = PyDict()
            try run(0, f, sized: { n in
                out.storage.reserveCapacity(n); out.keys.reserveCapacity(n); out.vals.reserveCapacity(n)
            }) {
                let k = try self.elt.eval(f)
                switch k { case .int, .str: break; default: try Interp.checkHashable(k) }
                out.set(k, try self.value!.eval(f))
            }
            return .obj(out)
        }
    }

    /// Runs clause `k` and those inside it, calling `emit` for each combination that passes
    /// every condition. Ranges and lists are walked directly (a list by index, reading it as
    /// it is at each step, as its iterator would), binding the variable straight into its slot.
    /// `sized` hears the element count when it is known up front: a single clause with no
    /// condition over a range or a list emits exactly one element per item.
    @inline(__always) func run(_ k: Int, _ f: Frame, sized: (Int) -> Void = { _ in }, _ emit: () throws -> Void) throws {
        // The node's arrays keep the clause's expressions alive: no reference taken per use.
        let seq = try Unmanaged.passUnretained(clauses[k].iter)._withUnsafeGuaranteedRef { try $0.eval(f) }
        let slot = targetSlots[k]
        let last = k + 1 == clauses.count
        @inline(__always) func step(_ v: Value) throws {
            if slot >= 0 { f.locals[slot] = v } else {
                try Unmanaged.passUnretained(clauses[k].target)._withUnsafeGuaranteedRef { try $0.assign(f, v) }
            }
            let nc = clauses[k].conds.count
            var c = 0
            while c < nc {
                let ok = try Unmanaged.passUnretained(clauses[k].conds[c])._withUnsafeGuaranteedRef {
                    try Interp.isTrue(try $0.eval(f))
                }
                if !ok { return }
                c += 1
            }
            if last { try emit() } else { try runInner(k + 1, f, emit) }
        }
        if case .obj(let o) = seq {
            let exact = clauses.count == 1 && clauses[0].conds.isEmpty
            if let r = o.exactly(PyRange.self) {
                if exact { sized(min(r.count, 1 << 16)) }
                var i = r.start
                let stop = r.stop, by = r.step
                while by > 0 ? i < stop : i > stop {
                    try checkInterrupt()
                    try step(.int(i))
                    i += by
                }
                return
            }
            if let l = o.exactly(PyList.self) {
                if exact { sized(min(l.items.count, 1 << 16)) }
                var i = 0
                while i < l.items.count { try step(l.items[i]); i += 1 }
                return
            }
        }
        try Interp.forEach(seq) { v in try step(v); return true }
    }
    /// The inner clauses, kept out of line so that `run` can be inlined for the outermost one.
    func runInner(_ k: Int, _ f: Frame, _ emit: () throws -> Void) throws { try run(k, f, emit) }
}

/// A generator expression: compiled as a tiny generator function whose first iterable is
/// evaluated eagerly in the enclosing scope, then run lazily as a state machine.
final class GeneratorExp: Expr {
    let elt: Expr, clauses: [CompClause]
    var code: FunctionCode! = nil
    init(_ elt: Expr, _ c: [CompClause], _ s: SourcePos, _ e: SourcePos) { self.elt = elt; clauses = c; super.init(s, e) }
    override var describe: String { "generator expression" }
    override func eval(_ f: Frame) throws -> Value {
        let firstSeq = try clauses[0].iter.eval(f)
        if clauses.count == 1, case .obj(let so) = firstSeq, let l = so.exactly(PyList.self) {
            return .obj(try overList(l, f))
        }
        let first = try Interp.iter(firstSeq)
        let frame = Frame(code: code, globals: f.globals)
        frame.cells = code.cellNames.map { _ in PyCell() } + code.freeSources.map { n in Interp.captureCell(n, from: f) }
        // One iterator per clause; advance the innermost, refill from the outer ones.
        var iters: [Value?] = [first] + Array(repeating: nil, count: clauses.count - 1)
        let clauses = self.clauses, elt = self.elt
        var level = 0
        return .obj(PyIterator("generator") {
            while level >= 0 {
                guard let it = iters[level] else {
                    iters[level] = try Interp.iter(try clauses[level].iter.eval(frame)); continue
                }
                guard let v = try Interp.next(it) else { iters[level] = nil; level -= 1; if level < 0 { return nil }; continue }
                try clauses[level].target.assign(frame, v)
                var ok = true
                for c in clauses[level].conds where !(try Interp.isTrue(try c.eval(frame))) { ok = false; break }
                if !ok { continue }
                if level + 1 < clauses.count { level += 1; iters[level] = nil; continue }
                return try elt.eval(frame)
            }
            return nil
        })
    }
}

extension GeneratorExp {
    /// `(elt for x in a_list if cond)`: walks the list by index, as its iterator would (each
    /// step reads the list as it is then), without an inner iterator object per element.
    func overList(_ l: PyList, _ f: Frame) throws -> PyIterator {
        let frame = Frame(code: code, globals: f.globals)
        frame.cells = code.cellNames.map { _ in PyCell() } + code.freeSources.map { n in Interp.captureCell(n, from: f) }
        let clause = clauses[0], elt = self.elt
        let target = clause.target, conds = clause.conds
        let slot = localSlot(of: target)
        var i = 0
        var done = false
        return PyIterator("generator") {
            if done { return nil }
            while i < l.items.count {
                let v = l.items[i]
                i += 1
                if slot >= 0 { frame.locals[slot] = v } else { try target.assign(frame, v) }
                var ok = true
                var k = 0
                while k < conds.count {
                    // The clause's array keeps each condition alive: no retain per test.
                    if !(try Unmanaged.passUnretained(conds[k])._withUnsafeGuaranteedRef({ try Interp.isTrue(try $0.eval(frame)) })) { ok = false; break }
                    k += 1
                }
                if ok { return try elt.eval(frame) }
            }
            done = true
            return nil
        }
    }
}

final class Lambda: Expr {
    let code: FunctionCode, defaults: [Expr], kwDefaults: [(String, Expr)]
    init(_ c: FunctionCode, _ d: [Expr], _ kd: [(String, Expr)], _ s: SourcePos, _ e: SourcePos) { code = c; defaults = d; kwDefaults = kd; super.init(s, e) }
    override var describe: String { "lambda" }
    override func eval(_ f: Frame) throws -> Value { .obj(try Interp.makeFunction(code, defaults, kwDefaults, f)) }
}

/// Part of an f-string: literal text, or an expression with conversion and format spec.
enum FPart { case text(String), expr(Expr, conv: Character?, spec: [FPart]?, debugText: String?) }

final class FString: Expr {
    let parts: [FPart]
    /// When every replacement field is a plain `{expr}` (no conversion, spec or `=`): the
    /// literal text around the fields (`literals[k]` comes before `fields[k]`, and one more
    /// literal ends it), so rendering walks two arrays instead of copying enum parts.
    let literals: [String], fields: [Expr]
    let plain: Bool
    init(_ p: [FPart], _ s: SourcePos, _ e: SourcePos) {
        parts = p
        var lits: [String] = [], exprs: [Expr] = []
        var pending = "", plain = true
        for part in p {
            switch part {
            case .text(let t): pending += t
            case .expr(let x, let conv, let spec, let dbg):
                if conv != nil || spec != nil || dbg != nil { plain = false }
                lits.append(pending); pending = ""; exprs.append(x)
            }
        }
        lits.append(pending)
        literals = lits; fields = exprs; self.plain = plain
        super.init(s, e)
    }
    override var describe: String { "f-string expression" }
    override func eval(_ f: Frame) throws -> Value {
        guard plain else { return .str(try FString.render(parts, f)) }
        return .str(try TextBuilder.build { out in
            let n = fields.count
            var k = 0
            while k < n {
                out.append(literals[k])
                // The node's array keeps the field's expression alive: no reference per use.
                let v = try Unmanaged.passUnretained(fields[k])._withUnsafeGuaranteedRef { try $0.eval(f) }
                switch v {
                case .str(let t): out.append(t)
                case .int(let i): out.append(i)
                default: out.append(try Interp.format(v, ""))
                }
                k += 1
            }
            out.append(literals[n])
        })
    }
    static func render(_ parts: [FPart], _ f: Frame) throws -> String {
        try TextBuilder.build { out in
            for p in parts {
                switch p {
                case .text(let t): out.append(t)
                case .expr(let e, let conv, let spec, let dbg):
                    let v = try e.eval(f)
                    if conv == nil && spec == nil && dbg == nil {
                        // A plain `{x}` of a str or int is its str(): no format machinery.
                        switch v {
                        case .str(let t): out.append(t); continue
                        case .int(let i): out.append(i); continue
                        default: break
                        }
                    }
                    out.append(try formatted(v, conv, spec, dbg, f))
                }
            }
        }
    }
    /// One replacement field through the general rules: debug text, conversion, format spec.
    static func formatted(_ value: Value, _ conv: Character?, _ spec: [FPart]?, _ dbg: String?, _ f: Frame) throws -> String {
        var out = ""
        var v = value
        if let d = dbg { out += d }
        var c = conv
        if dbg != nil && c == nil && spec == nil { c = "r" }
        if c == "r" { v = .str(try Interp.repr(v)) } else if c == "s" { v = .str(try Interp.str(v)) } else if c == "a" { v = .str(try Interp.repr(v)) }
        let specText = try spec.map { try render($0, f) } ?? ""
        out += try Interp.format(v, specText)
        return out
    }
}

final class Yield: Expr {
    let value: Expr?
    init(_ v: Expr?, _ s: SourcePos, _ e: SourcePos) { value = v; super.init(s, e) }
    override var describe: String { "yield expression" }
    override func eval(_ f: Frame) throws -> Value {
        let v = try value?.eval(f) ?? Value.none
        guard let g = f.generator else { throw Interp.error("SyntaxError", "'yield' outside function") }
        return try g.yield(v)
    }
}

final class YieldFrom: Expr {
    let value: Expr
    init(_ v: Expr, _ s: SourcePos, _ e: SourcePos) { value = v; super.init(s, e) }
    override var describe: String { "yield expression" }
    override func eval(_ f: Frame) throws -> Value {
        let src = try value.eval(f)
        guard let g = f.generator else { throw Interp.error("SyntaxError", "'yield' outside function") }
        let it = try Interp.iter(src)
        if case .obj(let o) = it, let sub = o as? PyGenerator {
            var sent: Value = .none
            while true {
                let r: Value?
                r = try sub.resume(send: sent)
                guard let y = r else { return sub.returnValue }
                sent = try g.yield(y)
            }
        }
        while let y = try Interp.next(it) { _ = try g.yield(y) }
        return Value.none
    }
}

extension Interp {
    /// The key/value pairs of a dict, or of a native mapping (one with `keys()` and
    /// `__getitem__`, such as a tokenizer's BatchEncoding), as `**` unpacking takes them; nil
    /// for anything else.
    static func mappingItems(_ m: Value) throws -> [(Value, Value)]? {
        guard case .obj(let o) = m else { return nil }
        if let d = o as? PyDict { return d.items }
        guard let n = o as? PyNative, let keys = try n.object.getAttribute("keys"),
              try n.object.getAttribute("__getitem__") != nil else { return nil }
        return try toArray(try call(keys, [])).map { k in (k, try getItem(m, k)) }
    }
}

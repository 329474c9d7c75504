/// A statement node; `exec` reports how control leaves it.
class Stmt: Node {
    /// Whether a `yield` appears anywhere inside this statement (set by the parser).
    var hasYield = false
    func exec(_ f: Frame) throws -> Flow { fatalError("exec not implemented for \(type(of: self))") }
}

@inline(__always) func execBlock(_ body: [Stmt], _ f: Frame) throws -> Flow {
    var i = 0
    let n = body.count
    while i < n {
        // The block's array keeps every statement alive while it runs, so the statement is
        // used without the retain/release pair a plain loop pays per statement.
        let r = try Unmanaged.passUnretained(body[i])._withUnsafeGuaranteedRef { s -> Flow in
            f.line = s.line
            return try s.exec(f)
        }
        if case .normal = r { i += 1; continue }
        return r
    }
    return .normal
}

final class ExprStmt: Stmt {
    let value: Expr
    /// Set by the interactive front-end: show the value's repr (Python's interactive mode).
    var display: ((Value) throws -> Void)? = nil
    init(_ v: Expr) { value = v; super.init(v.start, SourcePos(line: v.endLine, col: v.endCol)) }
    override func exec(_ f: Frame) throws -> Flow {
        let v = try value.eval(f)
        if let d = display { try d(v) }
        return .normal
    }
}

final class Assign: Stmt {
    let targets: [Expr], value: Expr
    init(_ t: [Expr], _ v: Expr, _ s: SourcePos, _ e: SourcePos) { targets = t; value = v; super.init(s, e) }
    /// The local slot of a single plain-name target, else -1; names are resolved after the
    /// tree is built, so this is looked up on first use (-2: not yet).
    @exclusivity(unchecked) private var fastSlot = -2
    private func findFastSlot() -> Int {
        var s = -1
        if targets.count == 1, let n = targets[0] as? Name, case .fast(let i) = n.ref { s = i }
        fastSlot = s
        return s
    }
    override func exec(_ f: Frame) throws -> Flow {
        let v = try Unmanaged.passUnretained(value)._withUnsafeGuaranteedRef { try $0.eval(f) }
        var slot = fastSlot
        if slot == -2 { slot = findFastSlot() }
        if slot >= 0 { f.locals[slot] = v; return .normal }
        if targets.count == 1 {
            // The statement's array keeps its target alive: no retain around the store.
            try Unmanaged.passUnretained(targets[0])._withUnsafeGuaranteedRef { try $0.assign(f, v) }
            return .normal
        }
        for t in targets { try t.assign(f, v) }
        return .normal
    }
}

final class AugAssign: Stmt {
    let target: Expr, op: BinOpKind, value: Expr
    /// The target by kind, sorted out once here rather than by casts on every execution.
    let nameTarget: Name?, attributeTarget: Attribute?, subscriptTarget: Subscript?
    init(_ t: Expr, _ op: BinOpKind, _ v: Expr, _ s: SourcePos, _ e: SourcePos) {
        target = t; self.op = op; value = v
        nameTarget = t as? Name; attributeTarget = t as? Attribute; subscriptTarget = t as? Subscript
        super.init(s, e)
    }
    /// `cur op rhs` for in-place assignment: plain numbers directly, everything else through
    /// the in-place protocol.
    @inline(__always) func combine(_ cur: Value, _ rhs: Value) throws -> Value {
        if let r = BinOp.quick(op, cur, rhs) { return r }
        return try Interp.inplace(op, cur, rhs)
    }
    /// The local slot of a plain local-name target, else -1 (-2: not yet known).
    @exclusivity(unchecked) var localTarget = -2
    /// Whether evaluating `value` cannot rebind a local of this frame (nil: not yet known).
    @exclusivity(unchecked) var rightSideKeepsLocals: Bool? = nil
    override func exec(_ f: Frame) throws -> Flow {
        if localTarget == -2 { localTarget = localSlot(of: target) }
        if localTarget >= 0, let cur = f.locals[localTarget] {
            let rhs = try value.eval(f)
            f.locals[localTarget] = try combine(cur, rhs)
            return .normal
        }
        if let n = nameTarget {
            let cur = try n.eval(f)
            let rhs = try value.eval(f)
            try n.assign(f, try combine(cur, rhs))
        } else if let a = attributeTarget {
            let slot = a.receiverLocal
            if slot >= 0, let u = f.unretainedObject(slot), let iu = u.exactly(PyInstance.self) {
                if rightSideKeepsLocals == nil { rightSideKeepsLocals = !mayRebindLocals(value) }
                if rightSideKeepsLocals == true {
                    // Only this frame's code can rebind its local, and the right side has no
                    // `:=`, so the slot holds the instance (and keeps it alive) throughout.
                    let done = try iu._withUnsafeGuaranteedRef { inst -> Bool in
                        guard inst.cls.knownPlainStores, let cur = inst.attrs[a.name] else { return false }
                        let rhs = try Unmanaged.passUnretained(value)._withUnsafeGuaranteedRef { try $0.eval(f) }
                        let r = try combine(cur, rhs)
                        // The right side may have given the class a property or __setattr__.
                        if inst.cls.knownPlainStores { inst.attrs.update(a.name, r) } else { try Interp.setAttr(.obj(inst), a.name, r) }
                        return true
                    }
                    if done { return .normal }
                } else {
                    // One reference for the whole update: the right side may rebind the local.
                    let p = u.takeUnretainedValue()
                    if let inst = p.exactly(PyInstance.self), inst.cls.knownPlainStores, let cur = inst.attrs[a.name] {
                        let r = try combine(cur, try value.eval(f))
                        if inst.cls.knownPlainStores { inst.attrs.update(a.name, r) } else { try Interp.setAttr(.obj(p), a.name, r) }
                        return .normal
                    }
                }
            }
            let o = try a.obj.eval(f)
            if case .obj(let p) = o, let inst = p.exactly(PyInstance.self), let cur = inst.attrs[a.name],
               inst.cls.plainAttributeStores {
                let r = try combine(cur, try value.eval(f))
                inst.attrs[a.name] = r
                return .normal
            }
            let cur = try Interp.getAttr(o, a.name)
            try Interp.setAttr(o, a.name, try Interp.inplace(op, cur, try value.eval(f)))
        } else if let s = subscriptTarget {
            let o = try s.obj.eval(f), i = try s.index.eval(f)
            let cur = try Interp.getItem(o, i)
            try Interp.setItem(o, i, try combine(cur, try value.eval(f)))
        }
        return .normal
    }
}

/// Whether evaluating `e` might rebind a fast local of the running frame. Only code of the
/// frame itself can do that, and inside an expression only `:=` does; anything not known to
/// be free of it counts as might.
func mayRebindLocals(_ e: Expr) -> Bool {
    func args(_ a: [CallArg]) -> Bool {
        a.contains { arg in
            switch arg { case .pos(let x), .star(let x), .kw(_, let x), .starstar(let x): return mayRebindLocals(x) }
        }
    }
    switch e {
    case is Const, is Name: return false
    case let x as Attribute: return mayRebindLocals(x.obj)
    case let x as BinOp: return mayRebindLocals(x.l) || mayRebindLocals(x.r)
    case let x as UnaryOp: return mayRebindLocals(x.operand)
    case let x as Compare: return mayRebindLocals(x.first) || x.rest.contains(where: mayRebindLocals)
    case let x as BoolOp: return x.values.contains(where: mayRebindLocals)
    case let x as IfExp: return mayRebindLocals(x.cond) || mayRebindLocals(x.a) || mayRebindLocals(x.b)
    case let x as Subscript: return mayRebindLocals(x.obj) || mayRebindLocals(x.index)
    case let x as Call: return mayRebindLocals(x.fn) || args(x.args)
    case let x as MethodCall: return mayRebindLocals(x.obj) || args(x.args)
    case let x as TupleExpr: return x.elts.contains(where: mayRebindLocals)
    case let x as ListExpr: return x.elts.contains(where: mayRebindLocals)
    default: return true
    }
}

final class AnnAssign: Stmt {
    let target: Expr, value: Expr?
    init(_ t: Expr, _ v: Expr?, _ s: SourcePos, _ e: SourcePos) { target = t; value = v; super.init(s, e) }
    override func exec(_ f: Frame) throws -> Flow {
        if let v = value { try target.assign(f, try v.eval(f)) }
        if f.classNS != nil, let n = target as? Name {
            // Record annotation order for @dataclass.
            var anns = f.classNS!["__annotation_order__"].flatMap { v -> [Value]? in
                if case .obj(let o) = v, let l = o as? PyList { return l.items }; return nil } ?? []
            anns.append(.str(n.name))
            f.classNS!["__annotation_order__"] = .list(anns)
        }
        return .normal
    }
}

final class If: Stmt {
    let cond: Expr, body: [Stmt], orelse: [Stmt]
    init(_ c: Expr, _ b: [Stmt], _ o: [Stmt], _ s: SourcePos, _ e: SourcePos) { cond = c; body = b; orelse = o; super.init(s, e) }
    override func exec(_ f: Frame) throws -> Flow {
        if try Interp.isTrue(try cond.eval(f)) { return try execBlock(body, f) }
        return try execBlock(orelse, f)
    }
}

final class While: Stmt {
    let cond: Expr, body: [Stmt], orelse: [Stmt]
    init(_ c: Expr, _ b: [Stmt], _ o: [Stmt], _ s: SourcePos, _ e: SourcePos) { cond = c; body = b; orelse = o; super.init(s, e) }
    override func exec(_ f: Frame) throws -> Flow {
        while try Interp.isTrue(try cond.eval(f)) {
            try checkInterrupt()
            let r = try execBlock(body, f)
            switch r {
            case .normal, .cont: continue
            case .brk: return .normal
            case .ret: return .ret
            }
        }
        return try execBlock(orelse, f)
    }
}

final class For: Stmt {
    let target: Expr, iter: Expr, body: [Stmt], orelse: [Stmt]
    init(_ t: Expr, _ i: Expr, _ b: [Stmt], _ o: [Stmt], _ s: SourcePos, _ e: SourcePos) { target = t; iter = i; body = b; orelse = o; super.init(s, e) }
    override func exec(_ f: Frame) throws -> Flow {
        let seq = try iter.eval(f)
        var fastSlot = -1
        if let n = target as? Name, case .fast(let i) = n.ref { fastSlot = i }
        /// Binds one element and runs the body: nil to go on, else how the loop ends.
        @inline(__always) func iteration(_ v: Value) throws -> Flow? {
            try checkInterrupt()
            if fastSlot >= 0 { f.locals[fastSlot] = v } else { try target.assign(f, v) }
            switch try execBlock(body, f) {
            case .normal, .cont: return nil
            case .brk: return .normal
            case .ret: return .ret
            }
        }
        if case .obj(let o) = seq, let r = o.exactly(PyRange.self) {
            var i = r.start
            let stop = r.stop, step = r.step
            while step > 0 ? i < stop : i > stop {
                if let end = try iteration(.int(i)) { return end }
                i += step
            }
            return try execBlock(orelse, f)
        }
        if case .obj(let o) = seq, let l = o.exactly(PyList.self) {
            var i = 0
            while i < l.items.count {
                try checkInterrupt()
                // The element goes straight into its variable: one copy, not one per step.
                if fastSlot >= 0 { f.locals[fastSlot] = l.items[i] } else { try target.assign(f, l.items[i]) }
                switch try execBlock(body, f) {
                case .normal, .cont: break
                case .brk: return .normal
                case .ret: return .ret
                }
                i += 1
            }
            return try execBlock(orelse, f)
        }
        let it = try Interp.iter(seq)
        if case .obj(let io) = it, let pi = io.exactly(PyIterator.self) {
            // One load of the step function, not one per element.
            let step = pi.next
            while let v = try step() {
                if let end = try iteration(v) { return end }
            }
            return try execBlock(orelse, f)
        }
        while let v = try Interp.next(it) {
            if let end = try iteration(v) { return end }
        }
        return try execBlock(orelse, f)
    }
}

final class Break: Stmt { override func exec(_ f: Frame) throws -> Flow { .brk } }
final class Continue: Stmt { override func exec(_ f: Frame) throws -> Flow { .cont } }
final class Pass: Stmt { override func exec(_ f: Frame) throws -> Flow { .normal } }
/// global/nonlocal: only affect name resolution at compile time.
final class ScopeDecl: Stmt {
    let names: [String], isGlobal: Bool
    init(_ n: [String], _ g: Bool, _ s: SourcePos, _ e: SourcePos) { names = n; isGlobal = g; super.init(s, e) }
    override func exec(_ f: Frame) throws -> Flow { .normal }
}

final class Return: Stmt {
    let value: Expr?
    init(_ v: Expr?, _ s: SourcePos, _ e: SourcePos) { value = v; super.init(s, e) }
    override func exec(_ f: Frame) throws -> Flow {
        f.retval = try value?.eval(f) ?? Value.none
        return .ret
    }
}

final class FunctionDef: Stmt {
    let code: FunctionCode, defaults: [Expr], kwDefaults: [(String, Expr)], decorators: [Expr]
    let target: Name
    init(_ c: FunctionCode, _ d: [Expr], _ kd: [(String, Expr)], _ dec: [Expr], _ t: Name, _ s: SourcePos, _ e: SourcePos) {
        code = c; defaults = d; kwDefaults = kd; decorators = dec; target = t; super.init(s, e)
    }
    override func exec(_ f: Frame) throws -> Flow {
        let decs = try decorators.map { try $0.eval(f) }
        var v: Value = .obj(try Interp.makeFunction(code, defaults, kwDefaults, f))
        for d in decs.reversed() { v = try Interp.call(d, [v]) }
        try target.assign(f, v)
        return .normal
    }
}

final class ClassDef: Stmt {
    let name: String, bases: [Expr], keywords: [(String, Expr)], body: [Stmt], decorators: [Expr], code: FunctionCode
    let target: Name
    init(_ n: String, _ b: [Expr], _ kw: [(String, Expr)], _ body: [Stmt], _ dec: [Expr], _ code: FunctionCode, _ t: Name, _ s: SourcePos, _ e: SourcePos) {
        name = n; bases = b; keywords = kw; self.body = body; decorators = dec; self.code = code; target = t; super.init(s, e)
    }
    override func exec(_ f: Frame) throws -> Flow {
        let decs = try decorators.map { try $0.eval(f) }
        let baseVals = try bases.map { try $0.eval(f) }
        if baseVals.count > 1 { throw Interp.typeError("multiple inheritance is not supported") }
        var base: PyClass = Builtins.objectClass
        if let b = baseVals.first {
            guard case .obj(let o) = b, let c = o as? PyClass else {
                throw Interp.typeError("bases must be types")
            }
            base = c
        }
        // The class body runs in its own frame whose namespace becomes the class dict.
        let frame = Frame(code: code, globals: f.globals)
        frame.cells = code.cellNames.map { _ in PyCell() } + code.freeSources.map { Interp.captureCell($0, from: f) }
        frame.classNS = ["__module__": .str(f.globals.moduleName), "__qualname__": .str(code.qualname)]
        if let doc = code.doc { frame.classNS!["__doc__"] = .str(doc) }
        _ = try execBlock(body, frame)
        var ns = frame.classNS!
        ns.removeValue(forKey: "__annotation_order__").map { ns["__annotations_order__"] = $0 }
        let cls = PyClass(name: name, base: base, dict: ns)
        cls.module = f.globals.moduleName
        cls.doc = code.doc
        if base.builtinTag != nil && !base.isSubclass(of: Builtins.baseException) && base !== Builtins.objectClass {
            cls.builtinTag = base.builtinTag
        }
        for (_, v) in ns { if case .obj(let o) = v, let fn = o as? PyFunction { fn.definingClass = cls }
            else if case .obj(let o) = v, let p = o as? PyProperty {
                for g in [p.getter, p.setter] { if case .obj(let fo)? = g, let fn = fo as? PyFunction { fn.definingClass = cls } }
            } else if case .obj(let o) = v, let s = o as? PyClassMethod, case .obj(let fo) = s.function, let fn = fo as? PyFunction { fn.definingClass = cls }
            else if case .obj(let o) = v, let s = o as? PyStaticMethod, case .obj(let fo) = s.function, let fn = fo as? PyFunction { fn.definingClass = cls }
        }
        if let idx = code.cellNames.firstIndex(of: "__class__") { frame.cells[idx].value = .obj(cls) }
        var v: Value = .obj(cls)
        for d in decs.reversed() { v = try Interp.call(d, [v]) }
        try target.assign(f, v)
        return .normal
    }
}

/// One `except [Type [as name]]:` clause.
struct Handler { var type: Expr?; var name: Expr?; var body: [Stmt]; var line: Int }

final class Try: Stmt {
    let body: [Stmt], handlers: [Handler], orelse: [Stmt], finalbody: [Stmt]
    init(_ b: [Stmt], _ h: [Handler], _ o: [Stmt], _ fin: [Stmt], _ s: SourcePos, _ e: SourcePos) {
        body = b; handlers = h; orelse = o; finalbody = fin; super.init(s, e)
    }
    override func exec(_ f: Frame) throws -> Flow {
        if finalbody.isEmpty { return try execHandlers(f) }
        let r: Flow
        do { r = try execHandlers(f) } catch {
            let saved = f.retval
            let fr = try execBlock(finalbody, f)
            if fr != .normal { return fr }   // return/break in finally swallows the exception
            f.retval = saved
            throw error
        }
        let saved = f.retval
        let fr = try execBlock(finalbody, f)
        if fr != .normal { return fr }
        f.retval = saved
        return r
    }
    func execHandlers(_ f: Frame) throws -> Flow {
        if handlers.isEmpty { return try execBlock(body, f) }
        let r: Flow
        do { r = try execBlock(body, f) } catch let e as PyError {
            let exc = e.exc
            for h in handlers {
                if let te = h.type {
                    let t = try te.eval(f)
                    if !(try Interp.exceptionMatches(exc, t)) { continue }
                }
                if exc.traceback.isEmpty || exc.traceback.last!.function != f.code.name {
                    // Keep where it happened inside this frame for later re-raise.
                }
                let prev = f.handling
                f.handling = exc
                defer { f.handling = prev }
                if let n = h.name { try n.assign(f, .obj(exc)) }
                do {
                    let hr = try execBlock(h.body, f)
                    if let n = h.name { try? n.delete(f) }
                    return hr
                } catch let inner as PyError {
                    if let n = h.name { try? n.delete(f) }
                    if inner.exc !== exc && inner.exc.context == nil { inner.exc.context = exc }
                    throw inner
                }
            }
            throw e
        }
        if r != .normal { return r }
        return try execBlock(orelse, f)
    }
}

final class Raise: Stmt {
    let exc: Expr?, cause: Expr?
    init(_ x: Expr?, _ c: Expr?, _ s: SourcePos, _ e: SourcePos) { exc = x; cause = c; super.init(s, e) }
    override func exec(_ f: Frame) throws -> Flow {
        guard let xe = exc else {
            guard let h = f.handling else { throw Interp.error("RuntimeError", "No active exception to reraise") }
            throw PyError(h)
        }
        let inst = try Interp.makeException(try xe.eval(f))
        if let c = cause {
            let cv = try c.eval(f)
            if cv.isNone { inst.cause = nil } else { inst.cause = try Interp.makeException(cv) }
            inst.suppressContext = true
        }
        if let h = f.handling, h !== inst, inst.context == nil { inst.context = h }
        inst.traceback = []
        throw PyError(inst)
    }
}

final class WithStmt: Stmt {
    let items: [(Expr, Expr?)], body: [Stmt]
    init(_ i: [(Expr, Expr?)], _ b: [Stmt], _ s: SourcePos, _ e: SourcePos) { items = i; body = b; super.init(s, e) }
    override func exec(_ f: Frame) throws -> Flow { try run(0, f) }
    func run(_ k: Int, _ f: Frame) throws -> Flow {
        if k == items.count { return try execBlock(body, f) }
        let (ce, target) = items[k]
        let mgr = try ce.eval(f)
        let exitFn = try Interp.getAttr(mgr, "__exit__")
        let entered = try Interp.callMethod(mgr, "__enter__", [])
        if let t = target { try t.assign(f, entered) }
        let r: Flow
        do { r = try run(k + 1, f) } catch let e as PyError {
            let suppress = try Interp.call(exitFn, [.obj(e.exc.cls), .obj(e.exc), .none])
            if try Interp.truthy(suppress) { return .normal }
            throw e
        }
        _ = try Interp.call(exitFn, [.none, .none, .none])
        return r
    }
}

final class Assert: Stmt {
    let test: Expr, msg: Expr?
    init(_ t: Expr, _ m: Expr?, _ s: SourcePos, _ e: SourcePos) { test = t; msg = m; super.init(s, e) }
    override func exec(_ f: Frame) throws -> Flow {
        if try Interp.truthy(try test.eval(f)) { return .normal }
        if let m = msg { throw Interp.error("AssertionError", args: [try m.eval(f)]) }
        throw Interp.error("AssertionError", nil)
    }
}

final class Del: Stmt {
    let targets: [Expr]
    init(_ t: [Expr], _ s: SourcePos, _ e: SourcePos) { targets = t; super.init(s, e) }
    override func exec(_ f: Frame) throws -> Flow { for t in targets { try t.delete(f) }; return .normal }
}

final class Import: Stmt {
    /// (dotted module name, alias target)
    let names: [(String, Name)]
    init(_ n: [(String, Name)], _ s: SourcePos, _ e: SourcePos) { names = n; super.init(s, e) }
    override func exec(_ f: Frame) throws -> Flow {
        for (mod, target) in names {
            let m = try Modules.importModule(mod)
            if target.name == mod || !mod.contains(".") || target.name != mod.split(separator: ".").first.map(String.init) {
                if mod.contains("."), target.name == String(mod.split(separator: ".")[0]) {
                    try target.assign(f, try Modules.importModule(target.name))
                } else { try target.assign(f, m) }
            } else {
                try target.assign(f, try Modules.importModule(target.name))
            }
        }
        return .normal
    }
}

final class ImportFrom: Stmt {
    let module: String, names: [(String, Name?)]   // nil target means `*`
    init(_ m: String, _ n: [(String, Name?)], _ s: SourcePos, _ e: SourcePos) { module = m; names = n; super.init(s, e) }
    override func exec(_ f: Frame) throws -> Flow {
        let m = try Modules.importModule(module)
        for (n, target) in names {
            guard let t = target else {
                if case .obj(let o) = m, let mod = o as? PyModule {
                    for (k, v) in mod.attrs where !k.hasPrefix("_") { f.globals[k] = v }
                }
                continue
            }
            let v: Value
            if let a = try? Interp.getAttr(m, n) { v = a }
            else if let sub = try? Modules.importModule(module + "." + n) { v = sub }
            else { throw Interp.error("ImportError", "cannot import name '\(n)' from '\(module)'") }
            try t.assign(f, v)
        }
        return .normal
    }
}

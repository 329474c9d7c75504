/// Runs a generator body on the consumer's thread by keeping its position explicitly: a stack
/// of blocks with statement indexes and loop iterators. It covers the generators most code
/// writes — `yield` as a statement (or `x = yield v`) inside any nesting of while/for/if — and
/// is far cheaper than a thread hand-off. Other generators (yield inside try/with or inside a
/// larger expression, `yield from`) run on a thread (PyGenerator).
final class ResumableRunner {
    enum Kind { case block, whileLoop(While), forLoop(For, Value), delegate(Value, Expr?) }
    struct Level { let stmts: [Stmt]; var index: Int; let kind: Kind }
    var stack: [Level]
    let frame: Frame
    var pendingTarget: Expr? = nil
    var finished = false
    var returnValue: Value = .none
    /// The value passed to send(), forwarded to a `yield from` sub-generator.
    var lastSent: Value = .none

    init(_ frame: Frame) {
        self.frame = frame
        stack = [Level(stmts: frame.code.body, index: 0, kind: .block)]
    }

    /// Whether every statement that contains a yield has a shape the runner handles.
    static func supports(_ body: [Stmt]) -> Bool {
        for s in body where s.hasYield {
            switch s {
            case let e as ExprStmt: if !(e.value is Yield || e.value is YieldFrom) { return false }
            case let a as Assign: if !(a.value is Yield || a.value is YieldFrom) || a.targets.count != 1 { return false }
            case let w as While:
                if !(w.body + w.orelse).contains(where: { $0.hasYield }) { return false }
                if !supports(w.body) || !supports(w.orelse) { return false }
            case let f as For:
                if !(f.body + f.orelse).contains(where: { $0.hasYield }) { return false }
                if !supports(f.body) || !supports(f.orelse) { return false }
            case let i as If:
                if !(i.body + i.orelse).contains(where: { $0.hasYield }) { return false }
                if !supports(i.body) || !supports(i.orelse) { return false }
            default: return false
            }
        }
        return true
    }

    /// Runs to the next yield and returns its value, or nil when the body finishes.
    func resume(_ sent: Value, throwing: PyError?) throws -> Value? {
        if finished { return nil }
        if let t = throwing { finished = true; throw t }
        Interp.depth += 1
        defer { Interp.depth -= 1 }
        if Interp.depth > Interp.recursionLimit { throw Interp.error("RecursionError", "maximum recursion depth exceeded") }
        do {
            lastSent = sent
            if let target = pendingTarget { pendingTarget = nil; try target.assign(frame, sent) }
            return try run()
        } catch let e as PyError {
            finished = true
            Interp.addTrace(e.exc, frame)
            throw e
        }
    }

    func run() throws -> Value? {
        while true {
            guard var top = stack.popLast() else { finished = true; return nil }
            if case .delegate(let it, let target) = top.kind {
                let sent = lastSent
                lastSent = .none
                let v: Value?
                if case .obj(let o) = it, let g = o as? PyGenerator { v = try g.resume(send: sent) } else { v = try Interp.next(it) }
                if let y = v { stack.append(top); return y }
                if let t = target {
                    var result: Value = .none
                    if case .obj(let o) = it, let g = o as? PyGenerator { result = g.returnValue }
                    try t.assign(frame, result)
                }
                continue
            }
            if top.index >= top.stmts.count {
                switch top.kind {
                case .block, .delegate: continue
                case .whileLoop(let w):
                    try checkInterrupt()
                    if try Interp.truthy(try w.cond.eval(frame)) { stack.append(Level(stmts: w.body, index: 0, kind: .whileLoop(w))) }
                    else if !w.orelse.isEmpty { stack.append(Level(stmts: w.orelse, index: 0, kind: .block)) }
                    continue
                case .forLoop(let f, let it):
                    try checkInterrupt()
                    if let v = try Interp.next(it) {
                        try f.target.assign(frame, v)
                        stack.append(Level(stmts: f.body, index: 0, kind: .forLoop(f, it)))
                    } else if !f.orelse.isEmpty { stack.append(Level(stmts: f.orelse, index: 0, kind: .block)) }
                    continue
                }
            }
            let s = top.stmts[top.index]
            top.index += 1
            stack.append(top)
            frame.line = s.line
            if !s.hasYield {
                switch try s.exec(frame) {
                case .normal: continue
                case .ret: finished = true; returnValue = frame.retval; stack = []; return nil
                case .brk: unwindLoop(breaking: true); continue
                case .cont: unwindLoop(breaking: false); continue
                }
            }
            switch s {
            case let e as ExprStmt:
                if let yf = e.value as? YieldFrom {
                    stack.append(Level(stmts: [], index: 0, kind: .delegate(try Interp.iter(try yf.value.eval(frame)), nil)))
                    lastSent = .none
                    continue
                }
                return try (e.value as? Yield)?.value?.eval(frame) ?? Value.none
            case let a as Assign:
                if let yf = a.value as? YieldFrom {
                    stack.append(Level(stmts: [], index: 0, kind: .delegate(try Interp.iter(try yf.value.eval(frame)), a.targets[0])))
                    lastSent = .none
                    continue
                }
                pendingTarget = a.targets[0]
                return try (a.value as? Yield)?.value?.eval(frame) ?? Value.none
            case let w as While:
                if try Interp.truthy(try w.cond.eval(frame)) { stack.append(Level(stmts: w.body, index: 0, kind: .whileLoop(w))) }
                else if !w.orelse.isEmpty { stack.append(Level(stmts: w.orelse, index: 0, kind: .block)) }
            case let f as For:
                let it = try Interp.iter(try f.iter.eval(frame))
                if let v = try Interp.next(it) {
                    try f.target.assign(frame, v)
                    stack.append(Level(stmts: f.body, index: 0, kind: .forLoop(f, it)))
                } else if !f.orelse.isEmpty { stack.append(Level(stmts: f.orelse, index: 0, kind: .block)) }
            case let i as If:
                let branch = try Interp.truthy(try i.cond.eval(frame)) ? i.body : i.orelse
                stack.append(Level(stmts: branch, index: 0, kind: .block))
            default:
                throw Interp.error("SystemError", "unsupported statement in resumable generator")
            }
        }
    }

    /// break/continue from a statement run normally: leave the innermost loop, or restart it.
    func unwindLoop(breaking: Bool) {
        while var top = stack.popLast() {
            switch top.kind {
            case .block, .delegate: continue
            case .whileLoop, .forLoop:
                if !breaking { top.index = top.stmts.count; stack.append(top) }
                return
            }
        }
    }
}

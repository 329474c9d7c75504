/// Fast paths for the list and dict operations loops spend their time in, used while the
/// container stays in the local slot that holds it (no reference counting for the access).

/// Whether evaluating `e` cannot rebind a local variable of the running frame. Only an
/// assignment expression (`:=`) inside `e` could: a name, a constant, or arithmetic on those
/// cannot (operator methods run in frames of their own, and a nested function writing the
/// variable would make it a cell, not a fast local). Conservative: other shapes answer false.
func cannotRebindLocals(_ e: Expr) -> Bool {
    if e is Name || e is Const { return true }
    if let b = e as? BinOp { return cannotRebindLocals(b.l) && cannotRebindLocals(b.r) }
    if let u = e as? UnaryOp { return cannotRebindLocals(u.operand) }
    return false
}

extension MethodCall {
    /// `xs.append(v)` on a list and `d.get(k, default)` on a dict, with the receiver borrowed
    /// from its slot; nil when the call is something else. The caller has checked that the
    /// arguments cannot rebind that slot, so the receiver stays alive throughout.
    @inline(__always) func containerCall(_ o: PyObject, _ f: Frame) throws -> Value? {
        if isAppend, let l = o.exactly(PyList.self) {
            let v = try Unmanaged.passUnretained(positional[0])._withUnsafeGuaranteedRef { try $0.eval(f) }
            l.items.append(v)
            return Value.none
        }
        if isGet, let d = o.exactly(PyDict.self), d.kind != .counter {
            let k = try Unmanaged.passUnretained(positional[0])._withUnsafeGuaranteedRef { try $0.eval(f) }
            let dflt = try Unmanaged.passUnretained(positional[1])._withUnsafeGuaranteedRef { try $0.eval(f) }
            switch k { case .int, .str: break; default: try Interp.checkHashable(k) }
            return d.get(k) ?? dflt
        }
        return nil
    }
}

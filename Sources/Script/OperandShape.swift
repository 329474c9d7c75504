/// How a binary operation or comparison can read its two operands directly: an int in a
/// local slot against an int constant or another local, which loops do all the time
/// (`i % 3`, `i * i`, `x > 100`). Evaluating those operands as nodes costs two dynamic
/// calls and two value copies; reading the slots costs two loads.
enum OperandShape {
    /// Not yet worked out (names are resolved after the tree is built).
    case unknown
    /// Some other shape: evaluate the operands as nodes.
    case general
    /// A local (slot) and an int constant.
    case localConstant(Int, Int)
    /// Two locals (slots).
    case localLocal(Int, Int)
    /// Any left operand and an int constant (binary operations only, when asked for).
    case nodeConstant(Int)

    init(_ left: Expr, _ right: Expr, constantRight: Bool = false) {
        let i = localSlot(of: left)
        guard i >= 0 else {
            if constantRight, let c = right as? Const, case .int(let y) = c.value { self = .nodeConstant(y) } else { self = .general }
            return
        }
        if let c = right as? Const, case .int(let y) = c.value { self = .localConstant(i, y); return }
        let j = localSlot(of: right)
        self = j >= 0 ? .localLocal(i, j) : .general
    }
}

extension Compare {
    /// A single comparison of ints read straight from local slots (and an int constant);
    /// nil when that does not apply (nothing was evaluated then). Out of line, so the
    /// general path stays small.
    @inline(never) func shaped(_ f: Frame) -> Value? {
        switch shape {
        case .unknown:
            shape = ops.count == 1 ? OperandShape(first, rest[0]) : .general
            if case .general = shape { return nil }
            return shaped(f)
        case .localConstant(let i, let y):
            if case .int(let x)? = f.locals[i] { return Compare.ints(ops[0], x, y) }
        case .localLocal(let i, let j):
            if case .int(let x)? = f.locals[i], case .int(let y)? = f.locals[j] { return Compare.ints(ops[0], x, y) }
        case .general, .nodeConstant: break
        }
        return nil
    }

    /// `x op y` for two ints when `op` is an ordering or equality; nil for the others.
    @inline(__always) static func ints(_ op: CmpOp, _ x: Int, _ y: Int) -> Value? {
        switch op {
        case .lt: return .bool(x < y)
        case .le: return .bool(x <= y)
        case .gt: return .bool(x > y)
        case .ge: return .bool(x >= y)
        case .eq: return .bool(x == y)
        case .ne: return .bool(x != y)
        default: return nil
        }
    }
}

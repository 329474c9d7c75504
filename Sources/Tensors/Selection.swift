/// Choosing between values by a bool mask: `where` and `maskedFill`, with gradients routed
/// to the side that was chosen.
extension Tensor {
    /// Elements of `a` where `condition` is true and of `b` elsewhere, all three broadcast
    /// together, as torch.where. The result has the promoted dtype of `a` and `b`.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard condition.dtype == .bool else {
            throw TensorError.unsupportedDType(op: "where (condition must be torch.bool)", dtype: condition.dtype)
        }
        let shape = try broadcastShapes(broadcastShapes(condition.shape, a.shape, op: "where"), b.shape, op: "where")
        let type = a.dtype.promoted(with: b.dtype)
        let c = try condition.broadcastOperand(shape)
        let x = try withNoGrad { try a.to(type).broadcastOperand(shape) }
        let y = try withNoGrad { try b.to(type).broadcastOperand(shape) }
        let out = Tensor(uninitialized: shape, dtype: type)
        withExtendedLifetime((c, x, y)) {
            let mask = c.tensor.pointer(as: Bool.self)
            switch type.itemSize {
            case 1: choose(mask, c.step, x, y, out, UInt8.self)
            case 2: choose(mask, c.step, x, y, out, UInt16.self)
            case 4: choose(mask, c.step, x, y, out, UInt32.self)
            default: choose(mask, c.step, x, y, out, UInt64.self)
            }
        }
        let chosen = condition.detach()
        return record(out, "WhereBackward0", [a, b]) { g in
            let zero = Tensor.full([], 0, dtype: g.dtype)
            return [a.requiresGrad ? try Tensor.where(chosen, g, zero).sumToShape(a.shape) : nil,
                    b.requiresGrad ? try Tensor.where(chosen, zero, g).sumToShape(b.shape) : nil]
        }
    }

    /// `where` with a number for the true side (it takes `b`'s dtype, as a Python scalar).
    public static func `where`(_ condition: Tensor, _ a: Double, _ b: Tensor) throws -> Tensor {
        try Tensor.where(condition, scalar(a, like: b), b)
    }

    /// `where` with a number for the false side (it takes `a`'s dtype, as a Python scalar).
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Double) throws -> Tensor {
        try Tensor.where(condition, a, scalar(b, like: a))
    }

    /// A copy of self with `value` wherever `mask` (bool, broadcast against self) is true,
    /// as torch's masked_fill; the dtype stays self's. No gradient flows to filled positions.
    public func maskedFill(mask: Tensor, value: Double) throws -> Tensor {
        guard mask.dtype == .bool else {
            throw TensorError.unsupportedDType(op: "masked_fill (only boolean masks are supported, mask shape \(mask.shape.shapeString))",
                                               dtype: mask.dtype)
        }
        _ = try Tensor.broadcastShapes(shape, mask.shape, op: "masked_fill")  // name this op in the error
        return try Tensor.where(mask, Tensor.full([], value, dtype: dtype), self)
    }

    private static func choose<T>(_ mask: UnsafePointer<Bool>, _ maskStep: Int,
                                  _ x: (tensor: Tensor, step: Int), _ y: (tensor: Tensor, step: Int),
                                  _ out: Tensor, _: T.Type) {
        let p = x.tensor.pointer(as: T.self), ps = x.step
        let q = y.tensor.pointer(as: T.self), qs = y.step
        let dst = out.pointer(as: T.self)
        Parallel.forEachChunk(out.count, costPerElement: 2) { range in
            for i in range { dst[i] = mask[i * maskStep] ? p[i * ps] : q[i * qs] }
        }
    }
}

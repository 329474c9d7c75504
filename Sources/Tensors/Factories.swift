/// Tensors made from nothing: zeros, ones, full, arange.
extension Tensor {
    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        Tensor(zeros: shape, dtype: dtype)
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        full(shape, 1, dtype: dtype)
    }

    /// A tensor of `shape` with every element `value` (converted to `dtype`).
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32) -> Tensor {
        let out = Tensor(uninitialized: shape, dtype: dtype)
        let n = out.count
        switch dtype {
        case .float32: out.floatPointer.update(repeating: Float(value), count: n)
        case .float16: out.pointer(as: Float16.self).update(repeating: Float16(Float(value)), count: n)
        case .bfloat16: out.pointer(as: UInt16.self).update(repeating: bfloat16Bits(Float(value)), count: n)
        case .int64: out.pointer(as: Int64.self).update(repeating: Int64(value), count: n)
        case .int32: out.pointer(as: Int32.self).update(repeating: Int32(value), count: n)
        case .uint8: out.pointer(as: UInt8.self).update(repeating: UInt8(truncatingIfNeeded: Int(value)), count: n)
        case .bool: out.pointer(as: Bool.self).update(repeating: value != 0, count: n)
        }
        return out
    }

    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape, dtype: other.dtype) }
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape, dtype: other.dtype) }

    /// Values from `start` up to (not including) `end` by `step`, as torch.arange: int64 when
    /// every argument is integral, float32 otherwise (unless `dtype` says).
    public static func arange(_ start: Double = 0, _ end: Double, step: Double = 1,
                              dtype: DType? = nil) throws -> Tensor {
        guard step != 0 else { throw TensorError.invalidArgument("arange: step must be nonzero") }
        guard (end - start) / step >= 0 || start == end else {
            throw TensorError.invalidArgument(
                "arange: upper bound and larger bound inconsistent with step sign")
        }
        let count = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        let integral = start == start.rounded() && end == end.rounded() && step == step.rounded()
        let type = dtype ?? (integral ? .int64 : .float32)
        if type == .int64 {
            let values = (0..<count).map { Int64(start) + Int64($0) * Int64(step) }
            return try Tensor(int64: values, shape: [count])
        }
        let values = (0..<count).map { Float(start + Double($0) * step) }
        return try Tensor(values, shape: [count]).to(type)
    }
}

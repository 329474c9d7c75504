/// Layout and dtype changes: `contiguous`, `clone`, `to(dtype)`, and the strided copy behind them.
extension Tensor {
    /// A row-major dense tensor with the same values; self when already dense.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        let out = Tensor(uninitialized: shape, dtype: dtype)
        Tensor.copyStrided(from: self, into: out.storage.bytes)
        return Tensor.record(out, "CloneBackward0", [self]) { [shape] g in [try g.reshape(shape)] }
    }

    /// A dense copy that shares no storage with self.
    public func clone() -> Tensor {
        let out = Tensor(uninitialized: shape, dtype: dtype)
        Tensor.copyStrided(from: self, into: out.storage.bytes)
        return Tensor.record(out, "CloneBackward0", [self]) { g in [g] }
    }

    /// The same values in another dtype (self when it already has it). Float to integer
    /// conversion truncates toward zero; anything to bool tests for non-zero.
    public func to(_ target: DType) throws -> Tensor {
        if target == dtype { return self }
        let source = contiguous()
        defer { withExtendedLifetime(source) {} }  // raw pointers into it are read below
        let n = count
        let out = Tensor(uninitialized: shape, dtype: target)
        if target.isFloatingPoint {
            withFloatReader(source) { read in
                switch target {
                case .float32:
                    let p = out.pointer(as: Float.self)
                    Parallel.forEachChunk(n) { r in for i in r { p[i] = read(i) } }
                case .float16:
                    let p = out.pointer(as: Float16.self)
                    Parallel.forEachChunk(n) { r in for i in r { p[i] = Float16(read(i)) } }
                case .bfloat16:
                    let p = out.pointer(as: UInt16.self)
                    Parallel.forEachChunk(n) { r in for i in r { p[i] = bfloat16Bits(read(i)) } }
                default: break
                }
            }
        } else {
            withIntegerReader(source, bits: target == .int32 ? 32 : 64) { read in
                switch target {
                case .int64:
                    let p = out.pointer(as: Int64.self); for i in 0..<n { p[i] = read(i) }
                case .int32:
                    let p = out.pointer(as: Int32.self)
                    for i in 0..<n { p[i] = Int32(truncatingIfNeeded: read(i)) }
                case .uint8:
                    let p = out.pointer(as: UInt8.self)
                    for i in 0..<n { p[i] = UInt8(truncatingIfNeeded: read(i)) }
                case .bool:
                    let p = out.pointer(as: Bool.self); for i in 0..<n { p[i] = read(i) != 0 }
                default: break
                }
            }
            if target == .bool, dtype.isFloatingPoint {
                // Fractions like 0.5 truncate to 0 but are truthy.
                let f = source.toFloatArray()
                let p = out.pointer(as: Bool.self)
                for i in 0..<n { p[i] = f[i] != 0 }
            }
        }
        if dtype.isFloatingPoint && target.isFloatingPoint {
            let sourceType = dtype
            return Tensor.record(out, "ToCopyBackward0", [self]) { g in [try g.to(sourceType)] }
        }
        return out
    }

    /// Shorthand for `to(.float32)`.
    public func float() throws -> Tensor { try to(.float32) }
    /// Shorthand for `to(.int64)`.
    public func long() throws -> Tensor { try to(.int64) }

    /// Calls `body` with a function reading element `i` of a dense tensor as Float.
    func withFloatReader<R>(_ dense: Tensor, _ body: (@escaping (Int) -> Float) -> R) -> R {
        switch dense.dtype {
        case .float32: let p = dense.pointer(as: Float.self); return body { p[$0] }
        case .float16: let p = dense.pointer(as: Float16.self); return body { Float(p[$0]) }
        case .bfloat16:
            let p = dense.pointer(as: UInt16.self); return body { floatFromBFloat16Bits(p[$0]) }
        case .int64: let p = dense.pointer(as: Int64.self); return body { Float(p[$0]) }
        case .int32: let p = dense.pointer(as: Int32.self); return body { Float(p[$0]) }
        case .uint8: let p = dense.pointer(as: UInt8.self); return body { Float(p[$0]) }
        case .bool: let p = dense.pointer(as: Bool.self); return body { p[$0] ? 1 : 0 }
        }
    }

    /// Calls `body` with a function reading element `i` of a dense tensor as Int64.
    /// Floats truncate toward zero; NaN and out-of-range values give the type's minimum, which
    /// is what torch produces on x86 (the processor's "integer indefinite" value).
    func withIntegerReader<R>(_ dense: Tensor, bits: Int = 64, _ body: (@escaping (Int) -> Int64) -> R) -> R {
        let limit = bits == 64 ? 9.223372036854775807e18 : 2147483647.0
        let indefinite: Int64 = bits == 64 ? Int64.min : Int64(Int32.min)
        func truncate(_ x: Float) -> Int64 {
            let d = Double(x)
            guard d.isFinite, d < limit + 1, d > -limit - 1 else { return indefinite }
            return Int64(d)
        }
        switch dense.dtype {
        case .int64: let p = dense.pointer(as: Int64.self); return body { p[$0] }
        case .int32: let p = dense.pointer(as: Int32.self); return body { Int64(p[$0]) }
        case .uint8: let p = dense.pointer(as: UInt8.self); return body { Int64(p[$0]) }
        case .bool: let p = dense.pointer(as: Bool.self); return body { p[$0] ? 1 : 0 }
        default: return withFloatReader(dense) { read in body { truncate(read($0)) } }
        }
    }

    /// Copies the elements of `source` (any strides) densely into `destination`.
    static func copyStrided(from source: Tensor, into destination: UnsafeMutableRawPointer) {
        switch source.dtype.itemSize {
        case 1: copyStrided(source, destination, UInt8.self)
        case 2: copyStrided(source, destination, UInt16.self)
        case 4: copyStrided(source, destination, UInt32.self)
        default: copyStrided(source, destination, UInt64.self)
        }
    }

    private static func copyStrided<T>(_ source: Tensor, _ rawDestination: UnsafeMutableRawPointer,
                                       _: T.Type) {
        let n = source.count
        if n == 0 { return }
        let dst = rawDestination.assumingMemoryBound(to: T.self)
        let src = source.pointer(as: T.self)
        let (shape, strides) = collapsedLayout(source.shape, source.strides)
        if shape.isEmpty { dst[0] = src[0]; return }
        let inner = shape[shape.count - 1]
        let innerStride = strides[strides.count - 1]
        let outerCount = n / inner
        let outerShape = Array(shape.dropLast())
        let outerStrides = Array(strides.dropLast())
        // Each outer row is independent: rows split across cores when large.
        Parallel.forEachChunk(outerCount, costPerElement: inner, alignment: 1) { rows in
            var index = [Int](repeating: 0, count: outerShape.count)
            var remainder = rows.lowerBound
            var base = 0
            for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
                index[axis] = remainder % outerShape[axis]
                remainder /= outerShape[axis]
                base += index[axis] * outerStrides[axis]
            }
            for row in rows {
                let out = dst + row * inner
                let from = src + base
                if innerStride == 1 {
                    out.update(from: from, count: inner)
                } else {
                    for j in 0..<inner { out[j] = from[j * innerStride] }
                }
                // Advance the outer index like an odometer.
                var axis = outerShape.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    base += outerStrides[axis]
                    if index[axis] < outerShape[axis] { break }
                    base -= index[axis] * outerStrides[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }

    /// Drops size-1 dims and merges neighbours that are contiguous with each other, so strided
    /// loops run over as few, as long dims as possible.
    static func collapsedLayout(_ shape: [Int], _ strides: [Int]) -> ([Int], [Int]) {
        var outShape: [Int] = []
        var outStrides: [Int] = []
        for (size, stride) in zip(shape, strides) where size != 1 {
            if let lastStride = outStrides.last, lastStride == stride * size {
                outShape[outShape.count - 1] *= size
                outStrides[outStrides.count - 1] = stride
            } else {
                outShape.append(size)
                outStrides.append(stride)
            }
        }
        return (outShape, outStrides)
    }
}

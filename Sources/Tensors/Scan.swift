/// Running sums along a dim.
extension Tensor {
    /// Running sum along `dim`, as torch.cumsum: floating tensors keep their dtype, integral
    /// ones (and bool) give int64. The gradient is the reversed running sum of the gradient.
    public func cumsum(dim: Int) throws -> Tensor {
        let d = try axis(dim, op: "cumsum")
        return try cumulativeSum(d, reversed: false)
    }

    private func cumulativeSum(_ d: Int, reversed: Bool) throws -> Tensor {
        let block = adjacentBlock(rank == 0 ? [] : [d]) ?? (1, 1, count)
        let result: Tensor
        if dtype.isIntegral {
            let data = try withNoGrad { try to(.int64).contiguous() }
            result = Tensor(uninitialized: shape, dtype: .int64)
            withExtendedLifetime(data) {
                Tensor.scan(data.pointer(as: Int64.self), block, result.pointer(as: Int64.self), reversed: reversed)
            }
            return result
        }
        let data = try withNoGrad { try to(.float32).contiguous() }
        let out = Tensor(uninitialized: shape, dtype: .float32)
        withExtendedLifetime(data) {
            Tensor.scan(data.floatPointer, block, out.floatPointer, reversed: reversed)
        }
        result = try withNoGrad { try out.to(dtype) }
        return Tensor.record(result, "CumsumBackward0", [self]) { g in
            [try g.cumulativeSum(d, reversed: !reversed)]
        }
    }

    /// Running sum over the middle dim of a dense `[outer, length, inner]` block, from the end
    /// when `reversed`. With `inner > 1` whole rows are added at once (vectorised).
    static func scan<T: AdditiveArithmetic>(_ src: UnsafePointer<T>, _ block: (outer: Int, length: Int, inner: Int),
                                            _ dst: UnsafeMutablePointer<T>, reversed: Bool) {
        let (outer, length, inner) = block
        guard length > 0, inner > 0 else { return }
        Parallel.forEachChunk(outer, costPerElement: length * inner, alignment: 1) { slabs in
            for o in slabs {
                let s = src + o * length * inner, t = dst + o * length * inner
                let first = reversed ? length - 1 : 0, step = reversed ? -1 : 1
                if inner == 1 {
                    // One row: a plain running total.
                    var total = s[first]
                    t[first] = total
                    var j = first + step
                    for _ in 1..<length { total += s[j]; t[j] = total; j += step }
                    continue
                }
                for i in 0..<inner { t[first * inner + i] = s[first * inner + i] }
                var previous = first
                for n in 1..<length {
                    let j = first + n * step
                    let row = s + j * inner, out = t + j * inner, last = t + previous * inner
                    for i in 0..<inner { out[i] = last[i] + row[i] }
                    previous = j
                }
            }
        }
    }
}

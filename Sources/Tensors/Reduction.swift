/// The shared machinery of reductions: move the reduced dims last, then reduce dense rows.
extension Tensor {
    /// Normalised, sorted, de-duplicated dims; all dims when `dims` is empty.
    func reductionAxes(_ dims: [Int], op: String) throws -> [Int] {
        if dims.isEmpty { return Array(0..<rank) }
        let axes = try dims.map { try axis($0, op: op) }
        guard Set(axes).count == axes.count else {
            throw TensorError.invalidArgument("\(op): dim appears multiple times in the list of dims")
        }
        return axes.sorted()
    }

    /// A dense float32 layout of self with `axes` moved last: (rows, rowLength, kept shape).
    func rowsForReduction(_ axes: [Int]) throws -> (data: Tensor, rows: Int, length: Int, kept: [Int]) {
        let keptAxes = (0..<rank).filter { !axes.contains($0) }
        let moved = rank == 0 ? self : try permute(keptAxes + axes)
        let data = try withNoGrad { try moved.to(.float32).contiguous() }
        let length = axes.map { shape[$0] }.reduce(1, *)
        let kept = keptAxes.map { shape[$0] }
        return (data, kept.reduce(1, *), length, kept)
    }

    /// Output shape of a reduction over `axes`.
    func reducedShape(_ axes: [Int], keepDim: Bool) -> [Int] {
        keepDim ? shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
                : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    }

    /// Sum over `dims` (all when empty), float32 accumulation; int tensors sum to int64.
    public func sum(dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        let axes = try reductionAxes(dims, op: "sum")
        let outShape = reducedShape(axes, keepDim: keepDim)
        if dtype.isIntegral {
            let (data, rows, length, _) = try withNoGrad { try to(.int64).rowsForReduction(axes) }
            var values = [Int64](repeating: 0, count: rows)
            withExtendedLifetime(data) {
                let src = data.pointer(as: Int64.self)
                for r in 0..<rows { var s: Int64 = 0; for j in 0..<length { s &+= src[r * length + j] }; values[r] = s }
            }
            return try Tensor(int64: values, shape: outShape)
        }
        let (data, rows, length, _) = try rowsForReduction(axes)
        let out = Tensor(uninitialized: outShape, dtype: .float32)
        withExtendedLifetime(data) {
            let src = data.floatPointer, dst = out.floatPointer
            Parallel.forEachChunk(rows, costPerElement: max(length, 1), alignment: 1) { range in
                for r in range { dst[r] = Tensor.sumContiguous(src + r * length, length) }
            }
        }
        let result = dtype == .float32 ? out : try withNoGrad { try out.to(dtype) }
        return Tensor.record(result, "SumBackward1", [self]) { [shape] g in
            let kept = try g.reshape(self.reducedShape(axes, keepDim: true))
            return [try kept.expand(shape).contiguous()]
        }
    }

    /// Sum of `n` contiguous floats with several independent accumulators (vectorised, and
    /// more accurate than one running sum).
    @inline(__always)
    static func sumContiguous(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 32 <= n {
            acc0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            acc1 += raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
            i += 32
        }
        var total = (acc0 + acc1).sum()
        while i < n { total += p[i]; i += 1 }
        return total
    }
}

import Dispatch

/// The shared machinery of reductions: move the reduced dims last, then reduce dense rows.
extension Tensor {
    /// Normalised, sorted, de-duplicated dims; all dims when `dims` is empty.
    func reductionAxes(_ dims: [Int], op: String) throws -> [Int] {
        if dims.isEmpty { return Array(0..<rank) }
        let axes = try dims.map { try axis($0, op: op) }
        if rank == 0 { return [] }  // dim 0 or -1 of a 0-d tensor names the tensor itself
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
            // Exact int64 rows: the reduced dims moved last, then made dense.
            let keptAxes = (0..<rank).filter { !axes.contains($0) }
            let data = try withNoGrad { try (rank == 0 ? self : permute(keptAxes + axes)).to(.int64).contiguous() }
            let length = axes.map { shape[$0] }.reduce(1, *), rows = outShape.reduce(1, *)
            var values = [Int64](repeating: 0, count: rows)
            withExtendedLifetime(data) {
                let src = data.pointer(as: Int64.self)
                for r in 0..<rows { var s: Int64 = 0; for j in 0..<length { s &+= src[r * length + j] }; values[r] = s }
            }
            return try Tensor(int64: values, shape: outShape)
        }
        let out = Tensor(uninitialized: outShape, dtype: .float32)
        if let block = adjacentBlock(axes) {
            // Reduced dims already sit together in memory: no permute, no copy of float32 data.
            let data = try withNoGrad { try to(.float32).contiguous() }
            withExtendedLifetime(data) {
                Tensor.sumBlocks(data.floatPointer, block, into: out.floatPointer)
            }
        } else {
            let (data, rows, length, _) = try rowsForReduction(axes)
            withExtendedLifetime(data) {
                Tensor.sumBlocks(data.floatPointer, (rows, length, 1), into: out.floatPointer)
            }
        }
        let result = dtype == .float32 ? out : try withNoGrad { try out.to(dtype) }
        return Tensor.record(result, dims.isEmpty ? "SumBackward0" : "SumBackward1", [self]) { [shape] g in
            let kept = try g.reshape(self.reducedShape(axes, keepDim: true))
            return [try kept.expand(shape).contiguous()]
        }
    }

    /// When `axes` are adjacent dims, a dense tensor reduced over them reads as
    /// `[outer, length, inner]`: `length` values to reduce, `inner` apart, per output element.
    func adjacentBlock(_ axes: [Int]) -> (outer: Int, length: Int, inner: Int)? {
        guard let first = axes.first, let last = axes.last else { return (1, 1, count) }
        guard last - first + 1 == axes.count else { return nil }
        return (shape[..<first].reduce(1, *), shape[first...last].reduce(1, *),
                shape[(last + 1)...].reduce(1, *))
    }

    /// Sums dense `[outer, length, inner]` floats over the middle dim into `outer * inner` floats.
    /// With `inner == 1` each row is one SIMD sum; otherwise whole rows of `inner` values are
    /// added in place (a vectorised axpy), so reducing a leading dim never transposes.
    static func sumBlocks(_ src: UnsafePointer<Float>, _ block: (outer: Int, length: Int, inner: Int),
                          into dst: UnsafeMutablePointer<Float>) {
        let (outer, length, inner) = block
        if inner == 1 && outer < Parallel.coreCount && length >= 4 * Parallel.minimumElementsPerTask {
            // Few long rows (a full reduction): split each row into pieces shared by the cores
            // (claimed one at a time, see `Parallel.chunksPerCore`), then add the partials in
            // order, so the result does not depend on which core took which piece.
            let tasks = Parallel.chunkCount(length)
            let chunk = ((length + tasks - 1) / tasks + 31) / 32 * 32
            var partials = [Float](repeating: 0, count: tasks)
            for r in 0..<outer {
                partials.withUnsafeMutableBufferPointer { partial in
                    Parallel.perform(tasks) { t in
                        let start = Swift.min(length, t * chunk), end = Swift.min(length, start + chunk)
                        partial[t] = Tensor.sumContiguous(src + r * length + start, end - start)
                    }
                }
                dst[r] = partials.reduce(0, +)
            }
            return
        }
        if inner == 1 {
            Parallel.forEachChunk(outer, costPerElement: Swift.max(length, 1), alignment: 1) { range in
                for r in range { dst[r] = Tensor.sumContiguous(src + r * length, length) }
            }
            return
        }
        func accumulate(_ o: Int, _ columns: Range<Int>) {
            let d = dst + o * inner + columns.lowerBound
            let n = columns.count
            if length == 0 { d.update(repeating: 0, count: n); return }
            d.update(from: src + o * length * inner + columns.lowerBound, count: n)
            for r in 1..<Swift.max(length, 1) {
                let s = src + (o * length + r) * inner + columns.lowerBound
                for i in 0..<n { d[i] += s[i] }
            }
        }
        if outer > 1 {
            Parallel.forEachChunk(outer, costPerElement: Swift.max(length * inner, 1), alignment: 1) { range in
                for o in range { accumulate(o, 0..<inner) }
            }
        } else {
            Parallel.forEachChunk(inner, costPerElement: Swift.max(length, 1)) { range in
                accumulate(0, range)
            }
        }
    }

    /// Sum of `n` contiguous floats with several independent accumulators (vectorised, and
    /// more accurate than one running sum).
    @inline(__always)
    static func sumContiguous(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        // Four 16-lane accumulators (eight AVX registers) hide the add latency.
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>(), acc2 = SIMD16<Float>(), acc3 = SIMD16<Float>()
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 64 <= n {
            acc0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            acc1 += raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
            acc2 += raw.loadUnaligned(fromByteOffset: (i + 32) * 4, as: SIMD16<Float>.self)
            acc3 += raw.loadUnaligned(fromByteOffset: (i + 48) * 4, as: SIMD16<Float>.self)
            i += 64
        }
        while i + 16 <= n {
            acc0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        var total = ((acc0 + acc1) + (acc2 + acc3)).sum()
        while i < n { total += p[i]; i += 1 }
        return total
    }
}

/// Reductions beyond `sum`: mean, max/min (with the index of the winner), argmax/argmin and
/// variance, each with torch's semantics and gradient.
///
/// max/min/argmax run on the dense `[outer, length, inner]` layout of the input (see
/// `adjacentBlock`): integral tensors compare exactly in int64, floating ones in float32, and
/// NaN wins as in torch. Ties go to the first occurrence.
extension Tensor {
    // MARK: Mean and variance

    /// Mean over `dims` (all when empty), as torch.mean. Floating tensors only.
    public func mean(dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        guard dtype.isFloatingPoint else {
            throw TensorError.invalidArgument(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: \(dtype)")
        }
        let axes = try reductionAxes(dims, op: "mean")
        let n = axes.map { shape[$0] }.reduce(1, *)
        return try sum(dims: dims, keepDim: keepDim) / Double(n)
    }

    /// Variance over `dims` (all when empty), as torch.var: the squared deviations divided by
    /// `N - correction` (unbiased, `correction: 1`, by default).
    public func variance(dims: [Int] = [], correction: Int = 1, keepDim: Bool = false) throws -> Tensor {
        guard dtype.isFloatingPoint else {
            throw TensorError.invalidArgument(
                "var: std and var only support floating point and complex dtypes (got \(dtype))")
        }
        let axes = try reductionAxes(dims, op: "var")
        let n = axes.map { shape[$0] }.reduce(1, *)
        if let block = adjacentBlock(axes), block.inner == 1, n > 0 {
            return try rowVariance(axes, rows: block.outer, length: n, correction: correction, keepDim: keepDim)
        }
        let deviation = try self - mean(dims: dims, keepDim: true)
        // N - correction <= 0 divides by zero, giving inf or nan as torch does.
        return try (deviation * deviation).sum(dims: dims, keepDim: keepDim) / Double(Swift.max(0, n - correction))
    }

    /// Variance of dense rows in two SIMD passes (mean, then squared deviations), which is
    /// both faster and more accurate than the composed ops.
    private func rowVariance(_ axes: [Int], rows: Int, length: Int, correction: Int, keepDim: Bool) throws -> Tensor {
        let data = try withNoGrad { try to(.float32).contiguous() }
        let means = Tensor(uninitialized: reducedShape(axes, keepDim: true), dtype: .float32)
        let out = Tensor(uninitialized: reducedShape(axes, keepDim: keepDim), dtype: .float32)
        let divisor = Float(Swift.max(0, length - correction))
        withExtendedLifetime(data) {
            let src = data.floatPointer, m = means.floatPointer, dst = out.floatPointer
            Parallel.forEachChunk(rows, costPerElement: 2 * length, alignment: 1) { range in
                for r in range {
                    let row = src + r * length
                    let mean = Tensor.sumContiguous(row, length) / Float(length)
                    let raw = UnsafeRawPointer(row)
                    var acc = SIMD16<Float>()
                    var j = 0
                    while j + 16 <= length {
                        let d = raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self) - mean
                        acc += d * d
                        j += 16
                    }
                    var total = acc.sum()
                    while j < length { let d = row[j] - mean; total += d * d; j += 1 }
                    m[r] = mean
                    dst[r] = total / divisor
                }
            }
        }
        let result = dtype == .float32 ? out : try withNoGrad { try out.to(dtype) }
        return Tensor.record(result, "VarBackward0", [self]) { g in
            // d var / dx = 2 (x - mean) / (N - correction)
            let gKept = try g.reshape(means.shape) * Double(2 / divisor)
            return [try ((self.detach() - means) * gKept).to(self.dtype)]
        }
    }

    // MARK: Max and min

    /// The largest element, as a 0-d tensor (NaN if any element is NaN). Its gradient is
    /// shared evenly among the elements equal to the maximum, as torch does.
    public func max() throws -> Tensor { try extremum(largest: true, op: "max") }

    /// The smallest element, as a 0-d tensor. See `max()`.
    public func min() throws -> Tensor { try extremum(largest: false, op: "min") }

    /// The largest values along `dim` and their indices (int64; the first on ties).
    /// The gradient flows to the selected elements only.
    public func max(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try extremum(dim: dim, keepDim: keepDim, largest: true, op: "max")
    }

    /// The smallest values along `dim` and their indices. See `max(dim:keepDim:)`.
    public func min(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try extremum(dim: dim, keepDim: keepDim, largest: false, op: "min")
    }

    /// Index of the largest value along `dim` (of the flattened tensor when `dim` is nil),
    /// first occurrence on ties, as int64.
    public func argmax(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor {
        try argExtremum(dim: dim, keepDim: keepDim, largest: true, op: "argmax")
    }

    /// Index of the smallest value along `dim` (of the flattened tensor when `dim` is nil).
    public func argmin(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor {
        try argExtremum(dim: dim, keepDim: keepDim, largest: false, op: "argmin")
    }

    private func argExtremum(dim: Int?, keepDim: Bool, largest: Bool, op: String) throws -> Tensor {
        guard let dim else {
            guard count > 0 else {
                throw TensorError.invalidArgument(
                    "\(op)(): Expected reduction dim to be specified for input.numel() == 0 (input shape \(shape.shapeString)).")
            }
            let flat = try withNoGrad { try reshape([-1]) }
            let indices = try flat.extremum(dim: 0, keepDim: false, largest: largest, op: op).indices
            return keepDim ? try indices.reshape([Int](repeating: 1, count: rank)) : indices
        }
        return try withNoGrad { try extremum(dim: dim, keepDim: keepDim, largest: largest, op: op).indices }
    }

    private func extremum(largest: Bool, op: String) throws -> Tensor {
        guard count > 0 else {
            throw TensorError.invalidArgument(
                "\(op)(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        }
        let value = try withNoGrad { try reshape([-1]).extremum(dim: 0, keepDim: false, largest: largest, op: op).values }
        let winner = value.detach()  // the closure must not hold the output it is attached to
        return Tensor.record(value, largest ? "MaxBackward1" : "MinBackward1", [self]) { g in
            let x = self.detach()
            let hits = try x.eq(winner).to(.float32)
            return [try (hits * (g / hits.sum())).to(x.dtype)]
        }
    }

    private func extremum(dim: Int, keepDim: Bool, largest: Bool, op: String) throws -> (values: Tensor, indices: Tensor) {
        let d = try axis(dim, op: op)
        let length = rank == 0 ? 1 : shape[d]
        guard length > 0 else {
            throw TensorError.indexOutOfRange(
                "\(op)(): Expected reduction dim \(d) to have non-zero size (input shape \(shape.shapeString)).")
        }
        let axes = rank == 0 ? [] : [d]
        let keptShape = reducedShape(axes, keepDim: true)
        let outShape = reducedShape(axes, keepDim: keepDim)
        let block = adjacentBlock(axes) ?? (1, 1, count)
        let indices = Tensor(uninitialized: outShape, dtype: .int64)
        let values: Tensor
        if dtype.isIntegral {
            let data = try withNoGrad { try to(.int64).contiguous() }
            let best = Tensor(uninitialized: outShape, dtype: .int64)
            withExtendedLifetime(data) {
                let src = data.pointer(as: Int64.self), v = best.pointer(as: Int64.self), ix = indices.pointer(as: Int64.self)
                // Separate calls so each kernel inlines its own comparison.
                if largest { Tensor.extremumAlong(src, block, v, ix) { $0 > $1 } }
                else { Tensor.extremumAlong(src, block, v, ix) { $0 < $1 } }
            }
            values = try best.to(dtype)
        } else {
            let data = try withNoGrad { try to(.float32).contiguous() }
            let best = Tensor(uninitialized: outShape, dtype: .float32)
            withExtendedLifetime(data) {
                let src = data.floatPointer, v = best.floatPointer, ix = indices.pointer(as: Int64.self)
                if block.inner == 1 {
                    Tensor.extremumRows(src, block.outer, length, v, ix, largest: largest)
                } else {
                    Tensor.extremumColumns(src, block, v, ix, largest: largest)
                }
            }
            values = try withNoGrad { try best.to(dtype) }
        }
        let recorded = Tensor.record(values, largest ? "MaxBackward0" : "MinBackward0", [self]) { [shape] g in
            let full = Tensor.zeros(shape, dtype: g.dtype)
            return [try full.scatterAdd(dim: d, index: indices.reshape(keptShape), source: g.reshape(keptShape))]
        }
        return (recorded, indices)
    }

    /// For each of `outer * inner` outputs, the best of `length` values `inner` apart and its
    /// position; `better(candidate, current)` must be strict so ties keep the first.
    @inline(__always)
    static func extremumAlong<T>(_ src: UnsafePointer<T>, _ block: (outer: Int, length: Int, inner: Int),
                                 _ values: UnsafeMutablePointer<T>, _ indices: UnsafeMutablePointer<Int64>,
                                 _ better: (T, T) -> Bool) {
        let (outer, length, inner) = block
        if inner == 1 {
            Parallel.forEachChunk(outer, costPerElement: length, alignment: 1) { rows in
                for r in rows {
                    let row = src + r * length
                    var best = row[0], at = 0
                    for j in 1..<Swift.max(length, 1) where better(row[j], best) { best = row[j]; at = j }
                    values[r] = best
                    indices[r] = Int64(at)
                }
            }
            return
        }
        // Columns: sweep the reduced dim once, updating a running best per column.
        Parallel.forEachChunk(outer, costPerElement: length * inner, alignment: 1) { slabs in
            for o in slabs {
                let v = values + o * inner, ix = indices + o * inner
                let base = src + o * length * inner
                for i in 0..<inner { v[i] = base[i]; ix[i] = 0 }
                for j in 1..<Swift.max(length, 1) {
                    let row = base + j * inner
                    let position = Int64(j)
                    for i in 0..<inner {
                        let take = better(row[i], v[i])
                        v[i] = take ? row[i] : v[i]
                        ix[i] = take ? position : ix[i]
                    }
                }
            }
        }
    }

    /// Float rows: a SIMD pass finds the extreme value (noting any NaN), a second finds its
    /// first position, so the per-element work is a vector max rather than a branch.
    static func extremumRows(_ src: UnsafePointer<Float>, _ rows: Int, _ length: Int,
                             _ values: UnsafeMutablePointer<Float>, _ indices: UnsafeMutablePointer<Int64>,
                             largest: Bool) {
        Parallel.forEachChunk(rows, costPerElement: length, alignment: 1) { range in
            for r in range {
                let row = src + r * length
                let raw = UnsafeRawPointer(row)
                var best = SIMD16<Float>(repeating: row[0])
                // v * 0 is NaN for NaN (and for infinities, which only cost a rescan below).
                var probe = SIMD16<Float>()
                var j = 0
                if largest {
                    while j + 16 <= length {
                        let v = raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
                        probe += v * 0
                        best.replace(with: v, where: v .> best)
                        j += 16
                    }
                } else {
                    while j + 16 <= length {
                        let v = raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
                        probe += v * 0
                        best.replace(with: v, where: v .< best)
                        j += 16
                    }
                }
                var value = largest ? best.max() : best.min()
                var hasNaN = false
                if probe.sum().isNaN { for i in 0..<j where row[i].isNaN { hasNaN = true; break } }
                while j < length {
                    let x = row[j]
                    if x.isNaN { hasNaN = true } else if largest ? x > value : x < value { value = x }
                    j += 1
                }
                var at = 0
                if hasNaN {
                    while !row[at].isNaN { at += 1 }
                    value = row[at]
                } else {
                    while row[at] != value { at += 1 }
                }
                values[r] = value
                indices[r] = Int64(at)
            }
        }
    }

    /// Float columns: sweeps the reduced dim row by row, keeping a running best and its row
    /// (as Int32 lanes, the width of a float, so compare and select stay in vector registers).
    static func extremumColumns(_ src: UnsafePointer<Float>, _ block: (outer: Int, length: Int, inner: Int),
                                _ values: UnsafeMutablePointer<Float>, _ indices: UnsafeMutablePointer<Int64>,
                                largest: Bool) {
        let (outer, length, inner) = block
        func sweep(_ o: Int, _ columns: Range<Int>) {
            let n = columns.count
            let v = values + o * inner + columns.lowerBound
            let base = src + o * length * inner + columns.lowerBound
            v.update(from: base, count: n)
            var positions = [Int32](repeating: 0, count: n)
            positions.withUnsafeMutableBufferPointer { buffer in
                guard let p = buffer.baseAddress else { return }
                let rawV = UnsafeMutableRawPointer(v), rawP = UnsafeMutableRawPointer(p)
                for j in 1..<Swift.max(length, 1) {
                    let row = base + j * inner, rawRow = UnsafeRawPointer(row)
                    let here = SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: j))
                    var i = 0
                    while i + 16 <= n {
                        let r = rawRow.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                        var best = rawV.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                        var at = rawP.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Int32>.self)
                        // Strictly better, or a NaN meeting a number; a NaN already held stays.
                        let take = (largest ? .!(r .<= best) : .!(r .>= best)) .& (best .== best)
                        best.replace(with: r, where: take)
                        at.replace(with: here, where: take)
                        rawV.storeBytes(of: best, toByteOffset: i * 4, as: SIMD16<Float>.self)
                        rawP.storeBytes(of: at, toByteOffset: i * 4, as: SIMD16<Int32>.self)
                        i += 16
                    }
                    while i < n {
                        let r = row[i], best = v[i]
                        if (largest ? !(r <= best) : !(r >= best)) && best == best { v[i] = r; p[i] = Int32(truncatingIfNeeded: j) }
                        i += 1
                    }
                }
                let ix = indices + o * inner + columns.lowerBound
                for i in 0..<n { ix[i] = Int64(p[i]) }
            }
        }
        if outer > 1 {
            Parallel.forEachChunk(outer, costPerElement: Swift.max(length * inner, 1), alignment: 1) { slabs in
                for o in slabs { sweep(o, 0..<inner) }
            }
        } else {
            Parallel.forEachChunk(inner, costPerElement: Swift.max(length, 1)) { range in sweep(0, range) }
        }
    }
}

import Foundation

/// Reading and writing elements at positions held in an index tensor: gather, index_select,
/// scatter_add, embedding lookup and one_hot.
///
/// Indices are checked before any work: one out of range throws `indexOutOfRange` naming the
/// index, the dim and its size (negative indices are out of range, as in torch).
extension Tensor {
    // MARK: gather / scatter_add

    /// `out[i][j][k] = self[i][index[i][j][k]][k]` for `dim == 1` (likewise for other dims),
    /// as torch.gather: the result has the index's shape. The gradient adds into the gathered
    /// positions.
    public func gather(dim: Int, index: Tensor) throws -> Tensor {
        let d = try axis(dim, op: "gather")
        let idx = try checkedIndex(index, op: "gather")
        guard idx.rank == rank || (rank == 0 && idx.rank <= 1) else {
            throw TensorError.shapeMismatch(
                "gather(): Index tensor must have the same number of dimensions as input tensor (index \(index.shape.shapeString), input \(shape.shapeString))")
        }
        for k in 0..<idx.rank where k != d && idx.shape[k] > shape[k] {
            throw TensorError.shapeMismatch(
                "gather(): Size does not match at dimension \(k) expected index \(index.shape.shapeString) to be smaller than self \(shape.shapeString) apart from dimension \(d)")
        }
        let size = rank == 0 ? 1 : shape[d], dimStride = rank == 0 ? 0 : strides[d]
        try Tensor.checkBounds(idx, size: size, dim: d, op: "gather")
        var walkStrides = rank == 0 ? [Int](repeating: 0, count: idx.rank) : strides
        if !walkStrides.isEmpty { walkStrides[d] = 0 }
        let bases = Tensor.elementOffsets(idx.shape, walkStrides)
        let out = Tensor(uninitialized: idx.shape, dtype: dtype)
        withExtendedLifetime((self, idx)) {
            let ix = idx.pointer(as: Int64.self)
            func copy<T>(_: T.Type) {
                let src = pointer(as: T.self), dst = out.pointer(as: T.self)
                bases.withUnsafeBufferPointer { base in
                    for i in 0..<out.count { dst[i] = src[base[i] + Int(ix[i]) * dimStride] }
                }
            }
            switch dtype.itemSize {
            case 1: copy(UInt8.self)
            case 2: copy(UInt16.self)
            case 4: copy(UInt32.self)
            default: copy(UInt64.self)
            }
        }
        return Tensor.record(out, "GatherBackward0", [self]) { [shape] g in
            [try Tensor.zeros(shape, dtype: g.dtype).scatterAdd(dim: d, index: idx, source: g)]
        }
    }

    /// A copy of self with `source[i][j][k]` added at `[i][index[i][j][k]][k]` for `dim == 1`
    /// (likewise for other dims), as torch.scatter_add (out of place); repeated indices add up.
    /// `source` is converted to self's dtype.
    public func scatterAdd(dim: Int, index: Tensor, source: Tensor) throws -> Tensor {
        let d = try axis(dim, op: "scatter_add")
        let idx = try checkedIndex(index, op: "scatter_add")
        guard idx.rank == rank, source.rank == rank else {
            throw TensorError.shapeMismatch(
                "scatter_add(): Index tensor must have the same number of dimensions as self tensor (index \(index.shape.shapeString), self \(shape.shapeString), source \(source.shape.shapeString))")
        }
        for k in 0..<rank where idx.shape[k] > source.shape[k] || (k != d && idx.shape[k] > shape[k]) {
            throw TensorError.shapeMismatch(
                "scatter_add(): Expected index \(index.shape.shapeString) to be smaller than self \(shape.shapeString) apart from dimension \(d) and to be smaller size than src \(source.shape.shapeString)")
        }
        let size = rank == 0 ? 1 : shape[d]
        try Tensor.checkBounds(idx, size: size, dim: d, op: "scatter_add")
        let work: DType = dtype.isFloatingPoint ? .float32 : .int64
        let out = try withNoGrad { try to(work).contiguous().clone() }
        let src = try withNoGrad { try source.to(work) }
        var outStrides = out.strides
        let dimStride = rank == 0 ? 0 : outStrides[d]
        if !outStrides.isEmpty { outStrides[d] = 0 }
        let bases = Tensor.elementOffsets(idx.shape, outStrides)
        let reads = Tensor.elementOffsets(idx.shape, src.strides)
        withExtendedLifetime((idx, src, out)) {
            let ix = idx.pointer(as: Int64.self)
            func add<T: AdditiveArithmetic>(_: T.Type) {
                let s = src.pointer(as: T.self), o = out.pointer(as: T.self)
                for i in 0..<idx.count { o[bases[i] + Int(ix[i]) * dimStride] += s[reads[i]] }
            }
            if work == .float32 { add(Float.self) } else { add(Int64.self) }
        }
        let result = try withNoGrad { try out.to(dtype) }
        return Tensor.record(result, "ScatterAddBackward0", [self, source]) { [sourceShape = source.shape] g in
            var sourceGrad: Tensor? = nil
            if source.requiresGrad {
                let picked = try g.gather(dim: d, index: idx)
                if picked.shape == sourceShape {
                    sourceGrad = picked
                } else {
                    // Source elements outside the index's extent were never read.
                    let full = Tensor.zeros(sourceShape, dtype: g.dtype)
                    var region = full
                    for (k, n) in idx.shape.enumerated() { region = try region.slice(k, start: 0, end: n) }
                    try region.copy(from: picked)
                    sourceGrad = full
                }
            }
            return [g, sourceGrad]
        }
    }

    // MARK: index_select / embedding

    /// The slices at `index` (0-d or 1-D, integral) along `dim`, as torch.index_select.
    /// Repeated indices repeat the slice; their gradients add up.
    public func indexSelect(dim: Int, index: Tensor) throws -> Tensor {
        try indexSelect(dim: dim, index: index, op: "index_select")
    }

    /// Rows of the 2-D table `weight` at `indices` (any shape, integral), as
    /// torch.nn.functional.embedding: the result has shape `indices.shape + [weight.shape[1]]`.
    /// Gradients accumulate into the rows used, once per use.
    public static func embedding(weight: Tensor, indices: Tensor) throws -> Tensor {
        guard weight.rank == 2 else {
            throw TensorError.shapeMismatch("embedding: 'weight' must be 2-D (got shape \(weight.shape.shapeString))")
        }
        let rows = try weight.indexSelect(dim: 0, index: indices.reshape([-1]), op: "embedding")
        return try rows.reshape(indices.shape + [weight.shape[1]])
    }

    /// Rows of this 2-D table at `indices`; see `Tensor.embedding(weight:indices:)`.
    public func embedding(_ indices: Tensor) throws -> Tensor {
        try Tensor.embedding(weight: self, indices: indices)
    }

    private func indexSelect(dim: Int, index: Tensor, op: String) throws -> Tensor {
        let d = try axis(dim, op: op)
        guard index.rank <= 1 else {
            throw TensorError.shapeMismatch("\(op)(): Index is supposed to be a vector (got shape \(index.shape.shapeString))")
        }
        let idx = try checkedIndex(index, op: op)
        guard rank > 0 || idx.count == 1 else {
            throw TensorError.shapeMismatch("\(op)(): Index to scalar can have only 1 value, got \(idx.count) value(s)")
        }
        let length = rank == 0 ? 1 : shape[d]
        try Tensor.checkBounds(idx, size: length, dim: d, op: op)
        let picks = idx.count
        var outShape = shape
        if rank > 0 { outShape[d] = picks }
        let outer = rank == 0 ? 1 : shape[..<d].reduce(1, *)
        let inner = rank == 0 ? 1 : shape[(d + 1)...].reduce(1, *)
        let dense = withNoGrad { contiguous() }
        let out = Tensor(uninitialized: outShape, dtype: dtype)
        let bytes = inner * dtype.itemSize
        withExtendedLifetime((dense, idx)) {
            let ix = idx.pointer(as: Int64.self)
            let src = dense.storage.bytes + dense.offset * dtype.itemSize, dst = out.storage.bytes
            Parallel.forEachChunk(outer * picks, costPerElement: Swift.max(inner / 4, 1), alignment: 1) { range in
                for r in range {
                    let o = r / Swift.max(picks, 1), k = r % Swift.max(picks, 1)
                    memcpy(dst + r * bytes, src + (o * length + Int(ix[k])) * bytes, bytes)
                }
            }
        }
        return Tensor.record(out, op == "embedding" ? "EmbeddingBackward0" : "IndexSelectBackward0", [self]) { [shape] g in
            let grad = Tensor.zeros(shape, dtype: .float32)
            let gd = try g.to(.float32).contiguous()
            withExtendedLifetime((gd, idx)) {
                let ix = idx.pointer(as: Int64.self), src = gd.floatPointer, dst = grad.floatPointer
                // Different outer slabs never collide, so they split across cores; within a slab
                // repeated indices add in order.
                Parallel.forEachChunk(outer, costPerElement: picks * inner, alignment: 1) { slabs in
                    for o in slabs {
                        for k in 0..<picks {
                            let from = src + (o * picks + k) * inner
                            let to = dst + (o * length + Int(ix[k])) * inner
                            for i in 0..<inner { to[i] += from[i] }
                        }
                    }
                }
            }
            return [try grad.to(g.dtype)]
        }
    }

    // MARK: one_hot

    /// One-hot encoding of an integral tensor: shape `self.shape + [numClasses]`, int64, as
    /// torch.nn.functional.one_hot. With `numClasses == -1` the count is `max + 1`.
    public func oneHot(numClasses: Int = -1) throws -> Tensor {
        guard dtype.isIntegral && dtype != .bool else {
            throw TensorError.unsupportedDType(op: "one_hot (only applicable to index tensors of integer type)", dtype: dtype)
        }
        let values = toInt64Array()
        var classes = numClasses
        if classes == -1 {
            guard let top = values.max() else {
                throw TensorError.invalidArgument("one_hot: Can not infer total number of classes from empty tensor.")
            }
            classes = Int(top) + 1
        }
        guard classes >= 0 else { throw TensorError.invalidArgument("one_hot: num_classes should be positive or -1 (got \(numClasses))") }
        if let low = values.min(), low < 0 {
            throw TensorError.indexOutOfRange("one_hot: Class values must be non-negative (got \(low)).")
        }
        if let top = values.max(), top >= Int64(classes) {
            throw TensorError.indexOutOfRange("one_hot: Class values must be smaller than num_classes (got \(top) with num_classes=\(classes)).")
        }
        let out = Tensor(zeros: shape + [classes], dtype: .int64)
        let dst = out.pointer(as: Int64.self)
        for (i, v) in values.enumerated() { dst[i * classes + Int(v)] = 1 }
        return out
    }

    // MARK: Index checks

    /// `index` as dense int64, or a dtype error naming the op.
    private func checkedIndex(_ index: Tensor, op: String) throws -> Tensor {
        guard index.dtype.isIntegral && index.dtype != .bool else {
            throw TensorError.unsupportedDType(op: "\(op) (expected an integer index tensor)", dtype: index.dtype)
        }
        return try withNoGrad { try index.to(.int64).contiguous() }
    }

    /// Throws on the first index outside `0..<size`.
    static func checkBounds(_ index: Tensor, size: Int, dim: Int, op: String) throws {
        let bad: Int64? = withExtendedLifetime(index) {
            let p = index.pointer(as: Int64.self)
            for i in 0..<index.count where p[i] < 0 || p[i] >= Int64(size) { return p[i] }
            return nil
        }
        if let bad {
            throw TensorError.indexOutOfRange("\(op)(): index \(bad) is out of bounds for dimension \(dim) with size \(size)")
        }
    }

    /// The storage offset of every element of `shape` laid out with `strides`, in row-major order.
    static func elementOffsets(_ shape: [Int], _ strides: [Int]) -> [Int] {
        let n = shape.reduce(1, *)
        var offsets = [Int](repeating: 0, count: n)
        guard n > 0, !shape.isEmpty else { return offsets }
        var index = [Int](repeating: 0, count: shape.count)
        var offset = 0
        offsets.withUnsafeMutableBufferPointer { out in
            for i in 0..<n {
                out[i] = offset
                var axis = shape.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    offset += strides[axis]
                    if index[axis] < shape[axis] { break }
                    offset -= index[axis] * strides[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        return offsets
    }
}

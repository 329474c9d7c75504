/// Views: new shapes and strides over the same storage, never a copy (except `reshape` of a
/// layout that cannot be viewed, which copies as torch does).
extension Tensor {
    /// A view with `shape` (one entry may be -1), over the same storage. Throws when the
    /// layout cannot be viewed; use `reshape` to allow a copy.
    public func view(_ newShape: [Int]) throws -> Tensor {
        let target = try inferShape(newShape, op: "view")
        guard let newStrides = Tensor.viewStrides(shape, strides, target) else {
            throw TensorError.invalidArgument(
                "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
        }
        let out = Tensor(storage: storage, shape: target, strides: newStrides, offset: offset, dtype: dtype)
        return Tensor.record(out, "ViewBackward0", [self]) { [shape] g in [try g.reshape(shape)] }
    }

    /// `view` when possible, otherwise a contiguous copy with the new shape.
    public func reshape(_ newShape: [Int]) throws -> Tensor {
        let target = try inferShape(newShape, op: "reshape")
        if Tensor.viewStrides(shape, strides, target) != nil { return try view(target) }
        return try contiguous().view(target)
    }

    /// Flattens dims `start...end` into one.
    public func flatten(_ start: Int = 0, _ end: Int = -1) throws -> Tensor {
        if rank == 0 { return try reshape([1]) }
        let s = try axis(start, op: "flatten"), e = try axis(end, op: "flatten")
        guard s <= e else { throw TensorError.invalidArgument("flatten() has invalid args: start_dim cannot come after end_dim") }
        let merged = shape[s...e].reduce(1, *)
        return try reshape(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }

    private func inferShape(_ newShape: [Int], op: String) throws -> [Int] {
        var target = newShape
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1, !newShape.contains(where: { $0 < -1 }) else {
            throw TensorError.invalidArgument("\(op): invalid shape \(newShape.shapeString)")
        }
        if let i = inferred.first {
            guard known != 0, count % known == 0 else {
                throw TensorError.shapeMismatch(
                    "shape '\(newShape.shapeString)' is invalid for input of size \(count)")
            }
            target[i] = count / known
        }
        guard target.reduce(1, *) == count else {
            throw TensorError.shapeMismatch("shape '\(newShape.shapeString)' is invalid for input of size \(count)")
        }
        return target
    }

    /// Strides that let `newShape` view a tensor of `oldShape`/`oldStrides`, or nil
    /// (torch's computeStride: merge chunks of old dims that are contiguous among themselves).
    static func viewStrides(_ oldShape: [Int], _ oldStrides: [Int], _ newShape: [Int]) -> [Int]? {
        if oldShape.reduce(1, *) == 0 { return Tensor.contiguousStrides(for: newShape) }
        var newStrides = [Int](repeating: 0, count: newShape.count)
        var viewD = newShape.count - 1
        var chunkBase = oldStrides.last ?? 1
        var tensorElements = 1
        var viewElements = 1
        if oldShape.isEmpty {
            for i in newShape.indices { newStrides[i] = 1 }
            return newStrides
        }
        for tensorD in stride(from: oldShape.count - 1, through: 0, by: -1) {
            tensorElements *= oldShape[tensorD]
            if tensorD == 0 || (oldShape[tensorD - 1] != 1 && oldStrides[tensorD - 1] != tensorElements * chunkBase) {
                while viewD >= 0 && (viewElements < tensorElements || newShape[viewD] == 1) {
                    newStrides[viewD] = viewElements * chunkBase
                    viewElements *= newShape[viewD]
                    viewD -= 1
                }
                if viewElements != tensorElements { return nil }
                if tensorD > 0 {
                    chunkBase = oldStrides[tensorD - 1]
                    tensorElements = 1
                    viewElements = 1
                }
            }
        }
        if viewD != -1 { return nil }
        return newStrides
    }

    /// Swaps two dims (a view).
    public func transpose(_ dim0: Int, _ dim1: Int) throws -> Tensor {
        let a = try axis(dim0, op: "transpose"), b = try axis(dim1, op: "transpose")
        if rank == 0 { return self }
        var order = Array(0..<rank)
        order.swapAt(a, b)
        return try permute(order)
    }

    /// The transpose of a 2-D tensor (dims reversed for other ranks, as torch's `.T`).
    public var T: Tensor { try! permute(Array((0..<rank).reversed())) }

    /// Reorders dims (a view).
    public func permute(_ order: [Int]) throws -> Tensor {
        guard order.count == rank else {
            throw TensorError.invalidArgument(
                "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = \(rank) is not equal to len(dims) = \(order.count)")
        }
        let axes = try order.map { try axis($0, op: "permute") }
        guard Set(axes).count == rank else { throw TensorError.invalidArgument("permute(): duplicate dims are not allowed.") }
        let out = Tensor(storage: storage, shape: axes.map { shape[$0] }, strides: axes.map { strides[$0] },
                         offset: offset, dtype: dtype)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in axes.enumerated() { inverse[a] = i }
        return Tensor.record(out, "PermuteBackward0", [self]) { g in [try g.permute(inverse)] }
    }

    /// Inserts a size-1 dim at `dim` (a view).
    public func unsqueeze(_ dim: Int) throws -> Tensor {
        let r = rank + 1
        guard dim >= -r && dim < r else { throw TensorError.invalidDimension(dim: dim, rank: r, op: "unsqueeze") }
        let d = dim < 0 ? dim + r : dim
        var newShape = shape, newStrides = strides
        let stride = d < rank ? strides[d] * shape[d] : 1
        newShape.insert(1, at: d)
        newStrides.insert(stride, at: d)
        let out = Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset, dtype: dtype)
        return Tensor.record(out, "UnsqueezeBackward0", [self]) { [shape] g in [try g.reshape(shape)] }
    }

    /// Removes size-1 dims (all of them, or just `dim` when given and of size 1).
    public func squeeze(_ dim: Int? = nil) throws -> Tensor {
        var keep = Array(0..<rank)
        if let dim {
            let d = try axis(dim, op: "squeeze")
            if rank > 0 && shape[d] == 1 { keep.remove(at: d) }
        } else {
            keep = keep.filter { shape[$0] != 1 }
        }
        let out = Tensor(storage: storage, shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] },
                         offset: offset, dtype: dtype)
        return Tensor.record(out, "SqueezeBackward0", [self]) { [shape] g in [try g.reshape(shape)] }
    }

    /// Elements `start..<end` by `step` along `dim` (a view); bounds clamp as in Python slicing.
    public func slice(_ dim: Int, start: Int? = nil, end: Int? = nil, step: Int = 1) throws -> Tensor {
        let d = try axis(dim, op: "slice")
        guard step > 0 else { throw TensorError.invalidArgument("slice step must be positive") }
        let size = shape[d]
        func clamp(_ v: Int?, _ fallback: Int) -> Int {
            guard var v else { return fallback }
            if v < 0 { v += size }
            return Swift.min(Swift.max(v, 0), size)
        }
        let s = clamp(start, 0), e = Swift.max(clamp(end, size), clamp(start, 0))
        var newShape = shape, newStrides = strides
        newShape[d] = (e - s + step - 1) / step
        newStrides[d] = strides[d] * step
        let out = Tensor(storage: storage, shape: newShape, strides: newStrides,
                         offset: offset + s * strides[d], dtype: dtype)
        return Tensor.record(out, "SliceBackward0", [self]) { [shape, dtype] g in
            let full = Tensor.zeros(shape, dtype: g.dtype == dtype ? dtype : g.dtype)
            try full.slice(d, start: s, end: e, step: step).copy(from: g)
            return [full]
        }
    }

    /// Element `index` along `dim`, removing that dim (a view). Negative indices count back.
    public func select(_ dim: Int, _ index: Int) throws -> Tensor {
        let d = try axis(dim, op: "select")
        let size = shape[d]
        guard index >= -size && index < size else {
            throw TensorError.indexOutOfRange(
                "index \(index) is out of bounds for dimension \(d) with size \(size)")
        }
        let i = index < 0 ? index + size : index
        var newShape = shape, newStrides = strides
        newShape.remove(at: d)
        newStrides.remove(at: d)
        let out = Tensor(storage: storage, shape: newShape, strides: newStrides,
                         offset: offset + i * strides[d], dtype: dtype)
        return Tensor.record(out, "SelectBackward0", [self]) { [shape] g in
            let full = Tensor.zeros(shape, dtype: g.dtype)
            try full.select(d, i).copy(from: g)
            return [full]
        }
    }

    /// Broadcasts size-1 dims to `newShape` without copying (stride 0); -1 keeps a size.
    public func expand(_ newShape: [Int]) throws -> Tensor {
        guard newShape.count >= rank else {
            throw TensorError.shapeMismatch(
                "expand: the number of sizes provided (\(newShape.count)) must be greater or equal to the number of dimensions in the tensor (\(rank))")
        }
        let lead = newShape.count - rank
        var outShape = [Int](), outStrides = [Int]()
        for (i, size) in newShape.enumerated() {
            if i < lead {
                guard size >= 0 else { throw TensorError.invalidArgument("expand: -1 not allowed in a leading, non-existing dimension") }
                outShape.append(size); outStrides.append(0)
                continue
            }
            let own = shape[i - lead]
            let target = size == -1 ? own : size
            if own == target {
                outShape.append(own); outStrides.append(strides[i - lead])
            } else if own == 1 {
                outShape.append(target); outStrides.append(0)
            } else {
                throw TensorError.shapeMismatch(
                    "The expanded size of the tensor (\(target)) must match the existing size (\(own)) at non-singleton dimension \(i).  Target sizes: \(newShape.shapeString).  Tensor sizes: \(shape.shapeString)")
            }
        }
        if outShape == shape { return self }
        let out = Tensor(storage: storage, shape: outShape, strides: outStrides, offset: offset, dtype: dtype)
        return Tensor.record(out, "ExpandBackward0", [self]) { [shape] g in [try g.sumToShape(shape)] }
    }

    /// Writes `source` (broadcast to this view's shape, converted to its dtype) into this view's
    /// elements in place. Not recorded by autograd.
    public func copy(from source: Tensor) throws {
        guard !storage.isReadOnly else {
            throw TensorError.invalidArgument("cannot write into a tensor that views a read-only file mapping")
        }
        storage.valuesWillChange()
        let src = try source.to(dtype).expand(shape).contiguous()
        defer { withExtendedLifetime(src) {} }  // raw pointers into it are read below
        let n = count
        if n == 0 { return }
        // Scatter the dense source through this view's strides.
        let (outer, _) = (shape, strides)
        var index = [Int](repeating: 0, count: outer.count)
        let size = dtype.itemSize
        let srcBytes = src.storage.bytes + src.offset * size
        let dstBytes = storage.bytes + offset * size
        if isContiguous {
            dstBytes.copyMemory(from: srcBytes, byteCount: n * size)
            return
        }
        var dstOffset = 0
        for i in 0..<n {
            (dstBytes + dstOffset * size).copyMemory(from: srcBytes + i * size, byteCount: size)
            var axis = outer.count - 1
            while axis >= 0 {
                index[axis] += 1
                dstOffset += strides[axis]
                if index[axis] < outer[axis] { break }
                dstOffset -= index[axis] * strides[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

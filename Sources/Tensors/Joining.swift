import Foundation

/// Joining tensors along a dim (`cat`, `stack`) and cutting one into views (`split`, `chunk`).
///
/// `cat` copies each input as `outer` blocks of `size(dim) * inner` contiguous elements, so a
/// dense input costs one memcpy per block; the pieces of `split`/`chunk` are views.
extension Tensor {
    /// Concatenates `tensors` along `dim`, as torch.cat. All must have the same rank and the
    /// same sizes outside `dim`; 1-D empty tensors are skipped, as torch allows. The dtype is
    /// the promotion of all inputs.
    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        guard !tensors.isEmpty else { throw TensorError.invalidArgument("torch.cat(): expected a non-empty list of Tensors") }
        // torch's legacy rule: a 1-D tensor of size 0 joins anything and contributes nothing.
        let joined = tensors.filter { !($0.rank == 1 && $0.shape[0] == 0) }
        guard let reference = joined.first else {
            return try withNoGrad { try tensors[0].clone() }
        }
        guard reference.rank > 0 else {
            throw TensorError.invalidArgument("torch.cat(): zero-dimensional tensor (at position 0) cannot be concatenated")
        }
        let d = try reference.axis(dim, op: "cat")
        var type = reference.dtype
        for (i, t) in tensors.enumerated() {
            type = type.promoted(with: t.dtype)
            if t.rank == 1 && t.shape[0] == 0 { continue }
            guard t.rank == reference.rank else {
                throw TensorError.shapeMismatch(
                    "torch.cat(): Tensors must have same number of dimensions: got \(reference.rank) and \(t.rank) (shapes \(reference.shape.shapeString) and \(t.shape.shapeString) at position \(i))")
            }
            for k in 0..<t.rank where k != d && t.shape[k] != reference.shape[k] {
                throw TensorError.shapeMismatch(
                    "torch.cat(): Sizes of tensors must match except in dimension \(d). Expected size \(reference.shape[k]) but got size \(t.shape[k]) for tensor number \(i) in the list (shapes \(reference.shape.shapeString) and \(t.shape.shapeString))")
            }
        }
        var outShape = reference.shape
        outShape[d] = joined.map { $0.shape[d] }.reduce(0, +)
        let out = Tensor(uninitialized: outShape, dtype: type)
        let size = type.itemSize
        let outer = outShape[..<d].reduce(1, *)
        let outRow = outShape[d...].reduce(1, *) * size
        var column = 0, position = 0
        var bounds: [(start: Int, end: Int)?] = []
        for t in tensors {
            if t.rank == 1 && t.shape[0] == 0 { bounds.append(nil); continue }
            let dense = try withNoGrad { try t.to(type).contiguous() }
            let block = dense.count / Swift.max(outer, 1) * size
            withExtendedLifetime(dense) {
                let src = UnsafeRawPointer(dense.storage.bytes + dense.offset * size)
                let dst = out.storage.bytes + column
                if block == 0 { return }
                if outer >= Parallel.coreCount {
                    Parallel.forEachChunk(outer, costPerElement: Swift.max(block / 4, 1), alignment: 1) { range in
                        for o in range { memcpy(dst + o * outRow, src + o * block, block) }
                    }
                } else {
                    // Few long blocks (joining along dim 0): split each block's bytes across cores.
                    Parallel.forEachChunk(block, costPerElement: 1, alignment: 4096) { bytes in
                        for o in 0..<outer {
                            memcpy(dst + o * outRow + bytes.lowerBound, src + o * block + bytes.lowerBound, bytes.count)
                        }
                    }
                }
            }
            bounds.append((position, position + t.shape[d]))
            position += t.shape[d]
            column += block
        }
        return record(out, "CatBackward0", tensors) { g in
            try zip(tensors, bounds).map { t, range in
                guard let range else { return Tensor.zeros(t.shape, dtype: g.dtype) }
                return try g.slice(d, start: range.start, end: range.end)
            }
        }
    }

    /// Stacks equally shaped tensors along a new dim `dim`, as torch.stack.
    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError.invalidArgument("stack expects a non-empty TensorList") }
        for (i, t) in tensors.enumerated() where t.shape != first.shape {
            throw TensorError.shapeMismatch(
                "stack expects each tensor to be equal size, but got \(first.shape.shapeString) at entry 0 and \(t.shape.shapeString) at entry \(i)")
        }
        let r = first.rank + 1
        guard dim >= -r && dim < r else { throw TensorError.invalidDimension(dim: dim, rank: r, op: "stack") }
        let d = dim < 0 ? dim + r : dim
        return try cat(tensors.map { try $0.unsqueeze(d) }, dim: d)
    }

    /// Views of `size` elements along `dim` (the last one smaller when `size` does not divide
    /// the dim), as torch.split with an int.
    public func split(size: Int, dim: Int = 0) throws -> [Tensor] {
        guard rank > 0 else { throw TensorError.invalidArgument("split expects at least a 1-dimensional tensor") }
        let d = try axis(dim, op: "split")
        let length = shape[d]
        guard size > 0 || (size == 0 && length == 0) else {
            throw TensorError.invalidArgument("split expects split_size be non-negative, but got split_size=\(size) (dimension \(d) has size \(length))")
        }
        if length == 0 { return [self] }
        return try stride(from: 0, to: length, by: size).map { try slice(d, start: $0, end: Swift.min($0 + size, length)) }
    }

    /// Views with the given sizes along `dim`; the sizes must add up to the dim's size.
    public func split(sizes: [Int], dim: Int = 0) throws -> [Tensor] {
        guard rank > 0 else { throw TensorError.invalidArgument("split_with_sizes expects at least a 1-dimensional tensor") }
        let d = try axis(dim, op: "split")
        let length = shape[d]
        guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == length else {
            throw TensorError.invalidArgument(
                "split_with_sizes expects split_sizes to sum exactly to \(length) (input tensor's size at dimension \(d)), but got split_sizes=\(sizes.shapeString)")
        }
        var start = 0
        return try sizes.map { size in
            defer { start += size }
            return try slice(d, start: start, end: start + size)
        }
    }

    /// Splits into `n` views along `dim` of ceil(size / n) elements each, as torch.chunk: the
    /// last is smaller, and fewer than `n` come back when the size does not allow `n`.
    public func chunk(_ n: Int, dim: Int = 0) throws -> [Tensor] {
        guard rank > 0 else { throw TensorError.invalidArgument("chunk expects at least a 1-dimensional tensor") }
        guard n > 0 else { throw TensorError.invalidArgument("chunk expects `chunks` to be greater than 0, got: \(n)") }
        let d = try axis(dim, op: "chunk")
        let length = shape[d]
        if length == 0 { return try (0..<n).map { _ in try slice(d, start: 0, end: 0) } }
        return try split(size: (length + n - 1) / n, dim: d)
    }
}

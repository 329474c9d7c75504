import COpenBLAS

/// Scaled dot-product attention computed one (batch, head) pair at a time, for inference.
///
/// The composed form (`q.matmul(k.T)`, `+ mask`, `softmax`, `.matmul(v)`, then merging the
/// heads) writes the whole `[batch, heads, seq, seq]` score tensor, reads it back for the
/// softmax, writes the probabilities and reads them again for the product with the values:
/// four passes over 25 MB at batch 32 x 128 with 12 heads, plus a copy to merge the heads.
/// Here each pair's scores (64 KB at 128 tokens) stay in cache from the first product, through
/// the scaling, mask and softmax, to the second product, which writes its head's columns of
/// the merged `[batch, seq, hidden]` context directly. The probabilities are kept only when
/// the caller asks for them (`output_attentions`).
extension Tensor {
    /// softmax(q k^T * scale + mask) v for every batch row and head, heads side by side in the
    /// last dim, as BERT-style self-attention computes it (eager, no dropout).
    ///
    /// - Parameters:
    ///   - query: `[batch, queries, heads * headSize]` float32; the last dim must be dense, rows
    ///     may be further apart (column slices of one fused projection are read in place).
    ///   - key, value: `[batch, keys, heads * headSize]`, laid out as `query`.
    ///   - heads: how many heads the last dim holds.
    ///   - scale: multiplies the scores before the mask is added (1/sqrt(headSize) for BERT).
    ///   - keyMask: an additive `[batch, keys]` float32 mask added to every query's scores (0 to
    ///     attend, a large negative value to ignore), or nil.
    ///   - keepProbabilities: also return the `[batch, heads, queries, keys]` probabilities.
    /// - Returns: the context, dense `[batch, queries, heads * headSize]`, and the probabilities
    ///   when asked for.
    /// - Throws: on shapes, dtypes or layouts the kernel does not take.
    ///
    /// When autograd records (grad mode on and an input requires grad) the same result comes
    /// from the composed ops, which have backwards.
    public static func multiHeadAttention(query: Tensor, key: Tensor, value: Tensor, heads: Int, scale: Double,
                                          keyMask: Tensor?, keepProbabilities: Bool) throws -> (context: Tensor, probabilities: Tensor?) {
        guard query.rank == 3, key.rank == 3, value.rank == 3 else {
            throw TensorError.invalidArgument(
                "multi_head_attention: query, key and value must be [batch, seq, hidden], got \(query.shape.shapeString), \(key.shape.shapeString), \(value.shape.shapeString)")
        }
        let batch = query.shape[0], queries = query.shape[1], hidden = query.shape[2], keys = key.shape[1]
        guard heads > 0, hidden % heads == 0 else {
            throw TensorError.invalidArgument("multi_head_attention: hidden size \(hidden) is not a multiple of \(heads) heads")
        }
        guard key.shape == [batch, keys, hidden], value.shape == key.shape else {
            throw TensorError.shapeMismatch(
                "multi_head_attention: key \(key.shape.shapeString) and value \(value.shape.shapeString) do not match query \(query.shape.shapeString)")
        }
        for (name, t) in [("query", query), ("key", key), ("value", value)] {
            guard t.dtype == .float32 else { throw TensorError.unsupportedDType(op: "multi_head_attention (\(name))", dtype: t.dtype) }
            guard t.strides[2] == 1 || hidden == 1, t.strides[1] >= hidden || t.shape[1] <= 1, t.strides[0] >= 0 else {
                throw TensorError.invalidArgument("multi_head_attention: \(name)'s last dim must be dense (strides \(t.strides))")
            }
        }
        var mask: Tensor?
        if let keyMask {
            guard keyMask.shape == [batch, keys], keyMask.dtype == .float32 else {
                throw TensorError.shapeMismatch(
                    "multi_head_attention: the key mask must be float32 [\(batch), \(keys)], got \(keyMask.dtype) \(keyMask.shape.shapeString)")
            }
            mask = keyMask.contiguous()
        }
        if recordsGradient([query, key, value] + (mask.map { [$0] } ?? [])) {
            return try composedAttention(query: query, key: key, value: value, heads: heads, scale: scale,
                                         keyMask: mask, keepProbabilities: keepProbabilities)
        }
        let context = Tensor(uninitialized: [batch, queries, hidden], dtype: .float32)
        let probabilities = keepProbabilities ? Tensor(uninitialized: [batch, heads, queries, keys], dtype: .float32) : nil
        if batch == 0 || queries == 0 || hidden == 0 { return (context, probabilities) }
        if keys == 0 {
            context.floatPointer.update(repeating: 0, count: context.count)
            return (context, probabilities)
        }
        let headSize = hidden / heads
        let geometry = AttentionGeometry(
            queries: queries, keys: keys, headSize: headSize, hidden: hidden, heads: heads, scale: Float(scale),
            query: (query.strides[0], query.strides[1]), key: (key.strides[0], key.strides[1]),
            value: (value.strides[0], value.strides[1]))
        withExtendedLifetime((query, key, value, mask, context, probabilities)) {
            let q = query.floatPointer, k = key.floatPointer, v = value.floatPointer
            let m = mask?.floatPointer, out = context.floatPointer, p = probabilities?.floatPointer
            let pairs = batch * heads
            let work = pairs * queries * keys * headSize
            let run = { (range: Range<Int>) in
                // Scores of one pair at a time, reused across the range's pairs.
                let scratch = p == nil ? UnsafeMutablePointer<Float>.allocate(capacity: queries * keys) : nil
                defer { scratch?.deallocate() }
                for pair in range {
                    let scores = p.map { $0 + pair * queries * keys } ?? scratch!
                    geometry.attend(pair: pair, q, k, v, m, scores: scores, into: out)
                }
            }
            // Below a few hundred thousand multiply-adds a hand-off to another core costs more
            // than it saves (a single sentence's heads run on the calling thread).
            if pairs >= 2 && Parallel.coreCount > 1 && work >= 1 << 18 {
                BLASThreads.withSingleThreadedBLAS {
                    let tasks = Swift.min(pairs, 4 * Parallel.coreCount), chunk = (pairs + tasks - 1) / tasks
                    Parallel.perform((pairs + chunk - 1) / chunk) { task in
                        run(task * chunk..<Swift.min(pairs, (task + 1) * chunk))
                    }
                }
            } else {
                run(0..<pairs)
            }
        }
        return (context, probabilities)
    }
}

extension Tensor {
    /// The same attention from differentiable ops (heads split by views, two batched products,
    /// the softmax, the heads merged by a copy).
    static func composedAttention(query: Tensor, key: Tensor, value: Tensor, heads: Int, scale: Double,
                                  keyMask: Tensor?, keepProbabilities: Bool) throws -> (context: Tensor, probabilities: Tensor?) {
        let batch = query.shape[0], queries = query.shape[1], hidden = query.shape[2], keys = key.shape[1]
        func split(_ t: Tensor, _ length: Int) throws -> Tensor {
            try t.reshape([batch, length, heads, hidden / heads]).permute([0, 2, 1, 3])
        }
        var scores = try split(query, queries).matmul(split(key, keys).transpose(-1, -2)) * scale
        if let keyMask { scores = try scores + keyMask.view([batch, 1, 1, keys]) }
        let probabilities = try scores.softmax(dim: -1)
        let context = try probabilities.matmul(split(value, keys)).permute([0, 2, 1, 3]).reshape([batch, queries, hidden])
        return (context, keepProbabilities ? probabilities : nil)
    }
}

/// Sizes and element strides of one attention call, and the work of one (batch, head) pair.
struct AttentionGeometry {
    let queries, keys, headSize, hidden, heads: Int
    let scale: Float
    /// (batch stride, row stride) of each operand.
    let query, key, value: (Int, Int)

    /// Scores, mask, softmax and the product with the values for pair `pair` (batch-major,
    /// then head), writing the head's columns of `out` (dense `[batch, queries, hidden]`).
    @inline(__always)
    func attend(pair: Int, _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                _ mask: UnsafePointer<Float>?, scores: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let b = pair / heads, column = (pair % heads) * headSize
        let qh = q + b * query.0 + column, kh = k + b * key.0 + column, vh = v + b * value.0 + column
        // scores = scale * q_h k_h^T: [queries, keys].
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(queries), Int32(keys), Int32(headSize),
                    scale, qh, Int32(query.1), kh, Int32(key.1), 0, scores, Int32(keys))
        let maskRow = mask.map { $0 + b * keys }
        for row in 0..<queries {
            Tensor.maskedSoftmaxRow(scores + row * keys, maskRow, keys)
        }
        // context_h = probabilities v_h, into the head's columns of the merged rows.
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(queries), Int32(headSize), Int32(keys),
                    1, scores, Int32(keys), vh, Int32(value.1), 0, out + b * queries * hidden + column, Int32(hidden))
    }
}

extension Tensor {
    /// softmax(row + mask) in place over `n` contiguous floats (the mask may be nil): the
    /// mask added and the maximum found in one pass, exp and its sum in a second, the scaling
    /// in a third, all on a row that stays in L1.
    @inline(__always)
    static func maskedSoftmaxRow(_ row: UnsafeMutablePointer<Float>, _ mask: UnsafePointer<Float>?, _ n: Int) {
        typealias V = FastMath.Vector
        let raw = UnsafeMutableRawPointer(row)
        var m0 = V(repeating: -.infinity)
        var i = 0
        if let mask {
            let rawMask = UnsafeRawPointer(mask)
            while i + 16 <= n {
                let s = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) + rawMask.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                raw.storeBytes(of: s, toByteOffset: i * 4, as: V.self)
                m0 = m0.replacing(with: s, where: s .> m0)
                i += 16
            }
            while i < n { row[i] += mask[i]; i += 1 }
            i = 0
        } else {
            while i + 16 <= n {
                let s = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                m0 = m0.replacing(with: s, where: s .> m0)
                i += 16
            }
        }
        var maximum = m0.max()
        for j in (n - n % 16)..<n where row[j] > maximum { maximum = row[j] }
        let shift = V(repeating: maximum)
        var sum = V()
        i = 0
        while i + 16 <= n {
            let e = FastMath.expKernel(raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) - shift)
            raw.storeBytes(of: e, toByteOffset: i * 4, as: V.self)
            sum += e
            i += 16
        }
        if i < n {
            // The padded lanes are -inf, whose exponential is 0.
            var tail = V(repeating: -.infinity)
            for j in 0..<(n - i) { tail[j] = row[i + j] }
            let e = FastMath.expKernel(tail - shift).replacing(with: 0, where: tail .== V(repeating: -.infinity))
            for j in 0..<(n - i) { row[i + j] = e[j] }
            sum += e
        }
        FastMath.map(row, row, n, Kernels.Scale(factor: V(repeating: 1 / sum.sum())))
    }
}

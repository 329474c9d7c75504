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
                // One pair's padded operands and scores at a time, reused across the range.
                let workspace = AttentionWorkspace(geometry)
                defer { workspace.deallocate() }
                for pair in range {
                    geometry.attend(pair: pair, q, k, v, m, workspace, probabilities: p.map { $0 + pair * queries * keys }, into: out)
                }
            }
            // Below a few hundred thousand multiply-adds a hand-off to another core costs more
            // than it saves (a single sentence's heads run on the calling thread).
            if pairs >= 2 && Parallel.coreCount > 1 && work >= 1 << 18 {
                let tasks = Swift.min(pairs, 4 * Parallel.coreCount), chunk = (pairs + tasks - 1) / tasks
                Parallel.perform((pairs + chunk - 1) / chunk) { task in
                    run(task * chunk..<Swift.min(pairs, (task + 1) * chunk))
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

    /// Rows of the query block, columns of the key and value blocks: the micro-kernels work
    /// on 6 x 16 tiles (twelve 8-lane accumulators, which with two loads and a broadcast fill
    /// the sixteen AVX registers).
    static let tileRows = 6, tileColumns = 16

    var paddedQueries: Int { (queries + AttentionGeometry.tileRows - 1) / AttentionGeometry.tileRows * AttentionGeometry.tileRows }
    var paddedKeys: Int { (keys + AttentionGeometry.tileColumns - 1) / AttentionGeometry.tileColumns * AttentionGeometry.tileColumns }
    var paddedHead: Int { (headSize + AttentionGeometry.tileColumns - 1) / AttentionGeometry.tileColumns * AttentionGeometry.tileColumns }

    /// Scores, mask, softmax and the product with the values for pair `pair` (batch-major,
    /// then head), writing the head's columns of `out` (dense `[batch, queries, hidden]`) and,
    /// when given, the pair's `[queries, keys]` probabilities.
    ///
    /// The head's slices are first copied into zero-padded blocks (queries `[pq, d]`, keys
    /// transposed `[d, pk]`, values `[keys, pd]`): a few thousand floats against the
    /// queries x keys x d multiply-adds of each product, and afterwards every tile is whole.
    @inline(__always)
    func attend(pair: Int, _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                _ mask: UnsafePointer<Float>?, _ w: AttentionWorkspace, probabilities: UnsafeMutablePointer<Float>?,
                into out: UnsafeMutablePointer<Float>) {
        let b = pair / heads, column = (pair % heads) * headSize
        let qh = q + b * query.0 + column, kh = k + b * key.0 + column, vh = v + b * value.0 + column
        let pq = paddedQueries, pk = paddedKeys, pd = paddedHead, d = headSize
        // Queries scaled while copying (scale * (q . k) up to rounding, as transformers' order).
        for i in 0..<queries {
            for c in 0..<d { w.queries[i * d + c] = qh[i * query.1 + c] * scale }
        }
        for j in 0..<keys {
            for c in 0..<d { w.keysT[c * pk + j] = kh[j * key.1 + c] }
        }
        for j in 0..<keys {
            for c in 0..<d { w.values[j * pd + c] = vh[j * value.1 + c] }
        }
        // scores [pq, pk] = queries keysT.
        var i0 = 0
        while i0 < pq {
            var j0 = 0
            while j0 < pk {
                AttentionGeometry.tile(w.queries + i0 * d, rowStride: d, w.keysT + j0, columnStride: pk, depth: d,
                                       w.scores + i0 * pk + j0, outStride: pk)
                j0 += AttentionGeometry.tileColumns
            }
            i0 += AttentionGeometry.tileRows
        }
        let maskRow = mask.map { $0 + b * keys }
        for row in 0..<queries {
            let scores = w.scores + row * pk
            Tensor.maskedSoftmaxRow(scores, maskRow, keys)
            probabilities?.advanced(by: row * keys).update(from: scores, count: keys)
        }
        // context [pq, pd] = probabilities [pq, keys] values [keys, pd], tile by tile; only
        // the real rows and columns are written out.
        i0 = 0
        while i0 < queries {
            var c0 = 0
            while c0 < pd {
                AttentionGeometry.tile(w.scores + i0 * pk, rowStride: pk, w.values + c0, columnStride: pd, depth: keys,
                                       w.tile, outStride: AttentionGeometry.tileColumns)
                let rows = Swift.min(AttentionGeometry.tileRows, queries - i0), columns = Swift.min(AttentionGeometry.tileColumns, d - c0)
                for r in 0..<rows {
                    (out + (b * queries + i0 + r) * hidden + column + c0).update(from: w.tile + r * AttentionGeometry.tileColumns, count: columns)
                }
                c0 += AttentionGeometry.tileColumns
            }
            i0 += AttentionGeometry.tileRows
        }
    }

    typealias V8 = SIMD8<Float>

    /// c[6, 16] = a[6, depth] b[depth, 16]: `a` rows `rowStride` apart, `b` rows
    /// `columnStride` apart, `c` rows `outStride` apart.
    @inline(__always)
    static func tile(_ a: UnsafePointer<Float>, rowStride: Int, _ b: UnsafePointer<Float>, columnStride: Int, depth: Int,
                     _ c: UnsafeMutablePointer<Float>, outStride: Int) {
        let br = UnsafeRawPointer(b)
        var c00 = V8(), c01 = V8(), c10 = V8(), c11 = V8(), c20 = V8(), c21 = V8()
        var c30 = V8(), c31 = V8(), c40 = V8(), c41 = V8(), c50 = V8(), c51 = V8()
        let a0 = a, a1 = a + rowStride, a2 = a + 2 * rowStride, a3 = a + 3 * rowStride, a4 = a + 4 * rowStride, a5 = a + 5 * rowStride
        for p in 0..<depth {
            let b0 = br.loadUnaligned(fromByteOffset: p * columnStride * 4, as: V8.self)
            let b1 = br.loadUnaligned(fromByteOffset: (p * columnStride + 8) * 4, as: V8.self)
            var s = V8(repeating: a0[p]); c00 = c00.addingProduct(s, b0); c01 = c01.addingProduct(s, b1)
            s = V8(repeating: a1[p]); c10 = c10.addingProduct(s, b0); c11 = c11.addingProduct(s, b1)
            s = V8(repeating: a2[p]); c20 = c20.addingProduct(s, b0); c21 = c21.addingProduct(s, b1)
            s = V8(repeating: a3[p]); c30 = c30.addingProduct(s, b0); c31 = c31.addingProduct(s, b1)
            s = V8(repeating: a4[p]); c40 = c40.addingProduct(s, b0); c41 = c41.addingProduct(s, b1)
            s = V8(repeating: a5[p]); c50 = c50.addingProduct(s, b0); c51 = c51.addingProduct(s, b1)
        }
        let cr = UnsafeMutableRawPointer(c), rowBytes = outStride * 4
        cr.storeBytes(of: c00, toByteOffset: 0, as: V8.self); cr.storeBytes(of: c01, toByteOffset: 32, as: V8.self)
        cr.storeBytes(of: c10, toByteOffset: rowBytes, as: V8.self); cr.storeBytes(of: c11, toByteOffset: rowBytes + 32, as: V8.self)
        cr.storeBytes(of: c20, toByteOffset: 2 * rowBytes, as: V8.self); cr.storeBytes(of: c21, toByteOffset: 2 * rowBytes + 32, as: V8.self)
        cr.storeBytes(of: c30, toByteOffset: 3 * rowBytes, as: V8.self); cr.storeBytes(of: c31, toByteOffset: 3 * rowBytes + 32, as: V8.self)
        cr.storeBytes(of: c40, toByteOffset: 4 * rowBytes, as: V8.self); cr.storeBytes(of: c41, toByteOffset: 4 * rowBytes + 32, as: V8.self)
        cr.storeBytes(of: c50, toByteOffset: 5 * rowBytes, as: V8.self); cr.storeBytes(of: c51, toByteOffset: 5 * rowBytes + 32, as: V8.self)
    }
}

/// Per-thread buffers for `AttentionGeometry.attend`, zeroed once so that the padding of
/// every block stays zero.
struct AttentionWorkspace {
    let queries, keysT, values, scores, tile: UnsafeMutablePointer<Float>

    init(_ g: AttentionGeometry) {
        func zeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(count, 1))
            p.initialize(repeating: 0, count: Swift.max(count, 1))
            return p
        }
        queries = zeroed(g.paddedQueries * g.headSize)
        keysT = zeroed(g.headSize * g.paddedKeys)
        values = zeroed(g.paddedKeys * g.paddedHead)
        scores = zeroed(g.paddedQueries * g.paddedKeys)
        tile = zeroed(AttentionGeometry.tileRows * AttentionGeometry.tileColumns)
    }

    func deallocate() {
        for p in [queries, keysT, values, scores, tile] { p.deallocate() }
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

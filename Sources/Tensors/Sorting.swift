/// Ordering along a dim: sort, argsort and topk, with indices as int64.
///
/// Orders are stable (equal values keep their original order, in both directions) and NaN
/// counts as larger than every number, as in torch. Gradients of the values flow back to the
/// positions they came from.
extension Tensor {
    /// Values sorted along `dim` and the positions they came from, as torch.sort(stable=True).
    public func sort(dim: Int = -1, descending: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let d = try axis(dim, op: "sort")
        let length = rank == 0 ? 1 : shape[d]
        return try ordered(d, k: length, descending: descending, op: "sort")
    }

    /// The positions that sort self along `dim`, as torch.argsort(stable=True).
    public func argsort(dim: Int = -1, descending: Bool = false) throws -> Tensor {
        try withNoGrad { try sort(dim: dim, descending: descending).indices }
    }

    /// The `k` largest (or smallest) values along `dim` and their positions, as torch.topk.
    /// With `sorted` they come best first; ties keep the lower position first either way.
    public func topk(k: Int, dim: Int = -1, largest: Bool = true, sorted: Bool = true) throws -> (values: Tensor, indices: Tensor) {
        let d = try axis(dim, op: "topk")
        let length = rank == 0 ? 1 : shape[d]
        guard k >= 0 && k <= length else {
            throw TensorError.indexOutOfRange(
                "topk(): selected index k (\(k)) out of range for dimension \(d) with size \(length) (input shape \(shape.shapeString))")
        }
        // Results always come best first, which is one valid answer for sorted == false too.
        return try ordered(d, k: k, descending: largest, op: "topk")
    }

    /// The first `k` of the ordering of each row along `d`.
    private func ordered(_ d: Int, k: Int, descending: Bool, op: String) throws -> (values: Tensor, indices: Tensor) {
        // Move `d` last so each ordering runs over one dense row.
        var order = Array(0..<rank)
        if rank > 0 { order.remove(at: d); order.append(d) }
        let length = rank == 0 ? 1 : shape[d]
        let rows = length == 0 ? 0 : count / length
        let movedShape = order.map { shape[$0] }
        let resultShape = Array(movedShape.dropLast()) + (rank == 0 ? [] : [k])
        let indices = Tensor(uninitialized: resultShape, dtype: .int64)
        let best: Tensor
        if dtype.isIntegral {
            let data = try withNoGrad { try permute(order).to(.int64).contiguous() }
            let values = Tensor(uninitialized: resultShape, dtype: .int64)
            withExtendedLifetime(data) {
                let src = data.pointer(as: Int64.self), v = values.pointer(as: Int64.self), ix = indices.pointer(as: Int64.self)
                if descending { Tensor.orderRows(src, rows, length, k, v, ix) { $0 > $1 } }
                else { Tensor.orderRows(src, rows, length, k, v, ix) { $0 < $1 } }
            }
            best = try values.to(dtype)
        } else {
            let data = try withNoGrad { try permute(order).to(.float32).contiguous() }
            let values = Tensor(uninitialized: resultShape, dtype: .float32)
            withExtendedLifetime(data) {
                let src = data.floatPointer, v = values.floatPointer, ix = indices.pointer(as: Int64.self)
                if k * 16 >= length {
                    Tensor.sortFloatRows(src, rows, length, k, v, ix, descending: descending)
                } else if descending {
                    Tensor.orderRows(src, rows, length, k, v, ix) { $0 > $1 || ($0.isNaN && !$1.isNaN) }
                } else {
                    Tensor.orderRows(src, rows, length, k, v, ix) { $0 < $1 || ($1.isNaN && !$0.isNaN) }
                }
            }
            best = try withNoGrad { try values.to(dtype) }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in order.enumerated() { inverse[a] = i }
        let outIndices = rank == 0 ? indices : try indices.permute(inverse).contiguous()
        let outValues = rank == 0 ? best : try withNoGrad { try best.permute(inverse).contiguous() }
        let recorded = Tensor.record(outValues, op == "sort" ? "SortBackward0" : "TopkBackward0", [self]) { [shape] g in
            [try Tensor.zeros(shape, dtype: g.dtype).scatterAdd(dim: d, index: outIndices, source: g)]
        }
        return (recorded, outIndices)
    }

    /// For each dense row of `length` values, the first `k` in the order `before` (strict),
    /// ties broken by position so the result is stable.
    @inline(__always)
    static func orderRows<T>(_ src: UnsafePointer<T>, _ rows: Int, _ length: Int, _ k: Int,
                             _ values: UnsafeMutablePointer<T>, _ indices: UnsafeMutablePointer<Int64>,
                             _ before: @escaping (T, T) -> Bool) {
        Parallel.forEachChunk(rows, costPerElement: Swift.max(length * 8, 1), alignment: 1) { range in
            var positions = [Int](repeating: 0, count: length)
            for r in range {
                let row = src + r * length
                let outValues = values + r * k, outIndices = indices + r * k
                if k == 0 { continue }
                if k * 16 < length {
                    // A few best of many: keep a sorted list of k and admit only what beats its last.
                    var kept = 0
                    for j in 0..<length {
                        let v = row[j]
                        if kept == k && !before(v, outValues[k - 1]) { continue }
                        var slot = kept == k ? k - 1 : kept
                        while slot > 0 && before(v, outValues[slot - 1]) {
                            outValues[slot] = outValues[slot - 1]; outIndices[slot] = outIndices[slot - 1]
                            slot -= 1
                        }
                        outValues[slot] = v; outIndices[slot] = Int64(j)
                        if kept < k { kept += 1 }
                    }
                    continue
                }
                for j in 0..<length { positions[j] = j }
                positions.sort { a, b in
                    let x = row[a], y = row[b]
                    if before(x, y) { return true }
                    if before(y, x) { return false }
                    return a < b
                }
                for j in 0..<k { outValues[j] = row[positions[j]]; outIndices[j] = Int64(positions[j]) }
            }
        }
    }

    /// Full sorts of float rows through integer keys: each value becomes 32 order-preserving
    /// bits (NaN above +inf, -0 equal to 0, all bits flipped for descending) with its position
    /// in the low 32 bits, so one plain integer sort is stable and never calls a comparator.
    static func sortFloatRows(_ src: UnsafePointer<Float>, _ rows: Int, _ length: Int, _ k: Int,
                              _ values: UnsafeMutablePointer<Float>, _ indices: UnsafeMutablePointer<Int64>,
                              descending: Bool) {
        Parallel.forEachChunk(rows, costPerElement: Swift.max(length * 8, 1), alignment: 1) { range in
            var keys = [UInt64](repeating: 0, count: length)
            for r in range {
                let row = src + r * length
                for j in 0..<length {
                    let x = row[j]
                    var bits: UInt32
                    if x.isNaN { bits = .max }
                    else {
                        let b = (x == 0 ? Float(0) : x).bitPattern
                        bits = b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000
                    }
                    if descending { bits = ~bits }
                    keys[j] = UInt64(bits) << 32 | UInt64(j)
                }
                keys.sort()
                let outValues = values + r * k, outIndices = indices + r * k
                for j in 0..<k {
                    let position = Int(keys[j] & 0xFFFF_FFFF)
                    outValues[j] = row[position]
                    outIndices[j] = Int64(position)
                }
            }
        }
    }
}

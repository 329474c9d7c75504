import Foundation

/// Upper and lower triangles of the last two dims (batched over the rest).
extension Tensor {
    /// Self with the elements below diagonal `diagonal` of the last two dims zeroed, as
    /// torch.triu (`diagonal > 0` moves the kept band up, `< 0` down).
    public func triu(diagonal: Int = 0) throws -> Tensor { try triangle(upper: true, diagonal: diagonal) }

    /// Self with the elements above diagonal `diagonal` of the last two dims zeroed, as torch.tril.
    public func tril(diagonal: Int = 0) throws -> Tensor { try triangle(upper: false, diagonal: diagonal) }

    private func triangle(upper: Bool, diagonal: Int) throws -> Tensor {
        let op = upper ? "triu" : "tril"
        guard rank >= 2 else {
            throw TensorError.invalidArgument("\(op): input tensor must have at least 2 dimensions (got shape \(shape.shapeString))")
        }
        let rows = shape[rank - 2], columns = shape[rank - 1]
        let out = withNoGrad { contiguous().clone() }
        let size = dtype.itemSize
        // All-zero bytes are zero (or false) in every dtype, so one memset clears a run.
        let bytes = out.storage.bytes
        Parallel.forEachChunk(out.count / Swift.max(columns, 1), costPerElement: Swift.max(columns, 1), alignment: 1) { range in
            for r in range {
                let i = r % Swift.max(rows, 1)
                let row = bytes + r * columns * size
                if upper {
                    let end = Swift.min(columns, Swift.max(0, i + diagonal))
                    if end > 0 { memset(row, 0, end * size) }
                } else {
                    let start = Swift.max(0, Swift.min(columns, i + diagonal + 1))
                    if start < columns { memset(row + start * size, 0, (columns - start) * size) }
                }
            }
        }
        return Tensor.record(out, upper ? "TriuBackward0" : "TrilBackward0", [self]) { g in
            [try g.triangle(upper: upper, diagonal: diagonal)]
        }
    }
}

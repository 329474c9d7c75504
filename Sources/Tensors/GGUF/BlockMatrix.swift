import Foundation

/// A weight matrix `[rows, columns]` kept in its GGUF blocks (Q4_0, Q4_1 or Q8_0), multiplied
/// against a few float32 rows without decoding it to memory first.
///
/// Generating one token reads every weight once: with float32 weights a decode step streams
/// 540 MB for a 135M model and runs at the memory's speed. The same weights in Q4_1 are 20
/// bytes per 32 values, a sixth of the traffic; each block is decoded into registers, used and
/// dropped. The arithmetic stays float32 and the weights are the values the float32 copy holds
/// (`scale * q + offset` per element), so a product differs from the dense one only by the
/// order of its float rounding: `scale * sum(x * q) + offset * sum(x)` per block instead of
/// `sum(x * (scale * q + offset))`.
///
/// A loaded checkpoint keeps both forms: the dense tensor (for long inputs through sgemm, for
/// training, for anything that reads values) and this one attached to its storage for products
/// with a few rows (`Tensor.linear`). Writing into the dense tensor drops the blocks, so a
/// changed weight is never multiplied in its stale form.
public final class BlockMatrix: @unchecked Sendable {
    /// Block layout.
    public let type: GGMLType
    /// Output features.
    public let rows: Int
    /// Input features (a multiple of 32).
    public let columns: Int
    let bytes: UnsafeRawPointer
    let rowByteCount: Int
    /// Keeps `bytes` alive: the file mapping, or this matrix's own copy.
    private let owner: AnyObject?
    private let ownedBytes: UnsafeMutableRawPointer?

    /// The most rows of `x` a product takes through the blocks; longer inputs (a prompt's
    /// prefill) amortise reading the dense weight over many rows and go through sgemm.
    public static let maximumRows = 8

    /// Whether products can use blocks of `type`.
    public static func supports(_ type: GGMLType) -> Bool { type == .q4_0 || type == .q4_1 || type == .q8_0 }

    /// The matrix `tensor` holds (rank 2, a supported type). With `rowOrder`, output row `i`
    /// is stored row `rowOrder[i]` (rows are then copied in that order); otherwise the blocks
    /// are borrowed where they are.
    public init(_ tensor: QuantizedTensor, rowOrder: [Int]? = nil) throws {
        guard BlockMatrix.supports(tensor.type), tensor.shape.count == 2 else {
            throw TensorError.invalidArgument("\(tensor.source): tensor '\(tensor.name)' of type \(tensor.type.name) and shape \(tensor.shape.shapeString) cannot be kept as a block matrix (Q4_0, Q4_1 or Q8_0 matrices only)")
        }
        let rows = tensor.shape[0], rowByteCount = tensor.rowByteCount
        type = tensor.type
        self.rows = rows
        columns = tensor.shape[1]
        self.rowByteCount = rowByteCount
        guard let base = tensor.bytes.baseAddress else {
            throw TensorError.invalidArgument("\(tensor.source): tensor '\(tensor.name)' has no bytes")
        }
        if let rowOrder {
            guard rowOrder.count == rows, rowOrder.allSatisfy({ (0..<rows).contains($0) }) else {
                throw TensorError.invalidArgument("\(tensor.source): a row order for tensor '\(tensor.name)' must list \(rows) rows in 0..<\(rows)")
            }
            let copy = UnsafeMutableRawPointer.allocate(byteCount: max(rows * rowByteCount, 1), alignment: 64)
            for (i, stored) in rowOrder.enumerated() {
                (copy + i * rowByteCount).copyMemory(from: base + stored * rowByteCount, byteCount: rowByteCount)
            }
            bytes = UnsafeRawPointer(copy)
            ownedBytes = copy
            owner = nil
        } else {
            bytes = base
            ownedBytes = nil
            owner = tensor.owner
        }
    }

    deinit { ownedBytes?.deallocate() }

    /// out[m, n] = (accumulate ? out[m, n] : 0) + sum_k x[m, k] * W[n, k] for dense row-major
    /// `x [xRows, columns]` and `out [xRows, rows]`, with `xRows <= maximumRows`.
    public func multiply(_ x: UnsafePointer<Float>, rows xRows: Int, into out: UnsafeMutablePointer<Float>, accumulate: Bool) {
        switch type {
        case .q4_1: multiply(Q4_1Blocks.self, x, xRows, out, accumulate)
        case .q4_0: multiply(Q4_0Blocks.self, x, xRows, out, accumulate)
        default: multiply(Q8_0Blocks.self, x, xRows, out, accumulate)
        }
    }

    private func multiply<Format: BlockFormat>(_ format: Format.Type, _ x: UnsafePointer<Float>, _ xRows: Int,
                                               _ out: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
        let blocks = columns / 32
        // Each group of four input rows (the last one padded with zero rows) goes through the
        // four-row kernel, which decodes a block once for all of them; a single row has its own.
        let groups = xRows == 1 ? 1 : (xRows + 3) / 4
        let lanes = xRows == 1 ? 1 : groups * 4
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: lanes * columns)
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: lanes * blocks)
        defer { padded.deallocate(); sums.deallocate() }
        padded.update(from: x, count: xRows * columns)
        (padded + xRows * columns).initialize(repeating: 0, count: (lanes - xRows) * columns)
        // Per-block sums of x carry the blocks' offsets (`offset * sum(x)`).
        for r in 0..<lanes {
            for b in 0..<blocks {
                sums[r * blocks + b] = BlockKernels.sum32(padded + r * columns + b * 32)
            }
        }
        let matrixRows = rows
        let run = { [bytes, rowByteCount] (range: Range<Int>) in
            if xRows == 1 {
                BlockKernels.oneRow(Format.self, padded, sums, bytes, rowByteCount, blocks, out, range, accumulate)
            } else {
                for g in 0..<groups {
                    let valid = Swift.min(4, xRows - g * 4)
                    BlockKernels.fourRows(Format.self, padded + g * 4 * self.columns, sums + g * 4 * blocks, bytes, rowByteCount,
                                          blocks, out + g * 4 * matrixRows, matrixRows, valid, range, accumulate)
                }
            }
        }
        let tasks = SmallBatchProduct.taskCount(weights: rows * columns)
        if tasks <= 1 {
            run(0..<rows)
        } else {
            let chunk = ((rows + tasks - 1) / tasks + 1) / 2 * 2
            Parallel.perform(tasks) { task in
                let start = task * chunk
                if start < matrixRows { run(start..<Swift.min(matrixRows, start + chunk)) }
            }
        }
    }
}

extension Tensor {
    /// Attaches `blocks` as another form of this tensor's values; the tensor must be the whole
    /// of its storage, dense, with the matrix's shape.
    public func attachBlocks(_ blocks: BlockMatrix) throws {
        guard shape == [blocks.rows, blocks.columns], isContiguous, offset == 0, dtype == .float32 else {
            throw TensorError.invalidArgument("blocks of shape [\(blocks.rows), \(blocks.columns)] cannot stand for a \(dtype) tensor of shape \(shape.shapeString)")
        }
        storage.blockMatrix = blocks
    }

    /// The attached blocks when this tensor is exactly the matrix they hold.
    var attachedBlocks: BlockMatrix? {
        guard let blocks = storage.blockMatrix, offset == 0, shape.count == 2, shape[0] == blocks.rows,
              shape[1] == blocks.columns, isContiguous else { return nil }
        return blocks
    }
}

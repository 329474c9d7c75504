import Foundation
import XCTest
@testable import Tensors

/// Products with a weight kept in its GGUF blocks against the same product with the weight
/// decoded to float32 (the decoder itself is checked bit for bit against gguf-py in
/// GGUFDequantizationTests). The blocks are gguf-py's, from the quants.gguf fixture.
final class BlockMatrixTests: XCTestCase {
    var buffers: [UnsafeMutableRawBufferPointer] = []
    override func tearDown() { buffers.forEach { $0.deallocate() }; buffers = [] }

    /// A `[rows, columns]` matrix of `type` whose blocks cycle through the fixture's blocks of
    /// that type.
    func matrix(_ type: GGMLType, rows: Int, columns: Int) throws -> QuantizedTensor {
        let file = try GGUFFile(path: Fixtures.url("gguf/quants.gguf").path)
        let source = try file.quantizedTensor(named: type.name.lowercased())
        let blockBytes = type.blockByteCount, sourceBlocks = source.bytes.count / blockBytes
        let blocks = rows * columns / 32
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blocks * blockBytes, alignment: 64)
        buffers.append(buffer)
        for b in 0..<blocks {
            let from = (b * 7) % sourceBlocks * blockBytes
            UnsafeMutableRawBufferPointer(rebasing: buffer[(b * blockBytes)..<((b + 1) * blockBytes)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: source.bytes[from..<(from + blockBytes)]))
        }
        return try QuantizedTensor(name: "w", type: type, shape: [rows, columns], bytes: UnsafeRawBufferPointer(buffer),
                                   owner: file, source: "test")
    }

    /// Largest |a - b| relative to the size of the terms summed (`|x| @ |w|^T`): float32
    /// rounding in a different order stays far below 1e-5 of it.
    func relativeError(_ a: Tensor, _ b: Tensor, x: Tensor, w: Tensor) throws -> Float {
        let magnitude = try x.abs().matmul(w.abs().transpose(0, 1)).contiguous().toFloatArray()
        return zip(zip(a.contiguous().toFloatArray(), b.contiguous().toFloatArray()), magnitude)
            .map { abs($0.0 - $0.1) / max($1, 1e-6) }.max() ?? 0
    }

    func testProductsMatchTheDecodedWeightForEveryTypeAndRowCount() throws {
        for type in [GGMLType.q4_0, .q4_1, .q8_0] {
            // 37 rows: an odd count (the two-row kernel's tail); 600 x 576 is split across cores.
            for (rows, columns) in [(37, 96), (600, 576)] {
                let q = try matrix(type, rows: rows, columns: columns)
                let blocks = try BlockMatrix(q)
                let dense = try q.dequantized()
                for xRows in [1, 2, 3, 5, 8] {
                    let x = try Tensor.randn([xRows, columns])
                    let want = try x.matmul(dense.transpose(0, 1))
                    let got = Tensor(uninitialized: [xRows, rows], dtype: .float32)
                    withExtendedLifetime(x) { blocks.multiply(x.floatPointer, rows: xRows, into: got.floatPointer, accumulate: false) }
                    XCTAssertLessThan(try relativeError(got, want, x: x, w: dense), 1e-5, "\(type.name) \(rows)x\(columns), \(xRows) rows")
                    // Accumulating adds onto what is there.
                    let seeded = try Tensor.ones([xRows, rows])
                    withExtendedLifetime(x) { blocks.multiply(x.floatPointer, rows: xRows, into: seeded.floatPointer, accumulate: true) }
                    XCTAssertLessThan(try relativeError(seeded, try want + 1.0, x: x, w: dense), 1e-5, "\(type.name) accumulate")
                }
            }
        }
    }

    func testRowOrderPicksStoredRows() throws {
        let q = try matrix(.q4_1, rows: 8, columns: 64)
        let order = [3, 1, 7, 0, 2, 6, 4, 5]
        let blocks = try BlockMatrix(q, rowOrder: order)
        let dense = try q.dequantized()
        let reordered = try Tensor.stack(order.map { try dense.select(0, $0) })
        let x = try Tensor.randn([1, 64])
        let got = Tensor(uninitialized: [1, 8], dtype: .float32)
        withExtendedLifetime(x) { blocks.multiply(x.floatPointer, rows: 1, into: got.floatPointer, accumulate: false) }
        XCTAssertLessThan(try relativeError(got, try x.matmul(reordered.transpose(0, 1)), x: x, w: reordered), 1e-5)
        XCTAssertThrowsError(try BlockMatrix(q, rowOrder: [0, 1])) { XCTAssertTrue("\($0)".contains("8 rows"), "\($0)") }
    }

    func testLinearUsesAttachedBlocksAndAWriteDropsThem() throws {
        let q = try matrix(.q8_0, rows: 48, columns: 64)
        let weight = try q.dequantized()
        try weight.attachBlocks(try BlockMatrix(q))
        XCTAssertNotNil(weight.attachedBlocks)
        // A view of part of the weight is not the matrix the blocks hold.
        XCTAssertNil(try weight.slice(0, start: 0, end: 10).attachedBlocks)
        let x = try Tensor.randn([2, 64])
        let viaBlocks = try withNoGrad { try x.linear(weight: weight, bias: nil, activation: nil) }
        XCTAssertLessThan(try relativeError(viaBlocks, try x.matmul(weight.transpose(0, 1)), x: x, w: weight), 1e-5)

        // Changing the weight drops the blocks: the product then sees the new values.
        try weight.select(0, 0).copy(from: Tensor.zeros([64]))
        XCTAssertNil(weight.storage.blockMatrix)
        let after = try withNoGrad { try x.linear(weight: weight, bias: nil, activation: nil) }
        XCTAssertEqual(try after.select(1, 0).toFloatArray(), [0, 0])

        XCTAssertThrowsError(try Tensor.zeros([3, 3]).attachBlocks(try BlockMatrix(q))) {
            XCTAssertTrue("\($0)".contains("[48, 64]"), "\($0)")
        }
    }

    func testUnsupportedTypeIsRefusedByName() throws {
        let file = try GGUFFile(path: Fixtures.url("gguf/quants.gguf").path)
        XCTAssertThrowsError(try BlockMatrix(try file.quantizedTensor(named: "q6_k"))) { error in
            XCTAssertTrue("\(error)".contains("Q6_K"), "\(error)")
        }
    }
}

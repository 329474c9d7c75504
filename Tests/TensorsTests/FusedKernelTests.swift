import Foundation
import XCTest
@testable import Tensors

/// The fused inference kernels (attention per head, linear + activation, linear + residual +
/// layer norm) against the composed ops they replace, on sizes that take both the
/// single-thread and the parallel paths and lengths that are not multiples of the vector width.
final class FusedKernelTests: XCTestCase {
    override func setUp() { manualSeed(7) }

    /// A `[batch, keys]` additive mask, 0 where kept and float32's most negative value where
    /// masked, from a 0/1 pattern (as BERT builds it).
    private func additiveMask(_ keep: [[Int]]) throws -> Tensor {
        let values = keep.flatMap { $0.map { $0 == 1 ? Float(0) : -Float.greatestFiniteMagnitude } }
        return try Tensor(values, shape: [keep.count, keep[0].count])
    }

    private func checkAttention(batch: Int, queries: Int, keys: Int, heads: Int, headSize: Int, masked: Bool,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let hidden = heads * headSize
        // q, k, v as column slices of one projection, as BERT's packed QKV product gives them.
        let q = try Tensor.randn([batch, queries, 3 * hidden]).slice(-1, start: 0, end: hidden)
        let kv = try Tensor.randn([batch, keys, 3 * hidden])
        let k = try kv.slice(-1, start: hidden, end: 2 * hidden), v = try kv.slice(-1, start: 2 * hidden, end: 3 * hidden)
        // Row b masks its last b keys; the last row masks every key (a uniform softmax, as torch).
        let pattern = (0..<batch).map { b in (0..<keys).map { j in b == batch - 1 && batch > 1 ? 0 : (j < keys - b ? 1 : 0) } }
        let mask = masked ? try additiveMask(pattern) : nil
        let scale = 1 / Double(headSize).squareRoot()
        let (context, probabilities) = try withNoGrad {
            try Tensor.multiHeadAttention(query: q, key: k, value: v, heads: heads, scale: scale, keyMask: mask, keepProbabilities: true)
        }
        let (expected, expectedProbabilities) = try Tensor.composedAttention(
            query: q, key: k, value: v, heads: heads, scale: scale, keyMask: mask, keepProbabilities: true)
        assertClose(context, expected, tolerance: 1e-5, "context", file: file, line: line)
        assertClose(try XCTUnwrap(probabilities), try XCTUnwrap(expectedProbabilities), tolerance: 1e-5, "probabilities", file: file, line: line)
        let (alone, none) = try Tensor.multiHeadAttention(query: q, key: k, value: v, heads: heads, scale: scale, keyMask: mask,
                                                           keepProbabilities: false)
        XCTAssertNil(none, file: file, line: line)
        assertClose(alone, expected, tolerance: 1e-5, "context without probabilities", file: file, line: line)
    }

    func testAttentionMatchesComposedOpsForOneShortSentence() throws {
        try checkAttention(batch: 1, queries: 12, keys: 12, heads: 4, headSize: 8, masked: false)
        try checkAttention(batch: 1, queries: 12, keys: 12, heads: 4, headSize: 8, masked: true)
    }

    func testAttentionMatchesComposedOpsOnAParallelPaddedBatch() throws {
        // 4 x 4 pairs of 37 x 37 x 32: enough work for the parallel path; 37 is not a multiple of 16.
        try checkAttention(batch: 4, queries: 37, keys: 37, heads: 4, headSize: 32, masked: true)
        try checkAttention(batch: 3, queries: 64, keys: 64, heads: 2, headSize: 16, masked: false)
    }

    func testAttentionWithMoreKeysThanQueries() throws {
        try checkAttention(batch: 2, queries: 5, keys: 19, heads: 3, headSize: 4, masked: true)
    }

    func testAttentionRecordsGradientsThroughTheComposedOps() throws {
        let q = try Tensor.randn([2, 6, 8]).requiringGrad(), k = try Tensor.randn([2, 6, 8]), v = try Tensor.randn([2, 6, 8])
        let (context, _) = try Tensor.multiHeadAttention(query: q, key: k, value: v, heads: 2, scale: 0.5, keyMask: nil,
                                                         keepProbabilities: false)
        XCTAssertNotNil(context.gradFn)
        try context.sum().backward()
        XCTAssertEqual(q.grad?.shape, [2, 6, 8])
    }

    func testAttentionRejectsBadShapes() throws {
        let x = try Tensor.randn([2, 4, 6])
        assertThrowsMentioning(["multiple of 4 heads"]) {
            try Tensor.multiHeadAttention(query: x, key: x, value: x, heads: 4, scale: 1, keyMask: nil, keepProbabilities: false)
        }
        assertThrowsMentioning(["key mask", "[2, 4]"]) {
            try Tensor.multiHeadAttention(query: x, key: x, value: x, heads: 2, scale: 1, keyMask: Tensor.zeros([4]), keepProbabilities: false)
        }
        assertThrowsMentioning(["do not match"]) {
            try Tensor.multiHeadAttention(query: x, key: Tensor.randn([2, 4, 8]), value: x, heads: 2, scale: 1, keyMask: nil, keepProbabilities: false)
        }
        assertThrowsMentioning(["[batch, seq, hidden]"]) {
            try Tensor.multiHeadAttention(query: Tensor.randn([4, 6]), key: x, value: x, heads: 2, scale: 1, keyMask: nil, keepProbabilities: false)
        }
    }

    func testMaskedSoftmaxRowMatchesSoftmaxOfTheSum() throws {
        for n in [1, 7, 16, 33, 128] {
            let row = try Tensor.randn([n]) * 4, mask = try Tensor.randn([n])
            let expected = try (row + mask).softmax(dim: 0)
            let out = row.clone()
            withExtendedLifetime((out, mask)) { Tensor.maskedSoftmaxRow(out.floatPointer, mask.floatPointer, n) }
            assertClose(out, expected, tolerance: 1e-6, "masked row of \(n)")
            let plain = row.clone()
            withExtendedLifetime(plain) { Tensor.maskedSoftmaxRow(plain.floatPointer, nil, n) }
            assertClose(plain, try row.softmax(dim: 0), tolerance: 1e-6, "row of \(n)")
        }
    }

    func testLinearWithActivationMatchesComposedOps() throws {
        for rows in [3, 300] {
            let x = try Tensor.randn([rows, 24]), w = try Tensor.randn([40, 24]) * 0.3, b = try Tensor.randn([40])
            let y = try x.linear(weight: w, bias: b)
            assertClose(try x.linear(weight: w, bias: b, activation: .gelu), try y.gelu(), "gelu, \(rows) rows")
            assertClose(try x.linear(weight: w, bias: b, activation: .geluTanh), try y.gelu(approximate: .tanh), "gelu tanh")
            assertClose(try x.linear(weight: w, bias: b, activation: .relu), y.relu(), "relu")
            assertClose(try x.linear(weight: w, bias: nil, activation: .silu), try x.linear(weight: w).silu(), "silu without bias")
            assertClose(try x.linear(weight: w, bias: b, activation: nil), y, "no activation")
        }
    }

    func testSmallBatchProductMatchesMatmul() throws {
        // Rows up to the kernel's limit with ragged 3-row and 4-feature edges; output counts
        // that leave partial blocks (and whole ones ahead, where the kernel prefetches).
        for rows in [1, 2, 3, 4, 7, 12, 13, 31, SmallBatchProduct.maximumRows] {
            for (outputs, depth) in [(1, 1), (5, 9), (8, 37), (13, 64), (27, 15), (600, 200), (601, 203)] {
                let x = try Tensor.randn([rows, depth]), w = try Tensor.randn([outputs, depth])
                let expected = try x.matmul(w.transpose(0, 1))
                let out = Tensor.zeros([rows, outputs])
                withExtendedLifetime((x, w, out)) {
                    SmallBatchProduct.multiply(x.floatPointer, rows: rows, w.floatPointer, outputs: outputs, depth: depth,
                                               out.floatPointer, accumulate: false)
                }
                // Float32 rounding in a sum of `depth` products of unit normals grows as sqrt(depth).
                let tolerance = 1e-5 * Float(depth).squareRoot()
                assertClose(out, expected, tolerance: tolerance, "\(rows) x \(depth) x \(outputs)")
                withExtendedLifetime((x, w, out)) {
                    SmallBatchProduct.multiply(x.floatPointer, rows: rows, w.floatPointer, outputs: outputs, depth: depth,
                                               out.floatPointer, accumulate: true)
                }
                assertClose(out, try expected * 2, tolerance: 2 * tolerance, "accumulated \(rows) x \(depth) x \(outputs)")
            }
        }
    }

    func testSmallBatchProductOnOneCoreMatchesTwo() throws {
        // The split over cores changes which task prefetches what, never a value.
        let x = try Tensor.randn([12, 384]), w = try Tensor.randn([1155, 384])
        let one = Tensor.zeros([12, 1155]), two = Tensor.zeros([12, 1155])
        withExtendedLifetime((x, w, one, two)) {
            Tensor.smallProductThreads = 1
            SmallBatchProduct.multiply(x.floatPointer, rows: 12, w.floatPointer, outputs: 1155, depth: 384, one.floatPointer, accumulate: false)
            Tensor.smallProductThreads = Int.max
            SmallBatchProduct.multiply(x.floatPointer, rows: 12, w.floatPointer, outputs: 1155, depth: 384, two.floatPointer, accumulate: false)
        }
        XCTAssertEqual(one.toFloatArray(), two.toFloatArray())
        assertClose(one, try x.matmul(w.transpose(0, 1)), tolerance: 1e-4, "12 x 384 x 1155")
    }

    func testLinearAddLayerNormMatchesComposedOps() throws {
        for (rows, inFeatures, outFeatures) in [(1, 12, 37), (5, 24, 16), (600, 48, 64)] {
            let x = try Tensor.randn([rows, 2, inFeatures]), residual = try Tensor.randn([rows, 2, outFeatures])
            let w = try Tensor.randn([outFeatures, inFeatures]) * 0.2, b = try Tensor.randn([outFeatures])
            let g = try Tensor.randn([outFeatures]), beta = try Tensor.randn([outFeatures])
            let expected = try (x.linear(weight: w, bias: b) + residual).layerNorm(normalizedShape: [outFeatures], weight: g, bias: beta, eps: 1e-12)
            let fused = try x.linearAddLayerNorm(weight: w, bias: b, residual: residual, normWeight: g, normBias: beta, eps: 1e-12)
            assertClose(fused, expected, tolerance: 1e-5, "\(rows)x\(inFeatures)->\(outFeatures)")
            let plain = try (x.linear(weight: w) + residual).layerNorm(normalizedShape: [outFeatures], eps: 1e-5)
            assertClose(try x.linearAddLayerNorm(weight: w, bias: nil, residual: residual, normWeight: nil, normBias: nil, eps: 1e-5),
                        plain, tolerance: 1e-5, "no affine parameters")
        }
    }

    func testLinearAddLayerNormRecordsGradientsThroughTheComposedOps() throws {
        let x = try Tensor.randn([3, 8]), w = try (Tensor.randn([8, 8]) * 0.3).requiringGrad()
        let y = try x.linearAddLayerNorm(weight: w, bias: nil, residual: x, normWeight: nil, normBias: nil, eps: 1e-5)
        XCTAssertNotNil(y.gradFn)
        try (y * y).sum().backward()
        XCTAssertEqual(w.grad?.shape, [8, 8])
    }

    func testLinearAddLayerNormRejectsMismatchedParameters() throws {
        let x = try Tensor.randn([3, 8])
        assertThrowsMentioning(["layer norm weight", "[5]"]) {
            try x.linearAddLayerNorm(weight: Tensor.randn([8, 8]), bias: nil, residual: x, normWeight: Tensor.ones([5]), normBias: nil, eps: 1e-5)
        }
        assertThrowsMentioning(["cannot be multiplied"]) {
            try x.linearAddLayerNorm(weight: Tensor.randn([8, 6]), bias: nil, residual: x, normWeight: nil, normBias: nil, eps: 1e-5)
        }
    }

    // MARK: Panel products (many rows)

    func testPanelProductMatchesMatmulOnRaggedSizes() throws {
        // Row counts past the few-row kernel that leave partial 6-row strips and blocks, output
        // counts that leave partial 16-column panels, depths of one, two and three blocks.
        for rows in [33, 37, 200, 401] {
            for (outputs, depth) in [(1, 1), (17, 5), (16, 384), (31, 385), (40, 800)] {
                let x = try Tensor.randn([rows, depth]), w = try Tensor.randn([outputs, depth]), b = try Tensor.randn([outputs])
                let expected = try x.matmul(w.transpose(0, 1)) + b
                let tolerance = 1e-5 * Float(depth).squareRoot()
                assertClose(try x.linear(weight: w, bias: b, activation: nil), expected, tolerance: tolerance, "\(rows) x \(depth) x \(outputs)")
                // The weight read through a transposed view (strides other than row-major).
                let wt = try w.transpose(0, 1).contiguous().transpose(0, 1)
                assertClose(try x.linear(weight: wt, bias: nil, activation: .relu), try x.matmul(w.transpose(0, 1)).relu(),
                            tolerance: tolerance, "transposed weight, \(rows) x \(depth) x \(outputs)")
            }
        }
    }

    func testPanelProductAgreesWithSgemmPath() throws {
        let x = try Tensor.randn([2, 70, 96]), w = try Tensor.randn([130, 96]) * 0.2, b = try Tensor.randn([130])
        let residual = try Tensor.randn([2, 70, 130]), g = try Tensor.randn([130]), beta = try Tensor.randn([130])
        Tensor.usesPanelProducts = false
        let gelu = try x.linear(weight: w, bias: b, activation: .gelu)
        let normed = try x.linearAddLayerNorm(weight: w, bias: b, residual: residual, normWeight: g, normBias: beta, eps: 1e-12)
        Tensor.usesPanelProducts = true
        assertClose(try x.linear(weight: w, bias: b, activation: .gelu), gelu, tolerance: 1e-5, "gelu")
        assertClose(try x.linearAddLayerNorm(weight: w, bias: b, residual: residual, normWeight: g, normBias: beta, eps: 1e-12),
                    normed, tolerance: 1e-5, "residual and layer norm")
    }

    func testTrainingLinearThroughPanelsMatchesTheSgemmPath() throws {
        // Forward and all three gradients of a recorded linear layer: partial strips and panels,
        // two depth passes, the weight gradient's transposed operands, and a batch small enough
        // that the cores share out the panels rather than the rows.
        for (rows, inputs, outputs) in [(70, 400, 37), (300, 64, 200), (45, 33, 90)] {
            let x0 = try Tensor.randn([rows, inputs]), w0 = try Tensor.randn([outputs, inputs]) * 0.1
            let b0 = try Tensor.randn([outputs]), r = try Tensor.randn([rows, outputs])
            func run(panels: Bool) throws -> [Tensor] {
                Tensor.usesPanelProducts = panels
                defer { Tensor.usesPanelProducts = true }
                let x = try x0.detach().requiringGrad(), w = try w0.detach().requiringGrad(), b = try b0.detach().requiringGrad()
                let y = try x.linear(weight: w, bias: b)
                try (y * r).sum().backward()
                return [y.detach(), try XCTUnwrap(x.grad), try XCTUnwrap(w.grad), try XCTUnwrap(b.grad)]
            }
            let expected = try run(panels: false), got = try run(panels: true)
            let tolerance = 1e-5 * Float(Swift.max(rows, inputs, outputs)).squareRoot()
            for (name, (a, e)) in zip(["output", "input grad", "weight grad", "bias grad"], zip(got, expected)) {
                assertClose(a, e, tolerance: tolerance, "\(name), \(rows) x \(inputs) -> \(outputs)")
            }
        }
    }

    func testProductWithTransposedReadsAnyStrides() throws {
        // a @ b^T with each operand dense, transposed, or a strided slice.
        let a = try Tensor.randn([50, 70]), b = try Tensor.randn([41, 70])
        let expected = try a.matmul(b.transpose(0, 1))
        let at = try a.transpose(0, 1).contiguous().transpose(0, 1), bt = try b.transpose(0, 1).contiguous().transpose(0, 1)
        let wide = try Tensor.randn([50, 140]), aStrided = try wide.slice(-1, start: 0, end: 140, step: 2)
        for (name, x, y) in [("dense", a, b), ("transposed a", at, b), ("transposed b", a, bt), ("both", at, bt)] {
            assertClose(try Tensor.productWithTransposed(x, y), expected, tolerance: 1e-4, name)
        }
        assertClose(try Tensor.productWithTransposed(aStrided, b), try aStrided.matmul(b.transpose(0, 1)), tolerance: 1e-4, "strided a")
        // Operands that do not fit are refused, naming both.
        for (x, y) in [(a, try Tensor.randn([41, 69])), (try Tensor.randn([70]), b), (try a.to(.float16), try b.to(.float16))] {
            XCTAssertThrowsError(try Tensor.productWithTransposed(x, y)) { error in
                XCTAssertTrue("\(error)".contains(x.shape.shapeString), "\(error)")
            }
        }
    }

    func testPanelLinearAddLayerNormOverSeveralDepthBlocks() throws {
        // 800 inputs: the product accumulates over three depth blocks before the finish.
        let x = try Tensor.randn([250, 800]), residual = try Tensor.randn([250, 37])
        let w = try Tensor.randn([37, 800]) * 0.05, b = try Tensor.randn([37]), g = try Tensor.randn([37]), beta = try Tensor.randn([37])
        let expected = try (x.linear(weight: w, bias: b) + residual).layerNorm(normalizedShape: [37], weight: g, bias: beta, eps: 1e-12)
        assertClose(try x.linearAddLayerNorm(weight: w, bias: b, residual: residual, normWeight: g, normBias: beta, eps: 1e-12),
                    expected, tolerance: 1e-4, "250 x 800 -> 37")
    }

    func testPackedWeightIsKeptAndDroppedWhenTheWeightIsWritten() throws {
        let x = try Tensor.randn([64, 20]), w = try Tensor.randn([24, 20])
        let first = try x.linear(weight: w, bias: nil, activation: nil)
        XCTAssertNotNil(w.storage.packedWeight, "packed by the first many-row product")
        let kept = try XCTUnwrap(w.storage.packedWeight as? PanelProduct.PackedWeight)
        assertClose(try x.linear(weight: w, bias: nil, activation: nil), first, tolerance: 0, "same weight again")
        XCTAssertTrue(w.storage.packedWeight === kept, "reused, not packed again")
        // Written in place: the packed copy goes, and the next product sees the new values.
        let replacement = try Tensor.randn([24, 20])
        try withNoGrad { try w.copy(from: replacement) }
        XCTAssertNil(w.storage.packedWeight)
        assertClose(try x.linear(weight: w, bias: nil, activation: nil), try x.matmul(replacement.transpose(0, 1)), tolerance: 1e-5,
                    "after an in-place write")
    }

    func testPackedWeightFollowsTheViewOfASharedStorage() throws {
        // Two weights in one buffer (as BERT's packed projections): each product packs its own view.
        let both = try Tensor.randn([48, 20]), x = try Tensor.randn([40, 20])
        let top = try both.slice(0, start: 0, end: 24), bottom = try both.slice(0, start: 24, end: 48)
        for _ in 0..<2 {
            assertClose(try x.linear(weight: top, bias: nil, activation: nil), try x.matmul(top.transpose(0, 1)), tolerance: 1e-5, "top")
            assertClose(try x.linear(weight: bottom, bias: nil, activation: nil), try x.matmul(bottom.transpose(0, 1)), tolerance: 1e-5, "bottom")
        }
    }
}

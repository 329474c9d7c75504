import XCTest
@testable import Tensors

/// layer_norm and rms_norm: values and gradients (input, weight, bias) against torch, finite
/// differences, shape errors.
final class NormalizationTests: XCTestCase {
    func testLayerNormWithAffineMatchesTorch() throws {
        try assertMatchesFixture(try MathFixture.load("layer_norm_affine"), inputs: ["x", "weight", "bias"]) {
            try $0[0].layerNorm(normalizedShape: [40], weight: $0[1], bias: $0[2], eps: 1e-5)
        }
    }

    func testLayerNormWithoutAffineOverTwoDimsMatchesTorch() throws {
        try assertMatchesFixture(try MathFixture.load("layer_norm_plain"), inputs: ["x"]) {
            try $0[0].layerNorm(normalizedShape: [4, 40], eps: 1e-3)
        }
    }

    func testRmsNormMatchesTorch() throws {
        try assertMatchesFixture(try MathFixture.load("rms_norm"), inputs: ["x", "weight"]) {
            try $0[0].rmsNorm(normalizedShape: [40], weight: $0[1], eps: 1e-6)
        }
        try assertMatchesFixture(try MathFixture.load("rms_norm_plain"), inputs: ["x"]) {
            try $0[0].rmsNorm()
        }
    }

    func testRmsNormMatchesLlamaRMSNorm() throws {
        try assertMatchesFixture(try MathFixture.load("rms_norm_llama"), inputs: ["x", "weight"]) {
            try $0[0].rmsNorm(weight: $0[1], eps: 1e-6)
        }
    }

    func testNormalizedShapeMustMatchTrailingDims() {
        let x = Tensor.zeros([4, 6])
        XCTAssertThrowsError(try x.layerNorm(normalizedShape: [4])) { error in
            XCTAssertTrue("\(error)".contains("[4]") && "\(error)".contains("[4, 6]"), "\(error)")
        }
        XCTAssertThrowsError(try x.rmsNorm(normalizedShape: [3, 4, 6]))
        XCTAssertThrowsError(try x.layerNorm(normalizedShape: [6], weight: Tensor.ones([5]))) { error in
            XCTAssertTrue("\(error)".contains("weight"), "\(error)")
        }
        XCTAssertThrowsError(try x.layerNorm(normalizedShape: []))
    }

    func testGradientsMatchFiniteDifferences() throws {
        let x = try Tensor((0..<30).map { Float(($0 * 37) % 17) / 5 - 1.5 }, shape: [3, 10])
        let w = try Tensor((0..<10).map { Float($0) / 7 + 0.5 }, shape: [10])
        let b = try Tensor((0..<10).map { Float($0 % 3) - 1 }, shape: [10])
        try assertGradientsMatchFiniteDifferences([x, w, b], epsilon: 1e-2) {
            try $0[0].layerNorm(normalizedShape: [10], weight: $0[1], bias: $0[2])
        }
        try assertGradientsMatchFiniteDifferences([x], epsilon: 1e-2) { try $0[0].layerNorm(normalizedShape: [3, 10]) }
        try assertGradientsMatchFiniteDifferences([x, w], epsilon: 1e-2) { try $0[0].rmsNorm(weight: $0[1], eps: 1e-6) }
    }

    func testLongRowsUseTheVectorPathForwardAndBackward() throws {
        // 768-wide rows, as in BERT: the vector loops, not just the scalar tails.
        let x = try Tensor((0..<(2 * 768)).map { Float(($0 * 7919) % 1013) / 300 - 1.7 }, shape: [2, 768])
        let w = try Tensor((0..<768).map { Float($0 % 13) / 6 + 0.2 }, shape: [768])
        try assertGradientsMatchFiniteDifferences([x.slice(1, start: 0, end: 40)], epsilon: 1e-2) {
            try $0[0].layerNorm(normalizedShape: [40])
        }
        let y = try x.layerNorm(normalizedShape: [768], weight: w).toFloatArray()
        let xs = x.toFloatArray(), ws = w.toFloatArray()
        for row in 0..<2 {
            let slice = Array(xs[(row * 768)..<((row + 1) * 768)]).map(Double.init)
            let mean = slice.reduce(0, +) / 768
            let variance = slice.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 768
            for j in stride(from: 0, to: 768, by: 97) {
                let expected = (slice[j] - mean) / (variance + 1e-5).squareRoot() * Double(ws[j])
                XCTAssertEqual(Double(y[row * 768 + j]), expected, accuracy: 1e-4)
            }
        }
    }

    func testHalfPrecisionInputKeepsItsDtypeAndComputesInFloat32() throws {
        let x = try Tensor((0..<64).map { Float($0 % 9) / 3 - 1 }, shape: [2, 32])
        let w = Tensor.ones([32])
        let half = try x.to(.bfloat16).layerNorm(normalizedShape: [32], weight: w.to(.bfloat16))
        XCTAssertEqual(half.dtype, .bfloat16)
        assertClose(half, try x.layerNorm(normalizedShape: [32], weight: w), tolerance: 1e-2)
        let rms = try x.to(.float16).rmsNorm(eps: 1e-6)
        XCTAssertEqual(rms.dtype, .float16)
        assertClose(rms, try x.rmsNorm(eps: 1e-6), tolerance: 2e-3)
    }

    func testNonContiguousInputIsNormalisedLikeItsCopy() throws {
        let x = try Tensor((0..<48).map { Float(($0 * 7) % 11) / 4 }, shape: [6, 8]).transpose(0, 1)
        assertClose(try x.layerNorm(normalizedShape: [6]), try x.contiguous().layerNorm(normalizedShape: [6]))
    }
}

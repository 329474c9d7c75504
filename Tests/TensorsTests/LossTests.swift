import XCTest
@testable import Tensors

/// cross_entropy (ignore_index, label smoothing, spatial, probabilities), nll_loss, mse_loss.
final class LossTests: XCTestCase {
    func crossEntropyCase(_ name: String) throws {
        let fixture = try MathFixture.load(name)
        let reduction = LossReduction(rawValue: fixture.params["reduction"] as? String ?? "mean") ?? .mean
        let ignoreIndex = Int(fixture.double("ignore_index") ?? -100)
        let smoothing = fixture.double("label_smoothing") ?? 0
        try assertMatchesFixture(fixture, inputs: ["logits", "targets"]) {
            try Tensor.crossEntropy($0[0], $0[1], ignoreIndex: ignoreIndex, reduction: reduction,
                                    labelSmoothing: smoothing)
        }
    }

    func testCrossEntropyMeanSkipsIgnoredTargets() throws { try crossEntropyCase("cross_entropy_mean") }
    func testCrossEntropySum() throws { try crossEntropyCase("cross_entropy_sum") }
    func testCrossEntropyWithoutReductionGivesZeroForIgnored() throws { try crossEntropyCase("cross_entropy_none") }
    func testCrossEntropyLabelSmoothing() throws { try crossEntropyCase("cross_entropy_smoothing") }
    func testCrossEntropyCustomIgnoreIndex() throws { try crossEntropyCase("cross_entropy_ignore_5") }
    func testCrossEntropyOverSpatialDims() throws { try crossEntropyCase("cross_entropy_spatial") }
    func testCrossEntropyWithClassProbabilities() throws { try crossEntropyCase("cross_entropy_probabilities") }

    func testNllLossMatchesTorch() throws {
        try assertMatchesFixture(try MathFixture.load("nll_loss"), inputs: ["x", "targets"]) {
            try Tensor.nllLoss($0[0], $0[1])
        }
    }

    func testMseLossMatchesTorch() throws {
        try assertMatchesFixture(try MathFixture.load("mse_loss"), inputs: ["x", "y"]) { try Tensor.mseLoss($0[0], $0[1]) }
        try assertMatchesFixture(try MathFixture.load("mse_loss_none"), inputs: ["x", "y"]) {
            try Tensor.mseLoss($0[0], $0[1], reduction: .none)
        }
    }

    func testTargetShapeMismatchNamesBothShapes() throws {
        let logits = Tensor.zeros([4, 3])
        XCTAssertThrowsError(try Tensor.crossEntropy(logits, Tensor(int64: [0, 1, 2], shape: [3]))) { error in
            XCTAssertTrue("\(error)".contains("(4)") && "\(error)".contains("(3)"), "\(error)")
        }
        XCTAssertThrowsError(try Tensor.crossEntropy(Tensor.zeros([2, 3, 5]), Tensor(int64: [0, 1, 2, 0], shape: [2, 2]))) { error in
            XCTAssertTrue("\(error)".contains("[2, 5]"), "\(error)")
        }
    }

    func testFloatTargetsOfTheIndexShapeAreRejected() {
        XCTAssertThrowsError(try Tensor.crossEntropy(Tensor.zeros([4, 3]), Tensor.zeros([4]))) { error in
            XCTAssertTrue("\(error)".contains("int64") && "\(error)".contains("float32"), "\(error)")
        }
    }

    func testOutOfRangeTargetThrows() {
        XCTAssertThrowsError(try Tensor.crossEntropy(Tensor.zeros([2, 3]), Tensor(int64: [0, 3], shape: [2]))) { error in
            XCTAssertTrue("\(error)".contains("Target 3 is out of bounds"), "\(error)")
        }
    }

    func testAllIgnoredMeanIsNaN() throws {
        let loss = try Tensor.crossEntropy(Tensor.zeros([2, 3]), Tensor(int64: [-100, -100], shape: [2]))
        XCTAssertTrue(try loss.item().isNaN)
    }

    func testGradientsMatchFiniteDifferences() throws {
        let logits = try Tensor((0..<40).map { Float(($0 * 37) % 17) / 5 - 1.5 }, shape: [2, 5, 4])
        let targets = try Tensor(int64: [0, 4, -100, 2, 1, 1, 3, 0], shape: [2, 4])
        try assertGradientsMatchFiniteDifferences([logits], epsilon: 1e-2) {
            try Tensor.crossEntropy($0[0], targets, labelSmoothing: 0.1)
        }
        try assertGradientsMatchFiniteDifferences([logits], epsilon: 1e-2) {
            try Tensor.crossEntropy($0[0], targets, reduction: .none)
        }
        try assertGradientsMatchFiniteDifferences([logits], epsilon: 1e-2) {
            try Tensor.nllLoss($0[0], targets, reduction: .sum)
        }
        let other = try Tensor((0..<40).map { Float($0 % 7) / 3 }, shape: [2, 5, 4])
        try assertGradientsMatchFiniteDifferences([logits, other]) { try Tensor.mseLoss($0[0], $0[1]) }
    }

    func testComposedFunctionsMatchTorchGradients() throws {
        try assertMatchesFixture(try MathFixture.load("composed_norm_softmax"), inputs: ["x", "y", "weight", "bias"]) {
            try (try $0[0].silu() * $0[1]).layerNorm(normalizedShape: [24], weight: $0[2], bias: $0[3]).softmax(dim: -1)
        }
        try assertMatchesFixture(try MathFixture.load("composed_gelu_rms_logsoftmax"), inputs: ["x", "weight"]) {
            let normed = try $0[0].gelu(approximate: .tanh).rmsNorm(normalizedShape: [24], weight: $0[1], eps: 1e-6)
            return try (normed.sigmoid() * $0[0].tanh()).logSoftmax(dim: 0)
        }
        try assertMatchesFixture(try MathFixture.load("composed_cross_entropy"), inputs: ["x", "y", "targets"]) {
            let h = try $0[0].gelu() * $0[1].exp() + $0[0].abs().sqrt()
            return try Tensor.crossEntropy(h, $0[2], labelSmoothing: 0.05)
        }
    }
}

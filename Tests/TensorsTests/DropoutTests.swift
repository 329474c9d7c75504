import XCTest
@testable import Tensors

final class DropoutTests: XCTestCase {
    func testSurvivorsAreScaledAndTheDropRateIsP() throws {
        let x = Tensor.ones([100_000])
        let y = try x.dropout(p: 0.3, generator: Generator(seed: 31)).toFloatArray()
        let scale = Float(1 / 0.7)
        XCTAssertTrue(y.allSatisfy { $0 == 0 || abs($0 - scale) < 1e-6 })
        let dropped = Double(y.filter { $0 == 0 }.count) / Double(y.count)
        XCTAssertEqual(dropped, 0.3, accuracy: 0.01)
        // The expectation is kept.
        XCTAssertEqual(Double(y.reduce(0, +)) / Double(y.count), 1, accuracy: 0.02)
    }

    func testGradientFlowsThroughTheSameMask() throws {
        let x = try Tensor.randn([1000], generator: Generator(seed: 32)).requiringGrad()
        let y = try x.dropout(p: 0.5, generator: Generator(seed: 33))
        try y.sum().backward()
        let grad = x.grad?.toFloatArray() ?? []
        let out = y.toFloatArray(), input = x.toFloatArray()
        for i in 0..<1000 {
            XCTAssertEqual(grad[i], out[i] == 0 ? 0 : 2, "element \(i)")
            if out[i] != 0 { XCTAssertEqual(out[i], input[i] * 2, accuracy: 1e-6) }
        }
        XCTAssertEqual(y.gradFn?.name, "NativeDropoutBackward0")
    }

    func testGradientsMatchFiniteDifferences() throws {
        let x = try Tensor.randn([3, 5], generator: Generator(seed: 34))
        try assertGradientsMatchFiniteDifferences([x]) { t in
            try t[0].dropout(p: 0.4, generator: Generator(seed: 35))
        }
    }

    func testEvaluationModeAndZeroProbabilityReturnTheInput() throws {
        let x = try Tensor.randn([10], generator: Generator(seed: 36))
        XCTAssertTrue(try x.dropout(p: 0.5, training: false) === x)
        XCTAssertTrue(try x.dropout(p: 0) === x)
    }

    func testProbabilityOneDropsEverything() throws {
        let x = try Tensor.randn([10], generator: Generator(seed: 37))
        XCTAssertEqual(try x.dropout(p: 1).toFloatArray(), [Float](repeating: 0, count: 10))
    }

    func testManualSeedMakesTheMaskReproducible() throws {
        let x = Tensor.ones([64])
        manualSeed(99)
        let a = try x.dropout(p: 0.5).toFloatArray()
        manualSeed(99)
        XCTAssertEqual(try x.dropout(p: 0.5).toFloatArray(), a)
    }

    func testProbabilityOutsideTheUnitIntervalThrows() {
        XCTAssertThrowsError(try Tensor.ones([2]).dropout(p: 1.5)) { error in
            XCTAssertEqual("\(error)", "dropout probability has to be between 0 and 1, but got 1.5")
        }
        XCTAssertThrowsError(try Tensor.ones([2]).dropout(p: -0.1))
    }
}

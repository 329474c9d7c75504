import XCTest
@testable import Tensors

/// exp, log, sqrt, rsqrt, pow, tanh, erf, sigmoid, abs, clamp: values and gradients against
/// torch (Tests/Fixtures/math), gradients against finite differences, dtype rules.
final class UnaryMathTests: XCTestCase {
    func check(_ name: String, tolerance: Float = 1e-5, _ f: (Tensor) throws -> Tensor) throws {
        try assertMatchesFixture(try MathFixture.load(name), inputs: ["x"], tolerance: tolerance) { try f($0[0]) }
    }

    func testExpMatchesTorch() throws { try check("exp") { $0.exp() } }
    func testLogMatchesTorch() throws { try check("log") { $0.log() } }
    func testSqrtMatchesTorch() throws { try check("sqrt") { $0.sqrt() } }
    func testRsqrtMatchesTorch() throws { try check("rsqrt") { $0.rsqrt() } }
    func testTanhMatchesTorch() throws { try check("tanh") { $0.tanh() } }
    func testErfMatchesTorch() throws { try check("erf") { $0.erf() } }
    func testSigmoidMatchesTorch() throws { try check("sigmoid") { $0.sigmoid() } }
    func testSquareMatchesTorch() throws { try check("pow_2") { try $0.pow(2) } }
    func testSquareRootPowerMatchesTorch() throws { try check("pow_half") { try $0.pow(0.5) } }
    func testFractionalPowerMatchesTorch() throws { try check("pow_3_7") { try $0.pow(3.7) } }
    func testNegativePowerMatchesTorch() throws { try check("pow_minus_1_5") { try $0.pow(-1.5) } }

    func testTensorPowerBroadcastsAndDifferentiatesBothSides() throws {
        let fixture = try MathFixture.load("pow_tensor")
        try assertMatchesFixture(fixture, inputs: ["x", "p"]) { try $0[0].pow($0[1]) }
    }

    func testAbsGradientIsZeroAtZero() throws { try check("abs") { $0.abs() } }

    func testClampPassesGradientStrictlyInsideTheBoundsAsTorch() throws {
        try check("clamp") { try $0.clamp(min: -1, max: 0.5) }
        try check("clamp_min") { try $0.clamp(min: 0.25) }
        try check("clamp_max") { try $0.clamp(max: -0.5) }
    }

    func testIntegerInputsGiveFloatForExpButStayIntegerForAbsAndClamp() throws {
        let exp = try MathFixture.load("exp_int64")
        let x = exp.input("x")
        XCTAssertEqual(x.dtype, .int64)
        XCTAssertEqual(x.exp().dtype, .float32)
        assertClose(x.exp(), exp.output("out"))
        let abs = x.abs()
        XCTAssertEqual(abs.dtype, .int64)
        XCTAssertEqual(abs.toInt64Array(), try MathFixture.load("abs_int64").output("out").toInt64Array())
        let clamped = try x.clamp(min: -1, max: 2)
        XCTAssertEqual(clamped.dtype, .int64)
        XCTAssertEqual(clamped.toInt64Array(), try MathFixture.load("clamp_int64").output("out").toInt64Array())
    }

    func testIntegerPowerStaysExactAndRejectsNegativeExponents() throws {
        let x = try Tensor(int64: [-3, 2, 5], shape: [3])
        XCTAssertEqual(try x.pow(3).toInt64Array(), [-27, 8, 125])
        XCTAssertThrowsError(try x.pow(-1))
        XCTAssertEqual(try x.pow(0.5).dtype, .float32)
    }

    func testClampNeedsABound() {
        XCTAssertThrowsError(try Tensor([1, 2]).clamp()) { error in
            XCTAssertTrue("\(error)".contains("min") && "\(error)".contains("max"))
        }
    }

    func testClampKeepsNaN() throws {
        let out = try Tensor([.nan, 3, -3]).clamp(min: -1, max: 1).toFloatArray()
        XCTAssertTrue(out[0].isNaN)
        XCTAssertEqual(Array(out[1...]), [1, -1])
    }

    func testHalfPrecisionInputsKeepTheirDtype() throws {
        let x = try Tensor([0.5, 1, 2]).to(.bfloat16)
        XCTAssertEqual(x.exp().dtype, .bfloat16)
        XCTAssertEqual(x.exp().toFloatArray()[1], 2.71875)
    }

    func testLongBuffersUseTheVectorPathAndTailAlike() throws {
        // 16-lane body and padded tail must agree with the scalar entry point everywhere.
        let values = (0..<1000).map { Float($0) / 50 - 10 }
        let out = Tensor(values).exp().toFloatArray()
        for (x, y) in zip(values, out) { XCTAssertEqual(y, FastMath.exp(x)) }
    }

    func testGradientsMatchFiniteDifferences() throws {
        let x = try Tensor([0.3, -1.2, 2.1, 0.7, -0.4, 1.6], shape: [2, 3])
        let positive = try Tensor([0.3, 1.2, 2.1, 0.7, 0.4, 1.6], shape: [2, 3])
        try assertGradientsMatchFiniteDifferences([x]) { $0[0].exp() }
        try assertGradientsMatchFiniteDifferences([positive], epsilon: 1e-3) { $0[0].log() }
        try assertGradientsMatchFiniteDifferences([positive], epsilon: 1e-3) { $0[0].sqrt() }
        try assertGradientsMatchFiniteDifferences([positive], epsilon: 1e-3) { $0[0].rsqrt() }
        try assertGradientsMatchFiniteDifferences([x]) { $0[0].tanh() }
        try assertGradientsMatchFiniteDifferences([x]) { $0[0].erf() }
        try assertGradientsMatchFiniteDifferences([x]) { $0[0].sigmoid() }
        try assertGradientsMatchFiniteDifferences([x]) { $0[0].abs() }
        try assertGradientsMatchFiniteDifferences([x]) { try $0[0].clamp(min: -1, max: 1) }
        try assertGradientsMatchFiniteDifferences([x]) { try $0[0].pow(2) }
        try assertGradientsMatchFiniteDifferences([positive], epsilon: 1e-3) { try $0[0].pow(-1.5) }
        let exponent = try Tensor([0.5, -1, 2], shape: [3])
        try assertGradientsMatchFiniteDifferences([positive, exponent], epsilon: 1e-3) { try $0[0].pow($0[1]) }
    }
}

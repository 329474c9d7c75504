import Foundation
import XCTest
@testable import Tensors

/// Accuracy of the vector elementary functions against the C library in double precision,
/// in float32 ulps of the correctly rounded result, over wide ranges; and their edge cases.
final class FastMathTests: XCTestCase {
    /// Largest error in ulps of `f` against `reference` over `inputs`, run 16 lanes at a time.
    func maxUlpError(_ inputs: [Float], _ f: (FastMath.Vector) -> FastMath.Vector,
                     _ reference: (Double) -> Double) -> (ulps: Double, at: Float) {
        var worst = (ulps: 0.0, at: Float.nan)
        var i = 0
        while i < inputs.count {
            var v = FastMath.Vector(repeating: 1)
            let lanes = Swift.min(16, inputs.count - i)
            for k in 0..<lanes { v[k] = inputs[i + k] }
            let y = f(v)
            for k in 0..<lanes {
                let exact = reference(Double(inputs[i + k]))
                let rounded = Float(exact)
                let ulp = Double(rounded.isFinite ? Swift.max(rounded.ulp, Float.leastNonzeroMagnitude)
                                                  : Float.greatestFiniteMagnitude.ulp)
                let error = Swift.abs(Double(y[k]) - exact) / ulp
                if error > worst.ulps || error.isNaN { worst = (error, inputs[i + k]) }
            }
            i += 16
        }
        return worst
    }

    func sweep(_ from: Float, _ to: Float, count: Int) -> [Float] {
        (0..<count).map { from + (to - from) * Float($0) / Float(count - 1) }
    }

    /// Positive floats spread evenly over every binade from subnormals up to FLT_MAX.
    func everyBinade(count: Int) -> [Float] {
        (0..<count).map { Float(bitPattern: UInt32(1 + (Double($0) / Double(count)) * Double(0x7F7F_FFFF - 1))) }
    }

    func testExpIsWithinTwoUlpsFromUnderflowToOverflow() {
        let worst = maxUlpError(sweep(-103.9, 88.72, count: 100_000), FastMath.exp) { Foundation.exp($0) }
        XCTAssertLessThanOrEqual(worst.ulps, 2, "at \(worst.at)")
    }

    func testExpIsWithinTwoUlpsNearZero() {
        let worst = maxUlpError(sweep(-1, 1, count: 50_000), FastMath.exp) { Foundation.exp($0) }
        XCTAssertLessThanOrEqual(worst.ulps, 2, "at \(worst.at)")
    }

    func testExpEdges() {
        let v = FastMath.exp(FastMath.Vector(arrayLiteral: .infinity, -.infinity, .nan, 89, -104, 0, -0.0,
                                             88.72, -87.5, -100, -103.9, 1, 2, 3, 4, 5))
        XCTAssertEqual(v[0], .infinity)
        XCTAssertEqual(v[1], 0)
        XCTAssertTrue(v[2].isNaN)
        XCTAssertEqual(v[3], .infinity)
        XCTAssertEqual(v[4], 0)
        XCTAssertEqual(v[5], 1)
        XCTAssertEqual(v[6], 1)
        XCTAssertTrue(v[7].isFinite)
        XCTAssertTrue(v[9] > 0 && v[9] < Float.leastNormalMagnitude, "gradual underflow: \(v[9])")
        XCTAssertTrue(v[10] > 0, "exp(-103.9) is the smallest subnormal, not zero")
    }

    func testLogIsWithinTwoUlpsOverEveryBinade() {
        let worst = maxUlpError(everyBinade(count: 200_000), FastMath.log) { Foundation.log($0) }
        XCTAssertLessThanOrEqual(worst.ulps, 2, "at \(worst.at)")
    }

    func testLogIsWithinTwoUlpsNearOne() {
        let worst = maxUlpError(sweep(0.5, 2, count: 100_000), FastMath.log) { Foundation.log($0) }
        XCTAssertLessThanOrEqual(worst.ulps, 2, "at \(worst.at)")
    }

    func testLogEdges() {
        let v = FastMath.log(FastMath.Vector(arrayLiteral: 0, -0.0, -1, .infinity, -.infinity, .nan,
                                             Float.leastNonzeroMagnitude, 1, .greatestFiniteMagnitude,
                                             2, 3, 4, 5, 6, 7, 8))
        XCTAssertEqual(v[0], -.infinity)
        XCTAssertEqual(v[1], -.infinity)
        XCTAssertTrue(v[2].isNaN)
        XCTAssertEqual(v[3], .infinity)
        XCTAssertTrue(v[4].isNaN)
        XCTAssertTrue(v[5].isNaN)
        XCTAssertEqual(v[6], Float(Foundation.log(Double(Float.leastNonzeroMagnitude))), accuracy: 1e-5)
        XCTAssertEqual(v[7], 0)
    }

    func testTanhIsWithinFourUlps() {
        let worst = maxUlpError(sweep(-12, 12, count: 100_000), FastMath.tanh) { Foundation.tanh($0) }
        XCTAssertLessThanOrEqual(worst.ulps, 4, "at \(worst.at)")
        let tiny = maxUlpError(sweep(-1e-3, 1e-3, count: 10_000), FastMath.tanh) { Foundation.tanh($0) }
        XCTAssertLessThanOrEqual(tiny.ulps, 2, "at \(tiny.at)")
    }

    func testTanhEdges() {
        let v = FastMath.tanh(FastMath.Vector(arrayLiteral: .infinity, -.infinity, .nan, 0, -0.0, 50, -50, 1e-30,
                                              0, 0, 0, 0, 0, 0, 0, 0))
        XCTAssertEqual(v[0], 1)
        XCTAssertEqual(v[1], -1)
        XCTAssertTrue(v[2].isNaN)
        XCTAssertEqual(v[3], 0)
        XCTAssertEqual(v[4].sign, .minus)
        XCTAssertEqual(v[5], 1)
        XCTAssertEqual(v[6], -1)
        XCTAssertEqual(v[7], 1e-30)
    }

    func testErfIsWithinFourUlps() {
        let worst = maxUlpError(sweep(-6, 6, count: 100_000), FastMath.erf) { Foundation.erf($0) }
        XCTAssertLessThanOrEqual(worst.ulps, 4, "at \(worst.at)")
        let tiny = maxUlpError(sweep(-1e-3, 1e-3, count: 10_000), FastMath.erf) { Foundation.erf($0) }
        XCTAssertLessThanOrEqual(tiny.ulps, 3, "at \(tiny.at)")
    }

    func testErfEdges() {
        let v = FastMath.erf(FastMath.Vector(arrayLiteral: .infinity, -.infinity, .nan, 0, -0.0, 4, -4, 1,
                                             0, 0, 0, 0, 0, 0, 0, 0))
        XCTAssertEqual(v[0], 1)
        XCTAssertEqual(v[1], -1)
        XCTAssertTrue(v[2].isNaN)
        XCTAssertEqual(v[3], 0)
        XCTAssertEqual(v[5], 1)
        XCTAssertEqual(v[6], -1)
    }

    func testNormalCDFIsWithinEightUlpsIncludingTheNegativeTail() {
        let worst = maxUlpError(sweep(-12, 8, count: 100_000), FastMath.normalCDF) {
            0.5 * Foundation.erfc(-$0 / 2.0.squareRoot())
        }
        XCTAssertLessThanOrEqual(worst.ulps, 8, "at \(worst.at)")
        let edges = FastMath.normalCDF(FastMath.Vector(arrayLiteral: .infinity, -.infinity, .nan, 0, 0, 0, 0, 0,
                                                       0, 0, 0, 0, 0, 0, 0, 0))
        XCTAssertEqual(edges[0], 1)
        XCTAssertEqual(edges[1], 0)
        XCTAssertTrue(edges[2].isNaN)
        XCTAssertEqual(edges[3], 0.5)
    }

    func testAnyLaneSeesEachSingleLaneAndNoLane() {
        let none = FastMath.Vector(repeating: 1) .> FastMath.Vector(repeating: 2)
        XCTAssertFalse(FastMath.anyLane(none))
        for lane in 0..<16 {
            var v = FastMath.Vector(repeating: 0)
            v[lane] = 5
            XCTAssertTrue(FastMath.anyLane(v .> FastMath.Vector(repeating: 3.5)), "lane \(lane)")
            v[lane] = .nan  // a NaN compares false, as with the standard library's any
            XCTAssertFalse(FastMath.anyLane(v .> FastMath.Vector(repeating: 3.5)), "NaN lane \(lane)")
        }
    }

    func testGeluIsWithinEightUlpsIncludingTheNegativeTail() {
        let worst = maxUlpError(sweep(-12, 8, count: 100_000), FastMath.geluKernel) {
            $0 * 0.5 * Foundation.erfc(-$0 / 2.0.squareRoot())
        }
        XCTAssertLessThanOrEqual(worst.ulps, 8, "at \(worst.at)")
        // Past |x| = 13.19 the result is exactly what torch's gelu gives: x, or -0, and NaN for
        // -inf (-inf * 0) as for NaN.
        let edges = FastMath.geluKernel(FastMath.Vector(arrayLiteral: .infinity, -.infinity, .nan, 0, 20, -20, -14, 14,
                                                        -0.0, 1, -1, 0, 0, 0, 0, 0))
        XCTAssertEqual(edges[0], .infinity)
        XCTAssertTrue(edges[1].isNaN)
        XCTAssertTrue(edges[2].isNaN)
        XCTAssertEqual(edges[3], 0)
        XCTAssertEqual(edges[4], 20)
        XCTAssertEqual(edges[5], 0)
        XCTAssertEqual(edges[6], 0)
        XCTAssertEqual(edges[7], 14)
    }

    func testSigmoidIsWithinFourUlpsIncludingTheSmallTail() {
        let worst = maxUlpError(sweep(-87, 20, count: 100_000), FastMath.sigmoid) { 1 / (1 + Foundation.exp(-$0)) }
        XCTAssertLessThanOrEqual(worst.ulps, 4, "at \(worst.at)")
    }

    func testSigmoidEdges() {
        let v = FastMath.sigmoid(FastMath.Vector(arrayLiteral: .infinity, -.infinity, .nan, 0, 100, -100, 0, 0,
                                                 0, 0, 0, 0, 0, 0, 0, 0))
        XCTAssertEqual(v[0], 1)
        XCTAssertEqual(v[1], 0)
        XCTAssertTrue(v[2].isNaN)
        XCTAssertEqual(v[3], 0.5)
        XCTAssertEqual(v[4], 1)
        XCTAssertEqual(v[5], Float(Foundation.exp(-100.0)), accuracy: 1e-45, "the tail keeps its precision")
    }

    func testScalarEntryPointsMatchTheVectorLanes() {
        for x: Float in [-3.5, -0.2, 0, 0.7, 12] {
            XCTAssertEqual(FastMath.exp(x), FastMath.exp(FastMath.Vector(repeating: x))[3])
            XCTAssertEqual(FastMath.tanh(x), FastMath.tanh(FastMath.Vector(repeating: x))[7])
            XCTAssertEqual(FastMath.erf(x), FastMath.erf(FastMath.Vector(repeating: x))[15])
            XCTAssertEqual(FastMath.sigmoid(x), FastMath.sigmoid(FastMath.Vector(repeating: x))[0])
        }
        XCTAssertEqual(FastMath.log(Float(2.5)), FastMath.log(FastMath.Vector(repeating: 2.5))[9])
    }
}

import Foundation
import XCTest
@testable import Tensors

/// The exact gelu against mpmath's x * erfc(-x / sqrt 2) / 2 (Tests/Fixtures/tensors/gelu.json,
/// written by generate_gelu.py), in float32 ulps of the correctly rounded result: the central
/// polynomial kernel on [-3.5, 3.5], the wide kernel outside it, and vectors that mix both.
final class GeluAccuracyTests: XCTestCase {
    struct Reference {
        let x: [Float]
        let gelu: [Double]
    }

    func loadReference() throws -> Reference {
        let json = try Fixtures.json("tensors/gelu.json")
        let x = try XCTUnwrap(json["x"] as? [Double]).map(Float.init)
        let gelu = try XCTUnwrap(json["gelu"] as? [Double])
        XCTAssertEqual(x.count, gelu.count)
        return Reference(x: x, gelu: gelu)
    }

    /// The largest error of `results` in ulps, and the input where it occurs.
    func worstUlps(_ results: [Float], _ expected: [Double], _ inputs: [Float]) -> (ulps: Double, at: Float) {
        var worst = (ulps: 0.0, at: Float.nan)
        for i in results.indices {
            let ulp = Double(Swift.max(Float(expected[i]).ulp, Float.leastNonzeroMagnitude))
            let error = Swift.abs(Double(results[i]) - expected[i]) / ulp
            if error > worst.ulps || error.isNaN { worst = (error, inputs[i]) }
        }
        return worst
    }

    func testGeluOpIsWithinEightUlpsOfMpmath() throws {
        let reference = try loadReference()
        let y = try Tensor(reference.x).gelu().toFloatArray()
        let worst = worstUlps(y, reference.gelu, reference.x)
        XCTAssertLessThanOrEqual(worst.ulps, 8, "at \(worst.at)")
    }

    func testVectorsMixingCentralAndWideLanesStayAccurate() throws {
        let reference = try loadReference()
        // A stride permutation spreads the sorted grid so that most 16-lane vectors hold
        // values from both sides of the central bound.
        let n = reference.x.count
        let order = (0..<n).map { ($0 * 1009) % n }
        XCTAssertEqual(Set(order).count, n)
        let x = order.map { reference.x[$0] }, expected = order.map { reference.gelu[$0] }
        let y = try Tensor(x).gelu().toFloatArray()
        let worst = worstUlps(y, expected, x)
        XCTAssertLessThanOrEqual(worst.ulps, 8, "at \(worst.at)")
    }

    func testCentralKernelIsWithinFourUlpsOnItsRange() throws {
        let reference = try loadReference()
        let inside = reference.x.indices.filter { Swift.abs(reference.x[$0]) <= FastMath.geluCentralBound }
        XCTAssertGreaterThan(inside.count, 1000)
        var results: [Float] = []
        var k = 0
        while k < inside.count {
            var v = FastMath.Vector()
            let lanes = Swift.min(16, inside.count - k)
            for lane in 0..<lanes { v[lane] = reference.x[inside[k + lane]] }
            let y = FastMath.geluCentralKernel(v)
            for lane in 0..<lanes { results.append(y[lane]) }
            k += 16
        }
        let worst = worstUlps(results, inside.map { reference.gelu[$0] }, inside.map { reference.x[$0] })
        XCTAssertLessThanOrEqual(worst.ulps, 4, "at \(worst.at)")
    }
}

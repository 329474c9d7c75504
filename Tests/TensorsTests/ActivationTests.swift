import XCTest
@testable import Tensors

/// gelu (exact and tanh forms), silu, relu: values and gradients against torch and finite
/// differences.
final class ActivationTests: XCTestCase {
    func check(_ name: String, _ f: (Tensor) throws -> Tensor) throws {
        try assertMatchesFixture(try MathFixture.load(name), inputs: ["x"]) { try f($0[0]) }
    }

    func testExactGeluMatchesTorch() throws { try check("gelu") { try $0.gelu() } }
    func testTanhGeluMatchesTorch() throws { try check("gelu_tanh") { try $0.gelu(approximate: .tanh) } }
    func testSiluMatchesTorch() throws { try check("silu") { try $0.silu() } }
    func testReluGradientIsZeroAtZero() throws { try check("relu") { $0.relu() } }

    func testReluKeepsIntegersAndNaN() throws {
        let ints = try Tensor(int64: [-2, 0, 3], shape: [3]).relu()
        XCTAssertEqual(ints.dtype, .int64)
        XCTAssertEqual(ints.toInt64Array(), [0, 0, 3])
        XCTAssertTrue(Tensor([.nan]).relu().toFloatArray()[0].isNaN)
    }

    func testGeluRejectsIntegerTensors() {
        XCTAssertThrowsError(try Tensor(int64: [1], shape: [1]).gelu()) { error in
            XCTAssertTrue("\(error)".contains("int64"), "\(error)")
        }
    }

    func testGradientsMatchFiniteDifferences() throws {
        let x = try Tensor([0.3, -1.2, 2.1, 0.7, -0.4, 1.6, -3.1, 0.05], shape: [2, 4])
        try assertGradientsMatchFiniteDifferences([x]) { try $0[0].gelu() }
        try assertGradientsMatchFiniteDifferences([x]) { try $0[0].gelu(approximate: .tanh) }
        try assertGradientsMatchFiniteDifferences([x]) { try $0[0].silu() }
        try assertGradientsMatchFiniteDifferences([x]) { $0[0].relu() }
    }
}

import XCTest
@testable import Tensors

final class ScanTests: XCTestCase {
    func testCumsumMatchesTorchAlongEveryDimAndForIntegers() throws {
        for c in try IndexFixture.load("scan", op: "cumsum") {
            assertMatches(try c.input("x").cumsum(dim: c.int("dim")), c.output("out"), c.name, tolerance: 1e-5)
        }
    }

    func testCumsumGradientMatchesFiniteDifferences() throws {
        let x = try Tensor((0..<12).map { Float($0) * 0.3 - 1 }, shape: [3, 4])
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].cumsum(dim: 1) }
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].cumsum(dim: 0) }
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].T.cumsum(dim: -1) }
    }

    func testCumsumOverBadDimIsRejected() throws {
        assertThrowsMentioning(["cumsum", "got 2"]) { try Tensor.zeros([3, 4]).cumsum(dim: 2) }
    }

    func testCumsumOfEmptyTensorIsEmpty() throws {
        XCTAssertEqual(try Tensor.zeros([0, 4]).cumsum(dim: 0).shape, [0, 4])
        XCTAssertEqual(try Tensor.zeros([3, 0]).cumsum(dim: 1).shape, [3, 0])
    }
}

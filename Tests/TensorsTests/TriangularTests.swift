import XCTest
@testable import Tensors

final class TriangularTests: XCTestCase {
    func testTriuAndTrilMatchTorchForEveryDiagonal() throws {
        for c in try IndexFixture.load("triangular") {
            let x = c.input("x"), diagonal = c.int("diagonal")
            let out = c.op == "triu" ? try x.triu(diagonal: diagonal) : try x.tril(diagonal: diagonal)
            assertMatches(out, c.output("out"), c.name)
        }
    }

    func testTriangleOfStridedViewReadsTheView() throws {
        let x = try Tensor((1...6).map(Float.init), shape: [2, 3])
        assertMatches(try x.T.triu(), try x.T.contiguous().clone().triu(), "transposed")
    }

    func testTriangleGradientsKeepTheSameBand() throws {
        let x = try Tensor((0..<24).map { Float($0) * 0.1 }, shape: [2, 3, 4])
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].triu(diagonal: 1) }
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].tril(diagonal: -1) }
    }

    func testTriangleOfVectorIsRejected() throws {
        assertThrowsMentioning(["at least 2 dimensions", "[3]"]) { try Tensor.zeros([3]).triu() }
    }
}

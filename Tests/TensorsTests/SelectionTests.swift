import XCTest
@testable import Tensors

final class SelectionTests: XCTestCase {
    func testWhereBroadcastsAllThreeAndMatchesTorch() throws {
        for c in try IndexFixture.load("selection", op: "where") {
            assertMatches(try Tensor.where(c.input("cond"), c.input("a"), c.input("b")), c.output("out"), c.name)
        }
        for c in try IndexFixture.load("selection", op: "where_scalar") {
            assertMatches(try Tensor.where(c.input("cond"), c.input("a"), c.double("scalar")), c.output("out"), c.name)
        }
    }

    func testMaskedFillMatchesTorch() throws {
        for c in try IndexFixture.load("selection", op: "masked_fill") {
            assertMatches(try c.input("x").maskedFill(mask: c.input("mask"), value: c.double("value")), c.output("out"), c.name)
        }
    }

    func testWhereGradientsMatchFiniteDifferences() throws {
        let cond = try Tensor(int64: [1, 0, 1, 0, 0, 1], shape: [2, 3]).to(.bool)
        let a = try Tensor([0.5, -1, 2, 3, 0.1, -0.4], shape: [2, 3])
        let b = try Tensor([1.5, -2], shape: [2, 1])
        try assertGradientsMatchFiniteDifferences([a, b]) { t in try Tensor.where(cond, t[0], t[1]) }
    }

    func testMaskedFillGradientSkipsFilledPositions() throws {
        let mask = try Tensor(int64: [0, 1, 0], shape: [3]).to(.bool)
        let x = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].maskedFill(mask: mask, value: -7) }
    }

    func testMaskedFillGradientMatchesTorch() throws {
        let c = try IndexFixture.load("selection", op: "masked_fill_grad")[0]
        let x = try c.input("x").requiringGrad()
        try (x.maskedFill(mask: c.input("mask"), value: c.double("value")) * c.input("weight")).sum().backward()
        assertMatches(try XCTUnwrap(x.grad), c.output("grad"), c.name)
    }

    func testNonBoolMaskIsRejectedNamingTheDtype() throws {
        let mask = try Tensor(int64: [0, 1], shape: [2])
        assertThrowsMentioning(["masked_fill", "torch.int64"]) { try Tensor.zeros([2]).maskedFill(mask: mask, value: 1) }
        assertThrowsMentioning(["where", "torch.int64"]) { try Tensor.where(mask, Tensor.zeros([2]), Tensor.zeros([2])) }
    }

    func testMaskedFillWithUnbroadcastableMaskNamesTheShapes() throws {
        let mask = Tensor.zeros([4], dtype: .bool)
        assertThrowsMentioning(["masked_fill", "[2, 3]", "[4]"]) { try Tensor.zeros([2, 3]).maskedFill(mask: mask, value: 0) }
    }

    func testWhereWithUnbroadcastableShapesNamesThem() throws {
        let cond = Tensor.zeros([3], dtype: .bool)
        assertThrowsMentioning(["[3]", "[2]"]) { try Tensor.where(cond, Tensor.zeros([2]), Tensor.zeros([1])) }
    }
}

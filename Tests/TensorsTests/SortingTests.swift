import XCTest
@testable import Tensors

final class SortingTests: XCTestCase {
    func testSortIsStableAndMatchesTorchIncludingNaNAndInt64() throws {
        for c in try IndexFixture.load("sorting", op: "sort") {
            let result = try c.input("x").sort(dim: c.int("dim"), descending: c.bool("descending"))
            assertMatches(result.values, c.output("values"), c.name + " values")
            assertMatches(result.indices, c.output("indices"), c.name + " indices")
        }
    }

    func testArgsortMatchesTorch() throws {
        for c in try IndexFixture.load("sorting", op: "argsort") {
            assertMatches(try c.input("x").argsort(dim: c.int("dim"), descending: c.bool("descending")), c.output("out"), c.name)
        }
    }

    func testTopkMatchesTorch() throws {
        for c in try IndexFixture.load("sorting", op: "topk") {
            let result = try c.input("x").topk(k: c.int("k"), dim: c.int("dim"), largest: c.bool("largest"))
            assertMatches(result.values, c.output("values"), c.name + " values")
            assertMatches(result.indices, c.output("indices"), c.name + " indices")
        }
    }

    func testTopkWithTiesMatchesTorchValuesAndPrefersLowerIndices() throws {
        let c = try IndexFixture.load("sorting", op: "topk_values")[0]
        let result = try c.input("x").topk(k: c.int("k"), dim: c.int("dim"))
        assertMatches(result.values, c.output("values"), c.name)
        // Among equal values the lower position comes first (torch leaves this unspecified),
        // which is the head of the stable descending sort.
        let stable = try c.input("x").sort(dim: c.int("dim"), descending: true).indices.slice(c.int("dim"), start: 0, end: c.int("k"))
        XCTAssertEqual(result.indices.toInt64Array(), stable.toInt64Array())
    }

    func testSortingGradientsRouteToSourcePositions() throws {
        let x = try Tensor([0.3, -1.2, 2.5, 0.9, -0.1, 1.7], shape: [2, 3])
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].sort(dim: 1, descending: true).values }
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].sort(dim: 0).values }
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].topk(k: 2, dim: -1).values }
    }

    func testTopkGradientLandsExactlyOnTheSelectedPositions() throws {
        let c = try IndexFixture.load("sorting", op: "topk_grad")[0]
        let x = try c.input("x").requiringGrad()
        try (x.topk(k: c.int("k"), dim: c.int("dim"), largest: c.bool("largest")).values * c.input("weight")).sum().backward()
        assertMatches(try XCTUnwrap(x.grad), c.output("grad"), c.name, tolerance: 0)
    }

    func testTopkWithKBeyondTheDimIsRejected() throws {
        assertThrowsMentioning(["k (4)", "size 3"]) { try Tensor.zeros([2, 3]).topk(k: 4) }
        assertThrowsMentioning(["dimension out of range"]) { try Tensor.zeros([2, 3]).sort(dim: 2) }
    }

    func testSortingEmptyShapesAndZeroK() throws {
        XCTAssertEqual(try Tensor.zeros([2, 0]).sort().values.shape, [2, 0])
        XCTAssertEqual(try Tensor.zeros([0, 3]).argsort(dim: 1).shape, [0, 3])
        let (values, indices) = try Tensor.ones([2, 40]).topk(k: 0)
        XCTAssertEqual(values.shape, [2, 0])
        XCTAssertEqual(indices.shape, [2, 0])
    }
}

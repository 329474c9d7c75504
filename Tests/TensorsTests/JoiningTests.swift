import XCTest
@testable import Tensors

final class JoiningTests: XCTestCase {
    private func listed(_ c: IndexFixture, _ prefix: String) -> [Tensor] {
        (0..<c.inputs.count).compactMap { c.inputs["\(prefix)\($0)"] }
    }

    private func pieces(_ c: IndexFixture) -> [Tensor] {
        (0..<c.outputs.count).compactMap { c.outputs["p\($0)"] }
    }

    func testCatMatchesTorchIncludingEmptyAndInt64() throws {
        for c in try IndexFixture.load("joining", op: "cat") {
            assertMatches(try Tensor.cat(listed(c, "t"), dim: c.int("dim")), c.output("out"), c.name)
        }
    }

    func testStackMatchesTorchAtEveryDim() throws {
        for c in try IndexFixture.load("joining", op: "stack") {
            assertMatches(try Tensor.stack(listed(c, "t"), dim: c.int("dim")), c.output("out"), c.name)
        }
    }

    func testSplitAndChunkMatchTorchWithUnevenLastPiece() throws {
        for c in try IndexFixture.load("joining") where ["split", "split_sizes", "chunk"].contains(c.op) {
            let x = c.input("x")
            let got: [Tensor]
            switch c.op {
            case "split": got = try x.split(size: c.int("size"), dim: c.int("dim"))
            case "split_sizes": got = try x.split(sizes: c.ints("sizes"), dim: c.int("dim"))
            default: got = try x.chunk(c.int("n"), dim: c.int("dim"))
            }
            let expected = pieces(c)
            XCTAssertEqual(got.count, expected.count, c.name)
            for (i, (g, e)) in zip(got, expected).enumerated() { assertMatches(g, e, "\(c.name) piece \(i)") }
        }
    }

    func testSplitPiecesAreViews() throws {
        let x = try Tensor((0..<12).map(Float.init), shape: [4, 3])
        for piece in try x.split(size: 3, dim: 0) + x.chunk(2, dim: 1) { XCTAssertTrue(piece.storage === x.storage) }
    }

    func testCatOfStridedInputsCopiesTheirValues() throws {
        let a = try Tensor((0..<6).map(Float.init), shape: [2, 3])
        let dense = a.T.contiguous().clone()
        assertMatches(try Tensor.cat([a.T, a.T], dim: 1), try Tensor.cat([dense, dense], dim: 1), "transposed")
    }

    func testJoiningGradientsMatchFiniteDifferences() throws {
        let a = try Tensor([0.1, 0.2, -0.3, 0.4, 1.5, -0.6], shape: [2, 3])
        let b = try Tensor([1, -2], shape: [2, 1])
        let c = try Tensor([0.3, 0.9, -0.2, 0.7, 0.5, 0.1], shape: [2, 3])
        try assertGradientsMatchFiniteDifferences([a, b]) { t in try Tensor.cat([t[0], t[1], t[0]], dim: -1) }
        try assertGradientsMatchFiniteDifferences([a, c]) { t in try Tensor.stack([t[0], t[1]], dim: 1) }
        try assertGradientsMatchFiniteDifferences([a]) { t in
            let parts = try t[0].split(sizes: [2, 1], dim: 1)
            return try parts[0] * 2 + parts[1]
        }
        try assertGradientsMatchFiniteDifferences([a]) { t in try t[0].chunk(2, dim: 0)[1] * 3 }
    }

    func testCatShapeMismatchNamesBothShapes() throws {
        assertThrowsMentioning(["[2, 3]", "[3, 3]", "dimension 1", "tensor number 1"]) {
            try Tensor.cat([Tensor.zeros([2, 3]), Tensor.zeros([3, 3])], dim: 1)
        }
        assertThrowsMentioning(["same number of dimensions", "[2, 3]", "[3]"]) {
            try Tensor.cat([Tensor.zeros([2, 3]), Tensor.zeros([3])], dim: 0)
        }
        assertThrowsMentioning(["non-empty"]) { try Tensor.cat([], dim: 0) }
        assertThrowsMentioning(["dimension out of range"]) { try Tensor.cat([Tensor.zeros([2])], dim: 1) }
    }

    func testStackOfUnequalShapesNamesThem() throws {
        assertThrowsMentioning(["[2, 3]", "[2, 4]", "entry 1"]) {
            try Tensor.stack([Tensor.zeros([2, 3]), Tensor.zeros([2, 4])], dim: 0)
        }
    }

    func testBadSplitArgumentsAreRejected() throws {
        let x = Tensor.zeros([5, 2])
        assertThrowsMentioning(["sum exactly to 5", "[2, 2]"]) { try x.split(sizes: [2, 2], dim: 0) }
        assertThrowsMentioning(["split_size"]) { try x.split(size: -1, dim: 0) }
        assertThrowsMentioning(["chunks"]) { try x.chunk(0) }
        assertThrowsMentioning(["1-dimensional"]) { try Tensor(scalar: 1).split(size: 1) }
        assertThrowsMentioning(["1-dimensional"]) { try Tensor(scalar: 1).chunk(2) }
    }

    func testCatPromotesMixedDtypes() throws {
        let half = try Tensor([1, 2], shape: [2]).to(.float16)
        let ints = try Tensor(int64: [3], shape: [1])
        let out = try Tensor.cat([half, ints], dim: 0)
        XCTAssertEqual(out.dtype, .float16)
        XCTAssertEqual(out.toFloatArray(), half.toFloatArray() + ints.toFloatArray())
        XCTAssertEqual(try Tensor.cat([half, Tensor([4])], dim: 0).dtype, .float32)
    }

    func testCatOfLargeTensorsSplitAcrossCoresKeepsEveryElement() throws {
        let a = try Tensor((0..<30_000).map { Float($0) }, shape: [300, 100])
        let b = try Tensor((0..<30_000).map { -Float($0) }, shape: [300, 100])
        XCTAssertEqual(try Tensor.cat([a, b], dim: 0).toFloatArray(), a.toFloatArray() + b.toFloatArray())
        let (av, bv) = (a.toFloatArray(), b.toFloatArray())
        var rows: [Float] = []
        for i in 0..<300 {
            let span = (i * 100)..<((i + 1) * 100)
            rows += av[span]
            rows += bv[span]
        }
        XCTAssertEqual(try Tensor.cat([a, b], dim: 1).toFloatArray(), rows)
    }
}

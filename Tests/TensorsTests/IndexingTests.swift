import XCTest
@testable import Tensors

final class IndexingTests: XCTestCase {
    func testGatherMatchesTorch() throws {
        for c in try IndexFixture.load("indexing", op: "gather") {
            assertMatches(try c.input("x").gather(dim: c.int("dim"), index: c.input("index")), c.output("out"), c.name)
        }
    }

    func testGatherOfStridedInputReadsTheView() throws {
        let x = try Tensor((0..<6).map(Float.init), shape: [2, 3])
        let index = try Tensor(int64: [2, 0], shape: [1, 2])
        assertMatches(try x.T.gather(dim: 0, index: index), try x.T.contiguous().clone().gather(dim: 0, index: index), "transposed")
    }

    func testIndexSelectMatchesTorch() throws {
        for c in try IndexFixture.load("indexing", op: "index_select") {
            assertMatches(try c.input("x").indexSelect(dim: c.int("dim"), index: c.input("index")), c.output("out"), c.name)
        }
    }

    func testScatterAddMatchesTorchAndLeavesSelfUnchanged() throws {
        for c in try IndexFixture.load("indexing", op: "scatter_add") {
            let x = c.input("x"), before = x.toFloatArray()
            assertMatches(try x.scatterAdd(dim: c.int("dim"), index: c.input("index"), source: c.input("source")),
                          c.output("out"), c.name)
            XCTAssertEqual(x.toFloatArray(), before)
        }
    }

    func testEmbeddingMatchesTorch() throws {
        let c = try IndexFixture.load("indexing", op: "embedding")[0]
        assertMatches(try Tensor.embedding(weight: c.input("weight"), indices: c.input("indices")), c.output("out"), c.name)
        assertMatches(try c.input("weight").embedding(c.input("indices")), c.output("out"), c.name)
    }

    func testEmbeddingGradientAddsOncePerUseOfARow() throws {
        let c = try IndexFixture.load("indexing", op: "embedding_grad")[0]
        let weight = try c.input("weight").requiringGrad()
        try weight.embedding(c.input("indices")).sum().backward()
        assertMatches(try XCTUnwrap(weight.grad), c.output("grad"), c.name)
    }

    func testGatherGradientAddsAtRepeatedIndices() throws {
        let c = try IndexFixture.load("indexing", op: "gather_grad")[0]
        let x = try c.input("x").requiringGrad()
        try x.gather(dim: c.int("dim"), index: c.input("index")).sum().backward()
        assertMatches(try XCTUnwrap(x.grad), c.output("grad"), c.name)
    }

    func testOneHotMatchesTorch() throws {
        for c in try IndexFixture.load("indexing", op: "one_hot") {
            assertMatches(try c.input("x").oneHot(numClasses: c.int("numClasses")), c.output("out"), c.name)
        }
    }

    func testIndexingGradientsMatchFiniteDifferences() throws {
        let x = try Tensor((0..<12).map { Float($0) * 0.37 - 2 }, shape: [3, 4])
        let index = try Tensor(int64: [0, 3, 3, 1, 1, 0], shape: [2, 3])
        let source = try Tensor((0..<10).map { Float($0) * -0.21 + 0.5 }, shape: [2, 5])
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].gather(dim: 1, index: index) }
        try assertGradientsMatchFiniteDifferences([x]) { t in
            try t[0].indexSelect(dim: 0, index: Tensor(int64: [2, 0, 2], shape: [3]))
        }
        let scatterIndex = try Tensor(int64: [0, 1, 2, 0, 2, 2, 1, 0], shape: [2, 4])
        try assertGradientsMatchFiniteDifferences([x, source]) { t in
            try t[0].scatterAdd(dim: 0, index: scatterIndex, source: t[1])
        }
        try assertGradientsMatchFiniteDifferences([x]) { t in
            try t[0].embedding(Tensor(int64: [1, 1, 2, 0], shape: [2, 2]))
        }
    }

    func testOutOfRangeIndicesNameTheIndexAndSize() throws {
        let x = Tensor.zeros([3, 4])
        assertThrowsMentioning(["index 4", "size 4"]) { try x.gather(dim: 1, index: Tensor(int64: [4], shape: [1, 1])) }
        assertThrowsMentioning(["index -1", "size 3"]) { try x.indexSelect(dim: 0, index: Tensor(int64: [-1], shape: [1])) }
        assertThrowsMentioning(["index 7", "size 3"]) { try x.embedding(Tensor(int64: [7], shape: [1])) }
        assertThrowsMentioning(["index 3", "size 3"]) {
            try x.scatterAdd(dim: 0, index: Tensor(int64: [3], shape: [1, 1]), source: Tensor.ones([1, 1]))
        }
        assertThrowsMentioning(["num_classes"]) { try Tensor(int64: [5], shape: [1]).oneHot(numClasses: 3) }
        assertThrowsMentioning(["non-negative"]) { try Tensor(int64: [-1], shape: [1]).oneHot(numClasses: 3) }
    }

    func testMalformedIndexTensorsAreRejected() throws {
        let x = Tensor.zeros([3, 4])
        assertThrowsMentioning(["gather", "torch.float32"]) { try x.gather(dim: 0, index: Tensor.zeros([1, 1])) }
        assertThrowsMentioning(["same number of dimensions"]) { try x.gather(dim: 0, index: Tensor(int64: [0], shape: [1])) }
        assertThrowsMentioning(["vector"]) { try x.indexSelect(dim: 0, index: Tensor(int64: [0], shape: [1, 1])) }
        assertThrowsMentioning(["scalar", "2 value"]) { try Tensor(scalar: 1).indexSelect(dim: 0, index: Tensor(int64: [0, 0], shape: [2])) }
        assertThrowsMentioning(["2-D", "[4]"]) { try Tensor.zeros([4]).embedding(Tensor(int64: [0], shape: [1])) }
    }
}

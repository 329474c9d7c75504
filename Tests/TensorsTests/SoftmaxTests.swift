import XCTest
@testable import Tensors

/// softmax and log-softmax over any dim, masked rows, gradients.
final class SoftmaxTests: XCTestCase {
    func testSoftmaxOverLastDimMatchesTorch() throws {
        try assertMatchesFixture(try MathFixture.load("softmax_last"), inputs: ["x"]) { try $0[0].softmax(dim: -1) }
    }

    func testSoftmaxOverMiddleAndFirstDimsMatchesTorch() throws {
        try assertMatchesFixture(try MathFixture.load("softmax_dim1"), inputs: ["x"]) { try $0[0].softmax(dim: 1) }
        try assertMatchesFixture(try MathFixture.load("softmax_dim0"), inputs: ["x"]) { try $0[0].softmax(dim: 0) }
    }

    func testLogSoftmaxMatchesTorch() throws {
        try assertMatchesFixture(try MathFixture.load("log_softmax_last"), inputs: ["x"]) { try $0[0].logSoftmax(dim: -1) }
        try assertMatchesFixture(try MathFixture.load("log_softmax_dim1"), inputs: ["x"]) { try $0[0].logSoftmax(dim: 1) }
    }

    func testMaskedRowsMatchTorchIncludingAllMaskedRowsGivingNaN() throws {
        let masked = try MathFixture.load("softmax_masked")
        assertClose(try masked.input("x").softmax(dim: -1), masked.output("out"))
        let logMasked = try MathFixture.load("log_softmax_masked")
        assertClose(try logMasked.input("x").logSoftmax(dim: -1), logMasked.output("out"))
    }

    func testGradientThroughPartlyMaskedRowsMatchesTorch() throws {
        try assertMatchesFixture(try MathFixture.load("softmax_partly_masked_grad"), inputs: ["x"]) {
            try $0[0].softmax(dim: -1)
        }
    }

    func testRowsSumToOneOnLongRows() throws {
        let values = (0..<(3 * 1000)).map { Float(($0 * 7919) % 1000) / 37 }
        let out = try Tensor(values, shape: [3, 1000]).softmax(dim: 1)
        let sums = try out.sum(dims: [1]).toFloatArray()
        for s in sums { XCTAssertEqual(s, 1, accuracy: 1e-5) }
    }

    func testBadDimThrowsNamingTheRange() {
        XCTAssertThrowsError(try Tensor.zeros([2, 3]).softmax(dim: 2)) { error in
            XCTAssertEqual(error as? TensorError, .invalidDimension(dim: 2, rank: 2, op: "softmax"))
        }
        XCTAssertThrowsError(try Tensor.zeros([2, 3]).logSoftmax(dim: -3))
    }

    func testIntegerInputIsRejected() {
        XCTAssertThrowsError(try Tensor(int64: [1, 2], shape: [2]).softmax(dim: 0))
    }

    func testGradientsMatchFiniteDifferences() throws {
        let x = try Tensor((0..<24).map { Float(($0 * 37) % 11) / 4 - 1 }, shape: [2, 3, 4])
        for dim in [0, 1, 2] {
            try assertGradientsMatchFiniteDifferences([x], epsilon: 1e-2) { try $0[0].softmax(dim: dim) }
            try assertGradientsMatchFiniteDifferences([x], epsilon: 1e-2) { try $0[0].logSoftmax(dim: dim) }
        }
    }

    func testTransposedInputGivesTheSameAsItsContiguousCopy() throws {
        let x = try Tensor((0..<60).map { Float(($0 * 13) % 23) / 5 - 2 }, shape: [5, 12]).transpose(0, 1)
        XCTAssertFalse(x.isContiguous)
        assertClose(try x.softmax(dim: -1), try x.contiguous().softmax(dim: -1))
        assertClose(try x.logSoftmax(dim: 0), try x.contiguous().logSoftmax(dim: 0))
    }

    func testZeroDimensionalSoftmaxIsOne() throws {
        XCTAssertEqual(try Tensor(scalar: 3).softmax(dim: 0).item(), 1)
        XCTAssertEqual(try Tensor(scalar: 3).logSoftmax(dim: -1).item(), 0)
    }
}

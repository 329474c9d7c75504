import XCTest
@testable import Tensors

final class ReductionTests: XCTestCase {
    func testSumOverAnyDimsMatchesTorch() throws {
        for c in try IndexFixture.load("reductions", op: "sum") {
            assertMatches(try c.input("x").sum(dims: c.ints("dims"), keepDim: c.bool("keepDim")), c.output("out"), c.name)
        }
    }

    func testSumOfStridedInputMatchesSumOfItsCopy() throws {
        let x = try Tensor((0..<60).map { Float($0) * 0.25 }, shape: [3, 4, 5]).permute([2, 0, 1])
        for dims in [[0], [1], [2], [0, 1], [1, 2], [0, 2]] {
            assertMatches(try x.sum(dims: dims), try x.contiguous().clone().sum(dims: dims), "dims \(dims)")
        }
    }

    func testMeanMatchesTorch() throws {
        for c in try IndexFixture.load("reductions", op: "mean") {
            assertMatches(try c.input("x").mean(dims: c.ints("dims"), keepDim: c.bool("keepDim")), c.output("out"), c.name)
        }
    }

    func testVarianceMatchesTorchWithAndWithoutCorrection() throws {
        for c in try IndexFixture.load("reductions", op: "var") {
            let out = try c.input("x").variance(dims: c.ints("dims"), correction: c.int("correction"), keepDim: c.bool("keepDim"))
            assertMatches(out, c.output("out"), c.name, tolerance: 1e-4)
        }
    }

    func testMaxAndMinAlongDimMatchTorchIncludingTiesAndInt64() throws {
        for op in ["max_dim", "min_dim"] {
            for c in try IndexFixture.load("reductions", op: op) {
                let x = c.input("x")
                let result = op == "max_dim" ? try x.max(dim: c.int("dim"), keepDim: c.bool("keepDim"))
                                              : try x.min(dim: c.int("dim"), keepDim: c.bool("keepDim"))
                assertMatches(result.values, c.output("values"), c.name + " values")
                assertMatches(result.indices, c.output("indices"), c.name + " indices")
            }
        }
    }

    func testMaxAndMinOverAllMatchTorch() throws {
        for c in try IndexFixture.load("reductions", op: "max") { assertMatches(try c.input("x").max(), c.output("out"), c.name) }
        for c in try IndexFixture.load("reductions", op: "min") { assertMatches(try c.input("x").min(), c.output("out"), c.name) }
    }

    func testArgmaxAndArgminMatchTorchWithFirstOccurrenceOnTies() throws {
        for op in ["argmax", "argmin"] {
            for c in try IndexFixture.load("reductions", op: op) {
                let dim: Int? = c.has("dim") ? c.int("dim") : nil
                let x = c.input("x")
                let out = op == "argmax" ? try x.argmax(dim: dim, keepDim: c.bool("keepDim"))
                                         : try x.argmin(dim: dim, keepDim: c.bool("keepDim"))
                assertMatches(out, c.output("out"), c.name)
            }
        }
    }

    func testMaxOverAllSharesGradientAmongTies() throws {
        let c = try IndexFixture.load("reductions", op: "max_grad")[0]
        let x = try c.input("x").requiringGrad()
        try x.max().backward()
        assertMatches(try XCTUnwrap(x.grad), c.output("grad"), c.name)
    }

    func testMaxAlongDimRoutesGradientToFirstMaximum() throws {
        let c = try IndexFixture.load("reductions", op: "max_dim_grad")[0]
        let x = try c.input("x").requiringGrad()
        try x.max(dim: c.int("dim")).values.sum().backward()
        assertMatches(try XCTUnwrap(x.grad), c.output("grad"), c.name)
    }

    func testReductionGradientsMatchFiniteDifferences() throws {
        let x = try Tensor((0..<24).map { Float(($0 * 7) % 11) * 0.3 - 1.4 + Float($0) * 0.01 }, shape: [2, 3, 4])
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].sum(dims: [1]) }
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].mean(dims: [0, 2], keepDim: true) }
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].variance(dims: [-1]) }
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].variance(dims: [], correction: 0) }
        try assertGradientsMatchFiniteDifferences([x], epsilon: 1e-3) { t in try t[0].max(dim: 1).values }
        try assertGradientsMatchFiniteDifferences([x], epsilon: 1e-3) { t in try t[0].min(dim: -1, keepDim: true).values }
        try assertGradientsMatchFiniteDifferences([x], epsilon: 1e-3) { t in try t[0].max() }
    }

    func testMeanOfIntegersIsRejectedNamingTheDtype() throws {
        let x = try Tensor(int64: [1, 2], shape: [2])
        assertThrowsMentioning(["mean", "torch.int64"]) { try x.mean() }
    }

    func testBadReductionDimIsRejected() throws {
        let x = Tensor.zeros([2, 3])
        assertThrowsMentioning(["dimension out of range", "got 2"]) { try x.max(dim: 2) }
        assertThrowsMentioning(["dimension out of range", "got -3"]) { try x.sum(dims: [-3]) }
        assertThrowsMentioning(["argmax"]) { try x.argmax(dim: 5) }
    }

    func testMaxOfEmptyTensorIsRejected() throws {
        assertThrowsMentioning(["numel() == 0"]) { try Tensor.zeros([0, 3]).max() }
        assertThrowsMentioning(["non-zero size"]) { try Tensor.zeros([0, 3]).max(dim: 0) }
        assertThrowsMentioning(["argmax", "numel() == 0", "[0, 3]"]) { try Tensor.zeros([0, 3]).argmax() }
    }

    func testReductionsOverEmptyDimsGiveTorchShapes() throws {
        let x = Tensor.zeros([0, 3])
        XCTAssertEqual(try x.sum(dims: [0]).toFloatArray(), [0, 0, 0])
        XCTAssertEqual(try x.sum(dims: [1]).shape, [0])
        XCTAssertEqual(try Tensor.zeros([3, 0]).max(dim: 0).values.shape, [0])
    }

    func testReductionsOfZeroDimensionalTensorsAcceptDimZero() throws {
        let x = Tensor(scalar: 3)
        assertMatches(try x.sum(dims: [0]), x, "sum")
        assertMatches(try x.mean(dims: [-1]), x, "mean")
        assertMatches(try x.max(dim: 0).values, x, "max")
        assertMatches(try x.cumsum(dim: 0), x, "cumsum")
        assertMatches(try x.sort().values, x, "sort")
    }

    func testHalfPrecisionReductionsKeepTheirDtype() throws {
        // Small integers are exact in bfloat16, so the float32 result is the reference.
        let exact = try Tensor([1, 5, -2, 4, 4, 0], shape: [2, 3])
        let x = try exact.to(.bfloat16)
        let (values, indices) = try x.max(dim: 1)
        XCTAssertEqual(values.dtype, .bfloat16)
        XCTAssertEqual(values.toFloatArray(), try exact.max(dim: 1).values.toFloatArray())
        XCTAssertEqual(indices.toInt64Array(), try exact.max(dim: 1).indices.toInt64Array())
        XCTAssertEqual(try x.to(.float16).mean(dims: [1]).dtype, .float16)
        XCTAssertEqual(try x.variance(dims: [1]).dtype, .bfloat16)
    }
}

/// Large inputs take the vectorised, multi-core kernels; the row kernel on a transposed copy
/// is the reference for the column kernel, and the other way round.
final class LargeReductionTests: XCTestCase {
    private let x: Tensor = {
        var state: UInt64 = 7
        let values = (0..<(130 * 600)).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float((state >> 40) % 2000) / 100 - 10  // many ties
        }
        return try! Tensor(values, shape: [130, 600])
    }()

    func testColumnAndRowKernelsAgree() throws {
        let t = x.T.contiguous().clone()
        assertMatches(try x.sum(dims: [0]), try t.sum(dims: [1]), "sum", tolerance: 1e-4)
        assertMatches(try x.variance(dims: [0]), try t.variance(dims: [1]), "var", tolerance: 1e-4)
        for largest in [true, false] {
            let columns = largest ? try x.max(dim: 0) : try x.min(dim: 0)
            let rows = largest ? try t.max(dim: 1) : try t.min(dim: 1)
            assertMatches(columns.values, rows.values, "values")
            assertMatches(columns.indices, rows.indices, "indices")
        }
        assertMatches(try x.cumsum(dim: 0), try t.cumsum(dim: 1).T.contiguous(), "cumsum", tolerance: 1e-4)
    }

    func testTopkOfManyAgreesWithTheStableSort() throws {
        let sorted = try x.sort(dim: 1, descending: true)
        let top = try x.topk(k: 7, dim: 1)
        assertMatches(top.values, try sorted.values.slice(1, start: 0, end: 7).contiguous(), "values")
        assertMatches(top.indices, try sorted.indices.slice(1, start: 0, end: 7).contiguous(), "indices")
    }
}

final class ComposedIndexOpsTests: XCTestCase {
    /// masked_fill, cat, cumsum, reflect pad, max, var, gather, topk, where and triu in one
    /// function: loss and gradient as torch computes them.
    func testComposedFunctionMatchesTorchLossAndGradient() throws {
        let c = try IndexFixture.load("composed", op: "composed")[0]
        let x = try c.input("x").requiringGrad()
        var y = try x.maskedFill(mask: c.input("mask"), value: 0)
        y = try Tensor.cat([y, y.cumsum(dim: -1)], dim: -1)
        y = try y.pad([1, 2], mode: .reflect)
        let gathered = try y.gather(dim: 2, index: c.input("index"))
        var loss = try y.max(dim: -1).values.sum() + y.variance(dims: [1]).mean()
        loss = try loss + (gathered * gathered).sum() + y.sum(dims: [1]).topk(k: 4).values.sum()
        loss = try loss + Tensor.where(y.gt(0), y, y * 0.1).mean() + y.triu(diagonal: 1).sum() * 0.5
        try loss.backward()
        assertMatches(loss, c.output("loss"), "loss", tolerance: 1e-4)
        assertMatches(try XCTUnwrap(x.grad), c.output("grad"), "grad", tolerance: 1e-4)
    }
}

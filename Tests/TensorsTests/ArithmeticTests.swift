import XCTest
@testable import Tensors

final class ArithmeticTests: XCTestCase {
    func testAddBroadcastsRowBias() throws {
        let a = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let b = try Tensor([10, 20, 30], shape: [3])
        XCTAssertEqual(try (a + b).toFloatArray(), [11, 22, 33, 14, 25, 36])
        XCTAssertEqual(try (b + a).toFloatArray(), [11, 22, 33, 14, 25, 36])
    }

    func testColumnBroadcastCopiesNothingIntoInputs() throws {
        let a = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let c = try Tensor([100, 200], shape: [2, 1])
        XCTAssertEqual(try (a * c).toFloatArray(), [100, 200, 300, 800, 1000, 1200])
        XCTAssertEqual(a.toFloatArray(), [1, 2, 3, 4, 5, 6])
    }

    func testMismatchedShapesNameBothShapes() {
        let a = Tensor.zeros([2, 3]), b = Tensor.zeros([4])
        XCTAssertThrowsError(try a + b) { error in
            XCTAssertTrue("\(error)".contains("[2, 3]") && "\(error)".contains("[4]"), "\(error)")
        }
    }

    func testIntegerArithmeticStaysExact() throws {
        let a = try Tensor(int64: [1, 2, 3], shape: [3])
        let sum = try a + 1
        XCTAssertEqual(sum.dtype, .int64)
        XCTAssertEqual(sum.toInt64Array(), [2, 3, 4])
        XCTAssertEqual(try (a / 2).dtype, .float32)
    }

    func testGradientsOfBroadcastProductSumOverBroadcastDims() throws {
        let a = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]).requiringGrad()
        let b = try Tensor([1, 10, 100], shape: [3]).requiringGrad()
        let loss = try (a * b + a / b).sum()
        try loss.backward()
        let expectedA = [1, 10, 100, 1, 10, 100].map { Float($0) + 1 / Float($0) }
        for (x, y) in zip(a.grad!.toFloatArray(), expectedA) { XCTAssertEqual(x, y, accuracy: 1e-5) }
        // d/db of sum(a*b + a/b) = sum over rows of (a - a/b^2)
        let bv: [Float] = [1, 10, 100]
        let av: [[Float]] = [[1, 2, 3], [4, 5, 6]]
        for j in 0..<3 {
            let expected = (av[0][j] + av[1][j]) * (1 - 1 / (bv[j] * bv[j]))
            XCTAssertEqual(b.grad!.toFloatArray()[j], expected, accuracy: 1e-4)
        }
    }

    func testGradientsAccumulateAcrossBackwardCalls() throws {
        let x = try Tensor([1, 2], shape: [2]).requiringGrad()
        try (x * 3).sum().backward()
        try (x * 3).sum().backward()
        XCTAssertEqual(x.grad!.toFloatArray(), [6, 6])
    }

    func testLeafGradientsNeverShareStorage() throws {
        // One gradient reaching two leaves (both inputs of an add), a leaf reached by the seed
        // itself, and a leaf whose gradient is a view of another leaf's: every .grad is its own.
        let a = try Tensor([1, 2, 3], shape: [3]).requiringGrad(), b = try Tensor([4, 5, 6], shape: [3]).requiringGrad()
        try (a + b).backward(gradient: Tensor([1, 1, 1], shape: [3]))
        let ga = try XCTUnwrap(a.grad), gb = try XCTUnwrap(b.grad)
        XCTAssertFalse(ga.storage === gb.storage)
        try withNoGrad { try ga.copy(from: Tensor([9, 9, 9], shape: [3])) }
        XCTAssertEqual(gb.toFloatArray(), [1, 1, 1], "writing one leaf's grad leaves the other's alone")

        let seed = try Tensor([2, 3, 4], shape: [3])
        let c = try Tensor([1, 1, 1], shape: [3]).requiringGrad()
        try c.backward(gradient: seed)
        XCTAssertFalse(try XCTUnwrap(c.grad).storage === seed.storage, "the caller's seed is copied")

        let m = try Tensor([1, 2, 3, 4], shape: [2, 2]).requiringGrad(), v = try Tensor([1, 2, 3, 4], shape: [4]).requiringGrad()
        try (m.reshape([4]) * 2 + v).sum().backward()
        XCTAssertFalse(try XCTUnwrap(m.grad).storage === XCTUnwrap(v.grad).storage)
        XCTAssertEqual(m.grad?.toFloatArray(), [2, 2, 2, 2])
        XCTAssertEqual(v.grad?.toFloatArray(), [1, 1, 1, 1])
    }

    func testAFreshGradientIsTakenWithoutACopy() throws {
        // A gradient nothing else holds becomes the leaf's .grad as it is; one held elsewhere is copied.
        var fresh: Tensor? = try Tensor([1, 2, 3], shape: [3])
        let freshStorage = ObjectIdentifier(fresh!.storage)
        let taken = try XCTUnwrap(Tensor.ownedGradient(&fresh))
        XCTAssertEqual(ObjectIdentifier(taken.storage), freshStorage)
        XCTAssertNil(fresh)

        let kept = try Tensor([1, 2, 3, 4], shape: [2, 2])
        var view: Tensor? = try kept.reshape([4])
        let copy = try XCTUnwrap(Tensor.ownedGradient(&view))
        XCTAssertFalse(copy.storage === kept.storage, "a view of a live tensor is copied")
        XCTAssertEqual(copy.toFloatArray(), [1, 2, 3, 4])

        var transposed: Tensor? = try Tensor([1, 2, 3, 4], shape: [2, 2]).transpose(0, 1)
        XCTAssertEqual(try XCTUnwrap(Tensor.ownedGradient(&transposed)).toFloatArray(), [1, 3, 2, 4], "made dense")
    }

    func testNoGradScopeRecordsNothing() throws {
        let x = try Tensor([1, 2], shape: [2]).requiringGrad()
        let y = try withNoGrad { try x * 2 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertNil(y.gradFn)
    }

    func testViewsShareStorageAndTransposeIsNotContiguous() throws {
        let a = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let t = a.T
        XCTAssertTrue(t.storage === a.storage)
        XCTAssertFalse(t.isContiguous)
        XCTAssertEqual(t.contiguous().toFloatArray(), [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(try a.slice(1, start: 1).toFloatArray(), [2, 3, 5, 6])
        XCTAssertEqual(try a.reshape([3, 2]).shape, [3, 2])
        XCTAssertThrowsError(try t.view([6]))
        XCTAssertEqual(try t.reshape([6]).toFloatArray(), [1, 4, 2, 5, 3, 6])
    }

    func testHalfPrecisionRoundTripsExactValues() throws {
        let a = try Tensor([1.5, -2.25, 3.140625], shape: [3])
        XCTAssertEqual(try a.to(.bfloat16).to(.float32).toFloatArray(), [1.5, -2.25, 3.140625])
        XCTAssertEqual(try a.to(.float16).to(.float32).toFloatArray(), [1.5, -2.25, 3.140625])
    }
}

final class ArithmeticGradCheckTests: XCTestCase {
    func testArithmeticGradientsMatchFiniteDifferences() throws {
        let a = try Tensor([0.5, -1.2, 2.0, 0.3, 1.1, -0.7], shape: [2, 3])
        let b = try Tensor([1.5, 0.8, -2.0], shape: [3])
        try assertGradientsMatchFiniteDifferences([a, b]) { t in
            try (t[0] * t[1] - t[0] / t[1] + t[1]) * 2
        }
    }
}

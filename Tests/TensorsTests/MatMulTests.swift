import XCTest
@testable import Tensors

/// The PyTorch reference data written by Tests/Fixtures/linalg/generate.py.
enum LinalgReference {
    static let data: [String: Any] = {
        guard let bytes = try? Data(contentsOf: Fixtures.url("linalg/reference.json")),
              let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else { return [:] }
        return object
    }()

    static func cases(_ key: String) -> [[String: Any]] { data[key] as? [[String: Any]] ?? [] }

    static func tensor(_ any: Any?) throws -> Tensor {
        let object = any as? [String: Any] ?? [:]
        let shape = object["shape"] as? [Int] ?? []
        let values = (object["values"] as? [Double] ?? []).map(Float.init)
        return try Tensor(values, shape: shape)
    }

    /// The case's operands: base tensors (made leaves requiring grad) and the views the test uses.
    static func operands(_ testCase: [String: Any]) throws -> (leaves: [Tensor], views: [Tensor]) {
        var leaves: [Tensor] = [], views: [Tensor] = []
        for input in testCase["inputs"] as? [[String: Any]] ?? [] {
            let leaf = try tensor(input["base"]).requiringGrad()
            leaves.append(leaf)
            views.append(try applyOps(leaf, input["ops"] as? [[Any]] ?? []))
        }
        return (leaves, views)
    }

    static func applyOps(_ start: Tensor, _ ops: [[Any]]) throws -> Tensor {
        var t = start
        for op in ops {
            switch op.first as? String {
            case "t": t = try t.transpose(-1, -2)
            case "slice":
                let n = op.dropFirst().compactMap { $0 as? Int }
                t = try t.slice(n[0], start: n[1], end: n[2], step: n[3])
            case "expand": t = try t.expand(op[1] as? [Int] ?? [])
            default: XCTFail("unknown op \(op)")
            }
        }
        return t
    }
}

/// Asserts elementwise closeness (|a - e| <= atol + rtol * |e|) and equal shapes.
func assertLinalgClose(_ actual: Tensor?, _ expected: Tensor, atol: Float = 1e-4, rtol: Float = 1e-4,
                       _ message: String, file: StaticString = #filePath, line: UInt = #line) {
    guard let actual else { return XCTFail("\(message): missing tensor", file: file, line: line) }
    XCTAssertEqual(actual.shape, expected.shape, message, file: file, line: line)
    let a = actual.toFloatArray(), e = expected.toFloatArray()
    guard a.count == e.count else { return }
    for i in a.indices where abs(a[i] - e[i]) > atol + rtol * abs(e[i]) {
        return XCTFail("\(message): element \(i) is \(a[i]), expected \(e[i])", file: file, line: line)
    }
}

final class MatMulTests: XCTestCase {
    func testReferenceDataIsPresent() {
        XCTAssertGreaterThan(LinalgReference.cases("matmul").count, 20)
    }

    func testMatmulMatchesTorchInEveryRankCombination() throws {
        for testCase in LinalgReference.cases("matmul") {
            let name = testCase["name"] as? String ?? "?"
            let (_, views) = try LinalgReference.operands(testCase)
            let out = try views[0].matmul(views[1])
            assertLinalgClose(out, try LinalgReference.tensor(testCase["output"]), name)
        }
    }

    func testMatmulGradientsMatchTorch() throws {
        for testCase in LinalgReference.cases("matmul") {
            let name = testCase["name"] as? String ?? "?"
            let (leaves, views) = try LinalgReference.operands(testCase)
            let out = try views[0].matmul(views[1])
            try (out * LinalgReference.tensor(testCase["grad_out"])).sum().backward()
            let expected = testCase["grads"] as? [Any] ?? []
            for (i, leaf) in leaves.enumerated() {
                let want = try LinalgReference.tensor(expected[i])
                // An empty product has no gradient path; torch reports zeros.
                let got = leaf.grad ?? Tensor.zeros(leaf.shape)
                assertLinalgClose(got, want, "\(name) grad \(i)")
            }
        }
    }

    func testTransposedOperandsReachBLASWithoutCopies() throws {
        for testCase in LinalgReference.cases("matmul") {
            let name = testCase["name"] as? String ?? "?"
            let (_, views) = try LinalgReference.operands(testCase)
            let before = MatMulDiagnostics.operandCopies
            _ = try withNoGrad { try views[0].matmul(views[1]) }
            let copies = MatMulDiagnostics.operandCopies - before
            if name.hasSuffix("needs_copy") {
                XCTAssertEqual(copies, 1, name)
            } else {
                XCTAssertEqual(copies, 0, name)
            }
        }
    }

    func testWeightTransposeIsATransposedViewNotACopy() throws {
        let w = try Tensor.randn([6, 4], generator: Generator(seed: 1))
        let x = try Tensor.randn([3, 4], generator: Generator(seed: 2))
        let wt = w.T
        XCTAssertTrue(wt.storage === w.storage)
        let copies = MatMulDiagnostics.operandCopies, calls = MatMulDiagnostics.blasCalls
        let y = try x.matmul(wt)
        XCTAssertEqual(MatMulDiagnostics.operandCopies, copies)
        XCTAssertEqual(MatMulDiagnostics.blasCalls, calls + 1)
        let expected = try x.matmul(wt.contiguous())
        assertLinalgClose(y, expected, "x @ w.T")
    }

    func testBatchedTimesSharedMatrixIsOneBLASCall() throws {
        let x = try Tensor.randn([4, 5, 3], generator: Generator(seed: 3))
        let w = try Tensor.randn([3, 2], generator: Generator(seed: 4))
        let calls = MatMulDiagnostics.blasCalls
        _ = try x.matmul(w)
        XCTAssertEqual(MatMulDiagnostics.blasCalls, calls + 1)
    }

    func testBroadcastBatchReusesTheSharedOperand() throws {
        // [2, 1, 5, 4] x [3, 4, 6]: six products, the left operand of each batch row reused.
        let a = try Tensor.randn([2, 1, 5, 4], generator: Generator(seed: 5))
        let b = try Tensor.randn([3, 4, 6], generator: Generator(seed: 6))
        let copies = MatMulDiagnostics.operandCopies, calls = MatMulDiagnostics.blasCalls
        let out = try a.matmul(b)
        XCTAssertEqual(out.shape, [2, 3, 5, 6])
        XCTAssertEqual(MatMulDiagnostics.operandCopies, copies)
        XCTAssertEqual(MatMulDiagnostics.blasCalls, calls + 6)
        let reference = try a.expand([2, 3, 5, 4]).contiguous().matmul(b.expand([2, 3, 4, 6]).contiguous())
        assertLinalgClose(out, reference, "broadcast batch")
    }

    func testBatchesSplitAcrossCoresMatchOneProductAtATime() throws {
        let a = try Tensor.randn([7, 3, 5], generator: Generator(seed: 16))
        let b = try Tensor.randn([7, 2, 5], generator: Generator(seed: 17)).transpose(1, 2)
        let out = try a.matmul(b)
        for i in 0..<7 {
            assertLinalgClose(try out.select(0, i), try a.select(0, i).matmul(b.select(0, i)), "batch \(i)")
        }
    }

    func testBLASLayoutReadsRowMajorAndTransposedStridesInPlace() {
        let rowMajor = BLASLayout(rows: 3, cols: 4, rowStride: 6, colStride: 1)
        XCTAssertEqual(rowMajor?.transposed, false)
        XCTAssertEqual(rowMajor?.leading, 6)
        let transposed = BLASLayout(rows: 3, cols: 4, rowStride: 1, colStride: 3)
        XCTAssertEqual(transposed?.transposed, true)
        XCTAssertEqual(transposed?.leading, 3)
        // A single row or column places no constraint on its other stride.
        XCTAssertNotNil(BLASLayout(rows: 1, cols: 4, rowStride: 0, colStride: 1))
        XCTAssertNotNil(BLASLayout(rows: 4, cols: 1, rowStride: 1, colStride: 0))
        // Strided inner dims and broadcast (stride 0) rows are not expressible.
        XCTAssertNil(BLASLayout(rows: 3, cols: 4, rowStride: 8, colStride: 2))
        XCTAssertNil(BLASLayout(rows: 3, cols: 4, rowStride: 0, colStride: 1))
    }

    func testMismatchedInnerDimsNameBothShapes() {
        XCTAssertThrowsError(try Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5]))) { error in
            XCTAssertEqual("\(error)", "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)")
        }
        XCTAssertThrowsError(try Tensor.zeros([7, 2, 3]).matmul(Tensor.zeros([7, 4, 5]))) { error in
            XCTAssertTrue("\(error)".contains("7x2x3 and 7x4x5"), "\(error)")
        }
        XCTAssertThrowsError(try Tensor.zeros([3]).matmul(Tensor.zeros([4])))
    }

    func testUnbroadcastableBatchDimsThrowNamingShapes() {
        XCTAssertThrowsError(try Tensor.zeros([2, 2, 3]).matmul(Tensor.zeros([3, 3, 4]))) { error in
            XCTAssertTrue("\(error)".contains("[2, 2, 3]") && "\(error)".contains("[3, 3, 4]"), "\(error)")
        }
    }

    func testDtypeMismatchThrowsNamingBothDtypes() {
        let a = Tensor.zeros([2, 3]), b = Tensor.zeros([3, 2], dtype: .int64)
        XCTAssertThrowsError(try a.matmul(b)) { error in
            XCTAssertTrue("\(error)".contains("torch.float32") && "\(error)".contains("torch.int64"), "\(error)")
        }
    }

    func testZeroDimensionalOperandsThrow() {
        XCTAssertThrowsError(try Tensor(scalar: 2).matmul(Tensor.zeros([2])))
    }

    func testIntegerMatmulIsExact() throws {
        guard let testCase = LinalgReference.cases("integer_matmul").first else { return XCTFail("no fixture") }
        func intTensor(_ any: Any?) throws -> Tensor {
            let object = any as? [String: Any] ?? [:]
            return try Tensor(int64: (object["values"] as? [Int] ?? []).map(Int64.init),
                              shape: object["shape"] as? [Int] ?? [])
        }
        let out = try intTensor(testCase["a"]).matmul(intTensor(testCase["b"]))
        let expected = try intTensor(testCase["output"])
        XCTAssertEqual(out.dtype, .int64)
        XCTAssertEqual(out.shape, expected.shape)
        XCTAssertEqual(out.toInt64Array(), expected.toInt64Array())
    }

    func testHalfPrecisionMatmulKeepsItsDtype() throws {
        let a = try Tensor([1, 2, 3, 4], shape: [2, 2]).to(.bfloat16)
        let out = try a.matmul(a)
        XCTAssertEqual(out.dtype, .bfloat16)
        XCTAssertEqual(out.toFloatArray(), [7, 10, 15, 22])
    }

    func testBmmRequiresEqualBatches() throws {
        let a = Tensor.zeros([2, 3, 4]), b = Tensor.zeros([1, 4, 5])
        XCTAssertThrowsError(try a.bmm(b)) { error in
            XCTAssertTrue("\(error)".contains("[2, 4]") && "\(error)".contains("[1, 4]"), "\(error)")
        }
        XCTAssertThrowsError(try Tensor.zeros([3, 4]).bmm(Tensor.zeros([4, 5])))
        XCTAssertEqual(try a.bmm(Tensor.zeros([2, 4, 5])).shape, [2, 3, 5])
    }

    func testMatmulGradientsMatchFiniteDifferences() throws {
        let a = try Tensor.randn([2, 3, 4], generator: Generator(seed: 7))
        let b = try Tensor.randn([5, 4], generator: Generator(seed: 8))
        try assertGradientsMatchFiniteDifferences([a, b]) { t in try t[0].matmul(t[1].T) }
        let v = try Tensor.randn([4], generator: Generator(seed: 9))
        let m = try Tensor.randn([2, 1, 4, 3], generator: Generator(seed: 10))
        try assertGradientsMatchFiniteDifferences([v, m]) { t in try t[0].matmul(t[1]) }
    }
}

final class LinearTests: XCTestCase {
    func testLinearMatchesTorchWithGradients() throws {
        for testCase in LinalgReference.cases("linear") {
            let name = testCase["name"] as? String ?? "?"
            let (leaves, views) = try LinalgReference.operands(testCase)
            let out = try views[0].linear(weight: views[1], bias: views.count > 2 ? views[2] : nil)
            assertLinalgClose(out, try LinalgReference.tensor(testCase["output"]), name)
            try (out * LinalgReference.tensor(testCase["grad_out"])).sum().backward()
            let expected = testCase["grads"] as? [Any] ?? []
            for (i, leaf) in leaves.enumerated() {
                assertLinalgClose(leaf.grad, try LinalgReference.tensor(expected[i]), "\(name) grad \(i)")
            }
        }
    }

    func testLinearReadsTheWeightInPlace() throws {
        let x = try Tensor.randn([2, 3, 4], generator: Generator(seed: 11))
        let w = try Tensor.randn([5, 4], generator: Generator(seed: 12))
        let copies = MatMulDiagnostics.operandCopies, calls = MatMulDiagnostics.blasCalls
        _ = try x.linear(weight: w, bias: Tensor.zeros([5]))
        XCTAssertEqual(MatMulDiagnostics.operandCopies, copies)
        XCTAssertEqual(MatMulDiagnostics.blasCalls, calls + 1)
    }

    func testLinearGradientsMatchFiniteDifferences() throws {
        let x = try Tensor.randn([2, 3], generator: Generator(seed: 13))
        let w = try Tensor.randn([4, 3], generator: Generator(seed: 14))
        let b = try Tensor.randn([4], generator: Generator(seed: 15))
        try assertGradientsMatchFiniteDifferences([x, w, b]) { t in try t[0].linear(weight: t[1], bias: t[2]) }
    }

    func testLinearShapeMismatchNamesShapes() {
        XCTAssertThrowsError(try Tensor.zeros([6, 4]).linear(weight: Tensor.zeros([5, 3]))) { error in
            XCTAssertEqual("\(error)", "mat1 and mat2 shapes cannot be multiplied (6x4 and 3x5)")
        }
        XCTAssertThrowsError(try Tensor.zeros([6, 4]).linear(weight: Tensor.zeros([5, 4]), bias: Tensor.zeros([4])))
    }
}

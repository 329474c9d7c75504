import XCTest
@testable import Tensors

final class ConvolutionTests: XCTestCase {
    /// Runs conv1d with a fixture case's options on the given operands.
    private func convolve(_ testCase: [String: Any], _ t: [Tensor]) throws -> Tensor {
        let options = testCase["options"] as? [String: Any] ?? [:]
        let stride = options["stride"] as? Int ?? 1
        let dilation = options["dilation"] as? Int ?? 1
        let groups = options["groups"] as? Int ?? 1
        let bias = t.count > 2 ? t[2] : nil
        if let padding = options["padding"] as? String {
            return try t[0].conv1d(weight: t[1], bias: bias, stride: stride, padding: padding,
                                   dilation: dilation, groups: groups)
        }
        return try t[0].conv1d(weight: t[1], bias: bias, stride: stride, padding: options["padding"] as? Int ?? 0,
                               dilation: dilation, groups: groups)
    }

    func testConv1dMatchesTorchWithStridePaddingDilationGroups() throws {
        let cases = LinalgReference.cases("conv1d")
        XCTAssertGreaterThan(cases.count, 8)
        for testCase in cases {
            let (_, views) = try LinalgReference.operands(testCase)
            assertLinalgClose(try convolve(testCase, views), try LinalgReference.tensor(testCase["output"]),
                              testCase["name"] as? String ?? "?")
        }
    }

    func testConv1dGradientsMatchTorch() throws {
        for testCase in LinalgReference.cases("conv1d") {
            let name = testCase["name"] as? String ?? "?"
            let (leaves, views) = try LinalgReference.operands(testCase)
            let out = try convolve(testCase, views)
            try (out * LinalgReference.tensor(testCase["grad_out"])).sum().backward()
            let expected = testCase["grads"] as? [Any] ?? []
            for (i, leaf) in leaves.enumerated() {
                assertLinalgClose(leaf.grad, try LinalgReference.tensor(expected[i]), "\(name) grad \(i)")
            }
        }
    }

    func testComposedLinearConvolutionProductMatchesTorch() throws {
        guard let testCase = LinalgReference.cases("composed").first else { return XCTFail("no fixture") }
        let (leaves, t) = try LinalgReference.operands(testCase)
        var y = try t[0].linear(weight: t[1], bias: t[2]).transpose(1, 2)
        y = try y.conv1d(weight: t[3], padding: 1)
        let out = try y.matmul(y.transpose(-1, -2))
        assertLinalgClose(out, try LinalgReference.tensor(testCase["output"]), atol: 1e-3, "composed output")
        try (out * LinalgReference.tensor(testCase["grad_out"])).sum().backward()
        let expected = testCase["grads"] as? [Any] ?? []
        for (i, leaf) in leaves.enumerated() {
            assertLinalgClose(leaf.grad, try LinalgReference.tensor(expected[i]), atol: 1e-3, "composed grad \(i)")
        }
    }

    func testConv1dGradientsMatchFiniteDifferences() throws {
        let x = try Tensor.randn([2, 4, 7], generator: Generator(seed: 21))
        let w = try Tensor.randn([2, 2, 3], generator: Generator(seed: 22))
        let b = try Tensor.randn([2], generator: Generator(seed: 23))
        try assertGradientsMatchFiniteDifferences([x, w, b]) { t in
            try t[0].conv1d(weight: t[1], bias: t[2], stride: 2, padding: 2, dilation: 2, groups: 2)
        }
    }

    func testConv1dAcceptsAStridedInput() throws {
        let x = try Tensor.randn([2, 6, 3], generator: Generator(seed: 24)).transpose(1, 2)
        let w = try Tensor.randn([4, 3, 2], generator: Generator(seed: 25))
        let out = try x.conv1d(weight: w)
        assertLinalgClose(out, try x.contiguous().conv1d(weight: w), "transposed input")
    }

    func testChannelMismatchNamesShapes() {
        XCTAssertThrowsError(try Tensor.zeros([2, 5, 10]).conv1d(weight: Tensor.zeros([4, 3, 3]))) { error in
            XCTAssertEqual("\(error)", "Given groups=1, weight of size [4, 3, 3], expected input[2, 5, 10] to have 3 channels, but got 5 channels instead")
        }
    }

    func testKernelLongerThanInputThrows() {
        XCTAssertThrowsError(try Tensor.zeros([1, 2, 3]).conv1d(weight: Tensor.zeros([1, 2, 5]))) { error in
            XCTAssertTrue("\(error)".contains("Kernel size can't be greater than actual input size"), "\(error)")
        }
    }

    func testBadOptionsThrow() {
        let x = Tensor.zeros([1, 2, 8]), w = Tensor.zeros([2, 2, 3])
        XCTAssertThrowsError(try x.conv1d(weight: w, stride: 0))
        XCTAssertThrowsError(try x.conv1d(weight: w, padding: -1))
        XCTAssertThrowsError(try x.conv1d(weight: w, dilation: 0))
        XCTAssertThrowsError(try x.conv1d(weight: w, groups: 3))
        XCTAssertThrowsError(try x.conv1d(weight: w, stride: 2, padding: "same"))
        XCTAssertThrowsError(try x.conv1d(weight: w, padding: "full"))
        XCTAssertThrowsError(try x.conv1d(weight: w, bias: Tensor.zeros([3])))
        XCTAssertThrowsError(try Tensor.zeros([8]).conv1d(weight: w))
    }
}

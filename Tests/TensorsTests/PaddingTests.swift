import XCTest
@testable import Tensors

final class PaddingTests: XCTestCase {
    func testPadMatchesTorchInEveryModeIncludingCropping() throws {
        for c in try IndexFixture.load("padding", op: "pad") {
            let mode = try XCTUnwrap(PaddingMode(rawValue: c.args["mode"] as? String ?? ""))
            let out = try c.input("x").pad(c.ints("pads"), mode: mode, value: c.double("value"))
            assertMatches(out, c.output("out"), c.name)
        }
    }

    func testReflectAndReplicateGradientsMatchTorch() throws {
        for c in try IndexFixture.load("padding", op: "pad_grad") {
            let mode = try XCTUnwrap(PaddingMode(rawValue: c.args["mode"] as? String ?? ""))
            let x = try c.input("x").requiringGrad()
            try (x.pad(c.ints("pads"), mode: mode) * c.input("weight")).sum().backward()
            assertMatches(try XCTUnwrap(x.grad), c.output("grad"), c.name, tolerance: 1e-5)
        }
    }

    func testPadGradientsMatchFiniteDifferences() throws {
        let x = try Tensor((0..<24).map { Float($0) * 0.2 - 1 }, shape: [2, 3, 4])
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].pad([1, 2, -1, 1], value: 3) }
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].pad([2, 3], mode: .reflect) }
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].pad([1, 1, 2, 0], mode: .replicate) }
        try assertGradientsMatchFiniteDifferences([x]) { t in try t[0].pad([1, 4], mode: .circular) }
    }

    func testBadPaddingIsRejected() throws {
        let x = Tensor.zeros([2, 3])
        assertThrowsMentioning(["divisible by 2"]) { try x.pad([1]) }
        assertThrowsMentioning(["padding length 6", "dimension 2"]) { try x.pad([1, 1, 1, 1, 1, 1]) }
        assertThrowsMentioning(["(3, 0)", "[2, 3]"]) { try x.pad([3, 0], mode: .reflect) }
        assertThrowsMentioning(["negative output size"]) { try x.pad([-2, -2]) }
    }
}

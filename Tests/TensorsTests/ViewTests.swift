import XCTest
@testable import Tensors

/// View chains give torch's shapes, values and contiguity, share storage, and fail where torch does.
final class ViewTests: XCTestCase {
    private func base() throws -> Tensor {
        try Tensor.arange(0, 24, dtype: .float32).reshape([2, 3, 4])
    }

    private func apply(_ t: Tensor, _ op: [Any]) throws -> Tensor {
        let name = op[0] as! String
        let args = Array(op.dropFirst())
        func int(_ i: Int) -> Int? { args[i] as? Int }
        switch name {
        case "permute": return try t.permute(args[0] as! [Int])
        case "transpose": return try t.transpose(int(0)!, int(1)!)
        case "T": return t.T
        case "slice": return try t.slice(int(0)!, start: int(1), end: int(2), step: int(3) ?? 1)
        case "select": return try t.select(int(0)!, int(1)!)
        case "expand": return try t.expand(args[0] as! [Int])
        case "unsqueeze": return try t.unsqueeze(int(0)!)
        case "squeeze": return try t.squeeze(int(0))
        case "flatten": return try t.flatten(int(0)!, int(1)!)
        case "reshape": return try t.reshape(args[0] as! [Int])
        case "view": return try t.view(args[0] as! [Int])
        case "contiguous": return t.contiguous()
        default: throw TensorError.invalidArgument("unknown op \(name)")
        }
    }

    func testViewChainsMatchTorch() throws {
        let fixture = try Fixtures.json("core/views.json")
        for case_ in fixture["views"] as! [[String: Any]] {
            let ops = case_["ops"] as! [[Any]]
            var t = try base()
            for op in ops { t = try apply(t, op) }
            XCTAssertEqual(t.shape, case_["shape"] as! [Int], "\(ops)")
            XCTAssertEqual(t.toFloatArray(), (case_["values"] as! [Double]).map(Float.init), "\(ops)")
            XCTAssertEqual(t.isContiguous, case_["contiguous"] as! Bool, "\(ops)")
        }
    }

    func testInvalidViewsThrowTheErrorTorchRaises() throws {
        let fixture = try Fixtures.json("core/views.json")
        for case_ in fixture["errors"] as! [[String: Any]] {
            let ops = case_["ops"] as! [[Any]]
            XCTAssertThrowsError(try ops.reduce(try base()) { try apply($0, $1) }, "\(ops)") { error in
                let name = (error as? TensorError)?.pythonExceptionName
                XCTAssertEqual(name, case_["exception"] as? String, "\(ops): \(error)")
            }
        }
    }

    func testViewsDoNotCopy() throws {
        let t = try base()
        for view in [try t.permute([2, 0, 1]), try t.slice(2, start: 1, step: 2), try t.select(0, 1),
                     try t.unsqueeze(0).expand([3, 2, 3, 4]), try t.view([6, 4]), t.T] {
            XCTAssertTrue(view.storage === t.storage)
        }
    }

    func testWritingThroughAViewChangesTheBase() throws {
        let t = try base()
        try t.select(1, 2).slice(1, start: 0, end: 2).copy(from: Tensor.full([2], -1))
        let values = t.toFloatArray()
        XCTAssertEqual(values[8], -1); XCTAssertEqual(values[9], -1)
        XCTAssertEqual(values[20], -1); XCTAssertEqual(values[21], -1)
        XCTAssertEqual(values[10], 10)
    }

    func testViewGradientsMatchFiniteDifferences() throws {
        let x = try Tensor.arange(0, 12, dtype: .float32).reshape([3, 4]) * 0.1
        try assertGradientsMatchFiniteDifferences([x]) { t in
            let v = try t[0].T.slice(0, start: 1, step: 2).unsqueeze(0).expand([2, 2, 3])
            return try v * v + t[0].select(1, 0).reshape([3, 1, 1]).flatten()
        }
    }

    func testExpandGradientSumsOverBroadcastDims() throws {
        let x = try Tensor([1, 2, 3], shape: [3, 1]).requiringGrad()
        try x.expand([2, 3, 4]).sum().backward()
        XCTAssertEqual(x.grad?.toFloatArray(), [8, 8, 8])
    }
}

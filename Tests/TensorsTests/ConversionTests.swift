import XCTest
@testable import Tensors

/// dtype conversions give torch's values, including rounding, truncation and overflow.
final class ConversionTests: XCTestCase {
    private var fixture: [String: Any]!

    override func setUpWithError() throws { fixture = try Fixtures.json("core/conversions.json") }

    private func input() throws -> Tensor {
        try Tensor((fixture["input"] as! [Double]).map(Float.init), shape: [(fixture["input"] as! [Double]).count])
    }

    func testFloatToHalfPrecisionRoundsAsTorch() throws {
        let expected = fixture["float_conversions"] as! [String: Any]
        for (dtype, name) in [(DType.float16, "float16"), (.bfloat16, "bfloat16")] {
            let converted = try input().to(dtype)
            XCTAssertEqual(converted.dtype, dtype)
            let back = try converted.to(.float32).toFloatArray()
            let reference = (expected[name] as! [Any]).map { ($0 as? Double) ?? Double($0 as! String)! }
            XCTAssertEqual(back.count, reference.count)
            for (i, (x, y)) in zip(back, reference).enumerated() {
                XCTAssertEqual(Double(x), y, "\(name)[\(i)]")
            }
        }
    }

    func testFloatToIntegersTruncatesAndOverflowsAsTorch() throws {
        let expected = fixture["float_conversions"] as! [String: Any]
        XCTAssertEqual(try input().to(.int64).toInt64Array(), (expected["int64"] as! [Double]).map { Int64($0) })
        let int32 = try input().to(.int32)
        XCTAssertEqual(int32.dtype, .int32)
        XCTAssertEqual(int32.toInt64Array(), (expected["int32"] as! [Double]).map { Int64($0) })
        let bools = try input().to(.bool)
        XCTAssertEqual(bools.toInt64Array().map { $0 != 0 }, expected["bool"] as! [Bool])
    }

    func testFloatToUInt8() throws {
        let uint8 = fixture["uint8"] as! [String: Any]
        let values = (uint8["input"] as! [Double]).map(Float.init)
        let out = try Tensor(values, shape: [values.count]).to(.uint8)
        XCTAssertEqual(out.toInt64Array(), (uint8["output"] as! [Int]).map(Int64.init))
    }

    func testInt64Conversions() throws {
        let ints = fixture["int64"] as! [String: Any]
        let values = (ints["input"] as! [Int]).map(Int64.init)
        let t = try Tensor(int64: values, shape: [values.count])
        XCTAssertEqual(try t.to(.float32).toFloatArray().map(Double.init), ints["float32"] as! [Double])
        XCTAssertEqual(try t.to(.int32).toInt64Array(), (ints["int32"] as! [Int]).map(Int64.init))
        XCTAssertEqual(try t.to(.bool).toInt64Array().map { $0 != 0 }, ints["bool"] as! [Bool])
    }

    func testHalfPrecisionGradientFlowsBackInSourceType() throws {
        let x = try Tensor([1, 2, 3], shape: [3]).requiringGrad()
        try (x.to(.bfloat16) * 2).sum().backward()
        XCTAssertEqual(x.grad?.dtype, .float32)
        XCTAssertEqual(x.grad?.toFloatArray(), [2, 2, 2])
    }

    func testIntegerTensorsCannotRequireGrad() {
        XCTAssertThrowsError(try Tensor(int64: [1], shape: [1]).requiringGrad())
    }
}

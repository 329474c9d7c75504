import Foundation
import XCTest
@testable import Tensors

/// The torch reference cases in Tests/Fixtures/math/math.json (written by generate.py there):
/// each case has named input and output tensors and the op's parameters. Output `grad_<name>`
/// is the gradient of sum(out * w) with respect to input `<name>`, `w` being an input too.
struct MathFixture {
    let inputs: [String: Tensor]
    let outputs: [String: Tensor]
    let params: [String: Any]

    nonisolated(unsafe) private static var cases: [String: Any]? = {
        guard let data = try? Data(contentsOf: Fixtures.url("math/math.json")),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return root["cases"] as? [String: Any]
    }()

    /// Loads case `name`, failing the test when it is missing.
    static func load(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> MathFixture {
        guard let entry = cases?[name] as? [String: Any],
              let inputs = entry["inputs"] as? [String: Any],
              let outputs = entry["outputs"] as? [String: Any] else {
            XCTFail("fixture case \(name) missing from math/math.json", file: file, line: line)
            throw TensorError.io("missing fixture \(name)")
        }
        return MathFixture(inputs: try inputs.mapValues(decode), outputs: try outputs.mapValues(decode),
                           params: entry["params"] as? [String: Any] ?? [:])
    }

    private static func decode(_ value: Any) throws -> Tensor {
        guard let object = value as? [String: Any], let shape = object["shape"] as? [Int],
              let data = object["data"] as? [Any], let dtype = object["dtype"] as? String else {
            throw TensorError.io("malformed fixture tensor")
        }
        if dtype == "int64" {
            return try Tensor(int64: data.map { Int64(($0 as? NSNumber)?.int64Value ?? 0) }, shape: shape)
        }
        let values: [Float] = data.map { item in
            if let text = item as? String {
                return text == "inf" ? .infinity : (text == "-inf" ? -.infinity : .nan)
            }
            return (item as? NSNumber)?.floatValue ?? .nan
        }
        return try Tensor(values, shape: shape)
    }

    func input(_ name: String) -> Tensor { inputs[name] ?? Tensor.zeros([0]) }
    func output(_ name: String) -> Tensor { outputs[name] ?? Tensor.zeros([0]) }
    func double(_ name: String) -> Double? { (params[name] as? NSNumber)?.doubleValue }
}

/// Asserts same shape and values within `tolerance` (absolute, scaled up for large values);
/// NaN must meet NaN and infinities must match exactly.
func assertClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-5, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "shape \(message)", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    let a = actual.toFloatArray(), e = expected.toFloatArray()
    for i in 0..<a.count {
        if e[i].isNaN {
            XCTAssertTrue(a[i].isNaN, "\(message) element \(i): \(a[i]) but expected NaN", file: file, line: line)
        } else if e[i].isInfinite {
            XCTAssertEqual(a[i], e[i], "\(message) element \(i)", file: file, line: line)
        } else {
            XCTAssertEqual(a[i], e[i], accuracy: tolerance * Swift.max(1, Swift.abs(e[i])),
                           "\(message) element \(i)", file: file, line: line)
        }
    }
}

/// Runs `f` on the fixture's inputs (those named in `names`, made to require grad) and checks
/// the output and every `grad_<name>` the fixture holds.
func assertMatchesFixture(_ fixture: MathFixture, inputs names: [String], tolerance: Float = 1e-5,
                          gradientTolerance: Float = 1e-4,
                          file: StaticString = #filePath, line: UInt = #line,
                          _ f: ([Tensor]) throws -> Tensor) throws {
    let leaves = try names.map { name -> Tensor in
        let t = fixture.input(name).detach().clone()
        return t.dtype.isFloatingPoint && fixture.outputs["grad_" + name] != nil ? try t.requiringGrad() : t
    }
    let out = try f(leaves)
    assertClose(out, fixture.output("out"), tolerance: tolerance, "output", file: file, line: line)
    guard let w = fixture.inputs["w"] else { return }
    try (out * w).sum().backward()
    for (name, leaf) in zip(names, leaves) {
        guard let expected = fixture.outputs["grad_" + name] else { continue }
        guard let grad = leaf.grad else {
            XCTFail("no gradient reached \(name)", file: file, line: line)
            continue
        }
        assertClose(grad, expected, tolerance: gradientTolerance, "gradient of \(name)", file: file, line: line)
    }
}

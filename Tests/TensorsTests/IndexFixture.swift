import Foundation
import XCTest
@testable import Tensors

/// One torch reference case from `Tests/Fixtures/index/<family>.json` (written by generate.py).
struct IndexFixture {
    let name: String
    let op: String
    let inputs: [String: Tensor]
    let args: [String: Any]
    let outputs: [String: Tensor]

    /// The cases of `family`, only those of `op` when given; fails when none match.
    static func load(_ family: String, op: String? = nil) throws -> [IndexFixture] {
        let data = try Data(contentsOf: Fixtures.url("index/\(family).json"))
        guard let list = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw TensorError.corruptFile(path: family, reason: "not a list of cases")
        }
        let cases = try list.map { entry -> IndexFixture in
            func tensors(_ key: String) throws -> [String: Tensor] {
                let raw = entry[key] as? [String: [String: Any]] ?? [:]
                return try raw.mapValues(decodeTensor)
            }
            return IndexFixture(name: entry["name"] as? String ?? "?", op: entry["op"] as? String ?? "?",
                                inputs: try tensors("inputs"), args: entry["args"] as? [String: Any] ?? [:],
                                outputs: try tensors("outputs"))
        }.filter { op == nil || $0.op == op }
        XCTAssertFalse(cases.isEmpty, "no fixture cases for \(family)/\(op ?? "*")")
        return cases
    }

    func input(_ key: String) -> Tensor { inputs[key] ?? Tensor.zeros([0]) }
    func output(_ key: String) -> Tensor { outputs[key] ?? Tensor.zeros([0]) }
    func int(_ key: String) -> Int { (args[key] as? NSNumber)?.intValue ?? 0 }
    func ints(_ key: String) -> [Int] { (args[key] as? [NSNumber])?.map(\.intValue) ?? [] }
    func bool(_ key: String) -> Bool { (args[key] as? NSNumber)?.boolValue ?? false }
    func double(_ key: String) -> Double { IndexFixture.number(args[key] as Any) }
    func has(_ key: String) -> Bool { args[key] != nil }

    static func number(_ value: Any) -> Double {
        if let n = value as? NSNumber { return n.doubleValue }
        switch value as? String {
        case "nan": return .nan
        case "inf": return .infinity
        case "-inf": return -.infinity
        default: return 0
        }
    }

    static func decodeTensor(_ raw: [String: Any]) throws -> Tensor {
        let shape = (raw["shape"] as? [NSNumber])?.map(\.intValue) ?? []
        let values = raw["data"] as? [Any] ?? []
        switch raw["dtype"] as? String {
        case "float32": return try Tensor(values.map { Float(number($0)) }, shape: shape)
        case "int64": return try Tensor(int64: values.map { Int64(truncating: $0 as? NSNumber ?? 0) }, shape: shape)
        default: return try Tensor(int64: values.map { ($0 as? NSNumber)?.boolValue == true ? 1 : 0 }, shape: shape).to(.bool)
        }
    }
}

/// Asserts `actual` has the shape, dtype and values of the torch result `expected` (floats to a
/// relative tolerance; NaN and infinities must match exactly).
func assertMatches(_ actual: Tensor, _ expected: Tensor, _ label: String, tolerance: Float = 1e-5,
                   file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "\(label): shape", file: file, line: line)
    XCTAssertEqual(actual.dtype, expected.dtype, "\(label): dtype", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    if expected.dtype.isFloatingPoint {
        for (i, (x, y)) in zip(actual.toFloatArray(), expected.toFloatArray()).enumerated() {
            if y.isNaN || y.isInfinite {
                XCTAssertTrue(x.isNaN == y.isNaN && (y.isNaN || x == y), "\(label)[\(i)]: \(x) vs \(y)", file: file, line: line)
            } else {
                XCTAssertEqual(x, y, accuracy: tolerance * Swift.max(1, abs(y)), "\(label)[\(i)]", file: file, line: line)
            }
        }
    } else {
        XCTAssertEqual(actual.toInt64Array(), expected.toInt64Array(), "\(label): values", file: file, line: line)
    }
}

/// Asserts `body` throws a `TensorError` whose message contains every one of `fragments`.
func assertThrowsMentioning<T>(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                               _ body: () throws -> T) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        let message = "\(error)"
        XCTAssertTrue(error is TensorError, "not a TensorError: \(error)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(message.contains(fragment), "'\(message)' does not mention '\(fragment)'", file: file, line: line)
        }
    }
}

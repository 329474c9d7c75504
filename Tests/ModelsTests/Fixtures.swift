import Foundation
import Tensors
import XCTest

/// Where committed reference data lives: `Tests/Fixtures/models/...`.
enum Fixtures {
    static let models = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/models")

    /// A fixture path as a string.
    static func path(_ relative: String) -> String { models.appendingPathComponent(relative).path }

    /// The tensors of a reference safetensors file written by generate.py.
    static func reference(_ name: String) throws -> [String: Tensor] {
        try SafeTensorsFile(path: path(name)).tensors()
    }

    /// A fresh empty directory under the temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("apus-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The largest |a - b| over two same-shaped float tensors.
func maxAbsDifference(_ a: Tensor, _ b: Tensor, file: StaticString = #filePath, line: UInt = #line) -> Float {
    XCTAssertEqual(a.shape, b.shape, "shapes differ", file: file, line: line)
    guard a.shape == b.shape else { return .infinity }
    let x = a.contiguous().toFloatArray(), y = (try? b.to(.float32))!.contiguous().toFloatArray()
    return zip(x, y).map { Swift.abs($0 - $1) }.max() ?? 0
}

/// Asserts the largest absolute difference is within `tolerance` (1e-4 by default, issue 6's bar).
func assertClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-4, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    let difference = maxAbsDifference(actual, expected, file: file, line: line)
    XCTAssertLessThanOrEqual(difference, tolerance, "\(what): max |difference| \(difference)", file: file, line: line)
}

/// The message of an error, for assertions on its text.
func message(_ error: Error) -> String { String(describing: error) }

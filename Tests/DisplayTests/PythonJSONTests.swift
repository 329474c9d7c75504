import XCTest
@testable import Display

/// JSONValue.pythonJSON against Python's own json.dumps (Tests/Fixtures/display/generate_json.py).
final class PythonJSONTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/display")

    func testLayoutMatchesPythonJSONDumps() throws {
        let input = try JSONValue.parse(Data(contentsOf: Self.fixtures.appendingPathComponent("json_layout_input.json")))
        let expected = try String(contentsOf: Self.fixtures.appendingPathComponent("json_layout_expected.txt"), encoding: .utf8)
        XCTAssertEqual(input.pythonJSON(indent: 1, sortKeys: true), expected)
    }

    func testBundleWithExactEntries() {
        let bundle = MimeBundle(data: [("text/html", "<b>x</b>")], metadata: [("text/html", ["isolated": true])])
        XCTAssertEqual(bundle.mimeTypes, ["text/html"])
        XCTAssertEqual(bundle.plainText, "")
        XCTAssertEqual(bundle["text/html"], "<b>x</b>")
    }
}

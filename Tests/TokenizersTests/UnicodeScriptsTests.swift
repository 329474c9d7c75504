import Foundation
import XCTest
@testable import Tokenizers

/// The UnicodeScripts pre-tokenizer against `tokenizers`' pieces and offsets
/// (formats/unicode_scripts.expected.json, from generate_formats.py).
final class UnicodeScriptsTests: XCTestCase {
    func testPiecesAndOffsetsMatchTheReference() throws {
        let fixture = try Fixtures.json("tokenizers/formats/unicode_scripts.expected.json")
        let pre = try PreTokenizerRegistry.make(JSONObject(["type": "UnicodeScripts"], file: "test"))
        var failures: [String] = []
        let cases = fixture["cases"] as? [[String: Any]] ?? []
        XCTAssertGreaterThan(cases.count, 40)
        for c in cases {
            let text = c["text"] as! String
            let expected = (c["pieces"] as! [[Any]]).map { ($0[0] as! String, ($0[1] as! [Int])) }
            let got = try pre.preTokenize(text)
            if got.map(\.0) != expected.map(\.0) || got.map({ [$0.1.start, $0.1.end] }) != expected.map(\.1) {
                failures.append("\(text.debugDescription): expected \(expected) got \(got)")
            }
        }
        XCTAssertTrue(failures.isEmpty, failures.prefix(5).joined(separator: "\n"))
    }
}

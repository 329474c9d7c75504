import Foundation
import XCTest
@testable import Tokenizers

/// Each normalizer, pre-tokenizer and decoder alone, against the outputs `tokenizers` recorded
/// for the same JSON config on every corpus text.
final class ComponentFixtureTests: XCTestCase {
    static let fixture = try! Fixtures.json("tokenizers/components.expected.json")
    static var texts: [String] { fixture["texts"] as? [String] ?? [] }

    static func object(_ d: [String: Any]) -> JSONObject { JSONObject(d, file: "components.expected.json") }

    func testNormalizersMatchReference() throws {
        var passed = 0, total = 0, failures: [String] = []
        for entry in ComponentFixtureTests.fixture["normalizers"] as! [[String: Any]] {
            let config = entry["config"] as! [String: Any]
            let n = try NormalizerRegistry.make(ComponentFixtureTests.object(config))
            for (text, expected) in zip(ComponentFixtureTests.texts, entry["outputs"] as! [String]) {
                total += 1
                let got = try n.normalize(text)
                if got == expected { passed += 1 } else if failures.count < 10 {
                    failures.append("\(config): \(text.debugDescription) -> expected \(expected.debugDescription) got \(got.debugDescription)")
                }
            }
        }
        print("normalizers: \(passed)/\(total)")
        XCTAssertEqual(passed, total, failures.joined(separator: "\n"))
    }

    func testPreTokenizersMatchReference() throws {
        var passed = 0, total = 0, failures: [String] = []
        for entry in ComponentFixtureTests.fixture["pre_tokenizers"] as! [[String: Any]] {
            let config = entry["config"] as! [String: Any]
            let p = try PreTokenizerRegistry.make(ComponentFixtureTests.object(config))
            for (text, expected) in zip(ComponentFixtureTests.texts, entry["outputs"] as! [[[Any]]]) {
                total += 1
                let got = try p.preTokenize(text)
                let exp = expected.map { ($0[0] as! String, ($0[1] as! [Int])) }
                let same = got.count == exp.count && zip(got, exp).allSatisfy { $0.0 == $1.0 && $0.1 == Offset($1.1[0], $1.1[1]) }
                if same { passed += 1 } else if failures.count < 10 {
                    failures.append("\(config): \(text.debugDescription)\n  expected \(exp)\n  got      \(got.map { ($0.0, [$0.1.start, $0.1.end]) })")
                }
            }
        }
        print("pre-tokenizers: \(passed)/\(total)")
        XCTAssertEqual(passed, total, failures.joined(separator: "\n"))
    }

    func testDecodersMatchReference() throws {
        var passed = 0, total = 0, failures: [String] = []
        for entry in ComponentFixtureTests.fixture["decoders"] as! [[String: Any]] {
            let config = entry["config"] as! [String: Any]
            let d = try DecoderRegistry.make(ComponentFixtureTests.object(config))
            for (tokens, expected) in zip(entry["inputs"] as! [[String]], entry["outputs"] as! [Any]) {
                total += 1
                // The reference panics on some inputs (recorded as null); we must throw instead.
                guard let expected = expected as? String else {
                    if (try? d.decode(tokens)) == nil { passed += 1 } else { failures.append("\(config): \(tokens) should fail") }
                    continue
                }
                let got = try d.decode(tokens)
                if got == expected { passed += 1 } else if failures.count < 10 {
                    failures.append("\(config): \(tokens) -> expected \(expected.debugDescription) got \(got.debugDescription)")
                }
            }
        }
        print("decoders: \(passed)/\(total)")
        XCTAssertEqual(passed, total, failures.joined(separator: "\n"))
    }
}

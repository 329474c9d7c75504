import Foundation
import XCTest
@testable import Tokenizers

/// Bad tokenizer files give errors that name the file, the component kind and the type.
final class LoadingErrorTests: XCTestCase {
    func load(_ json: String, file: String = "broken.json") throws -> Tokenizer {
        try Tokenizer(json: Data(json.utf8), file: file)
    }

    let model = #""model": {"type": "WordLevel", "vocab": {"a": 0, "[UNK]": 1}, "unk_token": "[UNK]"}"#

    func testUnknownNormalizerTypeNamesTypeAndFile() {
        XCTAssertThrowsError(try load(#"{"normalizer": {"type": "Fancy"}, \#(model)}"#, file: "my/tokenizer.json")) { error in
            XCTAssertEqual(error as? TokenizerError, .unknownComponent(kind: "normalizer", type: "Fancy", file: "my/tokenizer.json"))
            XCTAssertEqual("\(error)", "unknown normalizer type 'Fancy' in my/tokenizer.json")
        }
    }

    func testUnknownComponentInsideSequenceIsReported() {
        let json = #"{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Whitespace"}, {"type": "Nope"}]}, \#(model)}"#
        XCTAssertThrowsError(try load(json)) { error in
            XCTAssertEqual(error as? TokenizerError, .unknownComponent(kind: "pre-tokenizer", type: "Nope", file: "broken.json"))
        }
    }

    func testUnknownModelDecoderAndPostProcessorTypes() {
        XCTAssertThrowsError(try load(#"{"model": {"type": "Magic", "vocab": {}}}"#)) { error in
            XCTAssertEqual(error as? TokenizerError, .unknownComponent(kind: "model", type: "Magic", file: "broken.json"))
        }
        XCTAssertThrowsError(try load(#"{"decoder": {"type": "Reverse"}, \#(model)}"#)) { error in
            XCTAssertEqual(error as? TokenizerError, .unknownComponent(kind: "decoder", type: "Reverse", file: "broken.json"))
        }
        XCTAssertThrowsError(try load(#"{"post_processor": {"type": "Wrap"}, \#(model)}"#)) { error in
            XCTAssertEqual(error as? TokenizerError, .unknownComponent(kind: "post-processor", type: "Wrap", file: "broken.json"))
        }
    }

    func testMalformedJSONNamesFile() {
        XCTAssertThrowsError(try load(#"{"model": "#, file: "bad.json")) { error in
            guard case .malformed(let file, _)? = error as? TokenizerError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "bad.json")
        }
    }

    func testMissingFileNamesPath() {
        XCTAssertThrowsError(try Tokenizer(contentsOf: URL(fileURLWithPath: "/nonexistent/tokenizer.json"))) { error in
            XCTAssertEqual(error as? TokenizerError, .fileNotFound(path: "/nonexistent/tokenizer.json"))
        }
    }

    func testMissingModelIsReported() {
        XCTAssertThrowsError(try load(#"{"normalizer": null}"#)) { error in
            XCTAssertEqual(error as? TokenizerError, .missingField(component: "tokenizer", field: "model", file: "broken.json"))
        }
    }

    func testMergeWithUnknownTokenIsReported() {
        let json = #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}}"#
        XCTAssertThrowsError(try load(json)) { error in
            guard case .malformed(_, let detail)? = error as? TokenizerError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("'ab'"), detail)
        }
    }

    func testInvalidRegexIsReported() {
        let json = #"{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated", "invert": false}, \#(model)}"#
        XCTAssertThrowsError(try load(json)) { error in
            guard case .invalidRegex(let pattern, _)? = error as? TokenizerError else { return XCTFail("\(error)") }
            XCTAssertEqual(pattern, "(unclosed")
        }
    }

    func testMissingUnknownTokenThrowsInsteadOfCrashing() throws {
        let t = try load(#"{"model": {"type": "WordPiece", "vocab": {"a": 0}, "unk_token": "[UNK]"}}"#)
        XCTAssertThrowsError(try t.encode("b")) { error in
            XCTAssertEqual(error as? TokenizerError, .missingUnknownToken(model: "WordPiece"))
        }
    }
}

/// Added tokens can be registered after loading and are then matched in text.
final class AddedTokenTests: XCTestCase {
    func testAddedTokenIsCutOutBeforeTheModel() throws {
        let t = try Tokenizer(contentsOf: Fixtures.url("tokenizers/bert_wordpiece.json"))
        let before = try t.encode("hello <extra> world", addSpecialTokens: false)
        XCTAssertFalse(before.tokens.contains("<extra>"))
        try t.addTokens([AddedToken(id: t.vocabularySize, content: "<extra>", normalized: false, special: true)])
        let after = try t.encode("hello <extra> world", addSpecialTokens: false)
        let i = try XCTUnwrap(after.tokens.firstIndex(of: "<extra>"))
        XCTAssertEqual(after.ids[i], t.vocabularySize - 1)
        XCTAssertEqual(after.offsets[i], Offset(6, 13))
        XCTAssertFalse(try t.decode(after.ids, skipSpecialTokens: true).contains("<extra>"))
    }
}

/// The tokenizer-file JSON parser keeps doubles and strings exactly.
final class JSONParserTests: XCTestCase {
    func testDoublesAreCorrectlyRounded() throws {
        let v = try JSONParser.parse(Data("[-1.9573992244591771, -3.8395047627723393, 1e-7, 12]".utf8)) as? [Any]
        XCTAssertEqual(v?[0] as? Double, -1.9573992244591771)
        XCTAssertEqual(v?[1] as? Double, -3.8395047627723393)
        XCTAssertEqual(v?[2] as? Double, 1e-7)
        XCTAssertEqual(v?[3] as? Int, 12)
    }

    func testLeadingByteOrderMarkInStringsIsKept() throws {
        let v = try JSONParser.parse(Data("{\"a\": \"\u{FEFF}x\", \"b\": \"\\ufeff\", \"c\": \"\\ud83d\\ude00\\n\"}".utf8)) as? [String: Any]
        XCTAssertEqual((v?["a"] as? String)?.unicodeScalars.first, "\u{FEFF}")
        XCTAssertEqual(v?["b"] as? String, "\u{FEFF}")
        XCTAssertEqual(v?["c"] as? String, "😀\n")
    }

    func testMalformedInputReportsOffset() {
        XCTAssertThrowsError(try JSONParser.parse(Data("{\"a\": [1, 2}".utf8))) { error in
            XCTAssertEqual((error as? JSONParser.Failure)?.offset, 11)
        }
    }
}

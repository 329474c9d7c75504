import Foundation
import XCTest
@testable import Tokenizers

/// Finding tokenizer files (local directory, Hugging Face cache layout), the errors when they
/// are missing or malformed, and `savePretrained` writing files that load back the same.
final class AutoTokenizerTests: XCTestCase {
    typealias API = TransformersAPITests

    func temporary(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("apus-auto-\(getpid())-\(name)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func testHubCacheLayoutIsResolvedThroughRefsMain() throws {
        let cache = try temporary("hub")
        let repo = cache.appendingPathComponent("models--acme--tiny-roberta")
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try "feedbeef\n".write(to: repo.appendingPathComponent("refs/main"), atomically: true, encoding: .utf8)
        let snapshot = repo.appendingPathComponent("snapshots/feedbeef")
        try FileManager.default.createDirectory(at: snapshot.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: try API.directory(for: "roberta"), to: snapshot)
        let tok = try AutoTokenizer.fromPretrained("acme/tiny-roberta", cacheDirectory: cache)
        XCTAssertEqual(tok.nameOrPath, "acme/tiny-roberta")
        XCTAssertEqual(tok.specialToken("pad_token"), "<pad>")
        XCTAssertEqual(try AutoTokenizer.resolveDirectory("acme/tiny-roberta", cacheDirectory: cache).path, snapshot.path)
    }

    func testUnknownModelIsAnOSErrorNamingWhereItLooked() throws {
        let cache = try temporary("empty-hub")
        XCTAssertThrowsError(try AutoTokenizer.fromPretrained("nobody/nothing", cacheDirectory: cache)) { error in
            let e = error as? TransformersError
            XCTAssertEqual(e?.pythonType, "OSError")
            XCTAssertTrue(e?.message.contains(cache.appendingPathComponent("models--nobody--nothing").path) ?? false, "\(error)")
        }
    }

    func testDirectoryWithoutTokenizerFilesSaysWhatItHas() throws {
        let dir = try temporary("no-files")
        try "{}".write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try AutoTokenizer.fromPretrained(dir.path)) { error in
            let e = error as? TransformersError
            XCTAssertEqual(e?.pythonType, "OSError")
            XCTAssertTrue(e?.message.contains("no tokenizer.json") ?? false, "\(error)")
            XCTAssertTrue(e?.message.contains("config.json") ?? false, "\(error)")
        }
    }

    func testMalformedTokenizerJSONNamesTheFile() throws {
        let dir = try temporary("bad-json")
        try "{\"model\": [1, 2".write(to: dir.appendingPathComponent("tokenizer.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try AutoTokenizer.fromPretrained(dir.path)) { error in
            XCTAssertTrue("\(error)".contains(dir.appendingPathComponent("tokenizer.json").path), "\(error)")
        }
    }

    func testBadConfigValueNamesTheFileAndField() throws {
        let dir = try temporary("bad-config")
        try FileManager.default.copyItem(at: try API.directory(for: "roberta").appendingPathComponent("tokenizer.json"),
                                         to: dir.appendingPathComponent("tokenizer.json"))
        try "{\"padding_side\": \"middle\"}".write(to: dir.appendingPathComponent("tokenizer_config.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try AutoTokenizer.fromPretrained(dir.path)) { error in
            XCTAssertTrue("\(error)".contains("tokenizer_config.json") && "\(error)".contains("padding_side"), "\(error)")
        }
    }

    /// The saved tokenizer.json says what the loaded one said (every field but the added tokens,
    /// which gain the new token), the config keeps the settings, and the reloaded tokenizer
    /// reproduces every recorded call of the fixture.
    func testSavePretrainedWritesFilesThatLoadBackTheSame() throws {
        for name in ["minilm", "roberta", "llama"] {
            let source = try API.directory(for: name)
            let tok = try AutoTokenizer.fromPretrained(source.path)
            try tok.addTokens(["<saved_tok>"])
            let out = try temporary("saved-\(name)")
            let files = try tok.savePretrained(out)
            XCTAssertEqual(Set(files.map(\.lastPathComponent)), ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"])

            let original = try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("tokenizer.json"))) as! [String: Any]
            let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("tokenizer.json"))) as! [String: Any]
            XCTAssertEqual(Set(original.keys), Set(saved.keys))
            for key in original.keys where key != "added_tokens" {
                XCTAssertTrue(API.same(original[key], saved[key]), "\(name): tokenizer.json field \(key) changed")
            }
            let added = saved["added_tokens"] as! [[String: Any]]
            XCTAssertTrue(API.same(Array(added.dropLast()), original["added_tokens"]), name)
            XCTAssertEqual(added.last?["content"] as? String, "<saved_tok>")

            let again = try AutoTokenizer.fromPretrained(out.path)
            XCTAssertEqual(again.specialTokensMap.map(\.1), tok.specialTokensMap.map(\.1))
            XCTAssertEqual(again.config.modelMaxLength, tok.config.modelMaxLength)
            XCTAssertEqual(again.config.paddingSide, tok.config.paddingSide)
            XCTAssertEqual(again.config.modelInputNames, tok.config.modelInputNames)
            XCTAssertEqual(try again.encode("x <saved_tok> y"), try tok.encode("x <saved_tok> y"))
            for c in API.fixture.cases where c["tokenizer"] as? String == name && c["setup"] == nil && c["error"] == nil && c["op"] as? String == "call" {
                let got = try API.run(again, c)
                XCTAssertTrue(API.same(got, c["expected"]), "\(name): reloaded tokenizer differs on \(c["kwargs"]!)")
            }
        }
    }
}

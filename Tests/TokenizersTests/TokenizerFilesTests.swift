import Foundation
import XCTest
@testable import Tokenizers

/// Finding tokenizer files (a directory or the Hugging Face cache layout, offline), choosing
/// the format, and the errors for missing or damaged files.
final class TokenizerFilesTests: XCTestCase {
    /// A fresh temporary directory, removed after the test.
    func temporaryDirectory() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tokfiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func copy(_ fixture: String, to dir: URL, as name: String? = nil) throws {
        let src = Fixtures.url("tokenizers/" + fixture)
        try FileManager.default.copyItem(at: src, to: dir.appendingPathComponent(name ?? src.lastPathComponent))
    }

    /// Lays out `models--org--name/refs/<ref>` and `snapshots/<commit>/` under a fake HF_HOME.
    func makeCache(commit: String, ref: String = "main") throws -> (home: URL, snapshot: URL) {
        let home = try temporaryDirectory()
        let repo = home.appendingPathComponent("hub/models--org--tiny")
        let snapshot = repo.appendingPathComponent("snapshots/\(commit)")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try (commit + "\n").write(to: repo.appendingPathComponent("refs/\(ref)"), atomically: true, encoding: .utf8)
        return (home, snapshot)
    }

    func testLocalDirectoryListsEveryTokenizerFile() throws {
        let dir = try temporaryDirectory()
        for name in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "vocab.json", "merges.txt",
                     "tokenizer.model", "cl100k.tiktoken", "chat_template.jinja", "b.gguf", "a.gguf", "README.md"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data()))
        }
        let files = try TokenizerFiles.resolve(dir.path)
        XCTAssertEqual(files.names, ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "vocab.json",
                                     "merges.txt", "tokenizer.model", "chat_template.jinja", "cl100k.tiktoken", "a.gguf", "b.gguf"])
    }

    func testModelIdResolvesThroughRefsMainInTheCache() throws {
        let (home, snapshot) = try makeCache(commit: "abc123")
        try copy("formats/bert/vocab.txt", to: snapshot)
        let files = try TokenizerFiles.resolve("org/tiny", environment: ["HF_HOME": home.path])
        XCTAssertEqual(files.directory.standardizedFileURL.path, snapshot.standardizedFileURL.path)
        XCTAssertEqual(files.names, ["vocab.txt"])
    }

    func testRevisionNamesABranchOrACommit() throws {
        let (home, snapshot) = try makeCache(commit: "def456", ref: "dev")
        let byBranch = try TokenizerFiles.resolve("org/tiny", revision: "dev", environment: ["HF_HOME": home.path])
        XCTAssertEqual(byBranch.directory.standardizedFileURL.path, snapshot.standardizedFileURL.path)
        let byCommit = try TokenizerFiles.resolve("org/tiny", revision: "def456", environment: ["HF_HOME": home.path])
        XCTAssertEqual(byCommit.directory.standardizedFileURL.path, snapshot.standardizedFileURL.path)
    }

    func testMissingModelSaysWhereItLooked() throws {
        let home = try temporaryDirectory()
        XCTAssertThrowsError(try TokenizerFiles.resolve("org/absent", environment: ["HF_HOME": home.path])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("org/absent"), message)
            XCTAssertTrue(message.contains(home.path + "/hub/models--org--absent/refs/main"), message)
            XCTAssertTrue(message.contains(home.path + "/hub/models--org--absent/snapshots/main"), message)
        }
    }

    func testTokenizerJSONIsPreferredOverVocabularyFiles() throws {
        let dir = try temporaryDirectory()
        try copy("wordlevel.json", to: dir, as: "tokenizer.json")
        try copy("formats/bert/vocab.txt", to: dir)
        let viaFiles = try Tokenizer(files: TokenizerFiles(directory: dir))
        let direct = try Tokenizer(contentsOf: Fixtures.url("tokenizers/wordlevel.json"))
        XCTAssertEqual(viaFiles.vocabularySize, direct.vocabularySize)
        XCTAssertEqual(try viaFiles.encode("Hello world").ids, try direct.encode("Hello world").ids)
    }

    func testDirectoryWithoutTokenizerFilesListsWhatItHas() throws {
        let dir = try temporaryDirectory()
        XCTAssertTrue(FileManager.default.createFile(atPath: dir.appendingPathComponent("config.json").path, contents: Data("{}".utf8)))
        XCTAssertThrowsError(try Tokenizer(files: TokenizerFiles(directory: dir))) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(dir.path) && message.contains("no tokenizer found"), message)
            XCTAssertTrue(message.contains("vocab.txt") && message.contains("tokenizer.json"), message)
        }
    }

    func testMalformedMergesLineIsNamed() throws {
        let dir = try temporaryDirectory()
        try copy("formats/gpt2/vocab.json", to: dir)
        try "#version: 0.2\nĠ a\nthree parts here\n".write(to: dir.appendingPathComponent("merges.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Tokenizer(files: TokenizerFiles(directory: dir))) { error in
            XCTAssertEqual(error as? TokenizerError,
                           .malformed(file: "merges.txt", detail: "line 3 'three parts here' is not two tokens separated by one space"))
        }
    }

    func testMalformedTiktokenLineIsNamed() throws {
        let dir = try temporaryDirectory()
        try "IQ== 0\nnot-base64!! x\n".write(to: dir.appendingPathComponent("bad.tiktoken"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Tokenizer(files: TokenizerFiles(directory: dir))) { error in
            guard case .malformed(let file, let detail)? = error as? TokenizerError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "bad.tiktoken")
            XCTAssertTrue(detail.hasPrefix("line 2 "), detail)
        }
    }

    func testCorruptSentencePieceModelIsNamed() throws {
        let dir = try temporaryDirectory()
        try Data("not a protobuf at all".utf8).write(to: dir.appendingPathComponent("tokenizer.model"))
        XCTAssertThrowsError(try Tokenizer(files: TokenizerFiles(directory: dir))) { error in
            guard case .malformed(let file, let detail)? = error as? TokenizerError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "tokenizer.model")
            XCTAssertTrue(detail.contains("libsentencepiece"), detail)
        }
    }

    func testGGUFWithoutAVocabularyNamesTheMissingKey() throws {
        let dir = try temporaryDirectory()
        try copy("formats/tiny.gguf", to: dir)
        XCTAssertThrowsError(try Tokenizer(files: TokenizerFiles(directory: dir), ggufFile: "tiny.gguf")) { error in
            XCTAssertEqual(error as? TokenizerError,
                           .missingField(component: "GGUF tokenizer", field: "tokenizer.ggml.model", file: "tiny.gguf"))
        }
    }

    func testMissingGGUFFileIsNamed() throws {
        let dir = try temporaryDirectory()
        XCTAssertThrowsError(try Tokenizer(files: TokenizerFiles(directory: dir), ggufFile: "model.gguf")) { error in
            XCTAssertEqual(error as? TokenizerError, .fileNotFound(path: dir.appendingPathComponent("model.gguf").path))
        }
    }

    func testConfigurationReadsSpecialTokensMapAndChatTemplateFile() throws {
        let dir = try temporaryDirectory()
        try #"{"bos_token": {"content": "<s>", "lstrip": false}, "chat_template": "from config", "add_bos_token": true}"#
            .write(to: dir.appendingPathComponent("tokenizer_config.json"), atomically: true, encoding: .utf8)
        try #"{"bos_token": "<other>", "eos_token": "</s>", "additional_special_tokens": ["<a>", {"content": "<b>"}]}"#
            .write(to: dir.appendingPathComponent("special_tokens_map.json"), atomically: true, encoding: .utf8)
        try "{{ messages }}".write(to: dir.appendingPathComponent("chat_template.jinja"), atomically: true, encoding: .utf8)
        let config = try TokenizerConfiguration(files: TokenizerFiles(directory: dir))
        XCTAssertEqual(config.bosToken, "<s>")  // tokenizer_config.json wins
        XCTAssertEqual(config.eosToken, "</s>")  // special_tokens_map.json fills in
        XCTAssertEqual(config.extraSpecialTokens, ["<a>", "<b>"])
        XCTAssertEqual(config.addBosToken, true)
        XCTAssertEqual(config.chatTemplate, "{{ messages }}")  // the .jinja file wins
    }

    func testMalformedTokenizerConfigNamesTheFile() throws {
        let dir = try temporaryDirectory()
        try copy("formats/bert/vocab.txt", to: dir)
        try "{\"do_lower_case\": tru".write(to: dir.appendingPathComponent("tokenizer_config.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Tokenizer(files: TokenizerFiles(directory: dir))) { error in
            guard case .malformed(let file, _)? = error as? TokenizerError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "tokenizer_config.json")
        }
    }

    func testPretrainedIdLoadsFromTheCache() throws {
        let (home, snapshot) = try makeCache(commit: "abc")
        try copy("formats/gpt2/vocab.json", to: snapshot)
        try copy("formats/gpt2/merges.txt", to: snapshot)
        let files = try TokenizerFiles.resolve("org/tiny", environment: ["HF_HOME": home.path])
        let tokenizer = try Tokenizer(files: files)
        let direct = try Tokenizer(files: TokenizerFiles(directory: Fixtures.url("tokenizers/formats/gpt2")))
        XCTAssertEqual(try tokenizer.encode("Hello world").ids, try direct.encode("Hello world").ids)
    }
}

import Foundation
import Models
import XCTest

final class ConfigTests: XCTestCase {
    func testKeepsEveryKeyInFileOrderWithTypedAccess() throws {
        let config = try AutoConfig.fromPretrained(Fixtures.path("tiny-bert-cls"))
        let text = try String(contentsOfFile: Fixtures.path("tiny-bert-cls/config.json"), encoding: .utf8)
        // The file's keys, in the file's order: every top-level `  "key":` line.
        let fileKeys = text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  \""), !line.hasPrefix("   ") else { return nil }
            return String(line.dropFirst(3).prefix { $0 != "\"" })
        }
        XCTAssertEqual(config.values.map(\.0), fileKeys)
        // Written back, the config is the file (save_pretrained's 2-space JSON).
        XCTAssertEqual(config.description + "\n", text)
        XCTAssertEqual(try config.hiddenSize, 32)
        XCTAssertEqual(try config.numHiddenLayers, 2)
        XCTAssertEqual(try config.numAttentionHeads, 4)
        XCTAssertEqual(try config.intermediateSize, 37)
        XCTAssertEqual(try config.hiddenAct, "gelu")
        XCTAssertEqual(try config.maxPositionEmbeddings, 64)
        XCTAssertEqual(try config.typeVocabSize, 2)
        XCTAssertEqual(try config.layerNormEps, 1e-12)
        XCTAssertEqual(try config.vocabSize, 100)
        XCTAssertEqual(try config.padTokenId, 0)
        XCTAssertEqual(try config.id2label, [0: "negative", 1: "neutral", 2: "positive"])
        XCTAssertEqual(try config.label2id, ["negative": 0, "neutral": 1, "positive": 2])
        XCTAssertEqual(try config.numLabels, 3)
        XCTAssertEqual(config.dtype, "float32")
        XCTAssertEqual(config["bos_token_id"], .null)
        XCTAssertEqual(config["architectures"], .array([.string("BertForSequenceClassification")]))
    }

    func testOlderSpellingsAndDefaults() throws {
        // MiniLM's config was written by transformers 4.8: torch_dtype absent, no id2label.
        let dir = try Fixtures.temporaryDirectory()
        try #"{"model_type": "bert", "torch_dtype": "float16", "hidden_size": 64}"#
            .write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let config = try AutoConfig.fromPretrained(dir.path)
        XCTAssertEqual(config.dtype, "float16")
        XCTAssertEqual(try config.hiddenSize, 64)
        XCTAssertEqual(try config.numHiddenLayers, 12, "BertConfig's default")
        XCTAssertEqual(try config.layerNormEps, 1e-12)
        XCTAssertEqual(try config.id2label, [0: "LABEL_0", 1: "LABEL_1"])
        XCTAssertEqual(try config.label2id, ["LABEL_0": 0, "LABEL_1": 1])
        XCTAssertNil(config["num_hidden_layers"], "defaults are not written into the values")
    }

    func testOverridesKeepPlacesAndNumLabelsRenamesLabels() throws {
        let config = try AutoConfig.fromPretrained(Fixtures.path("tiny-bert-cls"),
                                                   overrides: [("num_attention_heads", .int(8)), ("num_labels", .int(4)), ("new_key", .string("x"))])
        XCTAssertEqual(try config.numAttentionHeads, 8)
        let original = try AutoConfig.fromPretrained(Fixtures.path("tiny-bert-cls"))
        XCTAssertEqual(config.values.firstIndex { $0.0 == "num_attention_heads" }, original.values.firstIndex { $0.0 == "num_attention_heads" })
        XCTAssertEqual(config.values.last?.0, "new_key")
        XCTAssertEqual(try config.id2label, [0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2", 3: "LABEL_3"])
        XCTAssertEqual(try config.label2id["LABEL_3"], 3)
    }

    func testHubCacheLayoutByRefAndCommit() throws {
        let home = try Fixtures.temporaryDirectory()
        let repo = home.appendingPathComponent("hub/models--org--tiny")
        for (ref, commit) in [("main", "abc123"), ("dev", "def456")] {
            let snapshot = repo.appendingPathComponent("snapshots/\(commit)")
            try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
            try commit.write(to: repo.appendingPathComponent("refs/\(ref)"), atomically: true, encoding: .utf8)
            try #"{"model_type": "bert", "hidden_size": \#(ref == "main" ? 16 : 24)}"#
                .write(to: snapshot.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        }
        let environment = ["HF_HOME": home.path]
        XCTAssertEqual(try AutoConfig.fromPretrained("org/tiny", environment: environment).hiddenSize, 16)
        XCTAssertEqual(try AutoConfig.fromPretrained("org/tiny", revision: "dev", environment: environment).hiddenSize, 24)
        XCTAssertEqual(try AutoConfig.fromPretrained("org/tiny", revision: "def456", environment: environment).hiddenSize, 24)
        XCTAssertThrowsError(try AutoConfig.fromPretrained("org/absent", environment: environment)) { error in
            guard case ModelError.notFound(let text) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(text.contains(home.appendingPathComponent("hub/models--org--absent/snapshots/main").path), text)
            XCTAssertTrue(text.contains("refs/main"), text)
        }
    }

    func testUnknownModelTypeListsSupportedOnes() throws {
        let dir = try Fixtures.temporaryDirectory()
        try #"{"model_type": "mamba9"}"#.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try AutoConfig.fromPretrained(dir.path)) { error in
            guard case ModelError.unsupportedModelType(let text) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(text.contains("'mamba9'") && text.contains("supported model types: bert"), text)
        }
    }

    func testInvalidJSONAndWrongTypesAreNamed() throws {
        let dir = try Fixtures.temporaryDirectory()
        let file = dir.appendingPathComponent("config.json")
        try "{\n  \"model_type\": \"bert\",\n  \"hidden_size\": 32,,\n}".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try AutoConfig.fromPretrained(dir.path)) { error in
            XCTAssertTrue(message(error).contains(file.path) && message(error).contains("line 3"), message(error))
        }
        try #"{"model_type": "bert", "hidden_size": "big"}"#.write(to: file, atomically: true, encoding: .utf8)
        let config = try AutoConfig.fromPretrained(dir.path)
        XCTAssertThrowsError(try config.hiddenSize) { error in
            XCTAssertTrue(message(error).contains("'hidden_size' must be an integer"), message(error))
        }
        let empty = try Fixtures.temporaryDirectory()
        XCTAssertThrowsError(try AutoConfig.fromPretrained(empty.path)) { error in
            XCTAssertTrue(message(error).contains("config.json") && message(error).contains(empty.path), message(error))
        }
    }
}

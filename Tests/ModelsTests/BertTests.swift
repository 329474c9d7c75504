import Foundation
import Models
import Tensors
import XCTest

/// The tiny random BERT against transformers' outputs on a padded batch (generate.py);
/// tolerance 1e-4 absolute on every value.
final class BertTests: XCTestCase {
    var reference: [String: Tensor] = [:]

    override func setUpWithError() throws {
        reference = try Fixtures.reference("tiny-bert.reference.safetensors")
    }

    func ref(_ name: String) throws -> Tensor {
        try XCTUnwrap(reference[name], "reference tensor \(name)")
    }

    func testPaddedBatchMatchesTransformers() throws {
        let model = try BertModel.fromPretrained(Fixtures.path("tiny-bert"))
        XCTAssertFalse(model.training)
        let out = try withNoGrad {
            try model(inputIds: ref("input_ids"), attentionMask: ref("attention_mask"), tokenTypeIds: ref("token_type_ids"),
                      outputHiddenStates: true, outputAttentions: true)
        }
        assertClose(try XCTUnwrap(out.lastHiddenState), try ref("last_hidden_state"), "last_hidden_state")
        assertClose(try XCTUnwrap(out.poolerOutput), try ref("pooler_output"), "pooler_output")
        let hidden = try XCTUnwrap(out.hiddenStates)
        XCTAssertEqual(hidden.count, 3)
        for (i, h) in hidden.enumerated() { assertClose(h, try ref("hidden_states.\(i)"), "hidden_states[\(i)]") }
        let attentions = try XCTUnwrap(out.attentions)
        XCTAssertEqual(attentions.count, 2)
        for (i, a) in attentions.enumerated() { assertClose(a, try ref("attentions.\(i)"), "attentions[\(i)]") }
    }

    func testDefaultsWithoutMaskOrTokenTypes() throws {
        let model = try BertModel.fromPretrained(Fixtures.path("tiny-bert"))
        let out = try model(inputIds: ref("input_ids"))
        assertClose(try XCTUnwrap(out.lastHiddenState), try ref("unmasked.last_hidden_state"), "last_hidden_state without a mask")
        XCTAssertNil(out.hiddenStates)
        XCTAssertNil(out.attentions)
    }

    func testParameterNamesAreTheCheckpointNames() throws {
        let model = try BertModel.fromPretrained(Fixtures.path("tiny-bert"))
        let store = try WeightStore(directory: Fixtures.models.appendingPathComponent("tiny-bert"))
        XCTAssertEqual(Set(model.stateDict().map(\.0)), Set(store.names))
        XCTAssertEqual(model.numParameters(), store.names.map { store.shape(of: $0)!.reduce(1, *) }.reduce(0, +))
    }

    func testBaseModelReadsAPrefixedTaskCheckpoint() throws {
        // tiny-bert-cls stores `bert.embeddings...`; BertModel strips the prefix as transformers does.
        let model = try BertModel.fromPretrained(Fixtures.path("tiny-bert-cls"))
        let out = try model(inputIds: ref("input_ids"), attentionMask: ref("attention_mask"), tokenTypeIds: ref("token_type_ids"))
        assertClose(try XCTUnwrap(out.lastHiddenState), try ref("last_hidden_state"), "last_hidden_state from the prefixed checkpoint")
        assertClose(try XCTUnwrap(out.poolerOutput), try ref("pooler_output"), "pooler_output from the prefixed checkpoint")
    }

    func testHalfPrecisionShardedCheckpoint() throws {
        let directory = Fixtures.models.appendingPathComponent("tiny-bert-fp16")
        let store = try WeightStore(directory: directory)
        XCTAssertEqual(store.files.count, 3)
        XCTAssertEqual(try store.rawTensor("embeddings.word_embeddings.weight").dtype, .float16)
        let model = try BertModel.fromPretrained(directory.path)
        XCTAssertEqual(model.embeddings.word_embeddings.weight.dtype, .float32)
        let out = try model(inputIds: ref("input_ids"), attentionMask: ref("attention_mask"), tokenTypeIds: ref("token_type_ids"))
        assertClose(try XCTUnwrap(out.lastHiddenState), try ref("fp16.last_hidden_state"), "last_hidden_state from float16 shards")
    }

    func testSequenceClassificationLogitsAndLoss() throws {
        let model = try BertForSequenceClassification.fromPretrained(Fixtures.path("tiny-bert-cls"))
        XCTAssertEqual(model.newlyInitialized, [])
        let out = try model(inputIds: ref("input_ids"), attentionMask: ref("attention_mask"), tokenTypeIds: ref("token_type_ids"),
                            labels: ref("labels"))
        assertClose(try XCTUnwrap(out.logits), try ref("classifier.logits"), "logits")
        assertClose(try XCTUnwrap(out.loss).reshape([1]), try ref("classifier.loss"), "loss")
        XCTAssertEqual(try model.config.id2label[2], "positive")
    }

    func testClassifierOnABaseCheckpointInitialisesTheHead() throws {
        let model = try BertForSequenceClassification.fromPretrained(Fixtures.path("tiny-bert"), overrides: [("num_labels", .int(5))])
        XCTAssertEqual(model.newlyInitialized, ["classifier.weight", "classifier.bias"])
        XCTAssertEqual(model.classifier.weight.shape, [5, 32])
        // The encoder still reads the unprefixed weights.
        let out = try model.bert(inputIds: ref("input_ids"), attentionMask: ref("attention_mask"), tokenTypeIds: ref("token_type_ids"))
        assertClose(try XCTUnwrap(out.lastHiddenState), try ref("last_hidden_state"), "encoder under a fresh head")
        XCTAssertEqual(try model(inputIds: ref("input_ids")).logits?.shape, [3, 5])
    }

    func testShapeDisagreeingWithConfigNamesTensorAndShapes() throws {
        XCTAssertThrowsError(try BertModel.fromPretrained(Fixtures.path("tiny-bert"), overrides: [("intermediate_size", .int(40))])) { error in
            guard case ModelError.shapeMismatch(let text) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(text.contains("'encoder.layer.0.intermediate.dense.weight'"), text)
            XCTAssertTrue(text.contains("[37, 32]") && text.contains("[40, 32]"), text)
        }
    }

    func testMissingWeightsAreNamed() throws {
        let dir = try Fixtures.temporaryDirectory()
        try FileManager.default.copyItem(at: Fixtures.models.appendingPathComponent("tiny-bert/config.json"),
                                         to: dir.appendingPathComponent("config.json"))
        let all = try SafeTensorsFile(path: Fixtures.path("tiny-bert/model.safetensors"))
        let dropped: Set = ["encoder.layer.1.output.dense.bias", "pooler.dense.weight"]
        try SafeTensors.write(try all.names.filter { !dropped.contains($0) }.map { ($0, try all.tensor(named: $0)) },
                              to: dir.appendingPathComponent("model.safetensors").path)
        XCTAssertThrowsError(try BertModel.fromPretrained(dir.path)) { error in
            guard case ModelError.invalidWeights(let text) = error else { return XCTFail("\(error)") }
            for name in dropped { XCTAssertTrue(text.contains(name), text) }
        }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("model.safetensors"))
        XCTAssertThrowsError(try BertModel.fromPretrained(dir.path)) { error in
            XCTAssertTrue(message(error).contains("model.safetensors.index.json") && message(error).contains(dir.path), message(error))
        }
    }

    func testCorruptWeightsFileIsAnError() throws {
        let dir = try Fixtures.temporaryDirectory()
        try FileManager.default.copyItem(at: Fixtures.models.appendingPathComponent("tiny-bert/config.json"),
                                         to: dir.appendingPathComponent("config.json"))
        try Data([1, 2, 3]).write(to: dir.appendingPathComponent("model.safetensors"))
        XCTAssertThrowsError(try BertModel.fromPretrained(dir.path)) { error in
            guard case ModelError.invalidWeights(let text) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(text.contains(dir.appendingPathComponent("model.safetensors").path), text)
        }
    }

    func testBadInputsAreErrors() throws {
        let model = try BertModel.fromPretrained(Fixtures.path("tiny-bert"))
        XCTAssertThrowsError(try model(inputIds: Tensor(int64: [5, 100], shape: [1, 2]))) { error in
            XCTAssertTrue(message(error).contains("input_ids holds 100"), message(error))
        }
        XCTAssertThrowsError(try model(inputIds: Tensor(int64: Array(repeating: 1, count: 65), shape: [1, 65]))) { error in
            XCTAssertTrue(message(error).contains("max_position_embeddings"), message(error))
        }
        XCTAssertThrowsError(try model(inputIds: ref("input_ids"), attentionMask: Tensor(int64: [1, 1], shape: [1, 2]))) { error in
            XCTAssertTrue(message(error).contains("attention_mask has shape [1, 2]"), message(error))
        }
    }
}

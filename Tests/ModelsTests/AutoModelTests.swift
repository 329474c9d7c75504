import Foundation
import Models
import Tensors
import XCTest

/// The Auto classes: choosing the class from model_type and task, building from a config, and
/// the errors for what does not exist.
final class AutoModelTests: XCTestCase {
    func testTaskPicksTheClass() throws {
        let base = try AutoModel.fromPretrained(Fixtures.path("tiny-bert-cls"))
        XCTAssertEqual(base.className, "BertModel")
        let classifier = try AutoModel.fromPretrained(Fixtures.path("tiny-bert-cls"), task: .sequenceClassification)
        XCTAssertEqual(classifier.className, "BertForSequenceClassification")
        XCTAssertEqual(classifier.newlyInitialized, [])
        XCTAssertFalse(classifier.training)
        let reference = try Fixtures.reference("tiny-bert.reference.safetensors")
        let out = try classifier.forward(ModelInputs(inputIds: reference["input_ids"], attentionMask: reference["attention_mask"],
                                                     tokenTypeIds: reference["token_type_ids"], labels: reference["labels"]))
        XCTAssertEqual(out.typeName, "SequenceClassifierOutput")
        XCTAssertEqual(out.fields.map(\.name), ["loss", "logits"])
        assertClose(try XCTUnwrap(out.logits), try XCTUnwrap(reference["classifier.logits"]), "logits through forward")
    }

    func testFromConfigHasTheCheckpointNamesAndFreshWeights() throws {
        let config = try AutoConfig.fromPretrained(Fixtures.path("tiny-bert"))
        let model = try AutoModel.fromConfig(config)
        let loaded = try AutoModel.fromPretrained(Fixtures.path("tiny-bert"))
        XCTAssertEqual(model.stateDict().map(\.0), loaded.stateDict().map(\.0))
        XCTAssertTrue(model.training)
        let state = Dictionary(uniqueKeysWithValues: model.stateDict())
        XCTAssertEqual(try XCTUnwrap(state["embeddings.LayerNorm.weight"]).toFloatArray(), Array(repeating: 1, count: 32))
        XCTAssertEqual(try XCTUnwrap(state["pooler.dense.bias"]).toFloatArray(), Array(repeating: 0, count: 32))
        let weights = try XCTUnwrap(state["encoder.layer.0.attention.self.query.weight"]).toFloatArray()
        let std = (weights.map { Double($0 * $0) }.reduce(0, +) / Double(weights.count)).squareRoot()
        XCTAssertEqual(std, 0.02, accuracy: 0.005)
    }

    func testUnknownModelTypeAndClassListWhatExists() throws {
        var config = try AutoConfig.fromPretrained(Fixtures.path("tiny-bert"))
        config["model_type"] = .string("flaubert")
        XCTAssertThrowsError(try AutoModel.fromConfig(config)) { error in
            XCTAssertTrue(message(error).contains("'flaubert'") && message(error).contains("bert"), message(error))
        }
        XCTAssertThrowsError(try AutoModel.fromPretrained(Fixtures.path("tiny-bert"), className: "BertForNothing")) { error in
            XCTAssertTrue(message(error).contains("BertForSequenceClassification"), message(error))
        }
    }
}

import Foundation
import Models
import NN
import Tensors
import XCTest

/// RoBERTa against transformers (generate_encoders.py), every class through the Auto classes,
/// on a batch with right and left padding; tolerance 1e-4 absolute.
final class RobertaTests: XCTestCase {
    let family = EncoderFamily(
        heads: "tiny-roberta-heads", referenceFile: "roberta.reference.safetensors",
        classes: [.base: "RobertaModel", .sequenceClassification: "RobertaForSequenceClassification",
                  .tokenClassification: "RobertaForTokenClassification", .questionAnswering: "RobertaForQuestionAnswering",
                  .maskedLM: "RobertaForMaskedLM"],
        baseOutput: "BaseModelOutputWithPoolingAndCrossAttentions",
        baseFields: ["last_hidden_state", "pooler_output", "hidden_states", "attentions"])

    func testBaseModelWithLeftAndRightPadding() throws { try family.checkBase() }
    func testSequenceClassificationHeadOnTheFirstToken() throws { try family.checkHead(.sequenceClassification) }
    func testTokenClassification() throws { try family.checkHead(.tokenClassification) }
    func testQuestionAnswering() throws { try family.checkHead(.questionAnswering) }
    func testMaskedLM() throws { try family.checkHead(.maskedLM) }
    func testMaskedLMGradientReachesTheTiedEmbeddings() throws { try family.checkGradientThroughTheTie() }
    func testEveryClassFromConfig() throws { try family.checkFromConfig() }

    func testPositionIdsCountFromThePaddingIndex() throws {
        let reference = try family.reference()
        let positions = try RobertaModel.positionIds(from: try XCTUnwrap(reference["input_ids"]), paddingIndex: 1)
        XCTAssertEqual(positions.shape, [3, 9])
        XCTAssertEqual(positions.toInt64Array(), try XCTUnwrap(reference["position_ids"]).toInt64Array())
    }

    func testExplicitPositionIds() throws {
        let reference = try family.reference()
        let model = try family.load(.base, from: "tiny-roberta")
        var inputs = try family.inputs(reference, flags: false)
        inputs.positionIds = reference["explicit_position_ids"]
        assertClose(try XCTUnwrap(model.forward(inputs).lastHiddenState), try XCTUnwrap(reference["explicit.last_hidden_state"]),
                    "last_hidden_state with explicit positions")
    }

    func testMaskedLMDecoderIsTheWordEmbeddingTable() throws {
        let model = try XCTUnwrap(try family.load(.maskedLM) as? RobertaForMaskedLM)
        XCTAssertTrue(model.lm_head.decoder.weight === model.roberta.embeddings.word_embeddings.weight)
        XCTAssertTrue(model.lm_head.decoder.bias === model.lm_head.bias)
    }

    func testParameterNamesAreTheCheckpointNames() throws {
        let model = try family.load(.base, from: "tiny-roberta")
        let store = try WeightStore(directory: Fixtures.models.appendingPathComponent("tiny-roberta"))
        XCTAssertEqual(Set(model.stateDict().map(\.0)), Set(store.names))
    }

    func testBaseCheckpointIntoHeads() throws {
        let reference = try family.reference()
        let expected = "base.last_hidden_state"
        try family.checkBaseCheckpointInHead(.sequenceClassification, base: "tiny-roberta",
                                             fresh: ["classifier.dense.weight", "classifier.dense.bias", "classifier.out_proj.weight",
                                                     "classifier.out_proj.bias"],
                                             reference: reference, expected: expected)
        try family.checkBaseCheckpointInHead(.tokenClassification, base: "tiny-roberta", fresh: ["classifier.weight", "classifier.bias"],
                                             reference: reference, expected: expected)
        try family.checkBaseCheckpointInHead(.questionAnswering, base: "tiny-roberta", fresh: ["qa_outputs.weight", "qa_outputs.bias"],
                                             reference: reference, expected: expected)
        try family.checkBaseCheckpointInHead(.maskedLM, base: "tiny-roberta",
                                             fresh: ["lm_head.dense.weight", "lm_head.dense.bias", "lm_head.layer_norm.weight",
                                                     "lm_head.layer_norm.bias", "lm_head.bias"],
                                             reference: reference, expected: expected)
    }

    func testBadInputsAreErrors() throws {
        let model = try family.load(.base)
        // 65 tokens need position 66 (counted after the padding index 1); the table has 66 rows.
        var text = thrownError { try model.forward(ModelInputs(inputIds: Tensor(int64: Array(repeating: 5, count: 65), shape: [1, 65]))) }
        XCTAssertTrue(text.contains("needs position 66") && text.contains("max_position_embeddings (66)"), text)
        text = thrownError { try model.forward(ModelInputs(inputIds: Tensor(int64: [0, 5, 2], shape: [1, 3]),
                                                           tokenTypeIds: Tensor(int64: [0, 1, 0], shape: [1, 3]))) }
        XCTAssertTrue(text.contains("token_type_ids holds 1, outside 0..<1"), text)
        text = thrownError { try AutoModel.fromPretrained(Fixtures.path(family.heads), overrides: [("pad_token_id", .null)]) }
        XCTAssertTrue(text.contains("pad_token_id"), text)
    }
}

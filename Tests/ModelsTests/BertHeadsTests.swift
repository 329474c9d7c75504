import Foundation
import Models
import NN
import Tensors
import XCTest

/// BERT's token classification, question answering and masked-LM heads against transformers
/// (generate_encoders.py), through the Auto classes; tolerance 1e-4 absolute.
final class BertHeadsTests: XCTestCase {
    let family = EncoderFamily(
        heads: "tiny-bert-heads", referenceFile: "bert-heads.reference.safetensors",
        classes: [.base: "BertModel", .sequenceClassification: "BertForSequenceClassification",
                  .tokenClassification: "BertForTokenClassification", .questionAnswering: "BertForQuestionAnswering",
                  .maskedLM: "BertForMaskedLM"],
        baseOutput: "BaseModelOutputWithPoolingAndCrossAttentions",
        baseFields: ["last_hidden_state", "pooler_output", "hidden_states", "attentions"])

    func testBaseModelReadsTheHeadsCheckpoint() throws { try family.checkBase() }
    func testSequenceClassification() throws { try family.checkHead(.sequenceClassification) }
    func testTokenClassificationIgnoresLabelsOfMinus100() throws { try family.checkHead(.tokenClassification) }
    func testQuestionAnsweringClampsPositionsAsTransformers() throws { try family.checkHead(.questionAnswering) }
    func testMaskedLM() throws { try family.checkHead(.maskedLM) }
    func testMaskedLMGradientReachesTheTiedEmbeddings() throws { try family.checkGradientThroughTheTie() }
    func testEveryClassFromConfig() throws { try family.checkFromConfig() }

    func testMaskedLMDecoderIsTheWordEmbeddingTable() throws {
        let model = try XCTUnwrap(try family.load(.maskedLM) as? BertForMaskedLM)
        XCTAssertTrue(model.cls.predictions.decoder.weight === model.bert.embeddings.word_embeddings.weight)
        XCTAssertTrue(model.cls.predictions.decoder.bias === model.cls.predictions.bias)
        let store = try WeightStore(directory: Fixtures.models.appendingPathComponent(family.heads))
        XCTAssertFalse(store.contains("cls.predictions.decoder.weight"))
        let names = model.stateDict().map(\.0)
        XCTAssertTrue(names.contains("cls.predictions.decoder.weight") && names.contains("cls.predictions.bias"))
        XCTAssertNil(model.bert.pooler)
        // The tied tensor is one parameter: counted once, handed to an optimizer once.
        let stored = Set(names).intersection(store.names)
        XCTAssertEqual(model.parameters().count, stored.count)
        XCTAssertEqual(model.numParameters(), stored.map { store.shape(of: $0)!.reduce(1, *) }.reduce(0, +))
    }

    func testBaseCheckpointIntoHeads() throws {
        // tiny-bert (generate.py) is a bare BertModel; its own reference holds the encoder output.
        let reference = try Fixtures.reference("tiny-bert.reference.safetensors")
        try family.checkBaseCheckpointInHead(.tokenClassification, base: "tiny-bert", fresh: ["classifier.weight", "classifier.bias"],
                                             reference: reference, expected: "last_hidden_state")
        try family.checkBaseCheckpointInHead(
            .maskedLM, base: "tiny-bert",
            fresh: ["cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias",
                    "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias", "cls.predictions.bias"],
            reference: reference, expected: "last_hidden_state")
    }

    func testBadInputsAreErrors() throws {
        // tiny-bert has three labels: no start/end pair.
        var text = thrownError { try AutoModel.fromPretrained(Fixtures.path("tiny-bert"), task: .questionAnswering) }
        XCTAssertTrue(text.contains("BertForQuestionAnswering needs num_labels = 2") && text.contains("3"), text)

        let reference = try family.reference()
        let token = try family.load(.tokenClassification)
        var inputs = try family.inputs(reference, flags: false)
        inputs.labels = try Tensor(int64: [0, 1, 1], shape: [3])
        text = thrownError { try token.forward(inputs) }
        XCTAssertTrue(text.contains("labels must be an integer tensor with one entry per token ([3, 9])"), text)

        let qa = try family.load(.questionAnswering)
        inputs.labels = nil
        inputs.startPositions = reference["start_positions"]
        text = thrownError { try qa.forward(inputs) }
        XCTAssertTrue(text.contains("end_positions"), text)

        let masked = try family.load(.maskedLM)
        inputs.startPositions = nil
        inputs.labels = try Tensor(int64: Array(repeating: 100, count: 27), shape: [3, 9])
        text = thrownError { try masked.forward(inputs) }
        XCTAssertTrue(text.contains("Target 100 is out of bounds"), text)
    }
}

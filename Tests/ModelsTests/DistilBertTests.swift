import Foundation
import Models
import NN
import Tensors
import XCTest

/// DistilBERT against transformers (generate_encoders.py), every class through the Auto
/// classes; tolerance 1e-4 absolute.
final class DistilBertTests: XCTestCase {
    let family = EncoderFamily(
        heads: "tiny-distilbert-heads", referenceFile: "distilbert.reference.safetensors",
        classes: [.base: "DistilBertModel", .sequenceClassification: "DistilBertForSequenceClassification",
                  .tokenClassification: "DistilBertForTokenClassification", .questionAnswering: "DistilBertForQuestionAnswering",
                  .maskedLM: "DistilBertForMaskedLM"],
        baseOutput: "BaseModelOutput", baseFields: ["last_hidden_state", "hidden_states", "attentions"])

    func testBaseModelReadsThePrefixedCheckpoint() throws { try family.checkBase() }
    func testSequenceClassification() throws { try family.checkHead(.sequenceClassification) }
    func testTokenClassification() throws { try family.checkHead(.tokenClassification) }
    func testQuestionAnswering() throws { try family.checkHead(.questionAnswering) }
    func testMaskedLM() throws { try family.checkHead(.maskedLM) }
    func testMaskedLMGradientReachesTheTiedEmbeddings() throws { try family.checkGradientThroughTheTie() }
    func testEveryClassFromConfig() throws { try family.checkFromConfig() }

    func testMaskedLMProjectorIsTheWordEmbeddingTable() throws {
        let model = try XCTUnwrap(try family.load(.maskedLM) as? DistilBertForMaskedLM)
        XCTAssertTrue(model.vocab_projector.weight === model.distilbert.embeddings.word_embeddings.weight)
        let store = try WeightStore(directory: Fixtures.models.appendingPathComponent(family.heads))
        XCTAssertFalse(store.contains("vocab_projector.weight"))
        XCTAssertTrue(store.contains("vocab_projector.bias"))
    }

    func testSinusoidalPositionsAndGenericConfigNames() throws {
        // tiny-distilbert's config says hidden_size / num_hidden_layers / num_attention_heads, and
        // its checkpoint has no position table: transformers fills it with the sinusoid.
        let reference = try family.reference()
        let model = try XCTUnwrap(try family.load(.base, from: "tiny-distilbert") as? DistilBertModel)
        XCTAssertEqual(try model.config.int("dim"), 16)
        XCTAssertEqual(try model.config.hiddenSize, 16)
        XCTAssertEqual(try model.config.int("n_layers"), 2)
        assertClose(model.embeddings.position_embeddings.weight, try XCTUnwrap(reference["sinusoidal.position_embeddings"]),
                    tolerance: 1e-6, "sinusoidal table")
        let out = try model.forward(family.inputs(reference))
        assertClose(try XCTUnwrap(out.lastHiddenState), try XCTUnwrap(reference["sinusoidal.last_hidden_state"]), "last_hidden_state")
        for (i, h) in try XCTUnwrap(out.hiddenStates).enumerated() {
            assertClose(h, try XCTUnwrap(reference["sinusoidal.hidden_states.\(i)"]), "hidden_states[\(i)]")
        }
        for (i, a) in try XCTUnwrap(out.attentions).enumerated() {
            assertClose(a, try XCTUnwrap(reference["sinusoidal.attentions.\(i)"]), "attentions[\(i)]")
        }
    }

    func testConfigReadsEitherSpellingOfTheAttributeMap() throws {
        // tiny-distilbert-heads stores dim / n_layers / n_heads, as save_pretrained writes them.
        let config = try AutoConfig.fromPretrained(Fixtures.path(family.heads))
        XCTAssertNil(config["hidden_size"])
        XCTAssertEqual(try config.hiddenSize, try config.int("dim"))
        XCTAssertEqual(try config.numHiddenLayers, try config.int("n_layers"))
        XCTAssertEqual(try config.numAttentionHeads, try config.int("n_heads"))
        // Absent in both spellings: transformers' default for the stored name.
        var bare = config
        bare["dim"] = nil
        XCTAssertEqual(try bare.hiddenSize, 768)
    }

    func testFromConfigComputesTheSinusoid() throws {
        let config = try AutoConfig.fromPretrained(Fixtures.path("tiny-distilbert"))
        let model = try XCTUnwrap(try AutoModel.fromConfig(config) as? DistilBertModel)
        XCTAssertTrue(model.training)
        assertClose(model.embeddings.position_embeddings.weight, try XCTUnwrap(try family.reference()["sinusoidal.position_embeddings"]),
                    tolerance: 1e-6, "sinusoidal table from the config")
        XCTAssertEqual(model.stateDict().map(\.0), try AutoModel.fromPretrained(Fixtures.path("tiny-distilbert")).stateDict().map(\.0))
    }

    func testBaseCheckpointIntoHeads() throws {
        let reference = try family.reference()
        let expected = "sinusoidal.last_hidden_state"
        try family.checkBaseCheckpointInHead(.sequenceClassification, base: "tiny-distilbert",
                                             fresh: ["pre_classifier.weight", "pre_classifier.bias", "classifier.weight", "classifier.bias"],
                                             reference: reference, expected: expected)
        try family.checkBaseCheckpointInHead(.tokenClassification, base: "tiny-distilbert", fresh: ["classifier.weight", "classifier.bias"],
                                             reference: reference, expected: expected)
        try family.checkBaseCheckpointInHead(.questionAnswering, base: "tiny-distilbert", fresh: ["qa_outputs.weight", "qa_outputs.bias"],
                                             reference: reference, expected: expected)
        try family.checkBaseCheckpointInHead(.maskedLM, base: "tiny-distilbert",
                                             fresh: ["vocab_transform.weight", "vocab_transform.bias", "vocab_layer_norm.weight",
                                                     "vocab_layer_norm.bias", "vocab_projector.bias"],
                                             reference: reference, expected: expected)
    }

    func testBadInputsAreErrors() throws {
        let reference = try family.reference()
        let model = try family.load(.base)
        var inputs = try family.inputs(reference, flags: false)
        inputs.tokenTypeIds = try Tensor(int64: Array(repeating: 0, count: 27), shape: [3, 9])
        var text = thrownError { try model.forward(inputs) }
        XCTAssertTrue(text.contains("DistilBertModel takes no token_type_ids"), text)

        text = thrownError { try AutoModel.fromPretrained(Fixtures.path(family.heads), overrides: [("n_heads", .int(5))]) }
        XCTAssertTrue(text.contains("n_heads 5 must divide dim 32"), text)
        text = thrownError { try AutoModel.fromPretrained(Fixtures.path(family.heads), task: .questionAnswering, overrides: [("num_labels", .int(3))]) }
        XCTAssertTrue(text.contains("DistilBertForQuestionAnswering needs num_labels = 2"), text)
        text = thrownError { try AutoModel.fromPretrained(Fixtures.path(family.heads), overrides: [("activation", .string("mish"))]) }
        XCTAssertTrue(text.contains("activation 'mish' is not supported"), text)
        // A learned position table must be in the checkpoint.
        text = thrownError { try AutoModel.fromPretrained(Fixtures.path("tiny-distilbert"), overrides: [("sinusoidal_pos_embds", .bool(false))]) }
        XCTAssertTrue(text.contains("embeddings.position_embeddings.weight"), text)
    }
}

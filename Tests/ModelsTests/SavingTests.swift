import Foundation
import Models
import NN
import Tensors
import XCTest

/// A model with an output projection tied to its input embedding (the shape of GPT-2's and
/// Llama's heads), to check which name save_pretrained keeps.
final class TiedToyModel: Module, PreTrainedModel {
    public let embed_tokens: Embedding
    public let lm_head: Linear
    let config: ModelConfig
    var className: String { "ToyForCausalLM" }
    var acceptedInputs: [String] { ["input_ids"] }
    var newlyInitialized: [String] { [] }

    init(headWeight: (Tensor) throws -> Tensor) throws {
        let table = try Tensor.normal([5, 3], std: 1).requiringGrad()
        embed_tokens = Embedding(weight: table)
        lm_head = Linear(weight: try headWeight(table), bias: nil)
        config = ModelConfig(values: [("model_type", .string("toy")), ("vocab_size", .int(5))])
        super.init()
    }

    func forward(_ inputs: ModelInputs) throws -> ModelOutput { ModelOutput("BaseModelOutput", []) }
}

/// save_pretrained: the files transformers reads, and a save → load round trip.
/// `Tests/Fixtures/models/check_saved.py` loads such a directory in transformers (see the
/// message printed by `testSavedClassifierLoadsBackWithTheSameOutputs`).
final class SavingTests: XCTestCase {
    func testSavedClassifierLoadsBackWithTheSameOutputs() throws {
        let model = try AutoModel.fromPretrained(Fixtures.path("tiny-bert-cls"), task: .sequenceClassification)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("apus-saved-\(getpid())-tiny-bert-cls")
        try? FileManager.default.removeItem(at: directory)
        try model.savePretrained(directory)
        print("check with: /root/apus-ref/bin/python Tests/Fixtures/models/check_saved.py \(directory.path) \(Fixtures.path("tiny-bert-cls"))")

        // The weights: the original checkpoint's names and values, with transformers' metadata.
        let saved = try SafeTensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        let original = try SafeTensorsFile(path: Fixtures.path("tiny-bert-cls/model.safetensors"))
        XCTAssertEqual(saved.metadata, ["format": "pt"])
        XCTAssertEqual(Set(saved.names), Set(original.names))
        for name in original.names {
            XCTAssertEqual(try saved.tensor(named: name).toFloatArray(), try original.tensor(named: name).toFloatArray(), name)
        }

        // The config: the original's keys, sorted as transformers writes them, with this class.
        let text = try String(contentsOf: directory.appendingPathComponent("config.json"), encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("}\n"))
        let config = try ModelConfig(contentsOf: directory.appendingPathComponent("config.json"))
        let originalConfig = try ModelConfig(contentsOf: URL(fileURLWithPath: Fixtures.path("tiny-bert-cls/config.json")))
        XCTAssertEqual(config.values.map(\.0), config.values.map(\.0).sorted())
        XCTAssertEqual(Set(config.values.map(\.0)), Set(originalConfig.values.map(\.0)))
        for (key, value) in originalConfig.values { XCTAssertEqual(config[key], value, key) }
        XCTAssertEqual(config["architectures"], .array([.string("BertForSequenceClassification")]))

        // Loading it back gives the same model.
        let again = try AutoModel.fromPretrained(directory.path, task: .sequenceClassification)
        let reference = try Fixtures.reference("tiny-bert.reference.safetensors")
        let inputs = ModelInputs(inputIds: reference["input_ids"], attentionMask: reference["attention_mask"],
                                 tokenTypeIds: reference["token_type_ids"])
        XCTAssertEqual(try XCTUnwrap(again.forward(inputs).logits).toFloatArray(), try XCTUnwrap(model.forward(inputs).logits).toFloatArray())
    }

    func testSavedConfigRecordsTheClassAndTheDtypeOfTheWeights() throws {
        let model = try AutoModel.fromPretrained(Fixtures.path("tiny-bert-fp16"))
        let config = model.savedConfig()
        XCTAssertEqual(config["architectures"], .array([.string("BertModel")]))
        XCTAssertEqual(config.dtype, "float32", "half-precision weights are saved as the float32 the model holds")
    }

    func testSharedTensorIsWrittenOnceUnderTheEmbeddingName() throws {
        let model = try TiedToyModel { $0 }
        XCTAssertEqual(model.stateDict().map(\.0), ["embed_tokens.weight", "lm_head.weight"])
        XCTAssertEqual(model.checkpointTensors().map(\.0), ["embed_tokens.weight"])
        let directory = try Fixtures.temporaryDirectory()
        try model.savePretrained(directory)
        XCTAssertEqual(try SafeTensorsFile(path: directory.appendingPathComponent("model.safetensors").path).names, ["embed_tokens.weight"])
    }

    func testEqualCopyOfATiedWeightIsDroppedAndADifferentOneKept() throws {
        let copied = try TiedToyModel { $0.detach().clone() }
        XCTAssertEqual(copied.checkpointTensors().map(\.0), ["embed_tokens.weight"])
        let separate = try TiedToyModel { try $0.detach().clone() + 1 }
        XCTAssertEqual(separate.checkpointTensors().map(\.0), ["embed_tokens.weight", "lm_head.weight"])
    }

    func testUntiedConfigKeepsEqualCopies() throws {
        let names = TiedWeights.deduplicated([("a.weight", Tensor.ones([2])), ("lm_head.weight", Tensor.ones([2]))],
                                             tieWordEmbeddings: false).map(\.0)
        XCTAssertEqual(names, ["a.weight", "lm_head.weight"])
    }

    func testSavingOverAFileIsAnErrorNamingIt() throws {
        let model = try AutoModel.fromPretrained(Fixtures.path("tiny-bert"))
        let file = try Fixtures.temporaryDirectory().appendingPathComponent("not-a-directory")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try model.savePretrained(file)) { error in
            XCTAssertTrue(message(error).contains(file.path), message(error))
        }
    }
}

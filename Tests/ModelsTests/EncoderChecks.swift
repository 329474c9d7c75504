import Foundation
import Models
import Tensors
import XCTest

/// One encoder family's fixtures from generate_encoders.py: a checkpoint holding every head, a
/// base checkpoint without prefix, and the reference outputs on a padded batch.
struct EncoderFamily {
    /// `tiny-bert-heads`: every class of the family loads from it.
    let heads: String
    /// `bert-heads.reference.safetensors`.
    let referenceFile: String
    /// The family's class names by task.
    let classes: [ModelTask: String]
    /// The output class of the base model.
    let baseOutput: String
    /// The output fields of the base model with both flags set, in order.
    let baseFields: [String]

    func reference() throws -> [String: Tensor] { try Fixtures.reference(referenceFile) }

    /// The reference batch as model inputs (with token types when the family's batch has them).
    func inputs(_ reference: [String: Tensor], flags: Bool = true) throws -> ModelInputs {
        ModelInputs(inputIds: try XCTUnwrap(reference["input_ids"]), attentionMask: try XCTUnwrap(reference["attention_mask"]),
                    tokenTypeIds: reference["token_type_ids"], outputHiddenStates: flags, outputAttentions: flags)
    }

    /// Loads the class for `task` from `checkpoint` through the Auto classes and checks its name.
    func load(_ task: ModelTask, from checkpoint: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> PreTrainedModel {
        let model = try AutoModel.fromPretrained(Fixtures.path(checkpoint ?? heads), task: task)
        XCTAssertEqual(model.className, classes[task], file: file, line: line)
        XCTAssertFalse(model.training, file: file, line: line)
        return model
    }

    /// The base model against the reference: every field, every layer.
    func checkBase(file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try reference()
        let model = try load(.base, file: file, line: line)
        XCTAssertEqual(model.newlyInitialized, [], file: file, line: line)
        let out = try withNoGrad { try model.forward(inputs(reference)) }
        XCTAssertEqual(out.typeName, baseOutput, file: file, line: line)
        XCTAssertEqual(out.fields.map(\.name), baseFields, file: file, line: line)
        assertClose(try XCTUnwrap(out.lastHiddenState), try XCTUnwrap(reference["base.last_hidden_state"]), "last_hidden_state", file: file, line: line)
        if let pooled = reference["base.pooler_output"] {
            assertClose(try XCTUnwrap(out.poolerOutput), pooled, "pooler_output", file: file, line: line)
        }
        try checkEncoderStates(out, reference, file: file, line: line)
    }

    /// A head's hidden states and attentions equal the base model's (same weights; the
    /// generator asserts so in transformers too).
    func checkEncoderStates(_ out: ModelOutput, _ reference: [String: Tensor], file: StaticString = #filePath, line: UInt = #line) throws {
        let hidden = try XCTUnwrap(out.hiddenStates, file: file, line: line)
        XCTAssertEqual(hidden.count, 3, file: file, line: line)
        for (i, h) in hidden.enumerated() {
            assertClose(h, try XCTUnwrap(reference["base.hidden_states.\(i)"]), "hidden_states[\(i)]", file: file, line: line)
        }
        let attentions = try XCTUnwrap(out.attentions, file: file, line: line)
        XCTAssertEqual(attentions.count, 2, file: file, line: line)
        for (i, a) in attentions.enumerated() {
            assertClose(a, try XCTUnwrap(reference["base.attentions.\(i)"]), "attentions[\(i)]", file: file, line: line)
        }
    }

    /// A head with its labels: output class, field order, every tensor and the loss.
    func checkHead(_ task: ModelTask, file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try reference()
        let model = try load(task, file: file, line: line)
        XCTAssertEqual(model.newlyInitialized, [], file: file, line: line)
        var inputs = try inputs(reference)
        let prefix: String, typeName: String, tensors: [String]
        switch task {
        case .sequenceClassification:
            (prefix, typeName, tensors) = ("sequence", "SequenceClassifierOutput", ["logits"])
            inputs.labels = reference["sequence_labels"]
        case .tokenClassification:
            (prefix, typeName, tensors) = ("token", "TokenClassifierOutput", ["logits"])
            inputs.labels = reference["token_labels"]
        case .questionAnswering:
            (prefix, typeName, tensors) = ("qa", "QuestionAnsweringModelOutput", ["start_logits", "end_logits"])
            inputs.startPositions = reference["start_positions"]
            inputs.endPositions = reference["end_positions"]
        case .maskedLM:
            (prefix, typeName, tensors) = ("mlm", "MaskedLMOutput", ["logits"])
            inputs.labels = reference["mlm_labels"]
        default:
            return XCTFail("no head check for \(task)", file: file, line: line)
        }
        let out = try withNoGrad { try model.forward(inputs) }
        XCTAssertEqual(out.typeName, typeName, file: file, line: line)
        XCTAssertEqual(out.fields.map(\.name), ["loss"] + tensors + ["hidden_states", "attentions"], file: file, line: line)
        for name in tensors {
            assertClose(try XCTUnwrap(out.tensor(name)), try XCTUnwrap(reference["\(prefix).\(name)"]), "\(prefix).\(name)", file: file, line: line)
        }
        XCTAssertEqual(try XCTUnwrap(out.loss).shape, [], file: file, line: line)
        assertClose(try XCTUnwrap(out.loss).reshape([1]), try XCTUnwrap(reference["\(prefix).loss"]), "\(prefix).loss", file: file, line: line)
        try checkEncoderStates(out, reference, file: file, line: line)

        // Without labels or flags: no loss, logits first, as transformers' to_tuple.
        let plain = try model.forward(self.inputs(reference, flags: false))
        XCTAssertEqual(plain.fields.map(\.name), tensors, file: file, line: line)
    }

    /// Every class built from the config alone (`from_config`) has the loaded class's parameter
    /// names, starts in training mode, and runs.
    func checkFromConfig(file: StaticString = #filePath, line: UInt = #line) throws {
        let config = try AutoConfig.fromPretrained(Fixtures.path(heads))
        let reference = try reference()
        for task in classes.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            let fresh = try AutoModel.fromConfig(config, task: task)
            XCTAssertEqual(fresh.className, classes[task], file: file, line: line)
            XCTAssertTrue(fresh.training, file: file, line: line)
            XCTAssertEqual(fresh.stateDict().map(\.0), try load(task, file: file, line: line).stateDict().map(\.0), "\(task)", file: file, line: line)
            fresh.eval()
            XCTAssertNotNil(try fresh.forward(inputs(reference, flags: false)).fields.first, file: file, line: line)
        }
    }

    /// The masked-LM loss's gradient on the word embedding table, which reaches it through the
    /// input lookup and through the tied output projection, against transformers'.
    func checkGradientThroughTheTie(file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try reference()
        let model = try load(.maskedLM, file: file, line: line)
        var inputs = try inputs(reference, flags: false)
        inputs.labels = reference["mlm_labels"]
        try XCTUnwrap(model.forward(inputs).loss, file: file, line: line).backward()
        let table = try XCTUnwrap(model.stateDict().first { $0.0.hasSuffix("embeddings.word_embeddings.weight") }?.1, file: file, line: line)
        assertClose(try XCTUnwrap(table.grad, file: file, line: line), try XCTUnwrap(reference["mlm.word_embeddings_grad"]),
                    "word embedding gradient", file: file, line: line)
    }

    /// A base checkpoint (no prefix) loaded into the head for `task`: the encoder reads the
    /// unprefixed names, `fresh` lists the head weights initialised instead, and the encoder's
    /// output on `reference`'s batch is `reference[expected]`.
    func checkBaseCheckpointInHead(_ task: ModelTask, base: String, fresh: [String], reference: [String: Tensor], expected: String,
                                   file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try load(task, from: base, file: file, line: line)
        XCTAssertEqual(model.newlyInitialized, fresh, file: file, line: line)
        let out = try model.forward(inputs(reference))
        XCTAssertEqual(try XCTUnwrap(out.hiddenStates).count, 3, file: file, line: line)
        assertClose(try XCTUnwrap(out.hiddenStates?.last), try XCTUnwrap(reference[expected]), "encoder output under a fresh head",
                    file: file, line: line)
    }
}

/// The error thrown by `body`, failing when there is none.
func thrownError(_ body: () throws -> Any, file: StaticString = #filePath, line: UInt = #line) -> String {
    do {
        _ = try body()
        XCTFail("expected an error", file: file, line: line)
        return ""
    } catch {
        return message(error)
    }
}

import Foundation
import Models
import Tensors
import XCTest

/// The tiny random GPT-2 against transformers (generate_decoders.py), 1e-4 absolute.
final class GPT2Tests: XCTestCase {
    func testPaddedBatchesMatchTransformers() throws {
        let checks = try DecoderChecks("gpt2")
        try checks.checkRightPadded()
        try checks.checkLeftPadded()
        try checks.checkBaseModel()
    }

    func testCachedDecodeMatchesFullForward() throws {
        try DecoderChecks("gpt2").checkCachedDecode()
    }

    func testHeadIsTiedToTheTokenEmbeddings() throws {
        let checks = try DecoderChecks("gpt2")
        try checks.checkParameterNames(tied: true)
        let model = try XCTUnwrap(checks.model() as? GPT2LMHeadModel)
        XCTAssertTrue(model.lm_head.weight === model.transformer.wte.weight)
        XCTAssertEqual(model.className, "GPT2LMHeadModel")
        // Conv1D keeps transformers' [in, out] layout.
        XCTAssertEqual(model.transformer.h[0].attn.c_attn.weight.shape, [32, 96])
        XCTAssertEqual(model.transformer.h[0].mlp.c_fc.weight.shape, [32, 37])
    }

    func testOutputClassesAndFieldOrder() throws {
        let checks = try DecoderChecks("gpt2")
        let out = try checks.model().forward(ModelInputs(inputIds: checks.ref("right.input_ids"), labels: checks.ref("right.labels"),
                                                         outputHiddenStates: true, outputAttentions: true))
        XCTAssertEqual(out.typeName, "CausalLMOutputWithCrossAttentions")
        // use_cache defaults to the config's (true), as in transformers.
        XCTAssertEqual(out.fields.map(\.name), ["loss", "logits", "past_key_values", "hidden_states", "attentions"])
        let base = try checks.model(.base).forward(ModelInputs(inputIds: checks.ref("right.input_ids")))
        XCTAssertEqual(base.typeName, "BaseModelOutputWithPastAndCrossAttentions")
    }

    func testPositionsBeyondTheLearnedTableAreAnError() throws {
        let model = try DecoderChecks("gpt2").model()
        XCTAssertThrowsError(try model.forward(ModelInputs(inputIds: Tensor(int64: Array(repeating: 1, count: 65), shape: [1, 65])))) { error in
            XCTAssertTrue(message(error).contains("n_positions (64)"), message(error))
        }
    }

    func testSequenceClassificationReadsTheLastRealToken() throws {
        try DecoderChecks("gpt2").checkSequenceClassification(className: "GPT2ForSequenceClassification")
    }

    func testBadInputsAreErrors() throws {
        try DecoderChecks("gpt2").checkBadInputs()
    }
}

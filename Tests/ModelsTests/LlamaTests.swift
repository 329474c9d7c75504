import Foundation
import Models
import Tensors
import XCTest

/// The tiny random Llama, Mistral and Qwen2 against transformers (generate_decoders.py), 1e-4
/// absolute: padded batches, loss, cached decoding, RoPE scaling variants, bad inputs.
final class LlamaTests: XCTestCase {
    func testLlamaPaddedBatchesMatchTransformers() throws {
        let checks = try DecoderChecks("llama")
        try checks.checkRightPadded()
        try checks.checkLeftPadded()
        try checks.checkBaseModel()
    }

    func testLlamaCachedDecodeMatchesFullForward() throws {
        try DecoderChecks("llama").checkCachedDecode()
    }

    func testMistralSlidingWindowMatchesTransformers() throws {
        let checks = try DecoderChecks("mistral", windows: [4, 4])
        try checks.checkRightPadded()
        try checks.checkLeftPadded()
        try checks.checkBaseModel()
        try checks.checkCachedDecode()
    }

    func testQwen2BiasesTiedHeadAndLayerTypesMatchTransformers() throws {
        let checks = try DecoderChecks("qwen2", windows: [nil, 3])
        try checks.checkRightPadded()
        try checks.checkLeftPadded()
        try checks.checkBaseModel()
        try checks.checkCachedDecode()
    }

    func testSequenceClassificationReadsTheLastRealToken() throws {
        try DecoderChecks("llama").checkSequenceClassification(className: "LlamaForSequenceClassification")
    }

    func testClassNamesFollowTheModelType() throws {
        for (name, prefix) in [("llama", "Llama"), ("mistral", "Mistral"), ("qwen2", "Qwen2")] {
            let checks = try DecoderChecks(name)
            XCTAssertEqual(try checks.model().className, prefix + "ForCausalLM")
            XCTAssertEqual(try checks.model(.base).className, prefix + "Model")
        }
    }

    func testParameterNamesAreTheCheckpointNames() throws {
        try DecoderChecks("llama").checkParameterNames(tied: false)
        try DecoderChecks("mistral").checkParameterNames(tied: false)
        // Qwen2's head is tied to the embeddings: lm_head.weight is not in the checkpoint.
        try DecoderChecks("qwen2").checkParameterNames(tied: true)
        let qwen2 = try XCTUnwrap(DecoderChecks("qwen2").model() as? LlamaForCausalLM)
        XCTAssertTrue(qwen2.lm_head.weight === qwen2.model.embed_tokens.weight)
        XCTAssertEqual(qwen2.newlyInitialized, [])
    }

    func testRopeScalingVariantsInBothConfigSpellings() throws {
        let checks = try DecoderChecks("llama")
        for variant in ["linear", "dynamic", "llama3", "yarn", "yarn-mscale"] {
            let model = try AutoModel.fromPretrained(Fixtures.path("tiny-llama-\(variant)"), task: .causalLM)
            let out = try model.forward(ModelInputs(inputIds: checks.ref("right.input_ids"),
                                                    attentionMask: checks.ref("right.attention_mask"), useCache: false))
            assertClose(try XCTUnwrap(out.logits), try checks.ref("rope.\(variant).logits"), "rope \(variant) logits")
        }
    }

    func testUnsupportedRopeTypeIsNamed() throws {
        XCTAssertThrowsError(try AutoModel.fromPretrained(Fixtures.path("tiny-llama"), task: .causalLM,
                                                          overrides: [("rope_parameters", .object([("rope_type", .string("longrope"))]))])) { error in
            XCTAssertTrue(message(error).contains("rope type 'longrope' is not supported"), message(error))
        }
    }

    func testBadInputsAreErrors() throws {
        try DecoderChecks("llama").checkBadInputs()
        try DecoderChecks("qwen2").checkBadInputs()
    }

    func testShapeDisagreeingWithConfigNamesTensor() throws {
        XCTAssertThrowsError(try AutoModel.fromPretrained(Fixtures.path("tiny-llama"), task: .causalLM,
                                                          overrides: [("num_key_value_heads", .int(4))])) { error in
            guard case ModelError.shapeMismatch(let text) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(text.contains("'model.layers.0.self_attn.k_proj.weight'") && text.contains("[16, 32]") && text.contains("[32, 32]"), text)
        }
    }

    func testSingleTokenDecodeWithoutPaddingBuildsTheSameLogits() throws {
        // No mask and one token at a time: the path generation takes, with no mask materialised.
        let checks = try DecoderChecks("llama")
        let model = try checks.model()
        let ids = try checks.ref("right.input_ids").slice(0, start: 0, end: 1).contiguous()
        let full = try XCTUnwrap(model.forward(ModelInputs(inputIds: ids, useCache: false)).logits)
        let cache = KeyValueCache(layers: 2)
        let copiesBefore = MatMulDiagnostics.operandCopies
        for t in 0..<ids.shape[1] {
            let step = try model.forward(ModelInputs(inputIds: ids.slice(1, start: t, end: t + 1).contiguous(), pastKeyValues: cache))
            assertClose(try XCTUnwrap(step.logits), try full.slice(1, start: t, end: t + 1).contiguous(), "decode step \(t)")
        }
        XCTAssertEqual(cache.sequenceLength, ids.shape[1])
        // Attention reads the cached keys and values in place: no operand is copied for BLAS.
        XCTAssertEqual(MatMulDiagnostics.operandCopies, copiesBefore)
    }

    func testInputsEmbedsGiveTheSameLogitsAsInputIds() throws {
        let checks = try DecoderChecks("llama")
        let model = try XCTUnwrap(checks.model() as? LlamaForCausalLM)
        let embeds = try withNoGrad { try model.model.embed_tokens(checks.ref("right.input_ids")) }
        let out = try model.forward(ModelInputs(attentionMask: checks.ref("right.attention_mask"), inputsEmbeds: embeds, useCache: false))
        assertClose(try XCTUnwrap(out.logits), try checks.ref("right.logits"), "logits from inputs_embeds")
        XCTAssertThrowsError(try model.forward(ModelInputs(inputIds: checks.ref("right.input_ids"), inputsEmbeds: embeds))) { error in
            XCTAssertTrue(message(error).contains("exactly one of input_ids or inputs_embeds"), message(error))
        }
    }

    func testTrainingStepReachesTheProjectionsThroughTheCache() throws {
        let checks = try DecoderChecks("llama")
        let model = try checks.model()
        model.train()
        let out = try model.forward(ModelInputs(inputIds: checks.ref("right.input_ids"), attentionMask: checks.ref("right.attention_mask"),
                                                labels: checks.ref("right.labels"), useCache: true))
        try XCTUnwrap(out.loss).backward()
        let llama = try XCTUnwrap(model as? LlamaForCausalLM)
        let grad = try XCTUnwrap(llama.model.layers[0].self_attn.k_proj.weight.grad)
        XCTAssertGreaterThan(grad.toFloatArray().map { abs($0) }.max() ?? 0, 0)
    }

    func testFromConfigBuildsAFreshModel() throws {
        let config = try AutoConfig.fromPretrained(Fixtures.path("tiny-mistral"))
        let model = try AutoModel.fromConfig(config, task: .causalLM)
        XCTAssertEqual(model.className, "MistralForCausalLM")
        let out = try withNoGrad { try model.forward(ModelInputs(inputIds: Tensor(int64: [1, 2, 3], shape: [1, 3]))) }
        XCTAssertEqual(out.logits?.shape, [1, 3, 100])
    }
}

import Foundation
import Models
import NN
import Tensors
import XCTest

/// BERT's inference path (packed QKV product, fused attention, fused output blocks) against
/// its training path (the composed ops autograd records) and transformers' outputs, and the
/// packed projection weights staying what the checkpoint and `loadStateDict` say.
final class BertFusedPathTests: XCTestCase {
    var reference: [String: Tensor] = [:]

    override func setUpWithError() throws {
        reference = try Fixtures.reference("tiny-bert.reference.safetensors")
    }

    func ref(_ name: String) throws -> Tensor {
        try XCTUnwrap(reference[name], "reference tensor \(name)")
    }

    /// The model's outputs on the padded batch with every flag on.
    private func outputs(_ model: BertModel) throws -> ModelOutput {
        try model(inputIds: ref("input_ids"), attentionMask: ref("attention_mask"), tokenTypeIds: ref("token_type_ids"),
                  outputHiddenStates: true, outputAttentions: true)
    }

    func testInferencePathMatchesTheRecordedPath() throws {
        let model = try BertModel.fromPretrained(Fixtures.path("tiny-bert"))
        let fused = try withNoGrad { try outputs(model) }
        // A parameter that requires grad makes every block take the composed, recorded ops.
        for p in model.parameters() { p.requiresGrad = true }
        let recorded = try outputs(model)
        XCTAssertNotNil(recorded.lastHiddenState?.gradFn)
        assertClose(try XCTUnwrap(fused.lastHiddenState), try XCTUnwrap(recorded.lastHiddenState), tolerance: 1e-5, "last_hidden_state")
        for (a, b) in zip(try XCTUnwrap(fused.attentions), try XCTUnwrap(recorded.attentions)) {
            assertClose(a, b, tolerance: 1e-5, "attentions")
        }
        try XCTUnwrap(recorded.lastHiddenState).sum().backward()
        XCTAssertNotNil(model.encoder.layer[0].attention.`self`.key.weight.grad)
    }

    func testPaddedBatchWithoutAttentionsMatchesTransformers() throws {
        let model = try BertModel.fromPretrained(Fixtures.path("tiny-bert"))
        let out = try model(inputIds: ref("input_ids"), attentionMask: ref("attention_mask"), tokenTypeIds: ref("token_type_ids"))
        XCTAssertNil(out.attentions)
        assertClose(try XCTUnwrap(out.lastHiddenState), try ref("last_hidden_state"), "last_hidden_state")
    }

    func testLoadedProjectionWeightsReachThePackedProduct() throws {
        let model = try BertModel.fromPretrained(Fixtures.path("tiny-bert"))
        let attention = model.encoder.layer[0].attention.`self`
        // Checkpoint parameters require grad (as torch's do), so packing applies without recording.
        XCTAssertNotNil(withNoGrad { Linear.packedParameters([attention.query, attention.key, attention.value]) })
        XCTAssertNil(Linear.packedParameters([attention.query, attention.key, attention.value]))
        // Changed weights loaded in place land in the packed buffer; the fused path sees them.
        let changed = try attention.value.weight * 2
        try model.loadStateDict(["encoder.layer.0.attention.self.value.weight": changed], strict: false)
        XCTAssertNotNil(withNoGrad { Linear.packedParameters([attention.query, attention.key, attention.value]) })
        let fused = try withNoGrad { try outputs(model).lastHiddenState! }
        model.parameters().forEach { $0.requiresGrad = true }
        let recorded = try outputs(model).lastHiddenState!
        assertClose(fused, recorded, tolerance: 1e-5, "after loadStateDict")
        XCTAssertGreaterThan(maxAbsDifference(fused, try ref("last_hidden_state")), 1e-3)
    }

    func testReplacedProjectionWeightIsUsed() throws {
        let model = try BertModel.fromPretrained(Fixtures.path("tiny-bert"))
        let attention = model.encoder.layer[1].attention.`self`
        let original = try withNoGrad { try outputs(model).lastHiddenState! }
        // A new tensor (not a view of the packed buffer): the three projections run apart.
        attention.key.weight = attention.key.weight.clone()
        XCTAssertNil(withNoGrad { Linear.packedParameters([attention.query, attention.key, attention.value]) })
        assertClose(try withNoGrad { try outputs(model).lastHiddenState! }, original, tolerance: 1e-6, "cloned key weight")
        attention.key.weight = try attention.key.weight * 0.5
        let halved = try withNoGrad { try outputs(model).lastHiddenState! }
        XCTAssertGreaterThan(maxAbsDifference(halved, original), 1e-4)
    }
}

import Foundation
@testable import Models
import Tensors
import XCTest

/// Causal models loaded from GGUF files produce transformers' logits for the same file
/// (transformers dequantizes GGUF to float32 too): the tiny llama, qwen2 and gpt2 files over
/// every position, and the real SmolLM2-135M-Instruct Q4_1 at the last position of two prompts.
final class GGUFLogitsTests: XCTestCase {
    func assertTinyLogits(_ arch: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let directory = Fixtures.models.appendingPathComponent("gguf")
        let model = try AutoModel.fromPretrained(directory.path, task: .causalLM, ggufFile: "tiny-\(arch).gguf")
        let reference = try Fixtures.reference("gguf/tiny-\(arch).reference.safetensors")
        let ids = try XCTUnwrap(reference["input_ids"])
        let out = try withNoGrad { try model.forward(ModelInputs(inputIds: ids)) }
        assertClose(try XCTUnwrap(out.logits), try XCTUnwrap(reference["logits"]), "tiny-\(arch).gguf logits", file: file, line: line)
    }

    func testTinyLlamaLogits() throws { try assertTinyLogits("llama") }
    func testTinyQwen2Logits() throws { try assertTinyLogits("qwen2") }
    func testTinyGPT2Logits() throws { try assertTinyLogits("gpt2") }

    func testSmolLM2LastPositionLogits() throws {
        let reference = try Fixtures.reference("smollm2-gguf.logits.safetensors")
        var parser = ConfigJSONParser(try Data(contentsOf: Fixtures.models.appendingPathComponent("smollm2-gguf.reference.json")),
                                      source: "smollm2-gguf.reference.json")
        let filename = try XCTUnwrap(try parser.parse()["file"]?.stringValue)
        guard let directory = try? ModelLocation.resolve("HuggingFaceTB/SmolLM2-135M-Instruct") else {
            return XCTFail("SmolLM2-135M-Instruct is not in the Hugging Face cache (\(ModelLocation.hubCache().path)); run `HF_HOME=... python3 scripts/fetch_models.py`")
        }
        let model = try AutoModel.fromPretrained(directory.path, task: .causalLM, ggufFile: filename)
        XCTAssertEqual(model.className, "LlamaForCausalLM")
        for prompt in 0..<2 {
            let ids = try XCTUnwrap(reference["input_ids.\(prompt)"])
            let batch = ids.rank == 1 ? try ids.view([1, ids.shape[0]]) : ids
            var inputs = ModelInputs(inputIds: batch)
            inputs.logitsToKeep = 1
            let out = try withNoGrad { try model.forward(inputs) }
            let last = try XCTUnwrap(out.logits).reshape([-1])
            let expected = try XCTUnwrap(reference["logits.\(prompt)"]).reshape([-1])
            // 30 layers of float32 with different summation orders: within 1e-3 of logits whose
            // magnitude is ~10, and the same top token.
            let a = last.toFloatArray(), b = expected.toFloatArray()
            XCTAssertEqual(a.count, b.count)
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(worst, 1e-3, "prompt \(prompt): max |Δlogit| = \(worst)")
            XCTAssertEqual(a.indices.max { a[$0] < a[$1] }, b.indices.max { b[$0] < b[$1] }, "prompt \(prompt): top token")
        }
    }
}

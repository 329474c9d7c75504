import Foundation
import Models
import Tensors
import Tokenizers
import XCTest

/// The real SmolLM2-135M-Instruct (Q4_1 GGUF) answers chat prompts exactly as transformers'
/// greedy `generate` does (Tests/Fixtures/generation/generate_smollm2.py): the chat template's
/// ids and every generated token identical.
final class SmolLM2ChatTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let messages: [[String: String]]
            let prompt_ids: [Int]
            let generated_ids: [Int]
            let answer: String
        }
        let model: String
        let gguf_file: String
        let max_new_tokens: Int
        let cases: [Case]
    }

    func testGreedyChatAnswersMatchTransformers() throws {
        let url = Fixtures.models.deletingLastPathComponent().appendingPathComponent("generation/smollm2_chat.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        guard let directory = try? ModelLocation.resolve(fixture.model) else {
            return XCTFail("\(fixture.model) is not in the Hugging Face cache (\(ModelLocation.hubCache().path)); run `HF_HOME=... python3 scripts/fetch_models.py`")
        }
        let tokenizer = try AutoTokenizer.fromPretrained(directory.path, ggufFile: fixture.gguf_file)
        let model = try AutoModel.fromPretrained(directory.path, task: .causalLM, ggufFile: fixture.gguf_file)
        for c in fixture.cases {
            let conversation: [TemplateValue] = c.messages.map { message in
                .object(TemplateObject(message.sorted { $0.key > $1.key }.map { ($0.key, TemplateValue.string($0.value)) }))
            }
            let encoding = try tokenizer.applyChatTemplate([conversation], addGenerationPrompt: true, batched: false)
            let ids = try XCTUnwrap(encoding["input_ids"]?.intRows?.first)
            XCTAssertEqual(ids, c.prompt_ids, c.answer)
            let output = try withNoGrad {
                try model.generate(inputIds: Tensor(int64: ids.map(Int64.init), shape: [1, ids.count]),
                                   options: [("max_new_tokens", .int(fixture.max_new_tokens)), ("do_sample", .bool(false))])
            }
            let sequence = try XCTUnwrap(output.tensor("sequences")).toInt64Array().map(Int.init)
            XCTAssertEqual(Array(sequence.dropFirst(ids.count)), c.generated_ids, c.answer)
            XCTAssertEqual(try tokenizer.decode(Array(sequence.dropFirst(ids.count)), skipSpecialTokens: true), c.answer)
        }
    }
}

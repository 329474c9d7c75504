import Foundation
import Models
import Tensors
import Tokenizers
import XCTest

/// The real sentence-transformers/all-MiniLM-L6-v2 from $HF_HOME (scripts/test.sh fetches it):
/// mean-pooled sentence embeddings within 1e-4 (absolute) of transformers on 24 sentences.
final class MiniLMTests: XCTestCase {
    static let modelId = "sentence-transformers/all-MiniLM-L6-v2"

    func testMeanPooledEmbeddingsMatchTransformers() throws {
        let cache = ModelLocation.hubCache()
        let repo = cache.appendingPathComponent("models--sentence-transformers--all-MiniLM-L6-v2")
        guard FileManager.default.fileExists(atPath: repo.path) else {
            return XCTFail("all-MiniLM-L6-v2 is not in the Hugging Face cache (looked in \(repo.path)); run `HF_HOME=... python3 scripts/fetch_models.py` and set HF_HOME")
        }
        let sentences = try JSONDecoder().decode([String].self, from: Data(contentsOf: Fixtures.models.appendingPathComponent("minilm.sentences.json")))
        XCTAssertGreaterThanOrEqual(sentences.count, 20)
        let reference = try Fixtures.reference("minilm.reference.safetensors")

        // Tokenize on our side first and check it is what transformers fed its model.
        let tokenizer = try AutoTokenizer.fromPretrained(MiniLMTests.modelId)
        var options = TokenizerCallOptions()
        options.padding = .longest
        let batch = try tokenizer(sentences, options: options)
        func tensor(_ key: String) throws -> Tensor {
            let rows = try XCTUnwrap(batch[key]?.intRows, key)
            return try Tensor(int64: rows.flatMap { $0.map(Int64.init) }, shape: [rows.count, rows.first?.count ?? 0])
        }
        let inputIds = try tensor("input_ids"), attentionMask = try tensor("attention_mask"), tokenTypeIds = try tensor("token_type_ids")
        XCTAssertEqual(inputIds.shape, reference["input_ids"]?.shape)
        XCTAssertEqual(inputIds.toInt64Array(), reference["input_ids"]?.toInt64Array())
        XCTAssertEqual(attentionMask.toInt64Array(), reference["attention_mask"]?.toInt64Array())

        let model = try BertModel.fromPretrained(MiniLMTests.modelId)
        let hidden = try withNoGrad {
            try model(inputIds: inputIds, attentionMask: attentionMask, tokenTypeIds: tokenTypeIds).lastHiddenState!
        }
        // Mean pooling over the attended tokens, as sentence-transformers does.
        let mask = try attentionMask.to(.float32).unsqueeze(-1)
        let embeddings = try (hidden * mask).sum(dims: [1]) / mask.sum(dims: [1]).clamp(min: 1e-9)
        assertClose(embeddings, try XCTUnwrap(reference["embeddings"]), "mean-pooled embeddings")
    }
}

import Foundation
@testable import Models
import Tensors
import XCTest

/// GGUF files read as transformers reads them (fixtures from
/// Tests/Fixtures/models/generate_gguf.py): the config parsed from the metadata, and every
/// tensor's name, shape and values after dequantization and llama's Q/K un-permutation or
/// gpt2's transposes. Tiny random llama, qwen2 and gpt2 files, and the real SmolLM2-135M Q4_1.
final class GGUFCheckpointTests: XCTestCase {
    /// A JSON reference written by generate_gguf.py, as config values (exact numbers, key order).
    func reference(_ relative: String) throws -> ConfigValue {
        var parser = ConfigJSONParser(try Data(contentsOf: Fixtures.models.appendingPathComponent(relative)), source: relative)
        return try parser.parse()
    }

    /// The config equals the dict transformers' `load_gguf_checkpoint` parses (same keys in the
    /// same order, same values), and agrees with the config class built from it.
    func assertConfig(_ config: ModelConfig, _ reference: ConfigValue, file: StaticString = #filePath, line: UInt = #line) throws {
        let parsed = try XCTUnwrap(reference["parsed"]?.objectValue, file: file, line: line)
        XCTAssertEqual(config.values.map(\.0), parsed.map(\.0), "config keys", file: file, line: line)
        for (key, value) in parsed {
            XCTAssertEqual(config[key], value, key, file: file, line: line)
        }
        let full = try XCTUnwrap(reference["config"], file: file, line: line)
        for (key, value) in config.values {
            if key == "rope_theta" {
                XCTAssertEqual(value, full["rope_parameters"]?["rope_theta"], "rope_parameters.rope_theta", file: file, line: line)
            } else if let expected = full[key] {
                XCTAssertEqual(value, expected, "config class: \(key)", file: file, line: line)
            }
        }
    }

    /// Every tensor transformers loaded is there under its name with its shape, and its values
    /// have the recorded digest: first 8 and 16 spread-out values exactly, float64 sums to
    /// rounding. No other tensor is offered.
    func assertTensors(_ weights: WeightSource, _ reference: ConfigValue, file: StaticString = #filePath, line: UInt = #line) throws {
        let digests = try XCTUnwrap(reference["tensors"]?.arrayValue, file: file, line: line)
        XCTAssertEqual(Set(weights.names), Set(digests.compactMap { $0["name"]?.stringValue }), "tensor names", file: file, line: line)
        for digest in digests {
            let name = try XCTUnwrap(digest["name"]?.stringValue)
            let shape = try XCTUnwrap(digest["shape"]?.arrayValue).compactMap(\.intValue)
            XCTAssertEqual(weights.shape(of: name), shape, "\(name) shape (before reading)", file: file, line: line)
            let tensor = try weights.rawTensor(name)
            XCTAssertEqual(tensor.shape, shape, "\(name) shape", file: file, line: line)
            XCTAssertEqual(tensor.dtype, .float32)
            let values = tensor.contiguous().toFloatArray()
            func floats(_ key: String) throws -> [Float] { try XCTUnwrap(digest[key]?.arrayValue).compactMap(\.doubleValue).map(Float.init) }
            XCTAssertEqual(Array(values.prefix(8)), try floats("first"), "\(name) first values", file: file, line: line)
            let indices = try XCTUnwrap(digest["sample_indices"]?.arrayValue).compactMap(\.intValue)
            XCTAssertEqual(indices.map { values[$0] }, try floats("sample"), "\(name) sampled values", file: file, line: line)
            let (sum, sumAbs, sumSquares) = sums(values)
            let scale = max(sumAbs, 1e-30)
            XCTAssertEqual(sum, try XCTUnwrap(digest["sum"]?.doubleValue), accuracy: scale * 1e-11, "\(name) sum", file: file, line: line)
            XCTAssertEqual(sumAbs, try XCTUnwrap(digest["sum_abs"]?.doubleValue), accuracy: scale * 1e-11, "\(name) sum |x|", file: file, line: line)
            XCTAssertEqual(sumSquares, try XCTUnwrap(digest["sum_squares"]?.doubleValue), accuracy: max(sumSquares, 1e-30) * 1e-11, "\(name) sum x²", file: file, line: line)
        }
    }

    func tiny(_ arch: String) throws -> (GGUFCheckpoint, ConfigValue) {
        let checkpoint = try GGUFCheckpoint(path: Fixtures.models.appendingPathComponent("gguf/tiny-\(arch).gguf"))
        return (checkpoint, try reference("gguf/tiny-\(arch).reference.json"))
    }

    func testTinyLlamaConfigMatchesTransformers() throws {
        let (checkpoint, reference) = try tiny("llama")
        try assertConfig(checkpoint.config, reference)
        XCTAssertEqual(checkpoint.config.modelType, "llama")
        XCTAssertEqual(checkpoint.config["tie_word_embeddings"], .bool(false), "the file has output.weight")
    }

    func testTinyLlamaTensorsMatchTransformersWithQKRowsUnpermuted() throws {
        let (checkpoint, reference) = try tiny("llama")
        try assertTensors(checkpoint.weights, reference)
        XCTAssertFalse(checkpoint.weights.contains("rope_freqs.weight"), "llama.cpp's rope_freqs has no transformers counterpart")
        // The attention projections in full: q/k rows are un-permuted, v/o untouched.
        let full = try Fixtures.reference("gguf/tiny-llama.reference.safetensors")
        let attention = full.keys.filter { $0.contains("self_attn") }.sorted()
        XCTAssertEqual(attention.count, 8)
        for name in attention {
            let got = try checkpoint.weights.rawTensor(name).toFloatArray()
            XCTAssertEqual(got, try XCTUnwrap(full[name]).toFloatArray(), name)
        }
    }

    func testTinyQwen2ConfigAndTensorsMatchTransformers() throws {
        let (checkpoint, reference) = try tiny("qwen2")
        try assertConfig(checkpoint.config, reference)
        XCTAssertEqual(checkpoint.config["tie_word_embeddings"], .bool(true), "no output.weight: tied")
        XCTAssertNil(checkpoint.config["head_dim"], "qwen2 drops rope.dimension_count")
        try assertTensors(checkpoint.weights, reference)
        XCTAssertFalse(checkpoint.weights.contains("lm_head.weight"))
        let full = try Fixtures.reference("gguf/tiny-qwen2.reference.safetensors")
        for name in full.keys where name.contains("self_attn") {
            XCTAssertEqual(try checkpoint.weights.rawTensor(name).toFloatArray(), try XCTUnwrap(full[name]).toFloatArray(), name)
        }
    }

    /// A llama file named "mistral" loads as mistral, its metadata keys renamed, its Q/K rows
    /// un-permuted as llama's (reference: transformers' loading loop with llama's name map, as
    /// its own from_pretrained cannot name mistral GGUF tensors; see generate_gguf.py).
    func testLlamaFileNamedMistralLoadsAsMistral() throws {
        let (checkpoint, reference) = try tiny("mistral")
        XCTAssertEqual(checkpoint.file.string("general.architecture"), "llama")
        XCTAssertEqual(checkpoint.config.modelType, "mistral")
        try assertConfig(checkpoint.config, reference)
        try assertTensors(checkpoint.weights, reference)
        let full = try Fixtures.reference("gguf/tiny-mistral.reference.safetensors")
        XCTAssertEqual(full.count, 4)
        for (name, expected) in full {
            XCTAssertEqual(try checkpoint.weights.rawTensor(name).toFloatArray(), expected.toFloatArray(), name)
        }
    }

    func testTinyGPT2ConfigAndTransposedTensorsMatchTransformers() throws {
        let (checkpoint, reference) = try tiny("gpt2")
        try assertConfig(checkpoint.config, reference)
        XCTAssertEqual(checkpoint.config["vocab_size"], .int(128), "counted from the tokenizer's tokens")
        try assertTensors(checkpoint.weights, reference)
        let full = try Fixtures.reference("gguf/tiny-gpt2.reference.safetensors")
        for name in full.keys where name.contains("attn") {
            XCTAssertEqual(try checkpoint.weights.rawTensor(name).toFloatArray(), try XCTUnwrap(full[name]).toFloatArray(), name)
        }
    }

    // MARK: The real SmolLM2-135M-Instruct Q4_1

    func smolLM2() throws -> (GGUFCheckpoint, ConfigValue)? {
        let reference = try reference("smollm2-gguf.reference.json")
        let filename = try XCTUnwrap(reference["file"]?.stringValue)
        let repo = ModelLocation.hubCache().appendingPathComponent("models--HuggingFaceTB--SmolLM2-135M-Instruct")
        guard let directory = try? ModelLocation.resolve("HuggingFaceTB/SmolLM2-135M-Instruct"),
              FileManager.default.fileExists(atPath: directory.appendingPathComponent(filename).path) else {
            XCTFail("SmolLM2-135M-Instruct (\(filename)) is not in the Hugging Face cache (looked in \(repo.path)); run `HF_HOME=... python3 scripts/fetch_models.py` and set HF_HOME")
            return nil
        }
        return (try GGUFCheckpoint(path: directory.appendingPathComponent(filename)), reference)
    }

    func testSmolLM2ConfigMatchesTransformers() throws {
        guard let (checkpoint, reference) = try smolLM2() else { return }
        try assertConfig(checkpoint.config, reference)
        XCTAssertEqual(checkpoint.config["tie_word_embeddings"], .bool(true))
    }

    func testSmolLM2TensorsMatchTransformers() throws {
        guard let (checkpoint, reference) = try smolLM2() else { return }
        try assertTensors(checkpoint.weights, reference)
    }

    // MARK: Errors

    func testAutoModelNamesTheGGUFFileThatIsCorrupt() throws {
        let url = try damagedCopy { $0.removeLast(1000) }
        XCTAssertThrowsError(try AutoModel.fromPretrained(url.deletingLastPathComponent().path, task: .causalLM, ggufFile: "model.gguf")) { error in
            XCTAssertTrue(message(error).contains(url.path) && message(error).contains("truncated"), message(error))
        }
    }

    /// A copy of the tiny llama file, changed by `edit`, in a temporary directory.
    func damagedCopy(_ edit: (inout [UInt8]) -> Void) throws -> URL {
        var bytes = [UInt8](try Data(contentsOf: Fixtures.models.appendingPathComponent("gguf/tiny-llama.gguf")))
        edit(&bytes)
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("model.gguf")
        try Data(bytes).write(to: url)
        return url
    }

    /// The position just after the first occurrence of `text` in `bytes`.
    func end(of text: String, in bytes: [UInt8]) -> Int {
        let needle = Array(text.utf8)
        for i in 0...(bytes.count - needle.count) where Array(bytes[i..<i + needle.count]) == needle { return i + needle.count }
        XCTFail("\(text) not found")
        return 0
    }

    func assertError(_ url: URL, mentions parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try GGUFCheckpoint(path: url), file: file, line: line) { error in
            let text = message(error)
            for part in parts + [url.path] {
                XCTAssertTrue(text.contains(part), "'\(text)' should mention \(part)", file: file, line: line)
            }
        }
    }

    func testTruncatedFileIsAnErrorNamingIt() throws {
        let url = try damagedCopy { $0.removeLast(1000) }
        assertError(url, mentions: ["truncated"])
    }

    func testNotAGGUFFileIsAnErrorNamingIt() throws {
        let url = try damagedCopy { $0[0] = UInt8(ascii: "X") }
        assertError(url, mentions: ["not a GGUF file"])
    }

    func testUnsupportedArchitectureListsTheSupportedOnes() throws {
        let url = try damagedCopy { bytes in
            // "general.architecture" = "llama" -> "lxama" (same length, so the file stays valid).
            let value = end(of: "general.architecture", in: bytes) + 4 + 8
            bytes[value + 1] = UInt8(ascii: "x")
        }
        assertError(url, mentions: ["'lxama'", "not supported", "llama, mistral, qwen2, gpt2"])
    }

    func testUnsupportedTensorTypeNamesTheTensorAndListsTheSupportedTypes() throws {
        let url = try damagedCopy { bytes in
            // blk.0.ffn_up.weight is Q4_0; IQ4_NL has the same block size and bytes, so only the
            // type code changes: after the name come rank (4 bytes), 2 dims (16), then the type.
            let type = end(of: "blk.0.ffn_up.weight", in: bytes) + 4 + 16
            XCTAssertEqual(bytes[type], UInt8(GGMLType.q4_0.rawValue))
            bytes[type] = UInt8(GGMLType.iq4_nl.rawValue)
        }
        assertError(url, mentions: ["blk.0.ffn_up.weight", "IQ4_NL", "supported types", "Q4_K", "BF16"])
    }
}

/// Sum, sum of |x| and sum of squares in float64, summed in blocks of 1024 then over the
/// blocks, so the rounding error stays near 1e-13 relative whatever order the reference used
/// (and the loop stays cheap in debug builds).
func sums(_ values: [Float]) -> (Double, Double, Double) {
    values.withUnsafeBufferPointer { p in
        var total = (0.0, 0.0, 0.0)
        var start = 0
        while start < p.count {
            let end = min(p.count, start + 1024)
            var s = 0.0, a = 0.0, q = 0.0
            for i in start..<end { let d = Double(p[i]); s += d; a += Swift.abs(d); q += d * d }
            total.0 += s; total.1 += a; total.2 += q
            start = end
        }
        return total
    }
}

import Foundation
@testable import Models
import Tensors
import XCTest

/// `generate` against transformers' own `generate` on two tiny random causal models
/// (Tests/Fixtures/generation/generate.py): every case's token ids identical, returned scores
/// within 1e-4.
final class GenerationTests: XCTestCase {
    struct Case: Decodable {
        let model: String
        let label: String
        let input_ids: [[Int]]
        let attention_mask: [[Int]]
        let kwargs: [String: JSONScalar]
        let sequences: [[Int]]
        let sequences_scores: [Float]?
        let scores: [[[Float?]]]?
        let beam_indices: [[Int]]?
    }

    /// A kwargs value: a number, a bool, a string, or (nested) lists of them.
    indirect enum JSONScalar: Decodable {
        case int(Int), double(Double), bool(Bool), string(String), list([JSONScalar])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let i = try? c.decode(Int.self) { self = .int(i) }
            else if let d = try? c.decode(Double.self) { self = .double(d) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else { self = .list(try c.decode([JSONScalar].self)) }
        }
        var config: ConfigValue {
            switch self {
            case .int(let i): return .int(i)
            case .double(let d): return .double(d)
            case .bool(let b): return .bool(b)
            case .string(let s): return .string(s)
            case .list(let l): return .array(l.map(\.config))
            }
        }
    }

    static let directory = Fixtures.models.deletingLastPathComponent().appendingPathComponent("generation")

    func loadCases() throws -> [Case] {
        try JSONDecoder().decode([Case].self, from: Data(contentsOf: GenerationTests.directory.appendingPathComponent("cases.json")))
    }

    func testEveryCaseMatchesTransformers() throws {
        let cases = try loadCases()
        XCTAssertGreaterThan(cases.count, 60)
        var models: [String: PreTrainedModel] = [:]
        for c in cases {
            let model = try models[c.model] ?? AutoModel.fromPretrained(GenerationTests.directory.appendingPathComponent(c.model).path, task: .causalLM)
            models[c.model] = model
            let rows = c.input_ids.count, length = c.input_ids[0].count
            let ids = try Tensor(int64: c.input_ids.flatMap { $0.map(Int64.init) }, shape: [rows, length])
            let mask = try Tensor(int64: c.attention_mask.flatMap { $0.map(Int64.init) }, shape: [rows, length])
            var options: [(String, ConfigValue)] = [("do_sample", .bool(false)), ("pad_token_id", .int(0))]
            options += c.kwargs.sorted { $0.key < $1.key }.map { ($0.key, $0.value.config) }
            let out = try model.generate(inputIds: ids, attentionMask: mask, options: options)
            let sequences = try XCTUnwrap(out.tensor("sequences"))
            let got = (0..<sequences.shape[0]).map { r in
                Array(sequences.toInt64Array()[r * sequences.shape[1] ..< (r + 1) * sequences.shape[1]]).map(Int.init)
            }
            XCTAssertEqual(got, c.sequences, "\(c.model) \(c.label)")
            if let expected = c.sequences_scores {
                let scores = try XCTUnwrap(out.tensor("sequences_scores"), c.label).toFloatArray()
                XCTAssertEqual(scores.count, expected.count, c.label)
                for (a, b) in zip(scores, expected) { XCTAssertEqual(a, b, accuracy: 1e-4, c.label) }
            }
            if let expected = c.scores {
                let steps = try XCTUnwrap(out["scores"]?.tensors, c.label)
                XCTAssertEqual(steps.count, expected.count, c.label)
                for (step, reference) in zip(steps, expected) {
                    for (a, b) in zip(step.toFloatArray(), reference.flatMap { $0 }) {
                        // JSON has no -inf: Python wrote -Infinity, decoded as nil here.
                        if let b { XCTAssertEqual(a, b, accuracy: 1e-4, c.label) } else { XCTAssertEqual(a, -.infinity, c.label) }
                    }
                }
            }
            if let expected = c.beam_indices {
                let indices = try XCTUnwrap(out.tensor("beam_indices"), c.label)
                XCTAssertEqual(indices.toInt64Array().map(Int.init), expected.flatMap { $0 }, c.label)
            }
        }
    }

    func testBadOptionsAreNamed() throws {
        let model = try AutoModel.fromPretrained(GenerationTests.directory.appendingPathComponent("tiny-llama-gen").path, task: .causalLM)
        let ids = try Tensor(int64: [5, 9, 13], shape: [1, 3])
        XCTAssertThrowsError(try model.generate(inputIds: ids, options: [("num_beam", .int(2))])) { error in
            XCTAssertTrue(message(error).contains("'num_beam'") && message(error).contains("num_beams"), message(error))
        }
        XCTAssertThrowsError(try model.generate(inputIds: ids, options: [("do_sample", .bool(true)), ("temperature", .double(0))])) { error in
            XCTAssertTrue(message(error).contains("`temperature`") && message(error).contains("do_sample=False"), message(error))
        }
        XCTAssertThrowsError(try model.generate(inputIds: ids, options: [("num_return_sequences", .int(2))])) { error in
            XCTAssertTrue(message(error).contains("num_return_sequences"), message(error))
        }
        XCTAssertThrowsError(try model.generate(inputIds: ids, options: [("max_length", .int(3))])) { error in
            XCTAssertTrue(message(error).contains("max_new_tokens"), message(error))
        }
    }

    func testSamplingIsReproducibleUnderASeed() throws {
        let model = try AutoModel.fromPretrained(GenerationTests.directory.appendingPathComponent("tiny-llama-gen").path, task: .causalLM)
        let ids = try Tensor(int64: [5, 9, 13, 7], shape: [1, 4])
        let options: [(String, ConfigValue)] = [("do_sample", .bool(true)), ("max_new_tokens", .int(12)), ("top_k", .int(0)),
                                                ("num_return_sequences", .int(3))]
        manualSeed(7)
        let first = try XCTUnwrap(model.generate(inputIds: ids, options: options).tensor("sequences")).toInt64Array()
        manualSeed(7)
        let second = try XCTUnwrap(model.generate(inputIds: ids, options: options).tensor("sequences")).toInt64Array()
        XCTAssertEqual(first, second)
        manualSeed(8)
        let third = try XCTUnwrap(model.generate(inputIds: ids, options: options).tensor("sequences")).toInt64Array()
        XCTAssertNotEqual(first, third)
        // top_k = 1 leaves one candidate: sampling is greedy search.
        let greedy = try XCTUnwrap(model.generate(inputIds: ids, options: [("max_new_tokens", .int(8))]).tensor("sequences")).toInt64Array()
        let topOne = try XCTUnwrap(model.generate(inputIds: ids, options: [("do_sample", .bool(true)), ("top_k", .int(1)),
                                                                             ("max_new_tokens", .int(8))]).tensor("sequences")).toInt64Array()
        XCTAssertEqual(greedy, topOne)
    }

    struct Streaming: Decodable {
        struct Stream: Decodable {
            let pieces: [String]
            let tokens: [Int]
            let emitted: [[JSONScalar]]
        }
        struct StopCase: Decodable {
            let tokens: [Int]
            let done: Bool
        }
        let streams: [Stream]
        let stop_vocabulary: [String]
        let stop_strings: [String]
        let stop_cases: [StopCase]
    }

    func streaming() throws -> Streaming {
        try JSONDecoder().decode(Streaming.self, from: Data(contentsOf: GenerationTests.directory.appendingPathComponent("streaming.json")))
    }

    func testTextStreamerReleasesWhatTransformersReleases() throws {
        for stream in try streaming().streams {
            var emitted: [[JSONScalar]] = []
            let streamer = TextStreamer(decode: { $0.map { stream.pieces[$0] }.joined() }, skipPrompt: true) { text, end in
                emitted.append([.string(text), .bool(end)])
            }
            try streamer.put([0, 1])  // the prompt, skipped
            for t in stream.tokens { try streamer.put([t]) }
            try streamer.end()
            XCTAssertEqual(emitted.map { "\($0)" }, stream.emitted.map { "\($0)" }, "\(stream.tokens)")
        }
    }

    func testStopStringsMatchTransformers() throws {
        let data = try streaming()
        XCTAssertGreaterThan(data.stop_cases.count, 10)
        let criterion = StopStringCriterion(stopStrings: data.stop_strings) { Array(data.stop_vocabulary[$0].utf8) }
        for c in data.stop_cases {
            XCTAssertEqual(criterion.isDone([c.tokens])[0], c.done, c.tokens.map { data.stop_vocabulary[$0] }.joined(separator: "|"))
        }
    }
}

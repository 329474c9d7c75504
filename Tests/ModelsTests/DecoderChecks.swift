import Foundation
import Models
import Tensors
import XCTest

/// The checks every causal model's fixture (generate_decoders.py) goes through: a right-padded
/// batch with labels, a left-padded one with generate's position ids, no mask at all, and a
/// cached decode, each against transformers' outputs at 1e-4 absolute.
struct DecoderChecks {
    let name: String
    let reference: [String: Tensor]
    let layers: Int
    /// Per layer, the sliding window (nil = full attention), to compare cached attentions with
    /// transformers' window-trimmed cache.
    let windows: [Int?]

    init(_ name: String, layers: Int = 2, windows: [Int?] = [nil, nil]) throws {
        self.name = name
        self.reference = try Fixtures.reference("tiny-\(name).reference.safetensors")
        self.layers = layers
        self.windows = windows
    }

    func ref(_ key: String, file: StaticString = #filePath, line: UInt = #line) throws -> Tensor {
        try XCTUnwrap(reference[key], "reference tensor \(key)", file: file, line: line)
    }

    func model(_ task: ModelTask = .causalLM) throws -> PreTrainedModel {
        try AutoModel.fromPretrained(Fixtures.path("tiny-\(name)"), task: task)
    }

    func checkRightPadded(file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try self.model()
        XCTAssertFalse(model.training)
        let out = try model.forward(ModelInputs(inputIds: ref("right.input_ids"), attentionMask: ref("right.attention_mask"),
                                                labels: ref("right.labels"), useCache: false,
                                                outputHiddenStates: true, outputAttentions: true))
        XCTAssertEqual(out.fields.map(\.name), ["loss", "logits", "hidden_states", "attentions"], file: file, line: line)
        assertClose(try XCTUnwrap(out.logits), try ref("right.logits"), "\(name) right-padded logits", file: file, line: line)
        assertClose(try XCTUnwrap(out.loss).reshape([1]), try ref("right.loss"), "\(name) loss", file: file, line: line)
        let hidden = try XCTUnwrap(out.hiddenStates)
        XCTAssertEqual(hidden.count, layers + 1, file: file, line: line)
        for (i, h) in hidden.enumerated() {
            assertClose(h, try ref("right.hidden_states.\(i)"), "\(name) hidden_states[\(i)]", file: file, line: line)
        }
        let attentions = try XCTUnwrap(out.attentions)
        XCTAssertEqual(attentions.count, layers, file: file, line: line)
        for (i, a) in attentions.enumerated() {
            assertClose(a, try ref("right.attentions.\(i)"), "\(name) attentions[\(i)]", file: file, line: line)
        }
        let unmasked = try model.forward(ModelInputs(inputIds: ref("right.input_ids"), useCache: false))
        assertClose(try XCTUnwrap(unmasked.logits), try ref("nomask.logits"), "\(name) logits without a mask", file: file, line: line)
        // Position ids that restart within a row, with no mask and no cache: packed sequences.
        let packed = try model.forward(ModelInputs(inputIds: ref("right.input_ids"), positionIds: ref("packed.position_ids"), useCache: false))
        assertClose(try XCTUnwrap(packed.logits), try ref("packed.logits"), "\(name) packed-sequence logits", file: file, line: line)
    }

    func checkBaseModel(file: StaticString = #filePath, line: UInt = #line) throws {
        let base = try model(.base)
        let out = try base.forward(ModelInputs(inputIds: ref("right.input_ids"), attentionMask: ref("right.attention_mask"), useCache: false))
        XCTAssertEqual(out.fields.map(\.name), ["last_hidden_state"], file: file, line: line)
        assertClose(try XCTUnwrap(out.lastHiddenState), try ref("right.last_hidden_state"), "\(name) base last_hidden_state",
                    file: file, line: line)
    }

    func checkLeftPadded(file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try self.model()
        let out = try model.forward(ModelInputs(inputIds: ref("left.input_ids"), attentionMask: ref("left.attention_mask"),
                                                positionIds: ref("left.position_ids"), useCache: false,
                                                outputHiddenStates: true, outputAttentions: true))
        assertClose(try XCTUnwrap(out.logits), try ref("left.logits"), "\(name) left-padded logits", file: file, line: line)
        for (i, h) in try XCTUnwrap(out.hiddenStates).enumerated() {
            assertClose(h, try ref("left.hidden_states.\(i)"), "\(name) left hidden_states[\(i)]", file: file, line: line)
        }
        for (i, a) in try XCTUnwrap(out.attentions).enumerated() {
            assertClose(a, try ref("left.attentions.\(i)"), "\(name) left attentions[\(i)]", file: file, line: line)
        }
        let defaults = try model.forward(ModelInputs(inputIds: ref("left.input_ids"), attentionMask: ref("left.attention_mask"), useCache: false))
        assertClose(try XCTUnwrap(defaults.logits), try ref("left.default.logits"), "\(name) left-padded logits, default positions",
                    file: file, line: line)
    }

    /// Prefix, then two tokens, then one, through `past_key_values`; each step's logits match
    /// transformers' and the uncached forward's.
    func checkCachedDecode(file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try self.model()
        let ids = try ref("cache.input_ids"), mask = try ref("cache.attention_mask"), positions = try ref("cache.position_ids")
        let total = ids.shape[1], prefix = try ref("cache.prefix.logits").shape[1]
        func columns(_ t: Tensor, _ start: Int, _ end: Int) throws -> Tensor { try t.slice(1, start: start, end: end).contiguous() }

        let first = try model.forward(ModelInputs(inputIds: columns(ids, 0, prefix), attentionMask: columns(mask, 0, prefix),
                                                  positionIds: columns(positions, 0, prefix), useCache: true))
        XCTAssertEqual(first.fields.map(\.name), ["logits", "past_key_values"], file: file, line: line)
        assertClose(try XCTUnwrap(first.logits), try ref("cache.prefix.logits"), "\(name) prefix logits", file: file, line: line)
        let cache = try XCTUnwrap(first.pastKeyValues)
        XCTAssertEqual(cache.sequenceLength, prefix, file: file, line: line)

        let step1 = try model.forward(ModelInputs(inputIds: columns(ids, prefix, prefix + 2), attentionMask: columns(mask, 0, prefix + 2),
                                                  positionIds: columns(positions, prefix, prefix + 2), pastKeyValues: cache, useCache: true))
        assertClose(try XCTUnwrap(step1.logits), try ref("cache.step1.logits"), "\(name) step 1 logits", file: file, line: line)
        XCTAssertTrue(step1.pastKeyValues === cache, "the cache is extended in place", file: file, line: line)

        let step2 = try model.forward(ModelInputs(inputIds: columns(ids, prefix + 2, total), attentionMask: mask,
                                                  positionIds: columns(positions, prefix + 2, total), pastKeyValues: cache,
                                                  useCache: true, outputAttentions: true))
        assertClose(try XCTUnwrap(step2.logits), try ref("cache.step2.logits"), "\(name) step 2 logits", file: file, line: line)
        XCTAssertEqual(cache.sequenceLength, total, file: file, line: line)
        let full = try ref("cache.full.logits")
        assertClose(try XCTUnwrap(step2.logits), try columns(full, prefix + 2, total), "\(name) step 2 against the full forward",
                    file: file, line: line)
        assertClose(try XCTUnwrap(step1.logits), try columns(full, prefix, prefix + 2), "\(name) step 1 against the full forward",
                    file: file, line: line)
        for (i, probabilities) in try XCTUnwrap(step2.attentions).enumerated() {
            let expected = try ref("cache.step2.attentions.\(i)")
            let kept = expected.shape[3]
            // A sliding-window layer's cache in transformers keeps only the window; here the whole
            // history stays and the mask zeroes what falls outside it.
            let tail = try probabilities.slice(3, start: total - kept, end: total).contiguous()
            assertClose(tail, expected, "\(name) step 2 attentions[\(i)]", file: file, line: line)
            if kept < total {
                let head = try probabilities.slice(3, start: 0, end: total - kept).contiguous()
                XCTAssertEqual(head.toFloatArray().map { abs($0) }.max() ?? 0, 0, accuracy: 1e-6, file: file, line: line)
            }
        }
    }

    func checkParameterNames(tied: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try self.model()
        let store = try WeightStore(directory: Fixtures.models.appendingPathComponent("tiny-\(name)"))
        var expected = Set(store.names)
        if tied { expected.insert(name == "gpt2" ? "lm_head.weight" : "lm_head.weight") }
        XCTAssertEqual(Set(model.stateDict().map(\.0)), expected, file: file, line: line)
    }

    func checkBadInputs(file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try self.model()
        let ids = try ref("right.input_ids")
        XCTAssertThrowsError(try model.forward(ModelInputs(inputIds: ids, attentionMask: Tensor(int64: [1, 1], shape: [1, 2]))),
                             file: file, line: line) { error in
            XCTAssertTrue(message(error).contains("attention_mask has shape [1, 2]"), message(error), file: file, line: line)
        }
        XCTAssertThrowsError(try model.forward(ModelInputs(inputIds: Tensor(int64: [5, 100], shape: [1, 2]))), file: file, line: line) { error in
            XCTAssertTrue(message(error).contains("input_ids holds 100"), message(error), file: file, line: line)
        }
        XCTAssertThrowsError(try model.forward(ModelInputs(inputIds: ids, pastKeyValues: KeyValueCache(layers: layers + 3))),
                             file: file, line: line) { error in
            XCTAssertTrue(message(error).contains("past_key_values has \(layers + 3) layers"), message(error), file: file, line: line)
        }
        // A cache filled for a batch of 3 cannot serve a batch of 1.
        let cache = try XCTUnwrap(model.forward(ModelInputs(inputIds: ids, useCache: true)).pastKeyValues)
        XCTAssertThrowsError(try model.forward(ModelInputs(inputIds: Tensor(int64: [5], shape: [1, 1]), pastKeyValues: cache)),
                             file: file, line: line) { error in
            XCTAssertTrue(message(error).contains("past_key_values holds a batch of 3"), message(error), file: file, line: line)
        }
        // With a cache the mask must cover the cached positions too.
        XCTAssertThrowsError(try model.forward(ModelInputs(inputIds: Tensor(int64: [5, 6, 7], shape: [3, 1]),
                                                           attentionMask: Tensor(int64: [1, 1, 1], shape: [3, 1]), pastKeyValues: cache)),
                             file: file, line: line) { error in
            XCTAssertTrue(message(error).contains("attention_mask has shape [3, 1]") && message(error).contains("cached"),
                          message(error), file: file, line: line)
        }
        XCTAssertThrowsError(try model.forward(ModelInputs(inputIds: ids, positionIds: Tensor(int64: [0, 1], shape: [1, 2]))),
                             file: file, line: line) { error in
            XCTAssertTrue(message(error).contains("position_ids has shape [1, 2]"), message(error), file: file, line: line)
        }
        XCTAssertThrowsError(try model.forward(ModelInputs(inputIds: ids, labels: Tensor(int64: [1, 2], shape: [2, 1]))),
                             file: file, line: line) { error in
            XCTAssertTrue(message(error).contains("labels"), message(error), file: file, line: line)
        }
        XCTAssertThrowsError(try model.forward(ModelInputs()), file: file, line: line) { error in
            XCTAssertTrue(message(error).contains("input_ids or inputs_embeds"), message(error), file: file, line: line)
        }
    }
}

extension DecoderChecks {
    /// The classifier checkpoint (`tiny-<name>-cls`): logits read at each row's last real token
    /// for right and left padding, and the cross-entropy loss.
    func checkSequenceClassification(className: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try AutoModel.fromPretrained(Fixtures.path("tiny-\(name)-cls"), task: .sequenceClassification)
        XCTAssertEqual(model.className, className, file: file, line: line)
        XCTAssertEqual(model.newlyInitialized, [], file: file, line: line)
        let out = try model.forward(ModelInputs(inputIds: ref("right.input_ids"), attentionMask: ref("right.attention_mask"),
                                                labels: ref("cls.labels"), useCache: false))
        XCTAssertEqual(out.typeName, "SequenceClassifierOutputWithPast", file: file, line: line)
        XCTAssertEqual(out.fields.map(\.name), ["loss", "logits"], file: file, line: line)
        assertClose(try XCTUnwrap(out.logits), try ref("cls.logits"), "\(name) classifier logits", file: file, line: line)
        assertClose(try XCTUnwrap(out.loss).reshape([1]), try ref("cls.loss"), "\(name) classifier loss", file: file, line: line)
        let left = try model.forward(ModelInputs(inputIds: ref("left.input_ids"), attentionMask: ref("left.attention_mask"),
                                                 positionIds: ref("left.position_ids"), useCache: false))
        assertClose(try XCTUnwrap(left.logits), try ref("cls.left.logits"), "\(name) classifier logits, left padding", file: file, line: line)
        // A causal-LM checkpoint under a classifier: the head is new, the decoder is read.
        let fresh = try AutoModel.fromPretrained(Fixtures.path("tiny-\(name)"), task: .sequenceClassification)
        XCTAssertEqual(fresh.newlyInitialized, ["score.weight"], file: file, line: line)
    }
}

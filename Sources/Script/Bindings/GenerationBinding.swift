import Foundation
import Models
import Tensors
import Tokenizers

/// `model.generate(...)` and the streamers, for scripts: transformers' keyword names, its
/// errors, and its results (a tensor of sequences, or a generate output with
/// `return_dict_in_generate=True`).
enum GenerationBinding {
    static let signature = Signature("inputs=None, generation_config=None, streamer=None, tokenizer=None, **kwargs")

    /// `model.generate`: `inputs`/`input_ids` and `attention_mask` tensors, then every generation
    /// option by transformers' name. Unknown names raise ValueError listing them, as transformers'
    /// model-kwargs check does.
    static func generate(_ model: ModelObject, _ a: Arguments) throws -> Value {
        var inputIds = ScriptBridge.unwrap(a["inputs"], as: Tensor.self)
        var attentionMask: Tensor?
        var options: [(String, ConfigValue)] = []
        var unused: [String] = []
        for (key, value) in try Interp.mappingItems(a["kwargs"]) ?? [] {
            let name = try ScriptBridge.string(key)
            switch name {
            case "input_ids": inputIds = try tensor(value, name)
            case "attention_mask": attentionMask = value.isNone ? nil : try tensor(value, name)
            case "token_type_ids", "position_ids":
                continue  // derived per step from the mask, as generate does
            default:
                if GenerationConfig.keys.contains(name) {
                    options.append((name, try ConfigObject.configValue(value, "generate")))
                } else {
                    unused.append(name)
                }
            }
        }
        if !unused.isEmpty {
            throw ScriptBridge.error("ValueError", "The following `model_kwargs` are not used by the model: [\(unused.map { "'\($0)'" }.joined(separator: ", "))] (note: typos in the generate arguments will also show up in this list)")
        }
        guard let ids = inputIds else {
            throw ScriptBridge.error("ValueError", "generate needs input_ids (a [batch, sequence] tensor of token ids)")
        }
        // A passed generation_config takes the model's values for what it leaves unset, as
        // transformers' `_prepare_generation_config` does; the keywords come last.
        var config = model.generationConfig
        let passed = ScriptBridge.unwrap(a["generation_config"], as: GenerationConfigObject.self)?.config
        try TransformersModels.translating {
            for (key, value) in passed?.givenOptions ?? [] { try config.set(key, value) }
            for (key, value) in options { try config.set(key, value) }
        }
        let streamer = try a.isNone("streamer") ? nil : streamerAdapter(a["streamer"])
        var tokenBytes: ((Int) -> [UInt8])?
        if let tokenizer = ScriptBridge.unwrap(a["tokenizer"], as: TokenizerObject.self)?.tokenizer {
            tokenBytes = { id in Array(((try? tokenizer.decode([id])) ?? "").utf8) }
        }
        let output: ModelOutput
        do {
            output = try TransformersModels.translating {
                try withNoGrad {
                    try Generation.generate(model.model, GenerationRequest(inputIds: ids.to(.int64), attentionMask: attentionMask,
                                                                           config: config, streamer: streamer, tokenBytes: tokenBytes))
                }
            }
        } catch {
            // A script iterating the streamer must not wait forever for text that will not come.
            ScriptBridge.unwrap(a["streamer"], as: TextStreamerObject.self)?.closeAfterFailure()
            throw error
        }
        if config.returnDictInGenerate { return ScriptBridge.wrap(ModelOutputObject(output)) }
        return ScriptBridge.wrap(try TransformersModels.translating {
            guard let sequences = output.tensor("sequences") else { throw ModelError.invalidInput("generate produced no sequences") }
            return sequences
        })
    }

    static func tensor(_ v: Value, _ name: String) throws -> Tensor {
        guard let t = ScriptBridge.unwrap(v, as: Tensor.self) else {
            throw ScriptBridge.error("TypeError", "generate(): \(name) must be a tensor, not \(Interp.typeName(v))")
        }
        return t
    }

    /// A streamer argument: one of ours, or any script object with `put` and `end` methods.
    static func streamerAdapter(_ v: Value) throws -> GenerationStreamer {
        if let ours = ScriptBridge.unwrap(v, as: TextStreamerObject.self) { return ours.streamer }
        guard (try? Interp.getAttr(v, "put")) != nil, (try? Interp.getAttr(v, "end")) != nil else {
            throw ScriptBridge.error("TypeError", "streamer must have put() and end() methods (a TextStreamer), not \(Interp.typeName(v))")
        }
        return ScriptStreamer(v)
    }

    /// `TextStreamer`, `TextIteratorStreamer` and `GenerationConfig` for the transformers module.
    static func moduleAttributes() -> [String: Value] {
        [
            "TextStreamer": Bindings.function("TextStreamer", "tokenizer, skip_prompt=False, **decode_kwargs",
                doc: "Prints the text of the tokens generate makes, a word at a time, as they arrive.") { a in
                ScriptBridge.wrap(try TextStreamerObject(a, iterator: false))
            },
            "TextIteratorStreamer": Bindings.function("TextIteratorStreamer", "tokenizer, skip_prompt=False, timeout=None, **decode_kwargs",
                doc: "Collects the text of the tokens generate makes; iterate over it (while generate runs in a threading.Thread) to get the pieces.") { a in
                ScriptBridge.wrap(try TextStreamerObject(a, iterator: true))
            },
            "GenerationConfig": Bindings.function("GenerationConfig", "**kwargs",
                doc: "Generation options (max_new_tokens, do_sample, num_beams, ...) to pass as generate(generation_config=...).") { a in
                var config = GenerationConfig()
                for (key, value) in try Interp.mappingItems(a["kwargs"]) ?? [] {
                    try TransformersModels.translating { try config.set(try ScriptBridge.string(key), try ConfigObject.configValue(value, "GenerationConfig")) }
                }
                return ScriptBridge.wrap(GenerationConfigObject(config))
            },
        ]
    }
}

/// A script object used as a streamer: its `put(tensor)` and `end()` are called.
final class ScriptStreamer: GenerationStreamer {
    let object: Value
    init(_ object: Value) { self.object = object }
    func put(_ tokens: [Int]) throws {
        let t = try Tensor(int64: tokens.map(Int64.init), shape: [tokens.count])
        _ = try Interp.call(try Interp.getAttr(object, "put"), [ScriptBridge.wrap(t)])
    }
    func end() throws {
        _ = try Interp.call(try Interp.getAttr(object, "end"), [])
    }
}

/// `TextStreamer` / `TextIteratorStreamer`: the word-boundary release rules of
/// `Models.TextStreamer`, printing to the session's stdout, or queueing for iteration.
final class TextStreamerObject: NativeObject {
    let iterator: Bool
    private(set) var streamer: Models.TextStreamer!
    /// Released pieces waiting to be iterated (nil marks the end of one generation).
    private var queue: [String?] = []
    private let condition = NSCondition()
    let timeout: Double?

    init(_ a: Arguments, iterator: Bool) throws {
        self.iterator = iterator
        guard let tokenizer = ScriptBridge.unwrap(a["tokenizer"], as: TokenizerObject.self)?.tokenizer else {
            throw ScriptBridge.error("TypeError", "\(iterator ? "TextIteratorStreamer" : "TextStreamer")(): tokenizer must be a tokenizer, not \(Interp.typeName(a["tokenizer"]))")
        }
        var skipSpecial = false
        var cleanUp: Bool?
        for (key, value) in try Interp.mappingItems(a["decode_kwargs"]) ?? [] {
            switch try ScriptBridge.string(key) {
            case "skip_special_tokens": skipSpecial = try Interp.truthy(value)
            case "clean_up_tokenization_spaces": cleanUp = try Interp.truthy(value)
            case let other: throw ScriptBridge.error("TypeError", "decode() got an unexpected keyword argument '\(other)'")
            }
        }
        timeout = iterator && !a.isNone("timeout") ? try ScriptBridge.double(a["timeout"]) : nil
        let decode: ([Int]) throws -> String = { ids in try tokenizer.decode(ids, skipSpecialTokens: skipSpecial, cleanUpTokenizationSpaces: cleanUp) }
        streamer = Models.TextStreamer(decode: decode, skipPrompt: try a.bool("skip_prompt")) { [unowned self] text, end in
            if self.iterator {
                self.condition.lock()
                self.queue.append(text)
                if end { self.queue.append(nil) }
                self.condition.broadcast()
                self.condition.unlock()
            } else {
                Runtime.sink.write(end ? text + "\n" : text, to: .stdout)
                Runtime.sink.flush()
            }
        }
    }

    var typeName: String { iterator ? "TextIteratorStreamer" : "TextStreamer" }
    var doc: String? { iterator ? "Iterate over it to receive generated text as it is released." : "Prints generated text as it is released." }
    var attributeNames: [String] { ["put", "end"] }

    func getAttribute(_ name: String) throws -> Value? {
        switch name {
        case "put":
            return ScriptBridge.function("put") { [unowned self] args, _ in
                guard let t = args.first.flatMap({ ScriptBridge.unwrap($0, as: Tensor.self) }) else {
                    throw ScriptBridge.error("TypeError", "put() needs a tensor of token ids")
                }
                if t.rank > 1 && t.shape[0] > 1 { throw ScriptBridge.error("ValueError", "TextStreamer only supports batch size 1") }
                try self.streamer.put(t.toInt64Array().map(Int.init))
                return .none
            }
        case "end":
            return ScriptBridge.function("end") { [unowned self] _, _ in try self.streamer.end(); return .none }
        case "__iter__":
            return ScriptBridge.function("__iter__") { [unowned self] _, _ in ScriptBridge.wrap(self) }
        case "__next__":
            return ScriptBridge.function("__next__") { [unowned self] _, _ in try self.next() }
        default:
            return nil
        }
    }

    /// Ends the iteration after a failed generation.
    func closeAfterFailure() {
        guard iterator else { return }
        condition.lock()
        queue.append(nil)
        condition.broadcast()
        condition.unlock()
    }

    /// The next released piece; blocks until generate releases one (up to `timeout` seconds);
    /// StopIteration at the end of a generation.
    func next() throws -> Value {
        guard iterator else { throw ScriptBridge.error("TypeError", "'TextStreamer' object is not an iterator") }
        condition.lock()
        defer { condition.unlock() }
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        while queue.isEmpty {
            try ScriptBridge.checkCancellation()
            let wait = Date().addingTimeInterval(0.05)
            _ = condition.wait(until: deadline.map { min($0, wait) } ?? wait)
            if let deadline, Date() >= deadline, queue.isEmpty { throw ScriptBridge.error("queue.Empty", "") }
        }
        let item = queue.removeFirst()
        guard let text = item else { throw ScriptBridge.error("StopIteration", "") }
        return .str(text)
    }
}

/// A `GenerationConfig` object for scripts: its options as attributes.
final class GenerationConfigObject: NativeObject {
    var config: GenerationConfig
    init(_ config: GenerationConfig) { self.config = config }
    var typeName: String { "GenerationConfig" }
    var doc: String? { "Generation options: \(GenerationConfig.keys.joined(separator: ", "))." }
    var attributeNames: [String] { GenerationConfig.keys + ["to_dict", "to_diff_dict", "update"] }
    func getAttribute(_ name: String) throws -> Value? {
        switch name {
        case "to_dict":
            return Bindings.function("to_dict", "", doc: "Every option and its value, in transformers' order.") { [unowned self] _ in
                ScriptBridge.dict(GenerationConfig.declarationOrder.map { ($0, ConfigObject.value(self.config.value($0))) })
            }
        case "to_diff_dict":
            return Bindings.function("to_diff_dict", "", doc: "The options this config sets (given a value, or differing from the defaults), as transformers' to_diff_dict without its version key.") { [unowned self] _ in
                ScriptBridge.dict(self.config.givenOptions.map { ($0.key, ConfigObject.value($0.value)) })
            }
        case "update":
            return Bindings.function("update", "**kwargs", doc: "Sets the options among kwargs; returns the kwargs that are not options.") { [unowned self] a in
                var unused: [(String, Value)] = []
                for (key, value) in try Interp.mappingItems(a["kwargs"]) ?? [] {
                    let name = try ScriptBridge.string(key)
                    guard GenerationConfig.keys.contains(name) else { unused.append((name, value)); continue }
                    try TransformersModels.translating { try self.config.set(name, try ConfigObject.configValue(value, "GenerationConfig.update")) }
                }
                return ScriptBridge.dict(unused)
            }
        default:
            guard GenerationConfig.keys.contains(name) else { return nil }
            return ConfigObject.value(config.value(name))
        }
    }
    func setAttribute(_ name: String, _ value: Value) throws -> Bool {
        guard GenerationConfig.keys.contains(name) else { return false }
        try TransformersModels.translating { try config.set(name, try ConfigObject.configValue(value, "GenerationConfig")) }
        return true
    }
    func repr() throws -> String {
        // transformers prints its to_diff_dict as JSON with sorted keys.
        let options = config.givenOptions.sorted { $0.key < $1.key }
        return "GenerationConfig {\n" + options.map { "  \"\($0.key)\": \($0.value.json(indent: nil))" }.joined(separator: ",\n") + "\n}\n"
    }
}

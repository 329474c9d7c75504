import Foundation
import Tensors
import Tokenizers

/// `from transformers import AutoTokenizer, PreTrainedTokenizerFast, BatchEncoding`: the
/// tokenizer API of transformers over the Tokenizers module. Script names (`from_pretrained`,
/// `return_tensors`) are mapped to the Swift API here and nowhere else.
enum TransformersTokenizers {
    /// The attributes this file contributes to the `transformers` module.
    static func moduleAttributes() -> [String: Value] {
        [
            "AutoTokenizer": ScriptBridge.wrap(AutoTokenizerObject.shared),
            "PreTrainedTokenizerFast": ScriptBridge.wrap(TokenizerClassObject.shared),
            "BatchEncoding": .obj(BatchEncodingObject.binding.scriptClass),
            "PreTrainedTokenizerBase": .obj(TokenizerObject.binding.scriptClass),
            "__version__": .str("5.0.0+apus"),
        ]
    }

    /// Runs `body`, raising Swift tokenizer errors as the Python exceptions transformers raises.
    static func translating<R>(_ body: () throws -> R) throws -> R {
        do { return try body() } catch let e as TransformersError {
            throw ScriptBridge.error(e.pythonType, e.message)
        } catch let e as TokenizerError {
            throw ScriptBridge.error("Exception", e.description)
        }
    }

    /// An optional int as a script value.
    static func value(_ i: Int?) -> Value { i.map(Value.int) ?? .none }
    /// An optional string as a script value.
    static func value(_ s: String?) -> Value { s.map(Value.str) ?? .none }

    /// Integer ids from a list, tuple, tensor or single int (`to_py_obj`): one sequence or a batch.
    static func idRows(_ v: Value, _ what: String) throws -> (rows: [[Int]], batched: Bool) {
        if case .int(let i) = v { return ([[i]], false) }
        if let t = ScriptBridge.unwrap(v, as: Tensor.self) {
            let flat = t.toInt64Array().map(Int.init)
            switch t.rank {
            case 0, 1: return ([flat], false)
            case 2: let n = t.shape[1]; return ((0..<t.shape[0]).map { Array(flat[($0 * n)..<($0 * n + n)]) }, true)
            default: throw ScriptBridge.error("ValueError", "\(what) takes ids of one or two dimensions, not \(t.rank)")
            }
        }
        let items = try ScriptBridge.array(v)
        if let first = items.first, isSequence(first) {
            return (try items.map { try ScriptBridge.array($0).map(ScriptBridge.int) }, true)
        }
        return ([try items.map(ScriptBridge.int)], false)
    }

    static func isSequence(_ v: Value) -> Bool {
        if case .obj(let o) = v { return o is PyList || o is PyTuple || ScriptBridge.unwrap(v, as: Tensor.self) != nil }
        return false
    }

    /// `text` / `text_pair` as transformers reads them; nil when the value is not valid text input.
    static func textInputs(_ v: Value, splitIntoWords: Bool) throws -> (inputs: [TextInput], batched: Bool)? {
        if case .str(let s) = v { return ([.text(s)], false) }
        guard case .obj(let o) = v, o is PyList || o is PyTuple else { return nil }
        let items = try ScriptBridge.array(v)
        func strings(_ v: Value) throws -> [String]? {
            guard case .obj(let o) = v, o is PyList || o is PyTuple else { return nil }
            var out: [String] = []
            for item in try ScriptBridge.array(v) { guard case .str(let s) = item else { return nil }; out.append(s) }
            return out
        }
        if splitIntoWords {
            if let first = items.first, isSequence(first) {
                var rows: [TextInput] = []
                for item in items { guard let words = try strings(item) else { return nil }; rows.append(.words(words)) }
                return (rows, true)
            }
            guard let words = try strings(v) else { return nil }
            return ([.words(words)], false)
        }
        guard let texts = try strings(v) else { return nil }
        return (texts.map { .text($0) }, true)
    }

    static let invalidText = "text input must be of type `str` (single example), `list[str]` (batch or single pretokenized example) or `list[list[str]]` (batch of pretokenized examples) or `list[tuple[list[str], list[str]]]` (batch of pretokenized sequence pairs)."

    /// `padding=` as a strategy.
    static func padding(_ v: Value) throws -> PaddingStrategy {
        switch v {
        case .bool(let b): return b ? .longest : .doNotPad
        case .none: return .doNotPad
        case .str(let s):
            guard let p = PaddingStrategy(rawValue: s) else {
                throw ScriptBridge.error("ValueError", "\(s) is not a valid PaddingStrategy, please select one of ['longest', 'max_length', 'do_not_pad']")
            }
            return p
        default: throw ScriptBridge.error("TypeError", "padding must be a bool or a str, not \(Interp.typeName(v))")
        }
    }

    /// `truncation=` as a choice; nil for None.
    static func truncation(_ v: Value) throws -> TruncationChoice? {
        switch v {
        case .none: return nil
        case .bool(let b): return b ? .longestFirst : .doNotTruncate
        case .str(let s):
            guard let t = TruncationChoice(rawValue: s) else {
                throw ScriptBridge.error("ValueError", "\(s) is not a valid TruncationStrategy, please select one of ['only_first', 'only_second', 'longest_first', 'do_not_truncate']")
            }
            return t
        default: throw ScriptBridge.error("TypeError", "truncation must be a bool or a str, not \(Interp.typeName(v))")
        }
    }

    /// `return_tensors=`: "pt", "np" or None.
    static func returnTensors(_ v: Value) throws -> ReturnTensors? {
        switch v {
        case .none: return nil
        case .str(let s):
            guard let r = ReturnTensors(rawValue: s) else {
                throw ScriptBridge.error("ValueError", "\(s) is not a valid TensorType, please select one of ['pt', 'np', 'mlx']")
            }
            return r
        default: throw ScriptBridge.error("ValueError", "\(try ScriptBridge.repr(v)) is not a valid TensorType, please select one of ['pt', 'np', 'mlx']")
        }
    }

    /// A script value (dicts, lists, strings, numbers, None) as a chat-template value; dict
    /// keys must be strings, and order is kept.
    static func templateValue(_ v: Value, _ what: String) throws -> TemplateValue {
        switch v {
        case .none: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .double(d)
        case .str(let s): return .string(s)
        case .obj:
            if let items = try Interp.mappingItems(v) {
                var object = TemplateObject()
                for (key, value) in items {
                    guard case .str(let k) = key else {
                        throw ScriptBridge.error("TypeError", "\(what): dict keys must be str, not \(Interp.typeName(key))")
                    }
                    object[k] = try templateValue(value, what)
                }
                return .object(object)
            }
            if Interp.typeName(v) == "list" || Interp.typeName(v) == "tuple" {
                return .array(try ScriptBridge.array(v).map { try templateValue($0, what) })
            }
            throw ScriptBridge.error("TypeError", "\(what): cannot pass a \(Interp.typeName(v)) to a chat template (use dicts, lists, strings and numbers)")
        }
    }

    /// Runs `body`, turning template errors into Python's jinja2 exceptions.
    static func templating<R>(_ body: () throws -> R) throws -> R {
        do { return try translating(body) } catch let e as ChatTemplateError {
            switch e.kind {
            case .syntax: throw ScriptBridge.error("TemplateSyntaxError", e.description)
            case .input: throw ScriptBridge.error("ValueError", e.message)
            // A template's raise_exception(message) surfaces with exactly its message, as in jinja2.
            case .raised: throw ScriptBridge.error("TemplateError", e.message)
            case .runtime: throw ScriptBridge.error("TemplateError", e.description)
            }
        }
    }

    static func optionalBool(_ a: Arguments, _ name: String) throws -> Bool? { a.isNone(name) ? nil : try a.bool(name) }
    static func optionalString(_ a: Arguments, _ name: String) throws -> String? { a.isNone(name) ? nil : try a.string(name) }
}

// MARK: AutoTokenizer and PreTrainedTokenizerFast

/// `transformers.AutoTokenizer`: only `from_pretrained`.
final class AutoTokenizerObject: NativeObject {
    nonisolated(unsafe) static let shared = AutoTokenizerObject()
    var typeName: String { "type" }
    static let fromPretrained = Bindings.function("from_pretrained", "pretrained_model_name_or_path, *inputs, cache_dir=None, local_files_only=True, trust_remote_code=False, use_fast=True, revision=None, gguf_file=None",
        doc: "Loads the tokenizer of a local directory or of a model id in the Hugging Face cache ($HF_HOME/hub), offline: tokenizer.json, else vocab.txt, vocab.json + merges.txt, a SentencePiece model or a .tiktoken file, with tokenizer_config.json, special_tokens_map.json and chat_template.jinja; with gguf_file=, the vocabulary, special tokens and chat template embedded in that GGUF file.") { a in
        let name = try a.string("pretrained_model_name_or_path")
        let cache = try TransformersTokenizers.optionalString(a, "cache_dir").map { URL(fileURLWithPath: $0) }
        let revision = try TransformersTokenizers.optionalString(a, "revision")
        let gguf = try TransformersTokenizers.optionalString(a, "gguf_file")
        return try TransformersTokenizers.translating {
            ScriptBridge.wrap(TokenizerObject(try AutoTokenizer.fromPretrained(name, revision: revision, ggufFile: gguf, cacheDirectory: cache)))
        }
    }
    func getAttribute(_ name: String) throws -> Value? {
        switch name {
        case "from_pretrained": return Self.fromPretrained
        case "__name__": return .str("AutoTokenizer")
        default: return nil
        }
    }
    func repr() throws -> String { "<class 'transformers.models.auto.tokenization_auto.AutoTokenizer'>" }
    var doc: String? { "AutoTokenizer.from_pretrained(name_or_path): the tokenizer of a model, from a local directory or the offline Hugging Face cache." }
    var attributeNames: [String] { ["from_pretrained"] }
}

/// `transformers.PreTrainedTokenizerFast`: constructor (`tokenizer_file=`) and `from_pretrained`.
final class TokenizerClassObject: NativeObject, ScriptClassProviding {
    nonisolated(unsafe) static let shared = TokenizerClassObject()
    var typeName: String { "type" }
    var scriptClass: PyClass { TokenizerObject.binding.scriptClass }
    static let signature = Signature("*args, tokenizer_file=None, tokenizer_object=None, bos_token=None, eos_token=None, unk_token=None, sep_token=None, pad_token=None, cls_token=None, mask_token=None, model_max_length=None, padding_side=None, truncation_side=None, clean_up_tokenization_spaces=None")
    func call(_ args: [Value], _ kwargs: [(String, Value)]) throws -> Value {
        let a = try Self.signature.bind(args, kwargs, function: "PreTrainedTokenizerFast")
        var config = TokenizerConfig()
        config.modelInputNames = ["input_ids", "attention_mask"]   // the base class's inputs in transformers 5
        for n in TokenizerConfig.specialTokenNames where !a.isNone(n) { config.specialTokens[n] = try a.string(n) }
        if !a.isNone("model_max_length") { config.modelMaxLength = try a.int("model_max_length") }
        if let s = try TransformersTokenizers.optionalString(a, "padding_side") { config.paddingSide = s }
        if let s = try TransformersTokenizers.optionalString(a, "truncation_side") { config.truncationSide = s }
        if let b = try TransformersTokenizers.optionalBool(a, "clean_up_tokenization_spaces") { config.cleanUpTokenizationSpaces = b }
        if let object = ScriptBridge.unwrap(a["tokenizer_object"], as: TokenizerObject.self) {
            return ScriptBridge.wrap(TokenizerObject(PreTrainedTokenizerFast(tokenizer: object.tokenizer.tokenizer, config: config)))
        }
        guard !a.isNone("tokenizer_file") else {
            throw ScriptBridge.error("ValueError", "Couldn't instantiate the backend tokenizer from one of: (1) a `tokenizers` library serialization file, (2) a slow tokenizer instance to convert or (3) an equivalent slow tokenizer class to instantiate and convert. You need to have sentencepiece or tiktoken installed to convert a slow tokenizer to a fast one.")
        }
        let file = try a.string("tokenizer_file")
        return try TransformersTokenizers.translating {
            ScriptBridge.wrap(TokenizerObject(try PreTrainedTokenizerFast(tokenizerFile: URL(fileURLWithPath: file), config: config)))
        }
    }
    func getAttribute(_ name: String) throws -> Value? {
        switch name {
        case "from_pretrained": return AutoTokenizerObject.fromPretrained
        case "__name__": return .str("PreTrainedTokenizerFast")
        default: return nil
        }
    }
    func repr() throws -> String { "<class 'transformers.tokenization_utils_tokenizers.TokenizersBackend'>" }
    var doc: String? { "PreTrainedTokenizerFast(tokenizer_file=..., **special_tokens): a tokenizer from a tokenizer.json file; PreTrainedTokenizerFast.from_pretrained(path) loads a directory." }
    var attributeNames: [String] { ["from_pretrained"] }
}

import Foundation
import Tensors
import Tokenizers

/// transformers' `BatchEncoding` for scripts: a dict (`inputs["input_ids"]`, `keys()`, `**inputs`)
/// whose keys are also attributes (`inputs.input_ids`), plus the alignment queries of the
/// encodings behind it (`word_ids()`, `char_to_token()`, `tokens()`).
final class BatchEncodingObject: NativeObject, ScriptClassProviding {
    /// The values as script values, in key order (tensors for `return_tensors`).
    let data: PyDict
    /// The Swift result, for the alignment queries and the display.
    let encoding: BatchEncoding

    init(_ e: BatchEncoding) {
        encoding = e
        data = PyDict()
        for (k, v) in e.items { data.set(.str(k), Self.value(v)) }
    }

    /// One encoded value as a script value: lists of ints, lists of (start, end) tuples, tensors.
    static func value(_ v: EncodedValue) -> Value {
        switch v {
        case .ints(let a): return .list(a.map(Value.int))
        case .batch(let rows): return .list(rows.map { .list($0.map(Value.int)) })
        case .offsets(let o): return .list(o.map { .tuple([.int($0.start), .int($0.end)]) })
        case .batchOffsets(let rows): return .list(rows.map { .list($0.map { .tuple([.int($0.start), .int($0.end)]) }) })
        case .tensor(let t): return ScriptBridge.wrap(t)
        }
    }

    /// Features for `tokenizer.pad`: a BatchEncoding, a dict of lists/tensors, or a list of dicts.
    static func features(_ v: Value) throws -> BatchEncoding {
        var pairs: [(Value, Value)]
        if let b = ScriptBridge.unwrap(v, as: BatchEncodingObject.self) { pairs = b.data.items }
        else if let items = try Interp.mappingItems(v) { pairs = items }
        else {
            let examples = try ScriptBridge.array(v)
            guard let first = examples.first, let keys = try Interp.mappingItems(first)?.map(\.0) else {
                throw ScriptBridge.error("ValueError", "pad() takes a BatchEncoding, a dict of lists or a list of dicts")
            }
            pairs = try keys.map { k in (k, .list(try examples.map { try Interp.getItem($0, k) })) }
        }
        var out = BatchEncoding()
        for (k, value) in pairs {
            let key = try ScriptBridge.string(k)
            if let t = ScriptBridge.unwrap(value, as: Tensor.self) { out[key] = .tensor(t); continue }
            let items = try ScriptBridge.array(value)
            if let first = items.first, TransformersTokenizers.isSequence(first) {
                out[key] = .batch(try items.map { item in
                    if let t = ScriptBridge.unwrap(item, as: Tensor.self) { return t.toInt64Array().map(Int.init) }
                    return try ScriptBridge.array(item).map(ScriptBridge.int)
                })
            } else {
                out[key] = .ints(try items.map(ScriptBridge.int))
            }
        }
        return out
    }

    var typeName: String { "BatchEncoding" }
    var scriptClass: PyClass { Self.binding.scriptClass }
    func getAttribute(_ name: String) throws -> Value? {
        if let v = try Self.binding.attribute(name, of: self) { return v }
        if let v = data.get(.str(name)) { return v }
        if name.hasPrefix("__") { return nil }
        throw ScriptBridge.error("AttributeError", "'BatchEncoding' object has no attribute '\(name)'")
    }
    func repr() throws -> String { try ScriptBridge.repr(.obj(data)) }
    var doc: String? { Self.binding.doc }
    var attributeNames: [String] { Self.binding.attributeNames + data.items.compactMap { if case .str(let s) = $0.0 { return s }; return nil } }

    /// `inputs[key]` (a value), `inputs[i]` (the i-th Encoding) or `inputs[a:b]`.
    func item(_ key: Value) throws -> Value {
        switch key {
        case .str(let s):
            guard let v = data.get(key) else { throw ScriptBridge.error("KeyError", s) }
            return v
        case .int(let i):
            guard let encs = encoding.encodings else {
                throw ScriptBridge.error("KeyError", "Invalid key. Only three types of key are available: (1) string, (2) integers for backend Encoding, and (3) slices for data subsetting.")
            }
            let j = i < 0 ? i + encs.count : i
            guard encs.indices.contains(j) else { throw ScriptBridge.error("IndexError", "list index out of range") }
            return ScriptBridge.wrap(EncodingObject(encs[j]))
        default:
            let d = PyDict()
            for (k, v) in data.items { d.set(k, try Interp.getItem(v, key)) }
            return .obj(d)
        }
    }

    func encodingIndex(_ a: Arguments, _ name: String = "batch_index") throws -> Int {
        let i = try a.int(name)
        return i
    }

    static let binding: NativeTypeBinding<BatchEncodingObject> = make()

    static func make() -> NativeTypeBinding<BatchEncodingObject> {
        let b = NativeTypeBinding<BatchEncodingObject>(typeName: "BatchEncoding", module: "transformers",
            doc: "The output of a tokenizer call: a dict of input_ids, attention_mask... (lists, or tensors with return_tensors='pt'); keys are attributes too, and `model(**inputs)` unpacks it.")
        let tr = TransformersTokenizers.self
        func translating<R>(_ body: () throws -> R) throws -> R { try tr.translating(body) }
        b.method("__getitem__", "item", doc: "inputs['input_ids'], or inputs[0] for the first Encoding.") { o, a in try o.item(a["item"]) }
        b.method("__setitem__", "key, value", doc: "Sets a value.") { o, a in o.data.set(a["key"], a["value"]); return .none }
        b.method("__contains__", "key", doc: "Whether the key is present.") { o, a in .bool(o.data.get(a["key"]) != nil) }
        b.method("__len__", "", doc: "The number of keys.") { o, _ in .int(o.data.count) }
        b.method("__iter__", "", doc: "Iterates over the keys.") { o, _ in try Interp.iter(.obj(o.data)) }
        b.method("keys", "", doc: "The keys.") { o, _ in try Interp.call(try Interp.getAttr(.obj(o.data), "keys"), []) }
        b.method("values", "", doc: "The values.") { o, _ in try Interp.call(try Interp.getAttr(.obj(o.data), "values"), []) }
        b.method("items", "", doc: "(key, value) pairs.") { o, _ in try Interp.call(try Interp.getAttr(.obj(o.data), "items"), []) }
        b.method("get", "key, default=None", doc: "The value of key, or default.") { o, a in o.data.get(a["key"]) ?? a["default"] }
        b.method("to", "device, *, non_blocking=False", doc: "The same encoding (everything lives on the CPU here).") { o, _ in ScriptBridge.wrap(o) }
        b.method("tokens", "batch_index=0", doc: "The token strings of one row.") { o, a in
            .list(try translating { try o.encoding.tokens(try a.int("batch_index")) }.map(Value.str))
        }
        b.method("word_ids", "batch_index=0", doc: "The word index of each token of one row (None for special tokens).") { o, a in
            .list(try translating { try o.encoding.wordIds(try a.int("batch_index")) }.map(tr.value))
        }
        b.method("sequence_ids", "batch_index=0", doc: "Which input (0 or 1) each token of one row came from (None for special tokens).") { o, a in
            .list(try translating { try o.encoding.sequenceIds(try a.int("batch_index")) }.map(tr.value))
        }
        b.method("char_to_token", "batch_or_char_index, char_index=None, sequence_index=0",
                 doc: "The index of the token covering a character (of row batch_index when two indices are given), or None.") { o, a in
            let first = try a.int("batch_or_char_index")
            let (batch, char) = a.isNone("char_index") ? (0, first) : (first, try a.int("char_index"))
            return tr.value(try translating { try o.encoding.charToToken(batch, char, sequenceIndex: try a.int("sequence_index")) })
        }
        b.method("token_to_chars", "batch_or_token_index, token_index=None",
                 doc: "The (start, end) character span of a token, or None for special tokens.") { o, a in
            let first = try a.int("batch_or_token_index")
            let (batch, token) = a.isNone("token_index") ? (0, first) : (first, try a.int("token_index"))
            guard let span = try translating({ try o.encoding.tokenToChars(batch, token) }) else { return .none }
            return .tuple([.int(span.start), .int(span.end)])
        }
        b.property("encodings", doc: "The Encoding of each row, or None.", get: { o in
            o.encoding.encodings.map { .list($0.map { ScriptBridge.wrap(EncodingObject($0)) }) } ?? .none
        })
        b.property("data", doc: "The underlying dict.", get: { .obj($0.data) })
        b.property("is_fast", doc: "True when Encodings are available.", get: { .bool($0.encoding.encodings != nil) })
        return b
    }
}

/// `tokenizers.Encoding`: one row's ids, tokens, offsets and alignment.
final class EncodingObject: NativeObject, ScriptClassProviding {
    let encoding: Encoding
    init(_ e: Encoding) { encoding = e }
    var typeName: String { "Encoding" }
    var scriptClass: PyClass { Self.binding.scriptClass }
    func getAttribute(_ name: String) throws -> Value? { try Self.binding.attribute(name, of: self) }
    func repr() throws -> String {
        "Encoding(num_tokens=\(encoding.count), attributes=[ids, type_ids, tokens, offsets, attention_mask, special_tokens_mask, overflowing])"
    }
    var doc: String? { Self.binding.doc }
    var attributeNames: [String] { Self.binding.attributeNames }

    static let binding: NativeTypeBinding<EncodingObject> = make()

    static func make() -> NativeTypeBinding<EncodingObject> {
        let b = NativeTypeBinding<EncodingObject>(typeName: "Encoding", module: "tokenizers",
            doc: "One encoded text: ids, type_ids, tokens, offsets, masks, word ids and overflowing windows.")
        let tr = TransformersTokenizers.self
        b.property("ids", doc: "Token ids.", get: { .list($0.encoding.ids.map(Value.int)) })
        b.property("type_ids", doc: "Segment ids.", get: { .list($0.encoding.typeIds.map(Value.int)) })
        b.property("tokens", doc: "Token strings.", get: { .list($0.encoding.tokens.map(Value.str)) })
        b.property("offsets", doc: "(start, end) character spans.", get: { .list($0.encoding.offsets.map { .tuple([.int($0.start), .int($0.end)]) }) })
        b.property("attention_mask", doc: "1 for tokens, 0 for padding.", get: { .list($0.encoding.attentionMask.map(Value.int)) })
        b.property("special_tokens_mask", doc: "1 for special tokens and padding.", get: { .list($0.encoding.specialTokensMask.map(Value.int)) })
        b.property("word_ids", doc: "The word of each token (None for special tokens).", get: { .list($0.encoding.wordIds.map(tr.value)) })
        b.property("sequence_ids", doc: "The input (0 or 1) of each token.", get: { .list($0.encoding.sequenceIds.map(tr.value)) })
        b.property("overflowing", doc: "Windows cut off by truncation.", get: { .list($0.encoding.overflowing.map { ScriptBridge.wrap(EncodingObject($0)) }) })
        b.property("n_sequences", doc: "How many inputs (1 or 2) the encoding holds.", get: { .int(max(1, $0.encoding.sequenceRanges.count)) })
        b.method("char_to_token", "char_pos, sequence_index=0", doc: "The token covering a character, or None.") { e, a in
            tr.value(e.encoding.charToToken(try a.int("char_pos"), sequenceIndex: try a.int("sequence_index")))
        }
        b.method("__len__", "", doc: "Number of tokens.") { e, _ in .int(e.encoding.count) }
        b.method("token_to_sequence", "token_index", doc: "The input (0 or 1) a token belongs to, or None.") { e, a in
            tr.value(e.encoding.tokenToSequence(try a.int("token_index")))
        }
        b.method("token_to_word", "token_index", doc: "The word (within its input) a token came from, or None.") { e, a in
            tr.value(e.encoding.tokenToWord(try a.int("token_index")))
        }
        b.method("token_to_chars", "token_index", doc: "The (start, end) character span of a token, or None.") { e, a in
            let i = try a.int("token_index")
            guard e.encoding.tokenToSequence(i) != nil else { return .none }
            return .tuple([.int(e.encoding.offsets[i].start), .int(e.encoding.offsets[i].end)])
        }
        b.method("word_to_tokens", "word_index, sequence_index=0", doc: "The (start, end) token range of a word, or None.") { e, a in
            guard let r = e.encoding.wordToTokens(try a.int("word_index"), sequenceIndex: try a.int("sequence_index")) else { return .none }
            return .tuple([.int(r.start), .int(r.end)])
        }
        b.method("word_to_chars", "word_index, sequence_index=0", doc: "The (start, end) character span of a word, or None.") { e, a in
            guard let r = e.encoding.wordToChars(try a.int("word_index"), sequenceIndex: try a.int("sequence_index")) else { return .none }
            return .tuple([.int(r.start), .int(r.end)])
        }
        return b
    }
}

import Foundation
import Models
import Tensors

/// transformers' `ModelOutput` for scripts: `outputs.logits` (attribute), `outputs["logits"]`
/// (key), `outputs[0]` (index over the fields that are set, as `to_tuple()`), `keys()`,
/// `"loss" in outputs`, and a dataclass repr listing every declared field.
final class ModelOutputObject: NativeObject, ScriptClassProviding {
    let output: ModelOutput
    /// The present fields as script values, in order.
    let items: [(String, Value)]

    init(_ output: ModelOutput) {
        self.output = output
        items = output.fields.map { ($0.name, Self.value($0.value)) }
    }

    /// One field as a script value: a tensor, a tuple of tensors, or the cache.
    static func value(_ v: OutputValue) -> Value {
        switch v {
        case .tensor(let t): return ScriptBridge.wrap(t)
        case .tensors(let ts): return .tuple(ts.map { ScriptBridge.wrap($0) })
        case .cache(let c): return ScriptBridge.wrap(CacheObject(c))
        }
    }

    /// Each output class's declared fields in transformers' order (for the repr and for
    /// reading an unset field as None); classes not listed show their present fields.
    static let declaredFields: [String: [String]] = [
        "BaseModelOutput": ["last_hidden_state", "hidden_states", "attentions"],
        "BaseModelOutputWithPooling": ["last_hidden_state", "pooler_output", "hidden_states", "attentions"],
        "BaseModelOutputWithPoolingAndCrossAttentions": ["last_hidden_state", "pooler_output", "hidden_states", "past_key_values", "attentions", "cross_attentions"],
        "BaseModelOutputWithPast": ["last_hidden_state", "past_key_values", "hidden_states", "attentions"],
        "BaseModelOutputWithPastAndCrossAttentions": ["last_hidden_state", "past_key_values", "hidden_states", "attentions", "cross_attentions"],
        "SequenceClassifierOutput": ["loss", "logits", "hidden_states", "attentions"],
        "SequenceClassifierOutputWithPast": ["loss", "logits", "past_key_values", "hidden_states", "attentions"],
        "TokenClassifierOutput": ["loss", "logits", "hidden_states", "attentions"],
        "QuestionAnsweringModelOutput": ["loss", "start_logits", "end_logits", "hidden_states", "attentions"],
        "MaskedLMOutput": ["loss", "logits", "hidden_states", "attentions"],
        "CausalLMOutputWithPast": ["loss", "logits", "past_key_values", "hidden_states", "attentions"],
        "CausalLMOutputWithCrossAttentions": ["loss", "logits", "past_key_values", "hidden_states", "attentions", "cross_attentions"],
        "GenerateDecoderOnlyOutput": ["sequences", "scores", "logits", "attentions", "hidden_states", "cache"],
        "GenerateBeamDecoderOnlyOutput": ["sequences", "sequences_scores", "scores", "logits", "beam_indices", "attentions", "hidden_states", "cache"],
    ]

    /// The declared fields, with any present field the table lacks kept in place.
    var fieldNames: [String] {
        let declared = Self.declaredFields[output.typeName] ?? []
        return declared + items.map(\.0).filter { !declared.contains($0) }
    }

    /// The present values, as `to_tuple()` returns them.
    var tupleItems: [Value] { items.map(\.1) }

    /// The field `name`; transformers 5 calls the cache `cache`, formerly `past_key_values`,
    /// and either name reads it.
    func field(_ name: String) -> Value? {
        if let exact = items.first(where: { $0.0 == name }) { return exact.1 }
        let alias = name == "cache" ? "past_key_values" : name == "past_key_values" ? "cache" : nil
        return alias.flatMap { a in items.first { $0.0 == a }?.1 }
    }

    var typeName: String { output.typeName }
    nonisolated(unsafe) static var classes: [String: PyClass] = [:]
    /// One script class per output class name, under `ModelOutput`.
    var scriptClass: PyClass {
        if let c = Self.classes[typeName] { return c }
        let c = PyClass(name: typeName, base: Self.binding.scriptClass)
        c.module = "transformers.modeling_outputs"
        Self.classes[typeName] = c
        return c
    }
    var doc: String? { "\(output.typeName): \(fieldNames.joined(separator: ", ")) (unset fields are None)." }
    var attributeNames: [String] { Self.binding.attributeNames + fieldNames }

    func getAttribute(_ name: String) throws -> Value? {
        if let v = try Self.binding.attribute(name, of: self) { return v }
        if let v = field(name) { return v }
        if fieldNames.contains(name) || name == "cache" && fieldNames.contains("past_key_values") { return Value.none }
        if name.hasPrefix("__") { return nil }
        throw ScriptBridge.error("AttributeError", "'\(typeName)' object has no attribute '\(name)'")
    }

    func item(_ key: Value) throws -> Value {
        switch key {
        case .str(let s):
            guard let v = field(s) else { throw ScriptBridge.error("KeyError", s) }
            return v
        default:
            return try Interp.getItem(.tuple(tupleItems), key)
        }
    }

    func repr() throws -> String {
        let parts = try fieldNames.map { name in "\(name)=\(try ScriptBridge.repr(field(name) ?? .none))" }
        return "\(typeName)(\(parts.joined(separator: ", ")))"
    }

    static let binding: NativeTypeBinding<ModelOutputObject> = make()

    static func make() -> NativeTypeBinding<ModelOutputObject> {
        let b = NativeTypeBinding<ModelOutputObject>(typeName: "ModelOutput", module: "transformers",
            doc: "A model's output: fields by attribute (outputs.logits), key (outputs['logits']) or index (outputs[0], over the fields that are set).")
        b.method("__getitem__", "key", doc: "outputs['logits'] or outputs[0].") { o, a in try o.item(a["key"]) }
        b.method("__contains__", "key", doc: "Whether the field is set.") { o, a in
            guard case .str(let s) = a["key"] else { return .bool(false) }
            return .bool(o.field(s) != nil)
        }
        b.method("__len__", "", doc: "The number of fields that are set.") { o, _ in .int(o.items.count) }
        b.method("__iter__", "", doc: "Iterates over the names of the fields that are set.") { o, _ in
            try Interp.iter(.list(o.items.map { .str($0.0) }))
        }
        b.method("keys", "", doc: "The names of the fields that are set.") { o, _ in .list(o.items.map { .str($0.0) }) }
        b.method("values", "", doc: "The values of the fields that are set.") { o, _ in .list(o.tupleItems) }
        b.method("items", "", doc: "(name, value) pairs of the fields that are set.") { o, _ in
            .list(o.items.map { .tuple([.str($0.0), $0.1]) })
        }
        b.method("get", "key, default=None", doc: "The field's value, or default when it is not set.") { o, a in
            guard case .str(let s) = a["key"] else { return a["default"] }
            return o.field(s) ?? a["default"]
        }
        b.method("to_tuple", "", doc: "The values of the fields that are set, in order.") { o, _ in .tuple(o.tupleItems) }
        return b
    }
}

/// The key/value cache a causal model returns (`outputs.past_key_values`), passed back as
/// `past_key_values=` to continue from where it stopped.
final class CacheObject: NativeObject {
    let cache: KeyValueCache
    init(_ cache: KeyValueCache) { self.cache = cache }
    var typeName: String { "DynamicCache" }
    func getAttribute(_ name: String) throws -> Value? {
        switch name {
        case "get_seq_length":
            return ScriptBridge.function("get_seq_length", doc: "The number of cached positions.") { [cache] _, _ in .int(cache.sequenceLength) }
        case "crop":
            return Bindings.function("crop", "max_length", doc: "Keeps only the first max_length positions.") { [cache] a in
                try TransformersModels.translating { try cache.crop(to: try a.int("max_length")) }
                return .none
            }
        case "__len__":
            return ScriptBridge.function("__len__", doc: "The number of layers.") { [cache] _, _ in .int(cache.layerCount) }
        default: return nil
        }
    }
    func repr() throws -> String { "DynamicCache(layers=\(cache.layerCount), seq_length=\(cache.sequenceLength))" }
    var doc: String? { "The keys and values of every layer computed so far; pass it as past_key_values= to the next call." }
    var attributeNames: [String] { ["crop", "get_seq_length"] }
}

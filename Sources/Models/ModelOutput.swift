import Tensors

/// One value of a model's output: a tensor, a tuple of tensors (per-layer hidden states or
/// attentions), or the key/value cache a causal model hands back.
public enum OutputValue {
    case tensor(Tensor)
    case tensors([Tensor])
    case cache(KeyValueCache)

    /// The tensor, when this value is one.
    public var tensor: Tensor? { if case .tensor(let t) = self { return t } else { return nil } }
    /// The tensors, when this value is a tuple of them.
    public var tensors: [Tensor]? { if case .tensors(let t) = self { return t } else { return nil } }
    /// The cache, when this value is one.
    public var cache: KeyValueCache? { if case .cache(let c) = self { return c } else { return nil } }
}

/// What a model returns, as transformers' `ModelOutput`: named fields in the class's declared
/// order, holding only the fields that were computed (a missing `loss` is absent, so index 0 is
/// `logits` when no labels were given, exactly as `outputs[0]` behaves in transformers).
public struct ModelOutput {
    /// transformers' class name (`BaseModelOutputWithPooling`, `CausalLMOutputWithPast`, ...).
    public let typeName: String
    /// The present fields, in declaration order.
    public private(set) var fields: [(name: String, value: OutputValue)]

    /// An output of class `typeName`; nil values are left out.
    public init(_ typeName: String, _ fields: [(String, OutputValue?)]) {
        self.typeName = typeName
        self.fields = fields.compactMap { name, value in value.map { (name, $0) } }
    }

    /// The field called `name`, if present.
    public subscript(name: String) -> OutputValue? { fields.first { $0.name == name }?.value }

    /// The tensor field called `name`, if present and a tensor.
    public func tensor(_ name: String) -> Tensor? { self[name]?.tensor }

    /// `loss`, when labels were given (0-d).
    public var loss: Tensor? { tensor("loss") }
    /// `logits`: scores before softmax.
    public var logits: Tensor? { tensor("logits") }
    /// `last_hidden_state`: `[batch, sequence, hidden]`.
    public var lastHiddenState: Tensor? { tensor("last_hidden_state") }
    /// `pooler_output`: `[batch, hidden]`.
    public var poolerOutput: Tensor? { tensor("pooler_output") }
    /// `hidden_states`: the embeddings' output then each layer's (layers + 1 tensors).
    public var hiddenStates: [Tensor]? { self["hidden_states"]?.tensors }
    /// `attentions`: each layer's probabilities `[batch, heads, query, key]`.
    public var attentions: [Tensor]? { self["attentions"]?.tensors }
    /// The cache to pass to the next step: transformers 5 calls the field `cache` (formerly
    /// `past_key_values`, still accepted as an alias).
    public var pastKeyValues: KeyValueCache? { (self["cache"] ?? self["past_key_values"])?.cache }

    /// Helpers for building outputs from optional Swift values.
    public static func value(_ t: Tensor?) -> OutputValue? { t.map { .tensor($0) } }
    public static func value(_ t: [Tensor]?) -> OutputValue? { t.map { .tensors($0) } }
    public static func value(_ c: KeyValueCache?) -> OutputValue? { c.map { .cache($0) } }
}

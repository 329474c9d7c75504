import Tensors

/// The outputs of a base encoder (transformers' `BaseModelOutputWithPooling`).
public struct BaseModelOutputWithPooling {
    /// `[batch, sequence, hidden]`: the last layer's states.
    public var lastHiddenState: Tensor
    /// `[batch, hidden]`: the first token's state through the pooler (dense + tanh); nil when the
    /// model has no pooler.
    public var poolerOutput: Tensor?
    /// With `outputHiddenStates`: the embeddings' output, then each layer's (layers + 1 tensors).
    public var hiddenStates: [Tensor]?
    /// With `outputAttentions`: each layer's attention probabilities `[batch, heads, seq, seq]`.
    public var attentions: [Tensor]?
}

/// The outputs of a sequence classifier (transformers' `SequenceClassifierOutput`).
public struct SequenceClassifierOutput {
    /// The loss, when labels were given (0-d).
    public var loss: Tensor?
    /// `[batch, numLabels]` scores before softmax.
    public var logits: Tensor
    /// As in `BaseModelOutputWithPooling`.
    public var hiddenStates: [Tensor]?
    /// As in `BaseModelOutputWithPooling`.
    public var attentions: [Tensor]?
}

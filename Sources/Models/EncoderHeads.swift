import Foundation
import NN
import Tensors

// What the task heads of the encoder families (BERT, DistilBERT, RoBERTa) share: reading a head
// layer that a base checkpoint may lack, and the losses, defined exactly as transformers' heads
// compute them.

/// Shared pieces of the encoder task heads.
enum EncoderHeads {
    /// A head's `Linear` at `loader` (`weight [out, in]`, `bias [out]`), freshly initialised as
    /// transformers' `_init_weights` does (normal with `std`, zero bias) when the checkpoint lacks
    /// it; such names end up in the model's `newlyInitialized`.
    static func linear(_ loader: WeightLoader, in inFeatures: Int, out outFeatures: Int, std: Double) throws -> Linear {
        Linear(weight: try loader.tensor("weight", shape: [outFeatures, inFeatures]) { try Tensor.normal([outFeatures, inFeatures], std: std) },
               bias: try loader.tensor("bias", shape: [outFeatures]) { Tensor.zeros([outFeatures]) })
    }

    /// A head's `LayerNorm` at `loader`, ones and zeros when the checkpoint lacks it.
    static func layerNorm(_ loader: WeightLoader, size: Int, eps: Double) throws -> LayerNorm {
        LayerNorm(weight: try loader.tensor("weight", shape: [size]) { Tensor.ones([size]) },
                  bias: try loader.tensor("bias", shape: [size]) { Tensor.zeros([size]) }, eps: eps)
    }

    /// A classification head's label count (`id2label`), which must be positive.
    static func labelCount(_ config: ModelConfig, for className: String) throws -> Int {
        let labels = try config.numLabels
        guard labels > 0 else { throw ModelError.invalidConfig("\(config.source): \(className) needs at least one label (num_labels)") }
        return labels
    }

    /// Question answering reads two scores per token (start, end): `num_labels` must be 2.
    static func checkQuestionAnsweringLabels(_ config: ModelConfig, for className: String) throws {
        let labels = try config.numLabels
        guard labels == 2 else {
            throw ModelError.invalidConfig("\(config.source): \(className) needs num_labels = 2 (start and end scores), but it is \(labels)")
        }
    }

    /// Whether the output projection of a masked-LM head is the word embedding table
    /// (`tie_word_embeddings`, true unless the config says otherwise).
    static func tiesWordEmbeddings(_ config: ModelConfig) throws -> Bool {
        guard let v = config.value("tie_word_embeddings"), !v.isNull else { return true }
        guard let tied = v.boolValue else { throw ModelError.invalidConfig("\(config.source): 'tie_word_embeddings' must be true or false, got \(v)") }
        return tied
    }

    /// The loss of a sequence classifier, by transformers' rule: `problem_type` when set, else one
    /// label is regression (MSE), integer labels single-label classification (cross-entropy), any
    /// other labels multi-label classification (BCE with logits).
    static func sequenceClassificationLoss(_ logits: Tensor, _ labels: Tensor, config: ModelConfig) throws -> Tensor {
        let labelCount = logits.shape[1]
        let problem = config["problem_type"]?.stringValue
            ?? (labelCount == 1 ? "regression" : labels.dtype.isIntegral ? "single_label_classification" : "multi_label_classification")
        switch problem {
        case "regression":
            return try Tensor.mseLoss(labelCount == 1 ? logits.squeeze() : logits,
                                      labelCount == 1 ? labels.to(.float32).squeeze() : labels.to(.float32))
        case "single_label_classification":
            guard labels.count == logits.shape[0] else {
                throw ModelError.invalidInput("labels has \(labels.count) entries for a batch of \(logits.shape[0])")
            }
            return try Tensor.crossEntropy(logits, labels.to(.int64).reshape([-1]))
        case "multi_label_classification":
            guard labels.shape == logits.shape else {
                throw ModelError.invalidInput("multi-label labels must have the logits' shape \(logits.shape.shapeString), got \(labels.shape.shapeString)")
            }
            // mean(max(x, 0) - x*y + log(1 + exp(-|x|))), the stable form of BCE with logits.
            let y = try labels.to(.float32)
            let terms = try logits.relu() - logits * y + ((0 - logits.abs()).exp() + 1).log()
            return try terms.mean()
        default:
            throw ModelError.invalidConfig("\(config.source): problem_type '\(problem)' is not one of regression, single_label_classification, multi_label_classification")
        }
    }

    /// Cross-entropy over every token (`logits [batch, seq, classes]`, integer `labels
    /// [batch, seq]`), labels of -100 left out of the mean: the token-classification and
    /// masked-LM losses.
    static func tokenLoss(_ logits: Tensor, _ labels: Tensor) throws -> Tensor {
        let tokens = logits.shape.dropLast().reduce(1, *)
        guard labels.dtype.isIntegral, labels.dtype != .bool, labels.count == tokens else {
            throw ModelError.invalidInput("labels must be an integer tensor with one entry per token (\(logits.shape.dropLast().map { $0 }.shapeString)), got \(labels.dtype) \(labels.shape.shapeString)")
        }
        return try Tensor.crossEntropy(logits.reshape([tokens, logits.shape.last!]), labels.to(.int64).reshape([-1]))
    }

    /// Splits question-answering scores `[batch, seq, 2]` into start and end logits and, with
    /// both position tensors, adds transformers' loss: positions clamped to `0...seq`, `seq`
    /// ignored (a position past the input), the mean of the start and end cross-entropies.
    static func questionAnsweringOutput(_ logits: Tensor, startPositions: Tensor?, endPositions: Tensor?,
                                        encoder: ModelOutput) throws -> ModelOutput {
        let parts = try logits.split(size: 1, dim: -1)
        let start = try parts[0].squeeze(-1).contiguous(), end = try parts[1].squeeze(-1).contiguous()
        var loss: Tensor?
        if let startPositions, let endPositions {
            let batch = logits.shape[0], length = logits.shape[1]
            func targets(_ positions: Tensor, _ name: String) throws -> Tensor {
                // transformers squeezes a trailing dimension ([batch, 1] from multi-GPU gathers).
                let flat = positions.rank > 1 ? try positions.squeeze(-1) : positions
                guard flat.dtype.isIntegral, flat.dtype != .bool, flat.shape == [batch] else {
                    throw ModelError.invalidInput("\(name) must be an integer tensor of shape [\(batch)], got \(positions.dtype) \(positions.shape.shapeString)")
                }
                return try flat.to(.int64).clamp(min: 0, max: Double(length))
            }
            let startLoss = try Tensor.crossEntropy(start, targets(startPositions, "start_positions"), ignoreIndex: length)
            let endLoss = try Tensor.crossEntropy(end, targets(endPositions, "end_positions"), ignoreIndex: length)
            loss = try (startLoss + endLoss) / 2
        } else if (startPositions == nil) != (endPositions == nil) {
            throw ModelError.invalidInput("question answering needs both start_positions and end_positions for a loss, got only \(startPositions == nil ? "end_positions" : "start_positions")")
        }
        return ModelOutput("QuestionAnsweringModelOutput", [
            ("loss", ModelOutput.value(loss)), ("start_logits", .tensor(start)), ("end_logits", .tensor(end)),
            ("hidden_states", ModelOutput.value(encoder.hiddenStates)), ("attentions", ModelOutput.value(encoder.attentions)),
        ])
    }

    /// A head output of class `typeName` (`TokenClassifierOutput`, `MaskedLMOutput`,
    /// `SequenceClassifierOutput`): loss, logits, then the encoder's hidden states and attentions.
    static func output(_ typeName: String, loss: Tensor?, logits: Tensor, encoder: ModelOutput) -> ModelOutput {
        ModelOutput(typeName, [
            ("loss", ModelOutput.value(loss)), ("logits", .tensor(logits)),
            ("hidden_states", ModelOutput.value(encoder.hiddenStates)), ("attentions", ModelOutput.value(encoder.attentions)),
        ])
    }
}

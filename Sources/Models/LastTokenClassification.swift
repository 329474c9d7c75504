import Foundation
import Tensors

/// What the causal models' sequence classifiers share (transformers'
/// `GenericForSequenceClassification`, `GPT2ForSequenceClassification`): every position is
/// scored, and each row's score is read at its last token that is not padding.
enum LastTokenClassification {
    /// Per row, the index of the rightmost token that is not `padTokenId` (0 when every token
    /// is padding, as argmax finds it); the last position when there is no pad token or only
    /// embeddings were given. Works for left and right padding alike.
    static func lastTokens(inputIds: Tensor?, batch: Int, length: Int, padTokenId: Int?, className: String) throws -> [Int] {
        guard let pad = padTokenId else {
            guard batch == 1 else { throw ModelError.invalidInput("\(className): Cannot handle batch sizes > 1 if no padding token is defined.") }
            return [length - 1]
        }
        guard let inputIds else { return Array(repeating: length - 1, count: batch) }
        let ids = inputIds.contiguous().toInt64Array()
        return (0..<batch).map { b in
            (0..<length).last { ids[b * length + $0] != Int64(pad) } ?? 0
        }
    }

    /// `logits [batch, length, labels]` read at `rows` positions: `[batch, labels]`.
    static func pool(_ logits: Tensor, at rows: [Int]) throws -> Tensor {
        let batch = logits.shape[0], length = logits.shape[1], labels = logits.shape[2]
        let flat = try logits.reshape([batch * length, labels])
        let index = try Tensor(int64: rows.enumerated().map { Int64($0.offset * length + $0.element) }, shape: [batch])
        return try flat.indexSelect(dim: 0, index: index)
    }

    /// The loss by `problem_type`, inferred as transformers does when absent: one label is
    /// regression (MSE), integer labels single-label classification (cross-entropy), otherwise
    /// multi-label (BCE with logits).
    static func loss(_ pooled: Tensor, _ labels: Tensor, config: ModelConfig) throws -> Tensor {
        let count = pooled.shape[1]
        let problem = config["problem_type"]?.stringValue
            ?? (count == 1 ? "regression" : labels.dtype.isIntegral ? "single_label_classification" : "multi_label_classification")
        switch problem {
        case "regression":
            return try Tensor.mseLoss(count == 1 ? pooled.squeeze() : pooled,
                                      count == 1 ? labels.to(.float32).squeeze() : labels.to(.float32))
        case "single_label_classification":
            guard labels.count == pooled.shape[0] else {
                throw ModelError.invalidInput("labels has \(labels.count) entries for a batch of \(pooled.shape[0])")
            }
            return try Tensor.crossEntropy(pooled, labels.to(.int64).reshape([-1]))
        case "multi_label_classification":
            guard labels.shape == pooled.shape else {
                throw ModelError.invalidInput("multi-label labels must have the logits' shape \(pooled.shape.shapeString), got \(labels.shape.shapeString)")
            }
            // mean(max(x, 0) - x*y + log(1 + exp(-|x|))), the stable form of BCE with logits.
            let y = try labels.to(.float32)
            return try (pooled.relu() - pooled * y + ((0 - pooled.abs()).exp() + 1).log()).mean()
        default:
            throw ModelError.invalidConfig("\(config.source): problem_type '\(problem)' is not one of regression, single_label_classification, multi_label_classification")
        }
    }

    /// The classifier head `[labels, hidden]` (no bias): read as `score.weight`, or freshly
    /// initialised over a checkpoint without one.
    static func scoreWeight(_ loader: WeightLoader, config: ModelConfig, hidden: Int) throws -> Tensor {
        let labels = try config.numLabels
        guard labels > 0 else { throw ModelError.invalidConfig("\(config.source): a sequence classifier needs at least one label") }
        let range = try config.optionalDouble("initializer_range") ?? 0.02
        return try loader.rooted(at: "score").tensor("weight", shape: [labels, hidden]) {
            try Tensor.normal([labels, hidden], std: range)
        }
    }
}

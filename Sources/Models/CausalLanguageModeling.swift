import Foundation
import Tensors

/// What every causal model here shares around its layers: input checks, cache set-up, default
/// positions and the shifted language-modelling loss.
enum CausalLanguageModeling {
    /// The hidden states whose logits are wanted: the last `count` positions (transformers'
    /// `logits_to_keep`), or all of them for 0. Generation asks for one, which spares the
    /// vocabulary-sized product at every prompt position.
    static func keptPositions(_ hidden: Tensor, _ count: Int) throws -> Tensor {
        let length = hidden.shape[1]
        guard count > 0 && count < length else { return hidden }
        return try hidden.slice(1, start: length - count, end: length)
    }

    /// Checks `input_ids` (`[batch, sequence]` integers below `vocabSize`) or `inputs_embeds`
    /// (`[batch, sequence, hidden]`), exactly one of them, and returns (batch, sequence).
    static func checkInputs(_ inputIds: Tensor?, _ inputsEmbeds: Tensor?, vocabSize: Int, hiddenSize: Int,
                            className: String) throws -> (batch: Int, length: Int) {
        switch (inputIds, inputsEmbeds) {
        case (nil, nil), (.some, .some):
            throw ModelError.invalidInput("\(className): You must specify exactly one of input_ids or inputs_embeds")
        case (let ids?, nil):
            guard ids.rank == 2, ids.dtype.isIntegral, ids.dtype != .bool else {
                throw ModelError.invalidInput("input_ids must be a [batch, sequence] integer tensor, got \(ids.dtype) \(ids.shape.shapeString)")
            }
            guard ids.shape[1] > 0 else { throw ModelError.invalidInput("input_ids has no positions (shape \(ids.shape.shapeString))") }
            if let bad = ids.contiguous().toInt64Array().first(where: { $0 < 0 || $0 >= vocabSize }) {
                throw ModelError.invalidInput("input_ids holds \(bad), outside 0..<\(vocabSize) (vocab_size)")
            }
            return (ids.shape[0], ids.shape[1])
        case (nil, let embeds?):
            guard embeds.rank == 3, embeds.shape[2] == hiddenSize, embeds.dtype.isFloatingPoint else {
                throw ModelError.invalidInput("inputs_embeds must be a [batch, sequence, \(hiddenSize)] float tensor, got \(embeds.dtype) \(embeds.shape.shapeString)")
            }
            return (embeds.shape[0], embeds.shape[1])
        }
    }

    /// The cache a step writes to: the one passed in (checked against the model and batch), a
    /// fresh one when `useCache`, else nil.
    static func cache(_ past: KeyValueCache?, useCache: Bool, layers: Int, batch: Int) throws -> KeyValueCache? {
        if let past {
            guard past.layerCount == layers else {
                throw ModelError.invalidInput("past_key_values has \(past.layerCount) layers but the model has \(layers)")
            }
            if let cachedBatch = past.batchSize, cachedBatch != batch {
                throw ModelError.shapeMismatch("past_key_values holds a batch of \(cachedBatch) but the inputs have a batch of \(batch)")
            }
            return past
        }
        return useCache ? KeyValueCache(layers: layers) : nil
    }

    /// Position rows: `positionIds` checked (`[batch or 1, sequence]`), else transformers'
    /// default `past ..< past + sequence` for every row, whatever the padding.
    static func positions(_ positionIds: Tensor?, batch: Int, length: Int, past: Int) throws -> [[Int]] {
        guard let positionIds else { return [Array(past..<(past + length))] }
        guard positionIds.rank == 2, positionIds.shape[1] == length, positionIds.shape[0] == batch || positionIds.shape[0] == 1,
              positionIds.dtype.isIntegral, positionIds.dtype != .bool else {
            throw ModelError.shapeMismatch("position_ids has shape \(positionIds.shape.shapeString) (\(positionIds.dtype)) but the inputs need integers shaped [\(batch), \(length)] or [1, \(length)]")
        }
        let rows = CausalMask.rows(positionIds, batch: positionIds.shape[0])
        if let bad = rows.joined().first(where: { $0 < 0 }) {
            throw ModelError.invalidInput("position_ids holds \(bad); positions must not be negative")
        }
        return rows
    }

    /// transformers' `ForCausalLMLoss`: token t predicts label t + 1 (labels shifted left, the
    /// last position gets -100), cross entropy averaged over labels that are not -100.
    static func loss(logits: Tensor, labels: Tensor) throws -> Tensor {
        let (batch, length, vocab) = (logits.shape[0], logits.shape[1], logits.shape[2])
        guard labels.shape == [batch, length], labels.dtype.isIntegral, labels.dtype != .bool else {
            throw ModelError.shapeMismatch("labels must be integers shaped like input_ids \([batch, length].shapeString), got \(labels.dtype) \(labels.shape.shapeString)")
        }
        let values = labels.contiguous().toInt64Array()
        if let bad = values.first(where: { $0 != -100 && ($0 < 0 || $0 >= Int64(vocab)) }) {
            throw ModelError.invalidInput("labels holds \(bad), outside 0..<\(vocab) and not -100 (ignored)")
        }
        var shifted = [Int64](repeating: -100, count: batch * length)
        for b in 0..<batch {
            for t in 0..<(length - 1) { shifted[b * length + t] = values[b * length + t + 1] }
        }
        return try Tensor.crossEntropy(logits.reshape([batch * length, vocab]),
                                       Tensor(int64: shifted, shape: [batch * length]), ignoreIndex: -100)
    }
}

/// A decoder's results before a class names them: last hidden state, cache, and the per-layer
/// states and probabilities when asked for.
struct DecoderResult {
    let hidden: Tensor
    let cache: KeyValueCache?
    let hiddenStates: [Tensor]?
    let attentions: [Tensor]?
}

import NN
import Tensors

/// Scaled dot-product attention as transformers' `eager_attention_forward`, with grouped-query
/// attention done without repeating keys and values.
enum EagerAttention {
    /// `queries [batch, heads, new, headSize]` against `keys`/`values [batch, kvHeads, total,
    /// headSize]` (`heads` a multiple of `kvHeads`): softmax(q·kᵀ · scale + mask) · v.
    /// Returns the context `[batch, new, heads * headSize]` and the probabilities `[batch, heads,
    /// new, total]`. `mask` is additive, `[batch or 1, 1, new, total]`.
    ///
    /// transformers repeats each kv head for its group of query heads (`repeat_kv`); here the
    /// group's queries are stacked as rows of one product instead (`[batch, kvHeads, group *
    /// new, headSize]`), which gives the same numbers without copying keys and values, so a
    /// decode step reads the cache in place.
    static func attend(queries: Tensor, keys: Tensor, values: Tensor, mask: Tensor?, scale: Double,
                       dropout: Dropout?) throws -> (context: Tensor, probabilities: Tensor) {
        let (batch, heads, new, headSize) = (queries.shape[0], queries.shape[1], queries.shape[2], queries.shape[3])
        let kvHeads = keys.shape[1], total = keys.shape[2]
        guard kvHeads > 0, heads % kvHeads == 0 else {
            throw ModelError.shapeMismatch("\(heads) attention heads cannot share \(kvHeads) key/value heads")
        }
        let group = heads / kvHeads
        let stacked = try queries.reshape([batch, kvHeads, group * new, headSize])
        var scores = try stacked.matmul(keys.transpose(-1, -2)) * scale
        scores = try scores.view([batch, heads, new, total])
        if let mask { scores = try scores + mask }
        var probabilities = try scores.softmax(dim: -1)
        if let dropout { probabilities = try dropout(probabilities) }
        let context = try probabilities.reshape([batch, kvHeads, group * new, total]).matmul(values)
        let merged = try context.view([batch, heads, new, headSize]).permute([0, 2, 1, 3])
            .reshape([batch, new, heads * headSize])
        return (merged, probabilities)
    }
}

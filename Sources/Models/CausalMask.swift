import Foundation
import Tensors

/// The additive mask causal models add to their attention scores, as transformers'
/// `create_causal_mask` / `create_sliding_window_causal_mask` build it for eager attention: 0
/// where a query may attend, float32's most negative value where it may not.
///
/// A query at cache index `past + i` sees key `j` when `j <= past + i`, the key is not padding
/// (`attention_mask[b, j] != 0`), within a sliding window `j > past + i - window`, and, for
/// packed sequences, when both belong to the same sequence. A query that may see nothing (a
/// padding row) gets all-minimum scores, which softmax turns into uniform weights, as in
/// transformers.
struct CausalMask {
    /// `[batch, past + new]` 0/1 values, nil when every position is attended.
    let padding: [Int64]?
    let batch: Int
    let queryLength: Int
    let pastLength: Int
    /// Per row, the packed-sequence index of each query position (nil when not packed).
    let sequenceIndex: [[Int]]?

    var keyLength: Int { pastLength + queryLength }

    /// Reads and checks `attentionMask` (`[batch, past + new]`, any numeric dtype).
    init(attentionMask: Tensor?, batch: Int, queryLength: Int, pastLength: Int, positionIds: Tensor?, usesCache: Bool) throws {
        self.batch = batch
        self.queryLength = queryLength
        self.pastLength = pastLength
        if let attentionMask {
            let expected = [batch, pastLength + queryLength]
            guard attentionMask.shape == expected else {
                let covers = pastLength > 0 ? " (it must cover the \(pastLength) cached positions and the \(queryLength) new ones)" : ""
                throw ModelError.shapeMismatch("attention_mask has shape \(attentionMask.shape.shapeString) but the model needs \(expected.shapeString)\(covers)")
            }
            let values = try attentionMask.to(.int64).contiguous().toInt64Array()
            padding = values.allSatisfy { $0 != 0 } ? nil : values
        } else {
            padding = nil
        }
        // transformers treats explicit position ids that restart as packed sequences, but only
        // without a mask and without a cache (a training batch).
        if attentionMask == nil, !usesCache, let positionIds {
            let rows = CausalMask.rows(positionIds, batch: batch)
            let indices = rows.map { row -> [Int] in
                var index = 0
                return row.enumerated().map { t, p in
                    if t > 0 && p - row[t - 1] != 1 { index += 1 }
                    return index
                }
            }
            sequenceIndex = indices.allSatisfy { ($0.last ?? 0) == 0 } ? nil : indices
        } else {
            sequenceIndex = nil
        }
    }

    /// `[batch, seq]` or `[1, seq]` ids as `batch` rows of Ints.
    static func rows(_ ids: Tensor, batch: Int) -> [[Int]] {
        let values = ids.contiguous().toInt64Array().map(Int.init)
        let width = ids.shape[ids.rank - 1]
        let count = ids.rank == 2 ? ids.shape[0] : 1
        return (0..<batch).map { b in
            let r = count == 1 ? 0 : b
            return Array(values[(r * width)..<((r + 1) * width)])
        }
    }

    /// Whether a window of `window` positions (nil = none) hides anything from these queries.
    private func windowCuts(_ window: Int?) -> Bool {
        guard let window else { return false }
        return keyLength > window
    }

    /// The mask `[batch or 1, 1, new, past + new]`, or nil when nothing is masked (one new
    /// token, no padding, no window cut), so decoding without padding builds no mask at all.
    func additive(slidingWindow window: Int?) -> Tensor? {
        if padding == nil && sequenceIndex == nil && queryLength == 1 && !windowCuts(window) { return nil }
        let rows = padding == nil && sequenceIndex == nil ? 1 : batch
        let q = queryLength, k = keyLength
        let blocked = -Float.greatestFiniteMagnitude
        let mask = Tensor(uninitialized: [rows, 1, q, k])
        withExtendedLifetime(mask) {
            let out = mask.floatPointer
            for b in 0..<rows {
                for i in 0..<q {
                    let position = pastLength + i
                    let row = out + (b * q + i) * k
                    for j in 0..<k {
                        var allowed = j <= position
                        if allowed, let window { allowed = j > position - window }
                        if allowed, let padding { allowed = padding[b * k + j] != 0 }
                        if allowed, let sequenceIndex { allowed = sequenceIndex[b][i] == sequenceIndex[b][j] }
                        row[j] = allowed ? 0 : blocked
                    }
                }
            }
        }
        return mask
    }
}

import Foundation

/// Next-token scores for a batch: `rows` rows of `vocabulary` float32 values, row-major, as the
/// `[batch, vocab]` tensor transformers' processors receive.
public struct ScoreMatrix {
    public var values: [Float]
    public let rows: Int
    public let vocabulary: Int

    public init(values: [Float], rows: Int, vocabulary: Int) {
        precondition(values.count == rows * vocabulary)
        self.values = values
        self.rows = rows
        self.vocabulary = vocabulary
    }

    /// Row `r` as a range into `values`.
    @inline(__always) public func range(_ r: Int) -> Range<Int> { r * vocabulary ..< (r + 1) * vocabulary }

    /// Row `r` copied out.
    public func row(_ r: Int) -> [Float] { Array(values[range(r)]) }
}

/// One step of score processing, as a transformers `LogitsProcessor`: it sees every row's tokens
/// so far and rewrites that row's scores.
public protocol LogitsProcessor {
    func process(_ sequences: [[Int]], _ scores: inout ScoreMatrix) throws
}

/// Row-wise numerics shared by the processors, in float32 as torch computes them.
enum RowMath {
    /// softmax of `row` (max-subtracted).
    static func softmax(_ row: ArraySlice<Float>) -> [Float] {
        let m = row.max() ?? 0
        if m == -.infinity { return row.map { _ in Float.nan } }
        var out = row.map { Foundation.exp($0 - m) }
        var sum: Float = 0
        for v in out { sum += v }
        for i in out.indices { out[i] /= sum }
        return out
    }

    /// log_softmax of `row`.
    static func logSoftmax(_ row: ArraySlice<Float>) -> [Float] {
        let m = row.max() ?? 0
        var sum: Float = 0
        for v in row { sum += Foundation.exp(v - m) }
        let logSum = Foundation.log(sum)
        return row.map { $0 - m - logSum }
    }

    /// Indices of `row` ordered by value (ascending or descending); ties keep index order.
    static func order(_ row: [Float], descending: Bool) -> [Int] {
        row.indices.sorted { a, b in
            let x = row[a], y = row[b]
            if x != y { return descending ? x > y : x < y }
            return a < b
        }
    }
}

/// Penalises every token already in the row (transformers' `RepetitionPenaltyLogitsProcessor`):
/// negative scores are multiplied by the penalty, positive ones divided. Positions before
/// `promptIgnoreLength[row]` (left padding) are not counted.
public struct RepetitionPenaltyProcessor: LogitsProcessor {
    public let penalty: Float
    public let promptIgnoreLength: [Int]?

    public init(penalty: Double, promptIgnoreLength: [Int]? = nil) {
        self.penalty = Float(penalty)
        self.promptIgnoreLength = promptIgnoreLength
    }

    public func process(_ sequences: [[Int]], _ scores: inout ScoreMatrix) throws {
        for (r, tokens) in sequences.enumerated() {
            let skip = promptIgnoreLength.map { $0[r % $0.count] } ?? 0
            var seen = Set<Int>()
            let base = r * scores.vocabulary
            for token in tokens.dropFirst(skip) where token >= 0 && token < scores.vocabulary && seen.insert(token).inserted {
                let s = scores.values[base + token]
                scores.values[base + token] = s < 0 ? s * penalty : s / penalty
            }
        }
    }
}

/// Forbids the token that would repeat an n-gram already in the row
/// (`NoRepeatNGramLogitsProcessor`).
public struct NoRepeatNGramProcessor: LogitsProcessor {
    public let size: Int

    public func process(_ sequences: [[Int]], _ scores: inout ScoreMatrix) throws {
        for (r, tokens) in sequences.enumerated() where tokens.count >= size {
            let prefix = tokens[(tokens.count + 1 - size)...]
            for start in 0...(tokens.count - size) where tokens[start ..< start + size - 1].elementsEqual(prefix) {
                let banned = tokens[start + size - 1]
                if banned >= 0 && banned < scores.vocabulary { scores.values[r * scores.vocabulary + banned] = -.infinity }
            }
        }
    }
}

/// Forbids token sequences (`NoBadWordsLogitsProcessor`): a one-token word always, a longer
/// one when the row ends with all but its last token. Single end-of-sequence tokens are dropped
/// from the list, as transformers does.
public struct BadWordsProcessor: LogitsProcessor {
    public let words: [[Int]]

    public init(badWordsIds: [[Int]], eosTokenIds: [Int]) {
        words = badWordsIds.filter { word in !eosTokenIds.contains { word == [$0] } }
    }

    public func process(_ sequences: [[Int]], _ scores: inout ScoreMatrix) throws {
        let outside = words.flatMap { $0 }.filter { $0 >= scores.vocabulary }
        if !outside.isEmpty {
            throw ModelError.invalidInput("The model vocabulary size is \(scores.vocabulary), but the following tokens were being biased: \(outside)")
        }
        for (r, tokens) in sequences.enumerated() {
            for word in words {
                let prefix = word.dropLast()
                guard prefix.count <= tokens.count, tokens.suffix(prefix.count).elementsEqual(prefix) else { continue }
                scores.values[r * scores.vocabulary + word.last!] = -.infinity
            }
        }
    }
}

/// Forbids the end-of-sequence tokens while a row is shorter than `minLength` in total
/// (`MinLengthLogitsProcessor`) or has fewer than `minNewTokens` after `promptLength`
/// (`MinNewTokensLengthLogitsProcessor`).
public struct MinLengthProcessor: LogitsProcessor {
    public let minimum: Int
    public let promptLength: Int
    public let eosTokenIds: [Int]

    public func process(_ sequences: [[Int]], _ scores: inout ScoreMatrix) throws {
        guard let length = sequences.first?.count, length - promptLength < minimum else { return }
        for r in 0..<scores.rows {
            for eos in eosTokenIds where eos >= 0 && eos < scores.vocabulary { scores.values[r * scores.vocabulary + eos] = -.infinity }
        }
    }
}

/// Divides every score by the temperature (`TemperatureLogitsWarper`).
public struct TemperatureWarper: LogitsProcessor {
    public let temperature: Float
    public func process(_ sequences: [[Int]], _ scores: inout ScoreMatrix) throws {
        for i in scores.values.indices { scores.values[i] /= temperature }
    }
}

/// Keeps the `k` highest scores of each row (ties with the k-th kept) (`TopKLogitsWarper`).
public struct TopKWarper: LogitsProcessor {
    public let k: Int
    public func process(_ sequences: [[Int]], _ scores: inout ScoreMatrix) throws {
        let k = min(self.k, scores.vocabulary)
        for r in 0..<scores.rows {
            let range = scores.range(r)
            let row = Array(scores.values[range])
            // The k-th largest value, without sorting the whole vocabulary every step.
            guard let kth = BeamMath.topIndices(row, k).last else { continue }
            let threshold = row[kth]
            for i in range where scores.values[i] < threshold { scores.values[i] = -.infinity }
        }
    }
}

/// Keeps the smallest set of highest-probability tokens whose mass exceeds `p`
/// (`TopPLogitsWarper`), and at least `minTokensToKeep`.
public struct TopPWarper: LogitsProcessor {
    public let p: Double
    public let minTokensToKeep: Int
    public func process(_ sequences: [[Int]], _ scores: inout ScoreMatrix) throws {
        let limit = Float(1 - p)
        for r in 0..<scores.rows {
            let range = scores.range(r)
            let row = Array(scores.values[range])
            let ascending = RowMath.order(row, descending: false)
            let probabilities = RowMath.softmax(ascending.map { row[$0] }[...])
            var cumulative: Float = 0
            for (position, index) in ascending.enumerated() {
                cumulative += probabilities[position]
                if cumulative <= limit && position < ascending.count - minTokensToKeep {
                    scores.values[range.lowerBound + index] = -.infinity
                }
            }
        }
    }
}

/// Drops tokens whose probability is below `minP` times the top token's (`MinPLogitsWarper`).
public struct MinPWarper: LogitsProcessor {
    public let minP: Double
    public let minTokensToKeep: Int
    public func process(_ sequences: [[Int]], _ scores: inout ScoreMatrix) throws {
        for r in 0..<scores.rows {
            let range = scores.range(r)
            let probabilities = RowMath.softmax(scores.values[range])
            let threshold = Float(minP) * (probabilities.max() ?? 0)
            let keep = Set(RowMath.order(probabilities, descending: true).prefix(minTokensToKeep))
            for (i, p) in probabilities.enumerated() where p < threshold && !keep.contains(i) {
                scores.values[range.lowerBound + i] = -.infinity
            }
        }
    }
}

/// Locally typical sampling (`TypicalLogitsWarper`): keeps the tokens whose surprise is closest
/// to the row's entropy until their mass reaches `mass`.
public struct TypicalWarper: LogitsProcessor {
    public let mass: Double
    public let minTokensToKeep: Int
    public func process(_ sequences: [[Int]], _ scores: inout ScoreMatrix) throws {
        for r in 0..<scores.rows {
            let range = scores.range(r)
            let row = Array(scores.values[range])
            let logProbabilities = RowMath.logSoftmax(row[...])
            var entropy: Float = 0
            for l in logProbabilities where !l.isNaN {
                let term = l * Foundation.exp(l)
                if !term.isNaN { entropy -= term }
            }
            let shifted = logProbabilities.map { Swift.abs(-$0 - entropy) }
            let order = RowMath.order(shifted, descending: false)
            let probabilities = RowMath.softmax(order.map { row[$0] }[...])
            var cumulative: Float = 0, lastIndex = 0
            for p in probabilities {
                cumulative += p
                if cumulative < Float(mass) { lastIndex += 1 }
            }
            lastIndex = min(lastIndex, order.count - 1)
            let cutoff = shifted[order[lastIndex]]
            for (position, index) in order.enumerated() where position >= minTokensToKeep && shifted[index] > cutoff {
                scores.values[range.lowerBound + index] = -.infinity
            }
        }
    }
}

extension GenerationConfig {
    /// The processors transformers' `_get_logits_processor` builds for this config, in its
    /// order: repetition penalty, n-gram blocking, bad words, minimum lengths, then (sampling
    /// only) temperature, top-k, top-p, min-p, typical-p.
    func logitsProcessors(promptLength: Int, paddingLengths: [Int]?) -> [LogitsProcessor] {
        var list: [LogitsProcessor] = []
        if repetitionPenalty != 1 { list.append(RepetitionPenaltyProcessor(penalty: repetitionPenalty, promptIgnoreLength: paddingLengths)) }
        if noRepeatNgramSize > 0 { list.append(NoRepeatNGramProcessor(size: noRepeatNgramSize)) }
        if let badWordsIds { list.append(BadWordsProcessor(badWordsIds: badWordsIds, eosTokenIds: eosTokenIds)) }
        if !eosTokenIds.isEmpty && minLength > 0 {
            list.append(MinLengthProcessor(minimum: minLength, promptLength: 0, eosTokenIds: eosTokenIds))
        }
        if !eosTokenIds.isEmpty, let minNewTokens, minNewTokens > 0 {
            list.append(MinLengthProcessor(minimum: minNewTokens, promptLength: promptLength, eosTokenIds: eosTokenIds))
        }
        if doSample {
            let keep = numBeams > 1 ? max(2, eosTokenIds.count + 1) : 1
            if temperature != 1 { list.append(TemperatureWarper(temperature: Float(temperature))) }
            if topK != 0 { list.append(TopKWarper(k: max(topK, keep))) }
            if topP < 1 { list.append(TopPWarper(p: topP, minTokensToKeep: keep)) }
            if let minP { list.append(MinPWarper(minP: minP, minTokensToKeep: keep)) }
            if typicalP < 1 { list.append(TypicalWarper(mass: typicalP, minTokensToKeep: keep)) }
        }
        return list
    }
}

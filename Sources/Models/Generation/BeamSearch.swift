import Foundation
import Tensors

extension DecodingSession {
    /// Beam search and beam sampling as transformers' vectorised `_beam_search`: per batch item,
    /// `numBeams` running hypotheses and `numBeams` finished ones; each step keeps the best
    /// (or sampled) `beamsToKeep` continuations, continues the best unfinished ones, and merges
    /// newly finished ones (length-penalised) into the finished set. Scores are float32 and the
    /// "impossible" marker is -1e9, as there.
    mutating func beamSearch(sequences input: [[Int]], mask promptMask: [[Int]], batch: Int,
                             paddingLengths: [Int], generator: Generator) throws -> ModelOutput {
        let beams = config.numBeams
        let eos = config.eosTokenIds
        let beamsToKeep = max(2, 1 + eos.count) * beams
        let maxLength = config.maxLength
        let lengthPenalty = config.lengthPenalty
        let impossible: Float = -1.0e9
        // transformers: `pad_token_id or eos_token_id[0] if eos_token_id is not None else -1`.
        let fill = eos.isEmpty ? -1 : ((config.padTokenId ?? 0) != 0 ? config.padTokenId! : eos[0])
        var current = promptLength
        let steps = maxLength - promptLength

        var running = (0..<batch).map { b in
            (0..<beams).map { k in input[b * beams + k] + Array(repeating: fill, count: maxLength - promptLength) }
        }
        var finishedSequences = running
        var runningScores = (0..<batch).map { _ in (0..<beams).map { $0 == 0 ? Float(0) : impossible } }
        var finishedScores = Array(repeating: Array(repeating: impossible, count: beams), count: batch)
        var isFinished = Array(repeating: Array(repeating: false, count: beams), count: batch)
        var improvable = Array(repeating: true, count: batch)
        var runningOrigins = Array(repeating: Array(repeating: Array(repeating: -1, count: steps), count: beams), count: batch)
        var finishedOrigins = runningOrigins

        let processors = config.logitsProcessors(promptLength: promptLength, paddingLengths: paddingLengths)
        let criteria = stoppingCriteria()
        var allScores: [Tensor] = [], allLogits: [Tensor] = []

        while true {
            let flat = running.flatMap { $0.map { Array($0[..<current]) } }
            let mask = promptMask.map { $0 + Array(repeating: 1, count: current - promptLength) }
            let logits = try step(flat, mask)
            let vocabulary = logits.vocabulary
            var logProbabilities = logits
            for r in 0..<logits.rows {
                let range = logits.range(r)
                logProbabilities.values.replaceSubrange(range, with: RowMath.logSoftmax(logits.values[range]))
            }
            for p in processors { try p.process(flat, &logProbabilities) }
            if config.returnDictInGenerate {
                if config.outputLogits { allLogits.append(try Tensor(logits.values, shape: [logits.rows, vocabulary])) }
                if config.outputScores { allScores.append(try Tensor(logProbabilities.values, shape: [logits.rows, vocabulary])) }
            }

            var hits = Array(repeating: Array(repeating: false, count: beamsToKeep), count: batch)
            var candidates: [[(score: Float, sequence: [Int], origins: [Int])]] = []
            for b in 0..<batch {
                // Accumulated log-probabilities of every (beam, token), beam-major.
                var accumulated = [Float](repeating: 0, count: beams * vocabulary)
                for k in 0..<beams {
                    let row = logProbabilities.range(b * beams + k)
                    let base = runningScores[b][k]
                    for (v, i) in row.enumerated() { accumulated[k * vocabulary + v] = logProbabilities.values[i] + base }
                }
                var chosen: [Int]
                if config.doSample {
                    chosen = try Sampling.multinomialWithoutReplacement(RowMath.softmax(accumulated[...]), count: beamsToKeep, generator: generator)
                    chosen.sort { accumulated[$0] != accumulated[$1] ? accumulated[$0] > accumulated[$1] : $0 < $1 }
                } else {
                    chosen = BeamMath.topIndices(accumulated, beamsToKeep)
                }
                candidates.append(chosen.map { index in
                    let beam = index / vocabulary, token = index % vocabulary
                    var sequence = running[b][beam]
                    sequence[current] = token
                    var origins = runningOrigins[b][beam]
                    origins[current - promptLength] = beam + b * beams
                    return (accumulated[index], sequence, origins)
                })
                let done = isDone(criteria, candidates[b].map { Array($0.sequence[...current]) })
                hits[b] = done
            }

            var reorder: [Int] = []
            for b in 0..<batch {
                // Continue with the best candidates that did not just stop.
                let continuing = candidates[b].enumerated().map { j, c in c.score + (hits[b][j] ? impossible : 0) }
                let next = BeamMath.topIndices(continuing, beams)
                running[b] = next.map { candidates[b][$0].sequence }
                runningScores[b] = next.map { continuing[$0] }
                runningOrigins[b] = next.map { candidates[b][$0].origins }

                // Merge the top `beams` candidates that just stopped into the finished set.
                let penalty = Float(pow(Double(current + 1 - promptLength), lengthPenalty))
                let full = isFinished[b].allSatisfy { $0 } && config.earlyStopping == .on
                var mergedScores = finishedScores[b]
                var justFinished: [Bool] = []
                for (j, c) in candidates[b].enumerated() {
                    let stopped = hits[b][j] && j < beams
                    var s = c.score / penalty
                    s += full ? impossible : 0
                    s += improvable[b] ? 0 : impossible
                    s += stopped ? 0 : impossible
                    mergedScores.append(s)
                    justFinished.append(stopped)
                }
                let keep = BeamMath.topIndices(mergedScores, beams)
                let oldSequences = finishedSequences[b], oldOrigins = finishedOrigins[b], oldFinished = isFinished[b]
                finishedSequences[b] = keep.map { $0 < beams ? oldSequences[$0] : candidates[b][$0 - beams].sequence }
                finishedOrigins[b] = keep.map { $0 < beams ? oldOrigins[$0] : candidates[b][$0 - beams].origins }
                isFinished[b] = keep.map { $0 < beams ? oldFinished[$0] : justFinished[$0 - beams] }
                finishedScores[b] = keep.map { mergedScores[$0] }
                reorder += runningOrigins[b].map { $0[current - promptLength] }
            }
            try cache?.reorder(rows: Tensor(int64: reorder.map(Int64.init), shape: [reorder.count]))
            if !lastPositions.isEmpty { lastPositions = reorder.map { lastPositions[$0] } }

            current += 1
            for b in 0..<batch where improvable[b] {
                let hypotheticalLength = config.earlyStopping == .never && lengthPenalty > 0 ? maxLength - promptLength : current - promptLength
                let best = runningScores[b][0] / Float(pow(Double(hypotheticalLength), lengthPenalty))
                let worst = finishedScores[b].min() ?? impossible
                improvable[b] = isFinished[b].contains { best > ($0 ? worst : impossible) }
            }
            let allFinished = isFinished.allSatisfy { $0.allSatisfy { $0 } }
            let allHit = hits.allSatisfy { $0.allSatisfy { $0 } }
            if !(improvable.contains(true) && !(allFinished && config.earlyStopping == .on) && !allHit) { break }
        }

        let returned = config.numReturnSequences
        let rows = finishedSequences.flatMap { $0.prefix(returned) }
        let origins = finishedOrigins.flatMap { $0.prefix(returned) }
        let generated = origins.map { $0.filter { $0 != -1 }.count }.max() ?? 0
        let length = promptLength + generated
        let sequences = try Tensor(int64: rows.flatMap { $0.prefix(length).map(Int64.init) }, shape: [rows.count, length])
        let dict = config.returnDictInGenerate
        return ModelOutput(dict ? "GenerateBeamDecoderOnlyOutput" : "GenerateDecoderOnlyOutput", [
            ("sequences", .tensor(sequences)),
            ("sequences_scores", dict && config.outputScores
                ? .tensor(try Tensor(finishedScores.flatMap { $0.prefix(returned) }, shape: [rows.count])) : nil),
            ("scores", dict && config.outputScores ? .tensors(allScores) : nil),
            ("logits", dict && config.outputLogits ? .tensors(allLogits) : nil),
            ("beam_indices", dict ? .tensor(try Tensor(int64: origins.flatMap { $0.prefix(generated).map(Int64.init) }, shape: [rows.count, generated])) : nil),
            ("cache", dict ? ModelOutput.value(cache) : nil),
        ])
    }
}

enum BeamMath {
    /// The indices of the `k` largest values, largest first (ties: lower index first).
    static func topIndices(_ values: [Float], _ k: Int) -> [Int] {
        if k >= values.count / 4 {
            return Array(values.indices.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }.prefix(k))
        }
        // A small k over a large vocabulary: keep a sorted short list.
        var best: [Int] = []
        for i in values.indices {
            let v = values[i]
            if best.count == k, let last = best.last, !(v > values[last]) { continue }
            var position = best.count
            while position > 0 && v > values[best[position - 1]] { position -= 1 }
            best.insert(i, at: position)
            if best.count > k { best.removeLast() }
        }
        return best
    }
}

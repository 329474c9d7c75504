import Foundation
import Tensors

/// What `generate` needs besides the model: the config, and optionally a streamer and the
/// token texts that stop strings are matched against.
public struct GenerationRequest {
    public var inputIds: Tensor
    public var attentionMask: Tensor?
    public var config: GenerationConfig
    public var streamer: GenerationStreamer?
    /// The bytes of one token's text (for `stop_strings`).
    public var tokenBytes: ((Int) -> [UInt8])?
    /// Random numbers for sampling (the global generator, seeded by `torch.manual_seed`).
    public var generator: Generator

    public init(inputIds: Tensor, attentionMask: Tensor? = nil, config: GenerationConfig,
                streamer: GenerationStreamer? = nil, tokenBytes: ((Int) -> [UInt8])? = nil,
                generator: Generator = .defaultGenerator) {
        self.inputIds = inputIds
        self.attentionMask = attentionMask
        self.config = config
        self.streamer = streamer
        self.tokenBytes = tokenBytes
        self.generator = generator
    }
}

/// Greedy search, multinomial sampling, beam search and beam sampling over any causal model, as
/// transformers' `GenerationMixin.generate`, step for step: the same processors in the same
/// order, the same stopping rules, the same handling of finished rows and left padding.
public enum Generation {
    /// Runs generation. Returns transformers' output: with `return_dict_in_generate` a
    /// `GenerateDecoderOnlyOutput` / `GenerateBeamDecoderOnlyOutput` (sequences, scores, logits,
    /// ...), otherwise an output whose only field is `sequences`.
    public static func generate(_ model: PreTrainedModel, _ request: GenerationRequest) throws -> ModelOutput {
        var config = request.config
        let ids = request.inputIds
        guard ids.rank == 2, ids.dtype.isIntegral, ids.dtype != .bool else {
            throw ModelError.invalidInput("input_ids must be a [batch, sequence] integer tensor, got \(ids.dtype) \(ids.shape.shapeString)")
        }
        let batch = ids.shape[0], promptLength = ids.shape[1]
        guard batch > 0 else { throw ModelError.invalidInput("input_ids has an empty batch") }
        if let m = request.attentionMask, m.shape != ids.shape {
            throw ModelError.invalidInput("attention_mask has shape \(m.shape.shapeString) but input_ids has \(ids.shape.shapeString)")
        }
        if config.padTokenId == nil, let eos = config.eosTokenIds.first { config.padTokenId = eos }
        if let maxNew = config.maxNewTokens { config.maxLength = promptLength + maxNew }
        try config.validate()
        if promptLength >= config.maxLength {
            throw ModelError.invalidInput("Input length of input_ids is \(promptLength), but `max_length` is set to \(config.maxLength). This can lead to unexpected behavior. You should consider increasing `max_length` or, better yet, setting `max_new_tokens`.")
        }
        if request.streamer != nil && (config.numBeams > 1 || batch > 1) {
            throw ModelError.invalidInput(config.numBeams > 1
                ? "`streamer` cannot be used with beam search (yet!). Make sure that `num_beams` is set to 1."
                : "TextStreamer only supports batch size 1")
        }
        if !config.stopStrings.isEmpty && request.tokenBytes == nil {
            throw ModelError.invalidInput("There are one or more stop strings, either in the arguments to `generate` or in the model's generation config, but we could not locate a tokenizer. When generating with stop strings, you must pass the model's tokenizer to the `tokenizer` argument of `generate`.")
        }
        let rows = ids.toInt64Array().map(Int.init)
        var sequences = (0..<batch).map { Array(rows[$0 * promptLength ..< ($0 + 1) * promptLength]) }
        var mask: [[Int]]
        if let m = request.attentionMask {
            let flat = m.toInt64Array().map(Int.init)
            mask = (0..<batch).map { Array(flat[$0 * promptLength ..< ($0 + 1) * promptLength]) }
        } else {
            mask = defaultMask(sequences, config)
        }
        try request.streamer?.put(sequences[0])

        var session = DecodingSession(model: model, config: config, promptLength: promptLength,
                                      tokenBytes: request.tokenBytes)
        // transformers' `padding_lengths`: the index of each row's first attended token.
        let paddingLengths = mask.map { $0.firstIndex(where: { $0 != 0 }) ?? 0 }
        let output: ModelOutput
        if config.numBeams > 1 {
            let expand = config.numBeams
            output = try session.beamSearch(sequences: repeatRows(sequences, expand), mask: repeatRows(mask, expand),
                                             batch: batch, paddingLengths: repeatRows(paddingLengths, expand),
                                             generator: request.generator)
        } else {
            let expand = config.numReturnSequences
            if expand > 1 {
                sequences = repeatRows(sequences, expand)
                mask = repeatRows(mask, expand)
            }
            output = try session.sample(sequences: sequences, mask: mask, paddingLengths: repeatRows(paddingLengths, expand),
                                        streamer: request.streamer, generator: request.generator)
        }
        try request.streamer?.end()
        return output
    }

    /// transformers' `_prepare_attention_mask_for_generation`: padding is inferred from the pad
    /// token only when the inputs contain it and it is not an end-of-sequence token.
    static func defaultMask(_ sequences: [[Int]], _ config: GenerationConfig) -> [[Int]] {
        if let pad = config.padTokenId, !config.eosTokenIds.contains(pad), sequences.contains(where: { $0.contains(pad) }) {
            return sequences.map { $0.map { $0 == pad ? 0 : 1 } }
        }
        return sequences.map { $0.map { _ in 1 } }
    }

    static func repeatRows<T>(_ rows: [T], _ times: Int) -> [T] {
        times == 1 ? rows : rows.flatMap { Array(repeating: $0, count: times) }
    }
}

/// The state of one `generate` call: the model, its cache and the per-row positions.
struct DecodingSession {
    let model: PreTrainedModel
    let config: GenerationConfig
    let promptLength: Int
    let tokenBytes: ((Int) -> [UInt8])?
    let usesPositionIds: Bool
    var cache: KeyValueCache?
    /// Per row, the position of its last token (for the next step's position id).
    var lastPositions: [Int] = []

    init(model: PreTrainedModel, config: GenerationConfig, promptLength: Int, tokenBytes: ((Int) -> [UInt8])?) {
        self.model = model
        self.config = config
        self.promptLength = promptLength
        self.tokenBytes = tokenBytes
        usesPositionIds = model.acceptedInputs.contains("position_ids")
    }

    /// The stopping rules transformers assembles: max length, end-of-sequence tokens, stop strings.
    func stoppingCriteria() -> [StoppingCriterion] {
        var list: [StoppingCriterion] = [MaxLengthCriterion(maxLength: config.maxLength)]
        if !config.eosTokenIds.isEmpty { list.append(EndOfSequenceCriterion(eosTokenIds: Set(config.eosTokenIds))) }
        if !config.stopStrings.isEmpty, let tokenBytes {
            list.append(StopStringCriterion(stopStrings: config.stopStrings, tokenBytes: tokenBytes))
        }
        return list
    }

    func isDone(_ criteria: [StoppingCriterion], _ sequences: [[Int]]) -> [Bool] {
        var done = Array(repeating: false, count: sequences.count)
        for criterion in criteria {
            for (i, d) in criterion.isDone(sequences).enumerated() where d { done[i] = true }
        }
        return done
    }

    /// One forward pass: the whole prompt on the first call (or every call without a cache),
    /// then only the newest token per row. Returns the last position's logits.
    mutating func step(_ sequences: [[Int]], _ mask: [[Int]]) throws -> ScoreMatrix {
        let rows = sequences.count
        let length = sequences[0].count
        let first = cache == nil
        let feed = (first || !config.useCache) ? length : 1
        var tokens: [Int64] = []
        tokens.reserveCapacity(rows * feed)
        for row in sequences { tokens += row.suffix(feed).map(Int64.init) }
        var inputs = ModelInputs(inputIds: try Tensor(int64: tokens, shape: [rows, feed]))
        inputs.attentionMask = try Tensor(int64: mask.flatMap { $0.map(Int64.init) }, shape: [rows, length])
        if usesPositionIds {
            // transformers: cumsum(mask) - 1 with padding at 0 for the prompt, then +1 per step.
            var positions: [Int64] = []
            if first || !config.useCache {
                lastPositions = []
                for row in mask {
                    var running = 0
                    var rowPositions: [Int64] = []
                    for m in row {
                        running += m
                        rowPositions.append(m == 0 ? 0 : Int64(running - 1))
                    }
                    lastPositions.append(Int(rowPositions.last ?? 0))
                    positions += rowPositions.suffix(feed)
                }
            } else {
                for i in lastPositions.indices { lastPositions[i] += 1 }
                positions = lastPositions.map(Int64.init)
            }
            inputs.positionIds = try Tensor(int64: positions, shape: [rows, feed])
        }
        if config.useCache {
            inputs.pastKeyValues = cache
            inputs.useCache = true
        } else {
            inputs.useCache = false
        }
        inputs.logitsToKeep = 1
        let output = try withNoGrad { try model.forward(inputs) }
        guard let logits = output.logits else { throw ModelError.invalidInput("\(model.className) returned no logits; generate needs a causal language model") }
        if config.useCache {
            guard let next = output.pastKeyValues else { throw ModelError.invalidInput("\(model.className) returned no cache") }
            cache = next
        }
        let vocabulary = logits.shape[logits.rank - 1]
        let last = try logits.select(1, logits.shape[1] - 1).contiguous().to(.float32)
        return ScoreMatrix(values: last.toFloatArray(), rows: rows, vocabulary: vocabulary)
    }

    /// Greedy search or multinomial sampling (`_sample`).
    mutating func sample(sequences start: [[Int]], mask start2: [[Int]], paddingLengths: [Int],
                         streamer: GenerationStreamer?, generator: Generator) throws -> ModelOutput {
        var sequences = start, mask = start2
        let processors = config.logitsProcessors(promptLength: promptLength, paddingLengths: paddingLengths)
        let criteria = stoppingCriteria()
        let hasEndOfSequence = !config.eosTokenIds.isEmpty
        let pad = config.padTokenId ?? 0
        var unfinished = Array(repeating: true, count: sequences.count)
        var allScores: [Tensor] = [], allLogits: [Tensor] = []
        while true {
            let logits = try step(sequences, mask)
            var scores = logits
            for p in processors { try p.process(sequences, &scores) }
            if config.returnDictInGenerate {
                if config.outputScores { allScores.append(try Tensor(scores.values, shape: [scores.rows, scores.vocabulary])) }
                if config.outputLogits { allLogits.append(try Tensor(logits.values, shape: [logits.rows, logits.vocabulary])) }
            }
            var next: [Int] = []
            for r in 0..<scores.rows {
                let row = scores.values[scores.range(r)]
                var token = config.doSample ? try Sampling.multinomial(RowMath.softmax(row), generator: generator)
                                            : Sampling.argmax(row)
                if hasEndOfSequence && !unfinished[r] { token = pad }
                next.append(token)
            }
            for r in sequences.indices {
                sequences[r].append(next[r])
                mask[r].append(1)
            }
            try streamer?.put([next[0]])
            let done = isDone(criteria, sequences)
            for r in unfinished.indices where done[r] { unfinished[r] = false }
            if !unfinished.contains(true) { break }
        }
        let result = try Tensor(int64: sequences.flatMap { $0.map(Int64.init) }, shape: [sequences.count, sequences[0].count])
        return ModelOutput("GenerateDecoderOnlyOutput", [
            ("sequences", .tensor(result)),
            ("scores", config.returnDictInGenerate && config.outputScores ? .tensors(allScores) : nil),
            ("logits", config.returnDictInGenerate && config.outputLogits ? .tensors(allLogits) : nil),
            ("cache", config.returnDictInGenerate ? ModelOutput.value(cache) : nil),
        ])
    }
}

/// Token choice from a row of scores.
enum Sampling {
    /// The first index of the largest value (torch.argmax; a NaN wins, as in torch).
    static func argmax(_ row: ArraySlice<Float>) -> Int {
        var best = row.startIndex
        for i in row.indices {
            let v = row[i]
            if v.isNaN { best = i; break }
            if v > row[best] { best = i }
        }
        return best - row.startIndex
    }

    /// One draw from `probabilities` (need not be normalised); throws on a row with no mass or a
    /// NaN, as torch.multinomial does.
    static func multinomial(_ probabilities: [Float], generator: Generator) throws -> Int {
        var total: Double = 0
        for p in probabilities {
            guard p >= 0, p.isFinite else {
                throw ModelError.invalidInput("probability tensor contains either `inf`, `nan` or element < 0")
            }
            total += Double(p)
        }
        guard total > 0 else { throw ModelError.invalidInput("invalid multinomial distribution (sum of probabilities <= 0)") }
        let u = Double(try Tensor.rand([1], generator: generator).toFloatArray()[0]) * total
        var cumulative: Double = 0
        var lastPositive = 0
        for (i, p) in probabilities.enumerated() where p > 0 {
            cumulative += Double(p)
            lastPositive = i
            if u < cumulative { return i }
        }
        return lastPositive
    }

    /// `count` draws without replacement, most probable first among ties of draw order (torch
    /// multinomial without replacement, then beam search sorts them by score anyway).
    static func multinomialWithoutReplacement(_ probabilities: [Float], count: Int, generator: Generator) throws -> [Int] {
        var p = probabilities
        var chosen: [Int] = []
        for _ in 0..<count {
            let i = try multinomial(p, generator: generator)
            chosen.append(i)
            p[i] = 0
        }
        return chosen
    }
}

extension PreTrainedModel {
    /// `model.generate(input_ids, ...)`: the model's default generation config (its
    /// generation_config.json when loaded with one, else its config's special tokens) with
    /// `options` (transformers' keyword names) applied on top.
    public func generate(inputIds: Tensor, attentionMask: Tensor? = nil, options: [(String, ConfigValue)] = [],
                         base: GenerationConfig? = nil, streamer: GenerationStreamer? = nil,
                         tokenBytes: ((Int) -> [UInt8])? = nil) throws -> ModelOutput {
        var config = try base ?? GenerationConfig(modelConfig: self.config)
        for (key, value) in options { try config.set(key, value) }
        return try Generation.generate(self, GenerationRequest(inputIds: inputIds, attentionMask: attentionMask, config: config,
                                                               streamer: streamer, tokenBytes: tokenBytes))
    }
}

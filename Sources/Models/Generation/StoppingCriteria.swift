/// Decides, after each new token, which rows are done (transformers' `StoppingCriteria`).
public protocol StoppingCriterion {
    /// Whether each row of `sequences` (prompt and generated tokens) should stop.
    func isDone(_ sequences: [[Int]]) -> [Bool]
}

/// Stops every row once it reaches `maxLength` tokens (`MaxLengthCriteria`).
public struct MaxLengthCriterion: StoppingCriterion {
    public let maxLength: Int
    public func isDone(_ sequences: [[Int]]) -> [Bool] { sequences.map { $0.count >= maxLength } }
}

/// Stops a row whose last token is an end-of-sequence token (`EosTokenCriteria`).
public struct EndOfSequenceCriterion: StoppingCriterion {
    public let eosTokenIds: Set<Int>
    public func isDone(_ sequences: [[Int]]) -> [Bool] { sequences.map { $0.last.map(eosTokenIds.contains) ?? false } }
}

/// Stops a row whose text contains one of `stopStrings` overlapping its final token
/// (`StopStringCriteria`): across token boundaries, with the final token running past the
/// string's end, or wholly inside the final token; but not a string that ended before the
/// final token began. Matching is on UTF-8 bytes, as transformers does for byte-level
/// vocabularies, so a token holding part of a character still counts.
public struct StopStringCriterion: StoppingCriterion {
    public let stopStrings: [[UInt8]]
    /// The bytes one token stands for (the tokenizer's text for it, without markers like "Ġ").
    public let tokenBytes: (Int) -> [UInt8]

    public init(stopStrings: [String], tokenBytes: @escaping (Int) -> [UInt8]) {
        self.stopStrings = stopStrings.filter { !$0.isEmpty }.map { Array($0.utf8) }
        self.tokenBytes = tokenBytes
    }

    public func isDone(_ sequences: [[Int]]) -> [Bool] {
        let longest = stopStrings.map(\.count).max() ?? 0
        return sequences.map { tokens in
            guard let last = tokens.last else { return false }
            // The final token, and enough earlier ones to hold the longest stop string.
            let final = tokenBytes(last)
            var before: [UInt8] = []
            var i = tokens.count - 2
            while i >= 0 && before.count < longest {
                before.insert(contentsOf: tokenBytes(tokens[i]), at: 0)
                i -= 1
            }
            let text = before + final
            let finalStart = before.count
            for stop in stopStrings where stop.count <= text.count {
                // An occurrence must end after the final token's first byte.
                for start in max(0, finalStart - stop.count + 1)...(text.count - stop.count)
                where text[start ..< start + stop.count].elementsEqual(stop) {
                    return true
                }
            }
            return false
        }
    }
}

/// The token/word/character alignment queries of `tokenizers`' `Encoding`, which the
/// question-answering pipeline uses to widen an answer to whole words.
extension Encoding {
    /// The tokens of input sequence `sequenceIndex` (every token when the encoding holds no pair).
    func sequenceRange(_ sequenceIndex: Int) -> Range<Int> {
        sequenceRanges[sequenceIndex] ?? 0..<count
    }

    /// The input sequence (0 or 1) token `tokenIndex` belongs to; nil for special tokens.
    public func tokenToSequence(_ tokenIndex: Int) -> Int? {
        guard tokenIndex >= 0, tokenIndex < count else { return nil }
        if sequenceRanges.isEmpty { return 0 }
        return sequenceRanges.first { $0.value.contains(tokenIndex) }?.key
    }

    /// The word (within its own input sequence) token `tokenIndex` came from; nil for special
    /// tokens and padding.
    public func tokenToWord(_ tokenIndex: Int) -> Int? {
        guard tokenToSequence(tokenIndex) != nil else { return nil }
        return wordIds[tokenIndex]
    }

    /// The tokens [start, end) of word `wordIndex` in input sequence `sequenceIndex`, or nil
    /// when this encoding (a truncated window, say) holds none of them. Words are numbered in
    /// increasing order, so the search stops at the first later word, as the reference does.
    public func wordToTokens(_ wordIndex: Int, sequenceIndex: Int = 0) -> (start: Int, end: Int)? {
        var first: Int?, last: Int?
        for i in sequenceRange(sequenceIndex) where i < wordIds.count {
            guard let word = wordIds[i] else { continue }
            if word > wordIndex { break }
            if word == wordIndex {
                if first == nil { first = i }
                last = i + 1
            }
        }
        guard let first, let last else { return nil }
        return (first, last)
    }

    /// The character span of word `wordIndex` of input sequence `sequenceIndex`, or nil.
    public func wordToChars(_ wordIndex: Int, sequenceIndex: Int = 0) -> Offset? {
        guard let (start, end) = wordToTokens(wordIndex, sequenceIndex: sequenceIndex) else { return nil }
        return Offset(offsets[start].start, offsets[end - 1].end)
    }
}

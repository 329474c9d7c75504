/// The result of encoding one text (or pair): ids and everything aligned with them. Mirrors the
/// `Encoding` of Hugging Face `tokenizers`; offsets are character offsets into the input text(s).
public struct Encoding: Equatable {
    /// Token ids.
    public var ids: [Int] = []
    /// Segment (token type) id of every token: 0 for the first sequence, usually 1 for the second.
    public var typeIds: [Int] = []
    /// Token strings.
    public var tokens: [String] = []
    /// Character span of every token in its own input text; (0, 0) for special tokens and padding.
    public var offsets: [Offset] = []
    /// 1 for special tokens added by post-processing and padding, 0 for tokens from the text.
    public var specialTokensMask: [Int] = []
    /// 1 for real tokens, 0 for padding.
    public var attentionMask: [Int] = []
    /// Index of the word each token came from (nil for special tokens and padding).
    public var wordIds: [Int?] = []
    /// Windows of the input that did not fit `maxLength` under truncation.
    public var overflowing: [Encoding] = []
    /// Which token range belongs to which input sequence (0 or 1).
    public var sequenceRanges: [Int: Range<Int>] = [:]

    /// An empty encoding.
    public init() {}

    /// Number of tokens.
    public var count: Int { ids.count }

    /// The input sequence (0 or 1) each token belongs to; nil for special tokens and padding.
    public var sequenceIds: [Int?] {
        var out = [Int?](repeating: nil, count: ids.count)
        for (seq, r) in sequenceRanges { for i in r where i < out.count { out[i] = seq } }
        return out
    }

    /// Marks every token (and every overflowing window's tokens) as belonging to input `id`.
    mutating func setSequenceId(_ id: Int) {
        sequenceRanges = [id: 0..<ids.count]
        for i in overflowing.indices { overflowing[i].setSequenceId(id) }
    }

    init(tokens model: [Token], wordId: Int?, typeId: Int) {
        ids = model.map(\.id)
        tokens = model.map(\.value)
        offsets = model.map(\.offsets)
        typeIds = Array(repeating: typeId, count: model.count)
        wordIds = Array(repeating: wordId, count: model.count)
        specialTokensMask = Array(repeating: 0, count: model.count)
        attentionMask = Array(repeating: 1, count: model.count)
    }

    /// Appends `other`, combining overflowing windows the way the reference does (every
    /// overflow of one side with the other side and its overflows).
    mutating func merge(with other: Encoding, growingOffsets: Bool) {
        var overflows: [Encoding] = []
        for mine in overflowing {
            var e = mine
            e.merge(with: other, growingOffsets: growingOffsets)
            overflows.append(e)
            for theirs in other.overflowing {
                var e2 = mine
                e2.merge(with: theirs, growingOffsets: growingOffsets)
                overflows.append(e2)
            }
        }
        for theirs in other.overflowing {
            var e = self
            e.merge(with: theirs, growingOffsets: growingOffsets)
            overflows.append(e)
        }
        let base = ids.count
        for (seq, r) in other.sequenceRanges { sequenceRanges[seq] = (base + r.lowerBound)..<(base + r.upperBound) }
        ids += other.ids
        typeIds += other.typeIds
        tokens += other.tokens
        wordIds += other.wordIds
        let shift = growingOffsets ? (offsets.last?.end ?? 0) : 0
        offsets += shift == 0 ? other.offsets : other.offsets.map { Offset($0.start + shift, $0.end + shift) }
        specialTokensMask += other.specialTokensMask
        attentionMask += other.attentionMask
        overflowing = overflows
    }

    /// Concatenates encodings in order.
    static func merged(_ parts: [Encoding], growingOffsets: Bool) -> Encoding {
        var e = Encoding()
        for p in parts { e.merge(with: p, growingOffsets: growingOffsets) }
        return e
    }

    func slice(_ r: Range<Int>) -> Encoding {
        var e = Encoding()
        e.ids = Array(ids[r]); e.typeIds = Array(typeIds[r]); e.tokens = Array(tokens[r])
        e.offsets = Array(offsets[r]); e.specialTokensMask = Array(specialTokensMask[r])
        e.attentionMask = Array(attentionMask[r]); e.wordIds = Array(wordIds[r])
        return e
    }

    /// Cuts the encoding to `maxLength` tokens, keeping the rest as overflowing windows that
    /// overlap by `stride` tokens.
    mutating func truncate(maxLength: Int, stride: Int, direction: TruncationDirection) throws {
        let n = ids.count
        if maxLength >= n { return }
        if maxLength == 0 {
            let whole = self
            self = Encoding()
            overflowing = [whole]
            return
        }
        guard stride < maxLength else {
            throw TokenizerError.truncation("stride (\(stride)) must be strictly less than max_len=\(maxLength) (the maximum length minus the special tokens)")
        }
        let step = maxLength - stride
        var parts: [Range<Int>] = []
        switch direction {
        case .right:
            var start = 0
            while start < n {
                let stop = min(start + maxLength, n)
                parts.append(start..<stop)
                if stop == n { break }
                start += step
            }
        case .left:
            var stop = n
            while stop > 0 {
                let start = stop < maxLength ? 0 : stop - maxLength
                parts.append(start..<stop)
                if start == 0 { break }
                stop -= step
            }
        }
        var first = slice(parts[0])
        first.overflowing = parts.dropFirst().map { slice($0) }
        self = first
    }

    /// Pads to `length` tokens (and every overflowing window too).
    mutating func pad(to length: Int, id: Int, typeId: Int, token: String, direction: PaddingDirection) {
        for i in overflowing.indices { overflowing[i].pad(to: length, id: id, typeId: typeId, token: token, direction: direction) }
        let n = length - ids.count
        guard n > 0 else { return }
        func grow<T>(_ a: inout [T], _ v: T) {
            if direction == .right { a += repeatElement(v, count: n) } else { a.insert(contentsOf: repeatElement(v, count: n), at: 0) }
        }
        grow(&ids, id); grow(&typeIds, typeId); grow(&tokens, token); grow(&wordIds, nil)
        grow(&attentionMask, 0); grow(&specialTokensMask, 1); grow(&offsets, Offset(0, 0))
        if direction == .left {
            sequenceRanges = sequenceRanges.mapValues { ($0.lowerBound + n)..<($0.upperBound + n) }
        }
    }
}

/// A token produced by a model: its id, its string, and its span in the piece it came from.
public struct Token: Hashable {
    /// Vocabulary id.
    public var id: Int
    /// The token string.
    public var value: String
    /// Span in the characters of the word it came from.
    public var offsets: Offset
    /// A token with its id, string and span.
    public init(id: Int, value: String, offsets: Offset) { self.id = id; self.value = value; self.offsets = offsets }
}

/// A text cut into pieces (words) by added tokens and pre-tokenizers; each piece keeps its
/// spans in the original text and, once the model has run (or it was an added token), its tokens.
public struct PreTokenizedString {
    /// One piece of the text, tokenized or not yet.
    public struct Split {
        public var normalized: NormalizedString
        public var tokens: [Token]?
    }
    public var splits: [Split]

    /// The whole text as one piece.
    public init(_ text: String) {
        splits = [Split(normalized: NormalizedString(text), tokens: nil)]
    }

    init(_ normalized: NormalizedString) { splits = [Split(normalized: normalized, tokens: nil)] }

    /// Replaces each not-yet-tokenized piece by the pieces `f` returns, dropping empty ones.
    mutating func split(_ f: (Int, NormalizedString) throws -> [NormalizedString]) rethrows {
        var out: [Split] = []
        out.reserveCapacity(splits.count * 2)
        for (i, s) in splits.enumerated() {
            if s.tokens != nil { out.append(s); continue }
            for piece in try f(i, s.normalized) where !piece.isEmpty {
                out.append(Split(normalized: piece, tokens: nil))
            }
        }
        splits = out
    }

    /// Same as `split`, but `f` may also attach tokens to pieces (used for added tokens).
    mutating func splitWithTokens(_ f: (NormalizedString) throws -> [(NormalizedString, [Token]?)]) rethrows {
        var out: [Split] = []
        for s in splits {
            if s.tokens != nil { out.append(s); continue }
            for (piece, tokens) in try f(s.normalized) where !piece.isEmpty {
                out.append(Split(normalized: piece, tokens: tokens))
            }
        }
        splits = out
    }

    /// Changes each not-yet-tokenized piece in place.
    mutating func normalize(_ f: (inout NormalizedString) throws -> Void) rethrows {
        for i in splits.indices where splits[i].tokens == nil { try f(&splits[i].normalized) }
    }

    /// Runs the model on every piece that has no tokens yet.
    mutating func tokenize(with model: TokenizerModel) throws {
        for i in splits.indices where splits[i].tokens == nil {
            splits[i].tokens = try model.tokenize(splits[i].normalized.scalars)
        }
    }

    /// The pieces with their original character offsets (what `pre_tokenize_str` returns).
    public var pieces: [(String, Offset)] {
        splits.map { ($0.normalized.text, $0.normalized.originalOffsets) }
    }
}

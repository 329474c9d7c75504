/// One input of a tokenizer call: a text, or a text already split into words
/// (`is_split_into_words=True`).
public enum TextInput: Equatable {
    /// A whole text.
    case text(String)
    /// Words, each tokenized on its own; word ids are their indices.
    case words([String])
}

/// `padding=`: whether and how far a call pads.
public enum PaddingStrategy: String {
    /// `False`: no padding.
    case doNotPad = "do_not_pad"
    /// `True` / `"longest"`: to the longest row of the batch.
    case longest
    /// `"max_length"`: to `max_length` (or the model's maximum).
    case maxLength = "max_length"
}

/// `truncation=`: which sequence of a pair loses tokens first.
public enum TruncationChoice: String {
    /// `False`: no truncation.
    case doNotTruncate = "do_not_truncate"
    /// `True` / `"longest_first"`: one token at a time from the longer sequence.
    case longestFirst = "longest_first"
    /// Only the first sequence.
    case onlyFirst = "only_first"
    /// Only the second sequence.
    case onlySecond = "only_second"

    var backend: TruncationStrategy {
        switch self {
        case .onlyFirst: return .onlyFirst
        case .onlySecond: return .onlySecond
        default: return .longestFirst
        }
    }
}

/// The keyword arguments of `tokenizer(...)`, with transformers' defaults.
public struct TokenizerCallOptions {
    /// Add the post-processor's special tokens (`[CLS]`, `</s>`...).
    public var addSpecialTokens = true
    /// `padding=`: none, to the longest row, or to `max_length`.
    public var padding: PaddingStrategy = .doNotPad
    /// nil is Python's `None`: truncation switches on by itself when `maxLength` is given without padding.
    public var truncation: TruncationChoice?
    /// `max_length=`: the length truncation cuts to and `"max_length"` padding pads to.
    public var maxLength: Int?
    /// Tokens shared between consecutive overflowing windows.
    public var stride = 0
    /// `is_split_into_words=`: inputs are lists of words.
    public var isSplitIntoWords = false
    /// `pad_to_multiple_of=`: rounds the padded length up to a multiple.
    public var padToMultipleOf: Int?
    /// "left" or "right"; nil uses the tokenizer's `paddingSide`.
    public var paddingSide: String?
    /// `return_tensors=`: int64 tensors instead of lists.
    public var returnTensors: ReturnTensors?
    /// nil: as `model_input_names` says.
    public var returnTokenTypeIds: Bool?
    /// nil: as `model_input_names` says.
    public var returnAttentionMask: Bool?
    /// Overflowing windows become rows of their own, with `overflow_to_sample_mapping`.
    public var returnOverflowingTokens = false
    /// Adds `special_tokens_mask`.
    public var returnSpecialTokensMask = false
    /// Adds `offset_mapping` (character spans).
    public var returnOffsetsMapping = false
    /// Adds `length` (tokens per row).
    public var returnLength = false

    /// The defaults.
    public init() {}
}

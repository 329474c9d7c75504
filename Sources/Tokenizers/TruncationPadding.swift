/// Which end of a sequence truncation removes tokens from.
public enum TruncationDirection: String { case left = "Left", right = "Right" }

/// How to share `maxLength` between the two sequences of a pair.
public enum TruncationStrategy: String {
    case longestFirst = "LongestFirst", onlyFirst = "OnlyFirst", onlySecond = "OnlySecond"
}

/// Truncation settings (the `truncation` block of tokenizer.json).
public struct TruncationParameters: Equatable {
    public var maxLength: Int
    public var stride: Int
    public var strategy: TruncationStrategy
    public var direction: TruncationDirection
    public init(maxLength: Int, stride: Int = 0, strategy: TruncationStrategy = .longestFirst, direction: TruncationDirection = .right) {
        self.maxLength = maxLength; self.stride = stride; self.strategy = strategy; self.direction = direction
    }
}

/// Which side padding goes on.
public enum PaddingDirection: String { case left = "Left", right = "Right" }

/// Padding settings (the `padding` block of tokenizer.json).
public struct PaddingParameters: Equatable {
    /// nil pads a batch to its longest member; a number pads to that fixed length.
    public var length: Int?
    public var direction: PaddingDirection
    public var padToMultipleOf: Int?
    public var padId: Int
    public var padTypeId: Int
    public var padToken: String
    public init(length: Int? = nil, direction: PaddingDirection = .right, padToMultipleOf: Int? = nil, padId: Int = 0,
                padTypeId: Int = 0, padToken: String = "[PAD]") {
        self.length = length; self.direction = direction; self.padToMultipleOf = padToMultipleOf
        self.padId = padId; self.padTypeId = padTypeId; self.padToken = padToken
    }
}

/// Truncates one or two encodings to `params.maxLength` in total.
func truncate(_ a: inout Encoding, _ b: inout Encoding?, _ params: TruncationParameters) throws {
    if params.maxLength == 0 {
        try a.truncate(maxLength: 0, stride: params.stride, direction: params.direction)
        try b?.truncate(maxLength: 0, stride: params.stride, direction: params.direction)
        return
    }
    let total = a.count + (b?.count ?? 0)
    guard total > params.maxLength else { return }
    let toRemove = total - params.maxLength
    switch params.strategy {
    case .longestFirst:
        if var other = b {
            var n1 = a.count, n2 = other.count
            let swap = n1 > n2
            if swap { (n1, n2) = (n2, n1) }
            n2 = n1 > params.maxLength ? n1 : max(n1, params.maxLength - n1)
            if n1 + n2 > params.maxLength {
                n1 = params.maxLength / 2
                n2 = n1 + params.maxLength % 2
            }
            if swap { (n1, n2) = (n2, n1) }
            try a.truncate(maxLength: n1, stride: params.stride, direction: params.direction)
            try other.truncate(maxLength: n2, stride: params.stride, direction: params.direction)
            b = other
        } else {
            try a.truncate(maxLength: total - toRemove, stride: params.stride, direction: params.direction)
        }
    case .onlyFirst, .onlySecond:
        if params.strategy == .onlyFirst {
            guard a.count > toRemove else { throw TokenizerError.truncation("Sequence to truncate too short to respect the provided max_length") }
            try a.truncate(maxLength: a.count - toRemove, stride: params.stride, direction: params.direction)
        } else {
            guard var other = b else { throw TokenizerError.truncation("Second sequence not provided") }
            guard other.count > toRemove else { throw TokenizerError.truncation("Sequence to truncate too short to respect the provided max_length") }
            try other.truncate(maxLength: other.count - toRemove, stride: params.stride, direction: params.direction)
            b = other
        }
    }
}

/// Pads a batch as `params` says.
func pad(_ encodings: inout [Encoding], _ params: PaddingParameters) {
    guard !encodings.isEmpty else { return }
    var length = params.length ?? encodings.map(\.count).max() ?? 0
    if let m = params.padToMultipleOf, m > 0, length % m != 0 { length += m - length % m }
    for i in encodings.indices {
        encodings[i].pad(to: length, id: params.padId, typeId: params.padTypeId, token: params.padToken, direction: params.direction)
    }
}

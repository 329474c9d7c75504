import Tensors

/// One value of a `BatchEncoding`: ids of one sequence, a batch of them, offsets, or a tensor
/// once `return_tensors` asked for one.
public enum EncodedValue {
    /// One sequence of integers (ids, a mask, or `overflow_to_sample_mapping`).
    case ints([Int])
    /// A batch of integer sequences, possibly of different lengths.
    case batch([[Int]])
    /// The character span of every token of one sequence.
    case offsets([Offset])
    /// Offsets for a batch.
    case batchOffsets([[Offset]])
    /// An int64 tensor (`return_tensors="pt"` or `"np"`).
    case tensor(Tensor)

    /// The value as a tensor of int64, as `torch.tensor(value)` makes it; ragged batches fail.
    func tensor(key: String) throws -> Tensor {
        func ragged() -> TokenizerError {
            TokenizerError.invalidArgument("Unable to create tensor, you should probably activate truncation and/or padding with 'padding=True' 'truncation=True' to have batched tensors with the same length. Perhaps your features (`\(key)` in this case) have excessive nesting (inputs type `list` where type `int` is expected).")
        }
        switch self {
        case .tensor(let t): return t
        case .ints(let v): return try Tensor(int64: v.map(Int64.init), shape: [v.count])
        case .batch(let rows):
            let n = rows.first?.count ?? 0
            guard rows.allSatisfy({ $0.count == n }) else { throw ragged() }
            return try Tensor(int64: rows.flatMap { $0.map(Int64.init) }, shape: rows.isEmpty ? [0] : [rows.count, n])
        case .offsets(let o): return try Tensor(int64: o.flatMap { [Int64($0.start), Int64($0.end)] }, shape: o.isEmpty ? [0] : [o.count, 2])
        case .batchOffsets(let rows):
            let n = rows.first?.count ?? 0
            guard rows.allSatisfy({ $0.count == n }) else { throw ragged() }
            return try Tensor(int64: rows.flatMap { $0.flatMap { [Int64($0.start), Int64($0.end)] } }, shape: rows.isEmpty ? [0] : (n == 0 ? [rows.count, 0] : [rows.count, n, 2]))
        }
    }

    /// Plain integer lists again (what `to_py_obj` gives): rank-1 and rank-2 values.
    public var intRows: [[Int]]? {
        switch self {
        case .ints(let v): return [v]
        case .batch(let rows): return rows
        case .tensor(let t) where t.rank == 2:
            let flat = t.toInt64Array().map(Int.init)
            let n = t.shape[1]
            return (0..<t.shape[0]).map { Array(flat[($0 * n)..<($0 * n + n)]) }
        case .tensor(let t) where t.rank == 1: return [t.toInt64Array().map(Int.init)]
        default: return nil
        }
    }
}

/// Which kind of tensors a call returns.
public enum ReturnTensors: String {
    /// torch tensors.
    case pytorch = "pt"
    /// numpy arrays (tensors here too).
    case numpy = "np"
}

/// The result of calling a tokenizer: named values in insertion order (`input_ids`,
/// `token_type_ids`, `attention_mask`...), plus the `Encoding`s they came from, for the
/// alignment queries (`wordIds`, `charToToken`). Mirrors transformers' `BatchEncoding`.
public struct BatchEncoding {
    /// Keys in order.
    public private(set) var keys: [String] = []
    private var storage: [String: EncodedValue] = [:]
    /// The encodings behind the values (one per row; nil when built by `pad`).
    public var encodings: [Encoding]?
    /// The kind of tensors the values were turned into, nil for lists.
    public private(set) var tensorType: ReturnTensors?

    /// An encoding from ordered key/value pairs.
    public init(_ pairs: [(String, EncodedValue)] = [], encodings: [Encoding]? = nil) {
        for (k, v) in pairs { self[k] = v }
        self.encodings = encodings
    }

    /// The value of `key`; setting nil removes it.
    public subscript(_ key: String) -> EncodedValue? {
        get { storage[key] }
        set {
            if let v = newValue {
                if storage[key] == nil { keys.append(key) }
                storage[key] = v
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Key/value pairs in order.
    public var items: [(String, EncodedValue)] { keys.compactMap { k in storage[k].map { (k, $0) } } }

    /// `input_ids`.
    public var inputIds: EncodedValue? { self["input_ids"] }

    /// Turns every value into a tensor (`return_tensors=`), failing on ragged batches.
    public mutating func convertToTensors(_ kind: ReturnTensors?) throws {
        guard let kind else { return }
        for k in keys { if let v = storage[k] { storage[k] = .tensor(try v.tensor(key: k)) } }
        tensorType = kind
    }

    func encoding(_ batchIndex: Int, _ query: String) throws -> Encoding {
        guard let encodings else {
            throw TokenizerError.invalidArgument("\(query)() is not available when using Python based tokenizers")
        }
        guard encodings.indices.contains(batchIndex) else {
            throw TokenizerError.invalidArgument("list index out of range: batch index \(batchIndex) of \(encodings.count)")
        }
        return encodings[batchIndex]
    }

    /// The tokens of row `batchIndex`.
    public func tokens(_ batchIndex: Int = 0) throws -> [String] { try encoding(batchIndex, "tokens").tokens }

    /// The word each token of row `batchIndex` came from (nil for special tokens and padding).
    public func wordIds(_ batchIndex: Int = 0) throws -> [Int?] { try encoding(batchIndex, "word_ids").wordIds }

    /// The input sequence (0 or 1) of each token of row `batchIndex`.
    public func sequenceIds(_ batchIndex: Int = 0) throws -> [Int?] { try encoding(batchIndex, "sequence_ids").sequenceIds }

    /// The token covering character `charIndex` of sequence `sequenceIndex` in row `batchIndex`.
    public func charToToken(_ batchIndex: Int, _ charIndex: Int, sequenceIndex: Int = 0) throws -> Int? {
        try encoding(batchIndex, "char_to_token").charToToken(charIndex, sequenceIndex: sequenceIndex)
    }

    /// The character span of token `tokenIndex` in row `batchIndex`, nil for special tokens.
    public func tokenToChars(_ batchIndex: Int, _ tokenIndex: Int) throws -> Offset? {
        let e = try encoding(batchIndex, "token_to_chars")
        guard e.offsets.indices.contains(tokenIndex), e.sequenceIds[tokenIndex] != nil else { return nil }
        return e.offsets[tokenIndex]
    }
}

extension Encoding {
    /// The token whose span holds character `charIndex` of input sequence `sequenceIndex`,
    /// as `tokenizers`' `Encoding.char_to_token` finds it.
    public func charToToken(_ charIndex: Int, sequenceIndex: Int = 0) -> Int? {
        let range = sequenceRanges.isEmpty ? 0..<count : (sequenceRanges[sequenceIndex] ?? 0..<count)
        for i in range where i < offsets.count && charIndex >= offsets[i].start && charIndex < offsets[i].end { return i }
        return nil
    }
}

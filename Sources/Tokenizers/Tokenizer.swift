import Dispatch
import Foundation

/// A complete tokenizer loaded from a Hugging Face `tokenizer.json`: added tokens, normalizer,
/// pre-tokenizer, model, post-processor and decoder, plus truncation and padding. Produces the
/// same ids, tokens, offsets and masks as the `tokenizers` library.
///
///     let tokenizer = try Tokenizer(contentsOf: url)
///     let encoding = try tokenizer.encode("Hello world!")
///     print(encoding.ids, encoding.offsets)
public final class Tokenizer: @unchecked Sendable {
    public let normalizer: Normalizer?
    public let preTokenizer: PreTokenizer?
    public let model: TokenizerModel
    public let postProcessor: PostProcessor?
    public let decoder: Decoder?
    var addedVocabulary: AddedVocabulary
    /// Truncation applied by `encode` (nil: none).
    public var truncation: TruncationParameters?
    /// Padding applied by `encode` and `encodeBatch` (nil: none).
    public var padding: PaddingParameters?

    /// Builds a tokenizer from components.
    public init(model: TokenizerModel, normalizer: Normalizer? = nil, preTokenizer: PreTokenizer? = nil,
                postProcessor: PostProcessor? = nil, decoder: Decoder? = nil, addedTokens: [AddedToken] = [],
                truncation: TruncationParameters? = nil, padding: PaddingParameters? = nil) throws {
        self.model = model
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.postProcessor = postProcessor
        self.decoder = decoder
        self.addedVocabulary = try AddedVocabulary(addedTokens, normalizer: normalizer)
        self.truncation = truncation
        self.padding = padding
    }

    /// Loads a `tokenizer.json` file.
    public convenience init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TokenizerError.fileNotFound(path: url.path)
        }
        try self.init(json: data, file: url.lastPathComponent)
    }

    /// Loads tokenizer.json contents; `file` names the source in error messages.
    public convenience init(json data: Data, file: String = "tokenizer.json") throws {
        try self.init(root: try JSONObject.parse(data, file: file))
    }

    /// Builds a tokenizer from a decoded tokenizer.json object (also how the other file formats
    /// are loaded: they are converted to the same description first).
    convenience init(root: JSONObject) throws {
        let file = root.file
        guard let modelJSON = root.object("model") else {
            throw TokenizerError.missingField(component: "tokenizer", field: "model", file: file)
        }
        let normalizer = try root.object("normalizer").map(NormalizerRegistry.make)
        let preTokenizer = try root.object("pre_tokenizer").map(PreTokenizerRegistry.make)
        let model = try ModelRegistry.make(modelJSON)
        let postProcessor = try root.object("post_processor").map(PostProcessorRegistry.make)
        let decoder = try root.object("decoder").map(DecoderRegistry.make)
        var added: [AddedToken] = []
        for t in (root.array("added_tokens") ?? []) {
            guard let d = t as? [String: Any], let id = d["id"] as? Int, let content = d["content"] as? String else {
                throw TokenizerError.malformed(file: file, detail: "an added_tokens entry lacks id or content")
            }
            let j = JSONObject(d, file: file)
            added.append(AddedToken(id: id, content: content, singleWord: j.bool("single_word", default: false),
                                    lstrip: j.bool("lstrip", default: false), rstrip: j.bool("rstrip", default: false),
                                    normalized: j.bool("normalized", default: !j.bool("special", default: false)),
                                    special: j.bool("special", default: false)))
        }
        try self.init(model: model, normalizer: normalizer, preTokenizer: preTokenizer, postProcessor: postProcessor,
                      decoder: decoder, addedTokens: added,
                      truncation: try root.object("truncation").map(Tokenizer.truncation),
                      padding: try root.object("padding").map(Tokenizer.padding))
    }

    static func truncation(_ j: JSONObject) throws -> TruncationParameters {
        let strategy = try TruncationStrategy(rawValue: j.optionalString("strategy") ?? "LongestFirst")
            .orThrow(TokenizerError.malformed(file: j.file, detail: "unknown truncation strategy '\(j.optionalString("strategy") ?? "")'"))
        let direction = try TruncationDirection(rawValue: j.optionalString("direction") ?? "Right")
            .orThrow(TokenizerError.malformed(file: j.file, detail: "unknown truncation direction"))
        return TruncationParameters(maxLength: try j.int("max_length", in: "truncation"), stride: j.optionalInt("stride") ?? 0,
                                    strategy: strategy, direction: direction)
    }

    static func padding(_ j: JSONObject) throws -> PaddingParameters {
        var length: Int?
        if let s = j.values["strategy"] as? [String: Any] {
            guard let n = s["Fixed"] as? Int else {
                throw TokenizerError.malformed(file: j.file, detail: "padding strategy must be \"BatchLongest\" or {\"Fixed\": n}")
            }
            length = n
        } else if let s = j.optionalString("strategy"), s != "BatchLongest" {
            throw TokenizerError.malformed(file: j.file, detail: "unknown padding strategy '\(s)'")
        }
        let direction = try PaddingDirection(rawValue: j.optionalString("direction") ?? "Right")
            .orThrow(TokenizerError.malformed(file: j.file, detail: "unknown padding direction"))
        return PaddingParameters(length: length, direction: direction, padToMultipleOf: j.optionalInt("pad_to_multiple_of"),
                                 padId: j.optionalInt("pad_id") ?? 0, padTypeId: j.optionalInt("pad_type_id") ?? 0,
                                 padToken: j.optionalString("pad_token") ?? "[PAD]")
    }

    // MARK: Vocabulary

    /// The added tokens (special tokens and user additions).
    public var addedTokens: [AddedToken] { addedVocabulary.tokens }

    /// The id of a token (added tokens first, then the model's vocabulary).
    public func tokenToId(_ token: String) -> Int? { addedVocabulary.id(of: token) ?? model.tokenToId(token) }

    /// The token string for an id.
    public func idToToken(_ id: Int) -> String? { addedVocabulary.token(for: id)?.content ?? model.idToToken(id) }

    /// Size of the vocabulary including added tokens (the largest id + 1).
    public var vocabularySize: Int {
        max(model.vocabularySize, (addedVocabulary.tokens.map(\.id).max() ?? -1) + 1)
    }

    /// Adds tokens (or updates ones with the same content) so that they are cut out of the text
    /// before normalization. Not safe while another thread is encoding with this tokenizer.
    public func addTokens(_ tokens: [AddedToken]) throws {
        for t in tokens { try addedVocabulary.add(t, normalizer: normalizer) }
        addedVocabulary.freeze()
    }

    /// Whether `token` is a special added token.
    public func isSpecialToken(_ token: String) -> Bool { addedVocabulary.isSpecial(token) }

    // MARK: Encoding

    /// Encodes one sequence without post-processing: added tokens, normalization,
    /// pre-tokenization, model.
    func encodeSequence(_ text: String, typeId: Int) throws -> Encoding {
        let added = addedVocabulary
        var p = try added.extractAndNormalize(text, normalizer: normalizer)
        if let pre = preTokenizer { try pre.preTokenize(&p) }
        try p.tokenize(with: model)
        var e = Encoding()
        let n = p.splits.reduce(0) { $0 + ($1.tokens?.count ?? 0) }
        e.ids.reserveCapacity(n); e.tokens.reserveCapacity(n); e.offsets.reserveCapacity(n)
        for (wordIndex, split) in p.splits.enumerated() {
            let norm = split.normalized
            for t in split.tokens ?? [] {
                var o = t.offsets
                if let r = norm.originalRange(t.offsets.start, t.offsets.end) {
                    o = Offset(norm.originalShift + r.start, norm.originalShift + r.end)
                }
                e.ids.append(t.id)
                e.tokens.append(t.value)
                e.offsets.append(o)
                e.wordIds.append(wordIndex)
            }
        }
        e.typeIds = Array(repeating: typeId, count: e.ids.count)
        e.specialTokensMask = Array(repeating: 0, count: e.ids.count)
        e.attentionMask = Array(repeating: 1, count: e.ids.count)
        return e
    }

    /// Encodes a text, or a pair of texts, into ids with offsets and masks, applying the
    /// post-processor (special tokens), truncation and padding.
    public func encode(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true) throws -> Encoding {
        let a = try encodeSequence(text, typeId: 0)
        let b = try pair.map { try encodeSequence($0, typeId: 1) }
        return try postProcess(a, b, addSpecialTokens: addSpecialTokens)
    }

    /// Truncation, special tokens and (single-encoding) padding, in the reference's order.
    func postProcess(_ a: Encoding, _ b: Encoding?, addSpecialTokens: Bool) throws -> Encoding {
        var a = a, b = b
        if var params = truncation {
            let added = postProcessor?.addedTokens(isPair: b != nil) ?? 0
            if addSpecialTokens && added > 0 {
                guard params.maxLength >= added else {
                    throw TokenizerError.truncation("max_length \(params.maxLength) is smaller than the \(added) special tokens added")
                }
                params.maxLength -= added
            }
            try truncate(&a, &b, params)
        }
        var final: Encoding
        var parts = b.map { [a, $0] } ?? [a]
        for i in parts.indices { parts[i].setSequenceId(i) }
        if let processor = postProcessor {
            final = Encoding.merged(try processor.process(parts, addSpecialTokens: addSpecialTokens), growingOffsets: false)
        } else {
            final = parts.count == 1 ? parts[0] : Encoding.merged(parts, growingOffsets: false)
        }
        if let p = padding {
            var one = [final]
            pad(&one, p)
            final = one[0]
        }
        return final
    }

    /// Encodes many texts (or pairs) in parallel over the available cores, then pads the batch.
    public func encodeBatch(_ texts: [String], pairs: [String]? = nil, addSpecialTokens: Bool = true) throws -> [Encoding] {
        if let pairs, pairs.count != texts.count {
            throw TokenizerError.invalidArgument("encodeBatch got \(texts.count) texts but \(pairs.count) pairs")
        }
        var results = [Result<Encoding, Error>?](repeating: nil, count: texts.count)
        // Many small chunks handed out dynamically, so that a core busy with something else
        // does not hold the whole batch back (a fixed half per core would).
        let chunk = 16
        let chunks = (texts.count + chunk - 1) / chunk
        results.withUnsafeMutableBufferPointer { out in
            let out = out
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                for i in (c * chunk)..<min(texts.count, (c + 1) * chunk) {
                    out[i] = Result { try self.encode(texts[i], pair: pairs?[i], addSpecialTokens: addSpecialTokens) }
                }
            }
        }
        var encodings = try results.map { try ($0 ?? .failure(TokenizerError.invalidArgument("a batch item was not encoded"))).get() }
        if let p = padding { pad(&encodings, p) }
        return encodings
    }

    // MARK: Decoding

    /// Turns ids back into text through the decoder, optionally leaving out special tokens.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) throws -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let t = idToToken(id) else { continue }
            if skipSpecialTokens && addedVocabulary.isSpecial(t) { continue }
            tokens.append(t)
        }
        if let d = decoder { return try d.decode(tokens) }
        return tokens.joined(separator: " ")
    }

    /// Decodes several id sequences.
    public func decodeBatch(_ batch: [[Int]], skipSpecialTokens: Bool = false) throws -> [String] {
        try batch.map { try decode($0, skipSpecialTokens: skipSpecialTokens) }
    }
}

extension Optional {
    func orThrow(_ error: @autoclosure () -> Error) throws -> Wrapped {
        guard let v = self else { throw error() }
        return v
    }
}

import Dispatch
import Foundation

/// A `Tokenizer` with everything transformers puts around it: special-token attributes,
/// `model_max_length`, padding and truncation sides, and the call that turns texts (or pairs,
/// or batches) into model inputs. Mirrors `PreTrainedTokenizerFast` (the `TokenizersBackend`
/// of transformers 5): same keys, same padding/truncation rules, same decode clean-up.
///
///     let tokenizer = try AutoTokenizer.fromPretrained("sentence-transformers/all-MiniLM-L6-v2")
///     var options = TokenizerCallOptions(); options.padding = .longest
///     let batch = try tokenizer(["Hello", "Hello world"], options: options)
public final class PreTrainedTokenizerFast {
    /// The tokenizer.json pipeline underneath.
    public let tokenizer: Tokenizer
    /// Special tokens and the other settings of tokenizer_config.json.
    public var config: TokenizerConfig
    /// Where it was loaded from (a hub id or a directory), shown in its description.
    public var nameOrPath: String
    /// tokenizer.json as it was read, kept so `savePretrained` can write it back.
    let sourceJSON: [String: Any]?
    /// The normalized form of added tokens whose normalizer changes them, by id: `tokenizers`
    /// matches and decodes such a token as its normalized form, while its id lookup and
    /// tokenizer.json keep the content as given.
    var normalizedAddedContent: [Int: String] = [:]

    /// Wraps `tokenizer` with `config`; `sourceJSON` is the tokenizer.json it came from, if any.
    public init(tokenizer: Tokenizer, config: TokenizerConfig = TokenizerConfig(), nameOrPath: String = "", sourceJSON: [String: Any]? = nil) {
        self.tokenizer = tokenizer
        self.config = config
        self.nameOrPath = nameOrPath
        self.sourceJSON = sourceJSON
        // Added tokens the config declares but tokenizer.json lacks join the tokenizer.
        let missing = config.addedTokensDecoder.values.sorted { $0.id < $1.id }.filter { tokenizer.tokenToId($0.content) == nil }
        if !missing.isEmpty { try? tokenizer.addTokens(missing) }
        for t in tokenizer.addedTokens { rememberNormalizedForm(t) }
    }

    /// Loads a tokenizer.json file with an optional config (`PreTrainedTokenizerFast(tokenizer_file=)`).
    public convenience init(tokenizerFile url: URL, config: TokenizerConfig = TokenizerConfig()) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TransformersError.os("Can't load tokenizer file '\(url.path)': no such file.")
        }
        let json = try JSONObject.parse(data, file: url.path).values
        self.init(tokenizer: try Tokenizer(json: data, file: url.path), config: config, nameOrPath: url.deletingLastPathComponent().path, sourceJSON: json)
    }

    // MARK: Special tokens

    /// A special token by attribute name (`"pad_token"`), nil when unset.
    public func specialToken(_ name: String) -> String? { config.specialTokens[name] }

    /// Sets (or with nil clears) a special-token attribute, as `tokenizer.pad_token = ...` does;
    /// the token is not added to the vocabulary.
    public func setSpecialToken(_ name: String, _ value: String?) throws {
        guard TokenizerConfig.specialTokenNames.contains(name) else {
            throw TransformersError.value("Key \(name) is not a valid special token.")
        }
        config.specialTokens[name] = value
    }

    /// The id of a special token attribute (`pad_token_id`), nil when the token is unset.
    public func specialTokenId(_ name: String) -> Int? {
        guard let t = specialToken(name) else { return nil }
        return convertTokenToId(t)
    }

    /// The set special tokens in transformers' attribute order (`special_tokens_map`).
    public var specialTokensMap: [(String, String)] {
        TokenizerConfig.specialTokenNames.compactMap { n in config.specialTokens[n].map { (n, $0) } }
    }

    /// Every special token once: the attributes, then the additional ones.
    public var allSpecialTokens: [String] {
        var seen = Set<String>(), out: [String] = []
        for t in specialTokensMap.map(\.1) + config.additionalSpecialTokens where seen.insert(t).inserted { out.append(t) }
        return out
    }

    /// Ids of `allSpecialTokens`.
    public var allSpecialIds: [Int] { allSpecialTokens.compactMap(convertTokenToId) }

    /// The model's vocabulary size, without added tokens (`vocab_size`).
    public var vocabSize: Int { tokenizer.model.vocabularySize }

    /// The vocabulary size with added tokens (`len(tokenizer)`).
    public var count: Int {
        tokenizer.model.vocabularySize + tokenizer.addedTokens.filter { tokenizer.model.tokenToId($0.content) == nil }.count
    }

    /// The added tokens by id (`added_tokens_decoder`).
    public var addedTokensDecoder: [AddedToken] { tokenizer.addedTokens.sorted { $0.id < $1.id } }

    func rememberNormalizedForm(_ t: AddedToken) {
        guard t.normalized, let normalizer = tokenizer.normalizer else { return }
        var n = NormalizedString(t.content)
        guard (try? normalizer.normalize(&n)) != nil else { return }
        let form = String(String.UnicodeScalarView(n.scalars))
        normalizedAddedContent[t.id] = form == t.content ? nil : form
    }

    /// The token string of an id as `tokenizers` gives it (normalized added tokens normalized).
    public func idToToken(_ id: Int) -> String? { normalizedAddedContent[id] ?? tokenizer.idToToken(id) }

    // MARK: Vocabulary

    /// The id of a token; the unknown token's id when it is not in the vocabulary.
    public func convertTokenToId(_ token: String) -> Int? {
        tokenizer.tokenToId(token) ?? config.specialTokens["unk_token"].flatMap(tokenizer.tokenToId)
    }

    /// Ids of tokens (`convert_tokens_to_ids`).
    public func convertTokensToIds(_ tokens: [String]) -> [Int?] { tokens.map(convertTokenToId) }

    /// Tokens of ids; special tokens left out when `skipSpecialTokens` (`convert_ids_to_tokens`).
    public func convertIdsToTokens(_ ids: [Int], skipSpecialTokens: Bool = false) -> [String?] {
        let skip = skipSpecialTokens ? Set(allSpecialIds) : []
        return ids.filter { !skip.contains($0) }.map(idToToken)
    }

    /// Adds tokens and returns how many were new, as `add_tokens` does. Strings become
    /// normalized, non-special tokens; with `special`, raw special tokens.
    @discardableResult
    public func addTokens(_ contents: [String], special: Bool = false) throws -> Int {
        try addTokens(contents.map { AddedToken(id: -1, content: $0, normalized: !special, special: special) }, special: special)
    }

    /// Adds tokens given with their flags (ids are assigned here); `special` marks them all special.
    /// As in `tokenizers`, a normalized token is matched and decoded in its normalized form
    /// while its id lookup and tokenizer.json keep the content as given.
    @discardableResult
    public func addTokens(_ tokens: [AddedToken], special: Bool) throws -> Int {
        var ignored = 0
        var toAdd: [AddedToken] = []
        var current = addedTokensDecoder
        for var t in tokens {
            if special { t.special = true }
            if t.content.isEmpty || current.contains(where: { $0.sameFlags(as: t) }) { ignored += 1; continue }
            let original = t.content
            if let id = current.first(where: { $0.content == original })?.id ?? tokenizer.tokenToId(original) {
                t.id = id
            } else {
                // The next id after the model's vocabulary and every earlier addition.
                let vocab = tokenizer.model.vocabularySize
                let maxAdded = current.map(\.id).max()
                t.id = maxAdded.map { $0 >= vocab || vocab == 0 ? $0 + 1 : vocab } ?? vocab
            }
            current.removeAll { $0.content == original }
            current.append(t)
            toAdd.append(t)
        }
        try tokenizer.addTokens(toAdd)
        for t in toAdd { rememberNormalizedForm(t) }
        return tokens.count - ignored
    }

    /// Sets special-token attributes and adds their tokens (`add_special_tokens`): each entry is
    /// an attribute name with one token, or `additional_special_tokens` with a list.
    @discardableResult
    public func addSpecialTokens(_ entries: [(name: String, tokens: [String])]) throws -> Int {
        var toAdd: [String] = []
        for (name, tokens) in entries {
            if name == "additional_special_tokens" || name == "extra_special_tokens" {
                config.additionalSpecialTokens = tokens
                toAdd += tokens
            } else {
                guard TokenizerConfig.specialTokenNames.contains(name) else {
                    throw TransformersError.value("Key \(name) is not a valid special token. Valid keys are: \(TokenizerConfig.specialTokenNames + ["extra_special_tokens"])")
                }
                guard tokens.count == 1 else { throw TransformersError.value("Token \(tokens) for key \(name) should be a str or an AddedToken instance") }
                config.specialTokens[name] = tokens[0]
                toAdd += tokens
            }
        }
        return try addTokens(toAdd, special: true)
    }

    // MARK: Encoding

    /// `padding`, `truncation` and `max_length` resolved as transformers does
    /// (`_get_padding_truncation_strategies`).
    func strategies(padding: PaddingStrategy, truncation: TruncationChoice?, maxLength: Int?, padToMultipleOf: Int?)
        throws -> (PaddingStrategy, TruncationChoice, Int?) {
        var truncation = truncation
        if maxLength != nil && padding == .doNotPad && truncation == nil { truncation = .longestFirst }
        var padding = padding
        var trunc = truncation ?? .doNotTruncate
        var maxLength = maxLength
        if maxLength == nil {
            if padding == .maxLength {
                if let m = config.modelMaxLength { maxLength = m } else { padding = .doNotPad }
            }
            if trunc != .doNotTruncate {
                if let m = config.modelMaxLength { maxLength = m } else { trunc = .doNotTruncate }
            }
        }
        if padding != .doNotPad && (specialToken("pad_token") == nil || (specialTokenId("pad_token") ?? -1) < 0) {
            throw TransformersError.value("Asking to pad but the tokenizer does not have a padding token. Please select a token to use as `pad_token` `(tokenizer.pad_token = tokenizer.eos_token e.g.)` or add a new pad token via `tokenizer.add_special_tokens({'pad_token': '[PAD]'})`.")
        }
        if trunc != .doNotTruncate, padding != .doNotPad, let m = padToMultipleOf, let l = maxLength, m != 0, l % m != 0 {
            throw TransformersError.value("Truncation and padding are both activated but truncation length (\(l)) is not a multiple of pad_to_multiple_of (\(m)).")
        }
        return (padding, trunc, maxLength)
    }

    /// One input through added tokens, normalizer, pre-tokenizer and model; words of a
    /// pre-split input are tokenized one by one and keep their index as word id.
    func encodeInput(_ input: TextInput, typeId: Int) throws -> Encoding {
        switch input {
        case .text(let s): return try tokenizer.encodeSequence(s, typeId: typeId)
        case .words(let words):
            let parts = try words.enumerated().map { i, w -> Encoding in
                var e = try tokenizer.encodeSequence(w, typeId: typeId)
                e.wordIds = Array(repeating: i, count: e.count)
                return e
            }
            return Encoding.merged(parts, growingOffsets: false)
        }
    }

    /// Tokenizes texts (or pairs) into a `BatchEncoding`, the `tokenizer(...)` call.
    /// `isBatched` false means one input whose rows lose their batch axis (unless tensors or
    /// overflowing tokens are returned).
    public func callAsFunction(_ inputs: [TextInput], pairs: [TextInput]? = nil, isBatched: Bool, options: TokenizerCallOptions = TokenizerCallOptions()) throws -> BatchEncoding {
        if let pairs, pairs.count != inputs.count {
            throw TransformersError.value("batch length of `text`: \(inputs.count) does not match batch length of `text_pair`: \(pairs.count).")
        }
        if let side = options.paddingSide, side != "left" && side != "right" {
            throw TransformersError.value("Invalid padding strategy:\(side)")
        }
        let (padding, truncation, maxLength) = try strategies(padding: options.padding, truncation: options.truncation,
                                                              maxLength: options.maxLength, padToMultipleOf: options.padToMultipleOf)
        var truncationParameters: TruncationParameters?
        if truncation != .doNotTruncate, let maxLength {
            truncationParameters = TruncationParameters(maxLength: maxLength, stride: options.stride, strategy: truncation.backend,
                                                        direction: config.truncationSide == "left" ? .left : .right)
        }
        var encodings: [Encoding] = []
        // The backend's own truncation is what the post-processing step reads; it is set for
        // this call only and the tokenizer's loaded settings come back afterwards.
        let saved = (tokenizer.truncation, tokenizer.padding)
        tokenizer.truncation = truncationParameters
        tokenizer.padding = nil
        defer { (tokenizer.truncation, tokenizer.padding) = saved }
        do {
            // Rows are encoded in parallel in small chunks handed out dynamically, as the
            // tokenizer's own batch encoding does; the tokenizer is only read meanwhile.
            var results = [Result<Encoding, Error>?](repeating: nil, count: inputs.count)
            let chunk = 16, addSpecial = options.addSpecialTokens
            results.withUnsafeMutableBufferPointer { out in
                let out = out
                DispatchQueue.concurrentPerform(iterations: (inputs.count + chunk - 1) / chunk) { c in
                    for i in (c * chunk)..<min(inputs.count, (c + 1) * chunk) {
                        out[i] = Result {
                            let a = try self.encodeInput(inputs[i], typeId: 0)
                            let b = try pairs.map { try self.encodeInput($0[i], typeId: 1) }
                            return try self.tokenizer.postProcess(a, b, addSpecialTokens: addSpecial)
                        }
                    }
                }
            }
            encodings = try results.map { try ($0 ?? .failure(TokenizerError.invalidArgument("a batch item was not encoded"))).get() }
        } catch let e as TokenizerError {
            // Errors of the Rust backend reach Python as plain `Exception`s.
            throw TransformersError("Exception", e.description)
        }
        if padding != .doNotPad {
            let side = options.paddingSide ?? config.paddingSide
            let params = PaddingParameters(length: padding == .maxLength ? maxLength : nil, direction: side == "left" ? .left : .right,
                                           padToMultipleOf: options.padToMultipleOf, padId: specialTokenId("pad_token") ?? 0,
                                           padTypeId: 0, padToken: specialToken("pad_token") ?? "")
            Tokenizers.pad(&encodings, params)
        }
        return try batchEncoding(encodings, isBatched: isBatched, options: options)
    }

    /// The dictionary transformers builds from encodings (`_convert_encoding` and the stacking
    /// after it): overflowing windows become rows of their own.
    func batchEncoding(_ encodings: [Encoding], isBatched: Bool, options o: TokenizerCallOptions) throws -> BatchEncoding {
        let typeIds = o.returnTokenTypeIds ?? config.modelInputNames.contains("token_type_ids")
        let attention = o.returnAttentionMask ?? config.modelInputNames.contains("attention_mask")
        var rows: [Encoding] = []
        var sampleMapping: [Int] = []
        for (i, e) in encodings.enumerated() {
            let windows = o.returnOverflowingTokens ? [e] + e.overflowing : [e]
            rows += windows
            sampleMapping += Array(repeating: i, count: windows.count)
        }
        var out = BatchEncoding(encodings: rows)
        out["input_ids"] = .batch(rows.map(\.ids))
        if typeIds { out["token_type_ids"] = .batch(rows.map(\.typeIds)) }
        if attention { out["attention_mask"] = .batch(rows.map(\.attentionMask)) }
        if o.returnSpecialTokensMask { out["special_tokens_mask"] = .batch(rows.map(\.specialTokensMask)) }
        if o.returnOffsetsMapping { out["offset_mapping"] = .batchOffsets(rows.map(\.offsets)) }
        if o.returnLength { out["length"] = .ints(rows.map(\.count)) }
        if o.returnOverflowingTokens { out["overflow_to_sample_mapping"] = .ints(sampleMapping) }
        if !isBatched && o.returnTensors == nil && !o.returnOverflowingTokens {
            for (k, v) in out.items {
                switch v {
                case .batch(let r) where !r.isEmpty: out[k] = .ints(r[0])
                case .batchOffsets(let r) where !r.isEmpty: out[k] = .offsets(r[0])
                default: break
                }
            }
        }
        do { try out.convertToTensors(o.returnTensors) } catch let e as TokenizerError { throw TransformersError.value(e.description) }
        return out
    }

    /// One text (or pair) into a `BatchEncoding` without a batch axis.
    public func callAsFunction(_ text: String, pair: String? = nil, options: TokenizerCallOptions = TokenizerCallOptions()) throws -> BatchEncoding {
        try self([.text(text)], pairs: pair.map { [.text($0)] }, isBatched: false, options: options)
    }

    /// A batch of texts (or pairs) into a `BatchEncoding`.
    public func callAsFunction(_ texts: [String], pairs: [String]? = nil, options: TokenizerCallOptions = TokenizerCallOptions()) throws -> BatchEncoding {
        try self(texts.map { .text($0) }, pairs: pairs?.map { .text($0) }, isBatched: true, options: options)
    }

    /// The ids of one text (or pair), with special tokens unless told otherwise (`encode`).
    public func encode(_ text: String, pair: String? = nil, options: TokenizerCallOptions = TokenizerCallOptions()) throws -> [Int] {
        let e = try self(text, pair: pair, options: options)
        guard case .ints(let ids)? = e.inputIds else { return e.inputIds?.intRows?.first ?? [] }
        return ids
    }

    /// The token strings of a text (or pair), without special tokens by default (`tokenize`).
    public func tokenize(_ text: String, pair: String? = nil, addSpecialTokens: Bool = false) throws -> [String] {
        var o = TokenizerCallOptions()
        o.addSpecialTokens = addSpecialTokens
        return try self(text, pair: pair, options: o).tokens()
    }

    // MARK: Decoding

    /// transformers' `clean_up_tokenization`: no space before punctuation and English contractions.
    public static func cleanUpTokenization(_ text: String) -> String {
        var t = text
        for (a, b) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                       (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            t = t.replacingOccurrences(of: a, with: b)
        }
        return t
    }

    /// Ids back to text (`decode`). The clean-up defaults to the config's
    /// `clean_up_tokenization_spaces` and is never applied to BPE models, as in transformers 5.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false, cleanUpTokenizationSpaces: Bool? = nil) throws -> String {
        // The tokenizer's own decode, with added tokens in the form `tokenizers` shows them.
        var tokens: [String] = []
        for id in ids {
            guard let t = tokenizer.idToToken(id) else { continue }
            if skipSpecialTokens && tokenizer.isSpecialToken(t) { continue }
            tokens.append(normalizedAddedContent[id] ?? t)
        }
        var text: String
        do { text = try convertTokensToString(tokens) } catch let e as TokenizerError { throw TransformersError("Exception", e.description) }
        if cleanUpTokenizationSpaces ?? config.cleanUpTokenizationSpaces, !(tokenizer.model is BPEModel) {
            text = PreTrainedTokenizerFast.cleanUpTokenization(text)
        }
        return text
    }

    /// Several id sequences back to texts (`batch_decode`).
    public func batchDecode(_ batch: [[Int]], skipSpecialTokens: Bool = false, cleanUpTokenizationSpaces: Bool? = nil) throws -> [String] {
        try batch.map { try decode($0, skipSpecialTokens: skipSpecialTokens, cleanUpTokenizationSpaces: cleanUpTokenizationSpaces) }
    }

    /// Tokens joined by the decoder (`convert_tokens_to_string`).
    public func convertTokensToString(_ tokens: [String]) throws -> String {
        guard let d = tokenizer.decoder else { return tokens.joined(separator: " ") }
        return try d.decode(tokens)
    }

    /// The class name transformers would show (`BertTokenizer`...).
    public var className: String { config.tokenizerClass }
}

extension AddedToken {
    /// Equal in everything but the id (how `tokenizers` tells an already added token).
    func sameFlags(as o: AddedToken) -> Bool {
        content == o.content && singleWord == o.singleWord && lstrip == o.lstrip && rstrip == o.rstrip
            && normalized == o.normalized && special == o.special
    }
}

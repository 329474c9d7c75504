import Foundation

/// How `generate` decodes, as transformers' `GenerationConfig`: the model's
/// generation_config.json (or its config's special tokens), then the caller's keywords. Unset
/// fields take transformers' defaults (`_get_default_generation_params`).
public struct GenerationConfig: Equatable {
    /// Whether `early_stopping` is on, off, or the "never" heuristic of beam search.
    public enum EarlyStopping: Equatable { case on, off, never }

    public var maxLength = 20
    /// When set, overrides `maxLength` with prompt length + this.
    public var maxNewTokens: Int?
    public var minLength = 0
    public var minNewTokens: Int?
    public var doSample = false
    public var numBeams = 1
    public var temperature = 1.0
    public var topK = 50
    public var topP = 1.0
    public var minP: Double?
    public var typicalP = 1.0
    public var repetitionPenalty = 1.0
    public var noRepeatNgramSize = 0
    public var badWordsIds: [[Int]]?
    public var lengthPenalty = 1.0
    public var earlyStopping = EarlyStopping.off
    public var numReturnSequences = 1
    public var eosTokenIds: [Int] = []
    public var padTokenId: Int?
    public var bosTokenId: Int?
    public var stopStrings: [String] = []
    public var useCache = true
    public var returnDictInGenerate = false
    public var outputScores = false
    public var outputLogits = false
    /// The options given a value (by generation_config.json, the model's config or a caller),
    /// which transformers tells from unset (None) ones: `givenOptions` lists them.
    public private(set) var givenKeys: Set<String> = []

    /// The keys a caller may set (transformers' names), for error messages.
    public static let keys = [
        "max_length", "max_new_tokens", "min_length", "min_new_tokens", "do_sample", "num_beams", "temperature",
        "top_k", "top_p", "min_p", "typical_p", "repetition_penalty", "no_repeat_ngram_size", "bad_words_ids",
        "length_penalty", "early_stopping", "num_return_sequences", "eos_token_id", "pad_token_id", "bos_token_id",
        "stop_strings", "use_cache", "return_dict_in_generate", "output_scores", "output_logits",
    ]

    /// transformers' defaults.
    public init() {}

    /// The defaults with the special tokens of a model's config (what transformers derives when a
    /// checkpoint has no generation_config.json).
    public init(modelConfig: ModelConfig) throws {
        // transformers' `from_model_config` also carries the config's `use_cache`.
        for key in ["use_cache", "eos_token_id", "pad_token_id", "bos_token_id"] {
            if let value = modelConfig[key], !value.isNull { try set(key, value) }
        }
    }

    /// Reads generation_config.json at `url` over the defaults; unknown keys are kept by
    /// transformers as attributes and ignored here.
    public init(contentsOf url: URL) throws {
        let config = try ModelConfig(contentsOf: url)
        for (key, value) in config.values where GenerationConfig.keys.contains(key) && !value.isNull {
            try set(key, value)
        }
    }

    /// Sets `key` (transformers' name) to `value`; throws naming the key when it is unknown or the
    /// value has the wrong type or range, as transformers' validation does.
    public mutating func set(_ key: String, _ value: ConfigValue) throws {
        func int() throws -> Int {
            guard let i = value.intValue else { throw bad("an integer") }
            return i
        }
        func double() throws -> Double {
            guard let d = value.doubleValue else { throw bad("a number") }
            return d
        }
        func bool() throws -> Bool {
            guard let b = value.boolValue else { throw bad("True or False") }
            return b
        }
        func bad(_ expected: String) -> ModelError {
            .invalidInput("`\(key)` must be \(expected), got \(value)")
        }
        func ids() throws -> [Int] {
            if let i = value.intValue { return [i] }
            guard let list = value.arrayValue, let ints = Optional(list.compactMap(\.intValue)), ints.count == list.count else {
                throw bad("an integer or a list of integers")
            }
            return ints
        }
        switch key {
        case "max_length": maxLength = try int()
        case "max_new_tokens": maxNewTokens = value.isNull ? nil : try int()
        case "min_length": minLength = try int()
        case "min_new_tokens": minNewTokens = value.isNull ? nil : try int()
        case "do_sample": doSample = try bool()
        case "num_beams": numBeams = try int()
        case "temperature": temperature = try double()
        case "top_k": topK = value.isNull ? 0 : try int()
        case "top_p": topP = value.isNull ? 1 : try double()
        case "min_p": minP = value.isNull ? nil : try double()
        case "typical_p": typicalP = value.isNull ? 1 : try double()
        case "repetition_penalty": repetitionPenalty = try double()
        case "no_repeat_ngram_size": noRepeatNgramSize = try int()
        case "bad_words_ids":
            if value.isNull { badWordsIds = nil; break }
            guard let lists = value.arrayValue, !lists.isEmpty else {
                throw ModelError.invalidInput("`bad_words_ids` has to be a non-empty list, but is \(value).")
            }
            badWordsIds = try lists.map { list in
                guard let items = list.arrayValue else {
                    throw ModelError.invalidInput("`bad_words_ids` has to be a list of lists, but is \(value).")
                }
                let ints = items.compactMap(\.intValue)
                guard ints.count == items.count, ints.allSatisfy({ $0 >= 0 }), !ints.isEmpty else {
                    throw ModelError.invalidInput("Each list in `bad_words_ids` has to be a list of positive integers, but is \(value).")
                }
                return ints
            }
        case "length_penalty": lengthPenalty = try double()
        case "early_stopping":
            if let b = value.boolValue { earlyStopping = b ? .on : .off }
            else if value.stringValue == "never" { earlyStopping = .never }
            else { throw bad("True, False or \"never\"") }
        case "num_return_sequences": numReturnSequences = try int()
        case "eos_token_id": eosTokenIds = value.isNull ? [] : try ids()
        case "pad_token_id": padTokenId = value.isNull ? nil : try int()
        case "bos_token_id": bosTokenId = value.isNull ? nil : try int()
        case "stop_strings":
            if value.isNull { stopStrings = []; break }
            if let s = value.stringValue { stopStrings = [s]; break }
            guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else { throw bad("a string or a list of strings") }
            stopStrings = list.compactMap(\.stringValue)
        case "use_cache": useCache = try bool()
        case "return_dict_in_generate": returnDictInGenerate = try bool()
        case "output_scores": outputScores = try bool()
        case "output_logits": outputLogits = try bool()
        default:
            throw ModelError.invalidInput("'\(key)' is not a generation option; valid options: \(GenerationConfig.keys.joined(separator: ", "))")
        }
        // None unsets an option, as in transformers, where None means "take the default".
        if value.isNull { givenKeys.remove(key) } else { givenKeys.insert(key) }
    }

    /// Checks the combination before decoding, as transformers' `validate` does for the errors
    /// it raises (not its warnings).
    public func validate() throws {
        func fail(_ m: String) -> ModelError { .invalidInput(m) }
        if maxNewTokens.map({ $0 <= 0 }) == true {
            throw fail("`max_new_tokens` must be greater than 0, but is \(maxNewTokens!).")
        }
        if numBeams < 1 { throw fail("`num_beams` has to be a strictly positive integer, but is \(numBeams).") }
        if numReturnSequences < 1 {
            throw fail("`num_return_sequences` has to be a strictly positive integer, but is \(numReturnSequences).")
        }
        if !doSample && numReturnSequences > numBeams {
            throw fail("Greedy methods without beam search do not support `num_return_sequences` different than 1 (got \(numReturnSequences)).")
        }
        if numBeams > 1 && numReturnSequences > numBeams {
            throw fail("`num_return_sequences` (\(numReturnSequences)) has to be smaller or equal to `num_beams` (\(numBeams)).")
        }
        if doSample {
            if !(temperature > 0) {
                var m = "`temperature` (=\(temperature)) has to be a strictly positive float, otherwise your next token scores will be invalid."
                if temperature == 0 { m += " If you're looking for greedy decoding strategies, set `do_sample=False`." }
                throw fail(m)
            }
            if topK < 0 { throw fail("`top_k` has to be a strictly positive integer, but is \(topK)") }
            if topP < 0 || topP > 1 { throw fail("`top_p` has to be a float > 0 and < 1, but is \(topP)") }
            if let minP, minP < 0 || minP > 1 { throw fail("`min_p` has to be a float in the [0, 1] interval, but is \(minP)") }
            if typicalP <= 0 || typicalP > 1 { throw fail("`typical_p` has to be a float > 0 and < 1, but is \(typicalP)") }
        }
        if !(repetitionPenalty > 0) {
            throw fail("`penalty` has to be a strictly positive float, but is \(repetitionPenalty)")
        }
        if noRepeatNgramSize < 0 { throw fail("`ngram_size` has to be a strictly positive integer, but is \(noRepeatNgramSize)") }
        if eosTokenIds.contains(where: { $0 < 0 }) {
            throw fail("`eos_token_id` should consist of positive integers, but is \(eosTokenIds).")
        }
    }
}

extension GenerationConfig {
    /// The options in the order transformers' `GenerationConfig` declares them (its `to_dict`
    /// order).
    public static let declarationOrder = [
        "max_length", "max_new_tokens", "min_length", "min_new_tokens", "early_stopping", "stop_strings", "do_sample",
        "num_beams", "use_cache", "temperature", "top_k", "top_p", "min_p", "typical_p", "repetition_penalty",
        "length_penalty", "no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores",
        "output_logits", "return_dict_in_generate", "pad_token_id", "bos_token_id", "eos_token_id",
    ]

    /// The options this config sets, as transformers' `to_diff_dict` lists them: those given a
    /// value, and any other that differs from the defaults, in declaration order.
    public var givenOptions: [(key: String, value: ConfigValue)] {
        let defaults = GenerationConfig()
        return Self.declarationOrder
            .filter { givenKeys.contains($0) || value($0) != defaults.value($0) }
            .map { ($0, value($0)) }
    }

    /// The value of option `key` (transformers' name) as a config value.
    public func value(_ key: String) -> ConfigValue {
        func ids(_ list: [Int]) -> ConfigValue { list.isEmpty ? .null : list.count == 1 ? .int(list[0]) : .array(list.map { .int($0) }) }
        switch key {
        case "max_length": return .int(maxLength)
        case "max_new_tokens": return maxNewTokens.map { .int($0) } ?? .null
        case "min_length": return .int(minLength)
        case "min_new_tokens": return minNewTokens.map { .int($0) } ?? .null
        case "do_sample": return .bool(doSample)
        case "num_beams": return .int(numBeams)
        case "temperature": return .double(temperature)
        case "top_k": return .int(topK)
        case "top_p": return .double(topP)
        case "min_p": return minP.map { .double($0) } ?? .null
        case "typical_p": return .double(typicalP)
        case "repetition_penalty": return .double(repetitionPenalty)
        case "no_repeat_ngram_size": return .int(noRepeatNgramSize)
        case "bad_words_ids": return badWordsIds.map { .array($0.map { .array($0.map { .int($0) }) }) } ?? .null
        case "length_penalty": return .double(lengthPenalty)
        case "early_stopping": return earlyStopping == .never ? .string("never") : .bool(earlyStopping == .on)
        case "num_return_sequences": return .int(numReturnSequences)
        case "eos_token_id": return ids(eosTokenIds)
        case "pad_token_id": return padTokenId.map { .int($0) } ?? .null
        case "bos_token_id": return bosTokenId.map { .int($0) } ?? .null
        case "stop_strings": return stopStrings.isEmpty ? .null : .array(stopStrings.map { .string($0) })
        case "use_cache": return .bool(useCache)
        case "return_dict_in_generate": return .bool(returnDictInGenerate)
        case "output_scores": return .bool(outputScores)
        case "output_logits": return .bool(outputLogits)
        default: return .null
        }
    }
}

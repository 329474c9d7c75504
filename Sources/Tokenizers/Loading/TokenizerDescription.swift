import Foundation

/// Builds the tokenizer.json-shaped description that the other file formats are converted to,
/// so that every format runs through the same components as a tokenizer.json would, exactly as
/// transformers converts them into a `tokenizers` pipeline.
struct TokenizerDescription {
    var model: [String: Any]
    var normalizer: Any = NSNull()
    var preTokenizer: Any = NSNull()
    var postProcessor: Any = NSNull()
    var decoder: Any = NSNull()
    /// Added tokens by id, in the order they were added (an existing content keeps its first id).
    private(set) var addedTokens: [[String: Any]] = []
    private var addedContents: Set<String> = []
    /// The id a new added token gets when it is not in the model's vocabulary.
    var nextId: Int
    /// Looks a token up in the model's vocabulary.
    let vocabularyId: (String) -> Int?

    init(model: [String: Any], vocabularySize: Int, vocabularyId: @escaping (String) -> Int?) {
        self.model = model
        self.nextId = vocabularySize
        self.vocabularyId = vocabularyId
    }

    /// The id of `content`: an existing added token's, the vocabulary's, or nil.
    func id(of content: String) -> Int? {
        if let t = addedTokens.first(where: { $0["content"] as? String == content }) { return t["id"] as? Int }
        return vocabularyId(content)
    }

    /// Adds a token as `tokenizers` `add_tokens`/`add_special_tokens` do: a content already
    /// added is left alone, a vocabulary token keeps its id, anything else gets the next id.
    mutating func add(_ content: String, special: Bool, normalized: Bool? = nil,
                      lstrip: Bool = false, rstrip: Bool = false, singleWord: Bool = false) {
        guard !content.isEmpty, !addedContents.contains(content) else { return }
        addedContents.insert(content)
        let id: Int
        if let v = vocabularyId(content) { id = v } else { id = nextId; nextId += 1 }
        addedTokens.append(["id": id, "content": content, "single_word": singleWord, "lstrip": lstrip, "rstrip": rstrip,
                            "normalized": normalized ?? !special, "special": special])
    }

    /// Adds the configuration's `added_tokens_decoder` tokens with their own flags, before any
    /// other added token, so that their flags win as they do in transformers.
    mutating func addConfigured(_ c: TokenizerConfiguration) {
        for t in c.addedTokensDecoder {
            add(t.content, special: t.special, normalized: t.normalized, lstrip: t.lstrip, rstrip: t.rstrip, singleWord: t.singleWord)
        }
    }

    /// A TemplateProcessing that adds `bos`/`eos` as transformers' `update_post_processor` does
    /// (`bos:0 $A:0 eos:0`, and for pairs `... bos:1 $B:1 eos:1`).
    mutating func setBosEosTemplate(bos: String?, eos: String?) {
        var single: [[String: Any]] = [], pair: [[String: Any]] = []
        var specials: [String: Any] = [:]
        func special(_ t: String, _ typeId: Int) -> [String: Any] { ["SpecialToken": ["id": t, "type_id": typeId]] }
        func sequence(_ s: String, _ typeId: Int) -> [String: Any] { ["Sequence": ["id": s, "type_id": typeId]] }
        for t in [bos, eos].compactMap({ $0 }) {
            if let i = id(of: t) { specials[t] = ["id": t, "ids": [i], "tokens": [t]] }
        }
        if let bos { single.append(special(bos, 0)) }
        single.append(sequence("A", 0))
        if let eos { single.append(special(eos, 0)) }
        pair = single
        if let bos { pair.append(special(bos, 1)) }
        pair.append(sequence("B", 1))
        if let eos { pair.append(special(eos, 1)) }
        postProcessor = ["type": "TemplateProcessing", "single": single, "pair": pair, "special_tokens": specials]
    }

    /// Builds the tokenizer; `file` names the source in error messages.
    func build(file: String) throws -> Tokenizer {
        let root: [String: Any] = ["model": model, "normalizer": normalizer, "pre_tokenizer": preTokenizer,
                                   "post_processor": postProcessor, "decoder": decoder,
                                   "added_tokens": addedTokens.sorted { ($0["id"] as! Int) < ($1["id"] as! Int) }]
        return try Tokenizer(root: JSONObject(root, file: file))
    }

    // Components used by several formats.
    static let byteLevelDecoder: [String: Any] = ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true]
    static func byteLevelPreTokenizer(addPrefixSpace: Bool, useRegex: Bool = true) -> [String: Any] {
        ["type": "ByteLevel", "add_prefix_space": addPrefixSpace, "trim_offsets": true, "use_regex": useRegex]
    }
    /// A regex split (isolated) followed by the byte-level mapping without GPT-2's own regex.
    static func splitThenByteLevel(_ pattern: String, addPrefixSpace: Bool = false) -> [String: Any] {
        ["type": "Sequence", "pretokenizers": [
            ["type": "Split", "pattern": ["Regex": pattern], "behavior": "Isolated", "invert": false],
            byteLevelPreTokenizer(addPrefixSpace: addPrefixSpace, useRegex: false),
        ]]
    }

    /// The byte-level spelling of a string's UTF-8 bytes (GPT-2's alphabet).
    static func byteLevelSpelling(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for b in s.utf8 { out.append(ByteLevelAlphabet.byteToScalar[Int(b)]) }
        return String(out)
    }

    /// Whether every character of `s` is in the byte-level alphabet.
    static func isByteLevelSpelled(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { ByteLevelAlphabet.byte(for: $0) != nil }
    }

    /// The merges a vocabulary implies when a file lists none (transformers' `generate_merges`):
    /// every split of a token into two vocabulary tokens, ordered by the merged token's score
    /// (highest first when `scores` are given, else lowest id first), then by the lengths of the
    /// two halves; splits of one token keep the order of the halves' ids.
    static func generateMerges(vocabulary: [String], scores: [Double]?) -> [[String]] {
        var ids: [String: Int] = [:]
        for (i, t) in vocabulary.enumerated() { ids[t] = i }
        // Python iterates a dict built from the list: first occurrence's position, last value.
        var order: [String] = [], seen = Set<String>(), score: [String: Double] = [:]
        for (i, t) in vocabulary.enumerated() {
            if seen.insert(t).inserted { order.append(t) }
            score[t] = scores?[i] ?? Double(ids[t]!)
        }
        struct Merge { let left: String, right: String, score: Double, leftCount: Int, rightCount: Int }
        var merges: [Merge] = []
        for token in order {
            let scalars = Array(token.unicodeScalars)
            guard scalars.count > 1 else { continue }
            var local: [Merge] = []
            for cut in 1..<scalars.count {
                let l = String(String.UnicodeScalarView(scalars[..<cut])), r = String(String.UnicodeScalarView(scalars[cut...]))
                if ids[l] != nil && ids[r] != nil {
                    local.append(Merge(left: l, right: r, score: score[token]!, leftCount: cut, rightCount: scalars.count - cut))
                }
            }
            local = stableSorted(local) { (ids[$0.left]!, ids[$0.right]!) < (ids[$1.left]!, ids[$1.right]!) }
            merges += local
        }
        let descending = scores != nil
        merges = stableSorted(merges) { a, b in
            let ka = (a.score, a.leftCount, a.rightCount), kb = (b.score, b.leftCount, b.rightCount)
            return descending ? ka > kb : ka < kb
        }
        return merges.map { [$0.left, $0.right] }
    }

    /// Python's stable sort (Swift's `sorted` is not guaranteed stable).
    static func stableSorted<T>(_ items: [T], by less: (T, T) -> Bool) -> [T] {
        items.enumerated().sorted { a, b in
            if less(a.element, b.element) { return true }
            if less(b.element, a.element) { return false }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// WordPiece (BERT): greedy longest-match-first over the vocabulary, continuation pieces marked
/// with a prefix (`##`); a word with any unmatched part becomes the unknown token.
public final class WordPieceModel: TokenizerModel {
    let vocab: Vocabulary
    let reverse: [String?]
    public let unknownToken: String
    public let continuingSubwordPrefix: String
    public let maxInputCharsPerWord: Int
    /// One trie holds every entry; continuation lookups start at the node for the prefix.
    private let trie: ScalarTrie
    private let continuationRoot: Int32?

    init(json: JSONObject) throws {
        vocab = try ModelRegistry.vocabulary(json, model: "WordPiece")
        reverse = ModelRegistry.reverse(vocab)
        unknownToken = json.optionalString("unk_token") ?? "[UNK]"
        continuingSubwordPrefix = json.optionalString("continuing_subword_prefix") ?? "##"
        maxInputCharsPerWord = json.optionalInt("max_input_chars_per_word") ?? 100
        var trie = ScalarTrie()
        for (k, v) in vocab { trie.insert(k.string.unicodeScalars, value: v) }
        trie.freeze()
        self.trie = trie
        continuationRoot = trie.node(for: continuingSubwordPrefix.unicodeScalars)
    }

    public var vocabularySize: Int { vocab.count }
    public func tokenToId(_ token: String) -> Int? { vocab[exact: token] }
    public func idToToken(_ id: Int) -> String? { id >= 0 && id < reverse.count ? reverse[id] : nil }

    private func unknown(_ count: Int) throws -> [Token] {
        guard let id = vocab[exact: unknownToken] else { throw TokenizerError.missingUnknownToken(model: "WordPiece") }
        return [Token(id: id, value: unknownToken, offsets: Offset(0, count))]
    }

    public func tokenize(_ word: [Unicode.Scalar]) throws -> [Token] {
        if word.count > maxInputCharsPerWord { return try unknown(word.count) }
        var out: [Token] = []
        var start = 0
        let ok: Bool = word.withUnsafeBufferPointer { buf in
            while start < buf.count {
                let root: Int32
                if start == 0 { root = 0 } else if let r = continuationRoot { root = r } else { return false }
                guard let (id, len) = trie.longestPrefix(buf, from: start, to: buf.count, root: root) else { return false }
                out.append(Token(id: id, value: reverse[id] ?? "", offsets: Offset(start, start + len)))
                start += len
            }
            return true
        }
        return ok ? out : try unknown(word.count)
    }
}

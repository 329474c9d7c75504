/// WordLevel: each word is looked up whole; unknown words map to the unknown token.
public final class WordLevelModel: TokenizerModel {
    let vocab: Vocabulary
    let reverse: [String?]
    public let unknownToken: String

    init(json: JSONObject) throws {
        vocab = try ModelRegistry.vocabulary(json, model: "WordLevel")
        reverse = ModelRegistry.reverse(vocab)
        unknownToken = json.optionalString("unk_token") ?? "<unk>"
    }

    public var vocabularySize: Int { vocab.count }
    public func tokenToId(_ token: String) -> Int? { vocab[exact: token] }
    public func idToToken(_ id: Int) -> String? { id >= 0 && id < reverse.count ? reverse[id] : nil }

    public func tokenize(_ word: [Unicode.Scalar]) throws -> [Token] {
        let s = word.string
        if let id = vocab[exact: s] { return [Token(id: id, value: s, offsets: Offset(0, word.count))] }
        guard let unk = vocab[exact: unknownToken] else { throw TokenizerError.missingUnknownToken(model: "WordLevel") }
        return [Token(id: unk, value: unknownToken, offsets: Offset(0, word.count))]
    }
}

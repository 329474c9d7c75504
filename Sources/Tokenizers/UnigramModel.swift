import Foundation

/// Unigram language model (SentencePiece): the segmentation maximising the sum of piece log
/// probabilities (Viterbi); characters no piece covers become the unknown token (fused when
/// adjacent), or their bytes with byte fallback.
public final class UnigramModel: TokenizerModel {
    public let pieces: [(String, Double)]
    let ids: Vocabulary
    public let unknownId: Int?
    public let byteFallback: Bool
    let minScore: Double
    private let trie: ScalarTrie
    static let unknownPenalty = 10.0

    init(json: JSONObject) throws {
        guard let raw = json.array("vocab") else {
            throw TokenizerError.missingField(component: "Unigram model", field: "vocab", file: json.file)
        }
        var pieces: [(String, Double)] = []
        pieces.reserveCapacity(raw.count)
        for (i, entry) in raw.enumerated() {
            guard let pair = entry as? [Any], pair.count == 2, let s = pair[0] as? String, let score = (pair[1] as? Double) ?? (pair[1] as? Int).map(Double.init) else {
                throw TokenizerError.malformed(file: json.file, detail: "Unigram vocab entry #\(i) is not [piece, score]")
            }
            pieces.append((s, score))
        }
        self.pieces = pieces
        var ids = Vocabulary(minimumCapacity: pieces.count)
        var minScore = Double.infinity
        var trie = ScalarTrie()
        for (i, (s, score)) in pieces.enumerated() {
            ids[exact: s] = i
            trie.insert(s.unicodeScalars, value: i)
            minScore = min(minScore, score)
        }
        self.ids = ids
        trie.freeze()
        self.trie = trie
        self.minScore = minScore
        unknownId = json.optionalInt("unk_id")
        byteFallback = json.bool("byte_fallback", default: false)
        if let u = unknownId, u < 0 || u >= pieces.count {
            throw TokenizerError.malformed(file: json.file, detail: "Unigram unk_id \(u) is outside the vocab (\(pieces.count) pieces)")
        }
    }

    public var vocabularySize: Int { pieces.count }
    public func tokenToId(_ token: String) -> Int? { ids[exact: token] }
    public func idToToken(_ id: Int) -> String? { id >= 0 && id < pieces.count ? pieces[id].0 : nil }

    /// The best segmentation as character ranges, unknown runs fused.
    func segment(_ word: [Unicode.Scalar]) throws -> [(Int, Int, Int)] {
        let n = word.count
        var bestScore = [Double](repeating: 0, count: n + 1)
        var bestStart = [Int](repeating: -1, count: n + 1)
        var bestId = [Int](repeating: -1, count: n + 1)
        let unkScore = minScore - UnigramModel.unknownPenalty
        try word.withUnsafeBufferPointer { buf in
            for start in 0..<n {
                if start > 0 && bestStart[start] < 0 { continue }
                let base = bestScore[start]
                var node: Int32 = 0
                var i = start
                var hasSingle = false
                while i < n, let next = trie.child(node, buf[i]) {
                    node = next
                    i += 1
                    if let id = trie.value(node) {
                        let score = base + pieces[id].1
                        if bestStart[i] < 0 || score > bestScore[i] {
                            bestScore[i] = score; bestStart[i] = start; bestId[i] = id
                        }
                        if i == start + 1 { hasSingle = true }
                    }
                }
                if !hasSingle {
                    guard let unk = unknownId else { throw TokenizerError.missingUnknownToken(model: "Unigram") }
                    let score = base + unkScore
                    if bestStart[start + 1] < 0 || score > bestScore[start + 1] {
                        bestScore[start + 1] = score; bestStart[start + 1] = start; bestId[start + 1] = unk
                    }
                }
            }
        }
        var out: [(Int, Int, Int)] = []  // (start, end, piece id or -1 for a fused unknown run)
        var end = n
        var unkEnd = -1
        while end > 0 {
            let start = bestStart[end]
            if start < 0 { break }
            let isUnk = unknownId != nil && bestId[end] == unknownId
            if isUnk {
                if unkEnd < 0 { unkEnd = end }
            } else {
                if unkEnd >= 0 { out.append((end, unkEnd, -1)); unkEnd = -1 }
                out.append((start, end, bestId[end]))
            }
            end = start
        }
        if unkEnd >= 0 { out.append((0, unkEnd, -1)) }
        return out.reversed()
    }

    public func tokenize(_ word: [Unicode.Scalar]) throws -> [Token] {
        if word.isEmpty { return [] }
        var tokens: [Token] = []
        for (start, end, piece) in try segment(word) {
            let offsets = Offset(start, end)
            if piece >= 0 {
                tokens.append(Token(id: piece, value: pieces[piece].0, offsets: offsets))
                continue
            }
            let s = word[start..<end].string
            if let id = ids[exact: s] {
                tokens.append(Token(id: id, value: s, offsets: offsets))
                continue
            }
            if byteFallback {
                let byteTokens = s.utf8.map { String(format: "<0x%02X>", $0) }
                if byteTokens.allSatisfy({ ids[exact: $0] != nil }) {
                    for b in byteTokens { tokens.append(Token(id: ids[exact: b] ?? 0, value: b, offsets: offsets)) }
                    continue
                }
            }
            guard let unk = unknownId else { throw TokenizerError.missingUnknownToken(model: "Unigram") }
            tokens.append(Token(id: unk, value: s, offsets: offsets))
        }
        return tokens
    }
}

import Foundation

/// Byte-pair encoding: a word starts as characters (or bytes, for byte fallback) and adjacent
/// pairs are merged in order of merge rank. Covers GPT-2 style (byte-level alphabet), Llama
/// style (byte fallback, fused unknowns), CLIP style (end-of-word suffix) and WordPiece-like
/// continuation prefixes. Results are cached per word.
public final class BPEModel: TokenizerModel {
    let vocab: Vocabulary
    let reverse: [String?]
    /// (left id, right id) -> (rank, merged id).
    let merges: [UInt64: (rank: Int32, id: Int32)]
    /// Token for characters missing from the vocabulary (nil: they are dropped).
    public let unknownToken: String?
    /// Marker on every non-initial piece of a word (`##`), if the vocabulary uses one.
    public let continuingSubwordPrefix: String?
    /// Marker on the last piece of a word (`</w>`), if the vocabulary uses one.
    public let endOfWordSuffix: String?
    /// Adjacent unknown characters become one unknown token.
    public let fuseUnknown: Bool
    /// Unknown characters become their UTF-8 bytes as `<0xNN>` tokens.
    public let byteFallback: Bool
    /// A word that is itself in the vocabulary is taken whole, without merging.
    public let ignoreMerges: Bool
    /// Ids of `<0x00>`...`<0xFF>` when present.
    let byteIds: [Int?]
    /// Single characters' ids (the common case), avoiding string building per character.
    private var charIds: [UInt32: Int] = [:]
    private var cache: [VocabKey: [Token]] = [:]
    private let cacheLock = NSLock()
    static let cacheCapacity = 10_000

    init(json: JSONObject) throws {
        vocab = try ModelRegistry.vocabulary(json, model: "BPE")
        reverse = ModelRegistry.reverse(vocab)
        unknownToken = json.optionalString("unk_token")
        continuingSubwordPrefix = json.optionalString("continuing_subword_prefix")
        endOfWordSuffix = json.optionalString("end_of_word_suffix")
        fuseUnknown = json.bool("fuse_unk", default: false)
        byteFallback = json.bool("byte_fallback", default: false)
        ignoreMerges = json.bool("ignore_merges", default: false)
        // BPE dropout is a training-time augmentation with random results; encoding here is
        // always the deterministic dropout-off segmentation, so the field is read and ignored.
        let vocab = self.vocab
        byteIds = (0..<256).map { vocab[exact: String(format: "<0x%02X>", $0)] }
        guard let rawMerges = json.array("merges") else {
            throw TokenizerError.missingField(component: "BPE model", field: "merges", file: json.file)
        }
        let prefixCount = continuingSubwordPrefix?.unicodeScalars.count ?? 0
        var table = [UInt64: (rank: Int32, id: Int32)](minimumCapacity: rawMerges.count)
        for (rank, m) in rawMerges.enumerated() {
            let a: String, b: String
            if let s = m as? String {
                let parts = s.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw TokenizerError.malformed(file: json.file, detail: "BPE merge #\(rank) '\(s)' is not two tokens separated by a space")
                }
                a = String(parts[0]); b = String(parts[1])
            } else if let p = m as? [Any], p.count == 2, let x = p[0] as? String, let y = p[1] as? String {
                a = x; b = y
            } else {
                throw TokenizerError.malformed(file: json.file, detail: "BPE merge #\(rank) is neither \"a b\" nor [\"a\", \"b\"]")
            }
            guard let ia = vocab[exact: a], let ib = vocab[exact: b] else {
                throw TokenizerError.malformed(file: json.file, detail: "BPE merge #\(rank) uses a token missing from the vocab: '\(a)' '\(b)'")
            }
            let merged = a + String(String.UnicodeScalarView(b.unicodeScalars.dropFirst(prefixCount)))
            guard let im = vocab[exact: merged] else {
                throw TokenizerError.malformed(file: json.file, detail: "BPE merge #\(rank) result '\(merged)' is missing from the vocab")
            }
            table[BPEModel.key(ia, ib)] = (Int32(rank), Int32(im))
        }
        merges = table
        if continuingSubwordPrefix == nil && endOfWordSuffix == nil {
            for (k, v) in vocab {
                let s = k.string.unicodeScalars
                if s.count == 1, let c = s.first { charIds[c.value] = v }
            }
        }
    }

    @inline(__always) static func key(_ a: Int, _ b: Int) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }

    public var vocabularySize: Int { vocab.count }
    public func tokenToId(_ token: String) -> Int? { vocab[exact: token] }
    public func idToToken(_ id: Int) -> String? { id >= 0 && id < reverse.count ? reverse[id] : nil }

    public func tokenize(_ word: [Unicode.Scalar]) throws -> [Token] {
        if word.isEmpty { return [] }
        let s = word.string
        if ignoreMerges, let id = vocab[exact: s] { return [Token(id: id, value: s, offsets: Offset(0, word.count))] }
        cacheLock.lock()
        let hit = cache[exact: s]
        cacheLock.unlock()
        if let hit { return hit }
        let tokens = try mergeWord(word)
        cacheLock.lock()
        if cache.count >= BPEModel.cacheCapacity { cache.removeAll(keepingCapacity: true) }
        cache[exact: s] = tokens
        cacheLock.unlock()
        return tokens
    }

    private struct Symbol { var id: Int; var start: Int; var end: Int }

    private func mergeWord(_ word: [Unicode.Scalar]) throws -> [Token] {
        var symbols: [Symbol] = []
        symbols.reserveCapacity(word.count)
        var unknown: Symbol?
        let n = word.count
        for (i, c) in word.enumerated() {
            var id: Int?
            var piece: String?
            if let fast = charIds[c.value], continuingSubwordPrefix == nil, endOfWordSuffix == nil {
                id = fast
            } else {
                var p = String(c)
                if i > 0, let prefix = continuingSubwordPrefix { p = prefix + p }
                if i == n - 1, let suffix = endOfWordSuffix { p += suffix }
                id = vocab[exact: p]
                piece = p
            }
            if let id {
                if let u = unknown { symbols.append(u); unknown = nil }
                symbols.append(Symbol(id: id, start: i, end: i + 1))
                continue
            }
            if byteFallback {
                let bytes = Array((piece ?? String(c)).utf8)
                let ids = bytes.map { byteIds[Int($0)] }
                if ids.allSatisfy({ $0 != nil }) {
                    if let u = unknown { symbols.append(u); unknown = nil }
                    for b in ids { symbols.append(Symbol(id: b!, start: i, end: i + 1)) }
                    continue
                }
            }
            if let unk = unknownToken {
                guard let unkId = vocab[exact: unk] else { throw TokenizerError.missingUnknownToken(model: "BPE") }
                if var u = unknown, fuseUnknown {
                    u.end = i + 1
                    unknown = u
                } else {
                    if let u = unknown { symbols.append(u) }
                    unknown = Symbol(id: unkId, start: i, end: i + 1)
                }
            }
        }
        if let u = unknown { symbols.append(u) }
        applyMerges(&symbols)
        return symbols.map { Token(id: $0.id, value: reverse[$0.id] ?? "", offsets: Offset($0.start, $0.end)) }
    }

    /// Repeatedly merges the adjacent pair with the lowest rank (leftmost on ties), which is the
    /// order the reference's priority queue produces.
    private func applyMerges(_ symbols: inout [Symbol]) {
        guard symbols.count > 1 else { return }
        // ranks[i]: rank of merging symbols[i] with symbols[i+1], or Int32.max.
        var ranks = [Int32](repeating: .max, count: symbols.count)
        var newIds = [Int32](repeating: -1, count: symbols.count)
        @inline(__always) func update(_ i: Int) {
            if i >= 0 && i + 1 < symbols.count, let m = merges[BPEModel.key(symbols[i].id, symbols[i + 1].id)] {
                ranks[i] = m.rank; newIds[i] = m.id
            } else if i >= 0 && i < ranks.count {
                ranks[i] = .max
            }
        }
        for i in 0..<(symbols.count - 1) { update(i) }
        while symbols.count > 1 {
            var best = -1
            var bestRank = Int32.max
            for i in 0..<(symbols.count - 1) where ranks[i] < bestRank { bestRank = ranks[i]; best = i }
            if best < 0 { break }
            symbols[best] = Symbol(id: Int(newIds[best]), start: symbols[best].start, end: symbols[best + 1].end)
            symbols.remove(at: best + 1)
            ranks.remove(at: best + 1)
            newIds.remove(at: best + 1)
            update(best)
            update(best - 1)
        }
    }
}

import Foundation

/// tiktoken rank files (`*.tiktoken`: one base64-encoded token and its rank per line), converted
/// as transformers' TikTokenConverter does: a byte-level BPE whose vocabulary is the ranks and
/// whose merges are every split of a token into two ranked tokens, ordered by the token's rank;
/// a regex split (the cl100k pattern unless the configuration gives `pattern`), the
/// configuration's extra special tokens after the ranks.
enum TiktokenFile {
    /// cl100k_base's split pattern (transformers' default for tiktoken files).
    static let cl100kPattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// Reads the ranks, naming the line of any malformed entry.
    static func ranks(_ url: URL) throws -> [(bytes: [UInt8], rank: Int)] {
        let name = url.lastPathComponent
        var out: [(bytes: [UInt8], rank: Int)] = []
        for (n, line) in VocabularyFiles.lines(try VocabularyFiles.text(url)).enumerated() where !line.isEmpty {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let data = Data(base64Encoded: String(parts[0])), let rank = Int(parts[1]) else {
                throw TokenizerError.malformed(file: name, detail: "line \(n + 1) is not '<base64 token> <rank>': '\(line.prefix(60))'")
            }
            out.append(([UInt8](data), rank))
        }
        guard !out.isEmpty else { throw TokenizerError.malformed(file: name, detail: "the file lists no tokens") }
        return out
    }

    static func load(_ url: URL, configuration config: TokenizerConfiguration) throws -> (Tokenizer, TokenizerConfiguration) {
        let entries = try ranks(url)
        var rankOf: [[UInt8]: Int] = [:]
        for e in entries { rankOf[e.bytes] = e.rank }
        func spelled(_ b: ArraySlice<UInt8>) -> String {
            var s = String.UnicodeScalarView()
            for x in b { s.append(ByteLevelAlphabet.byteToScalar[Int(x)]) }
            return String(s)
        }
        var vocab: [String: Any] = [:]
        var size = 0
        // Python iterates the rank dict in file order (a repeated token keeps its first place,
        // with its last rank).
        var seen = Set<[UInt8]>(), order: [[UInt8]] = []
        for e in entries where seen.insert(e.bytes).inserted { order.append(e.bytes) }
        struct Merge { let left: ArraySlice<UInt8>, right: ArraySlice<UInt8>, rank: Int }
        var merges: [Merge] = []
        for token in order {
            let rank = rankOf[token]!
            vocab[spelled(token[...])] = rank
            size = max(size, rank + 1)
            guard token.count > 1 else { continue }
            var local: [Merge] = []
            for cut in 1..<token.count {
                let l = token[..<cut], r = token[cut...]
                if let rl = rankOf[Array(l)], let rr = rankOf[Array(r)], rl >= 0, rr >= 0 {
                    local.append(Merge(left: l, right: r, rank: rank))
                }
            }
            local = TokenizerDescription.stableSorted(local) {
                (rankOf[Array($0.left)]!, rankOf[Array($0.right)]!) < (rankOf[Array($1.left)]!, rankOf[Array($1.right)]!)
            }
            merges += local
        }
        merges = TokenizerDescription.stableSorted(merges) { $0.rank < $1.rank }
        let model: [String: Any] = ["type": "BPE", "vocab": vocab, "merges": merges.map { [spelled($0.left), spelled($0.right)] },
                                    "fuse_unk": false, "ignore_merges": true]
        var d = TokenizerDescription(model: model, vocabularySize: size) { vocab[$0] as? Int }
        let pattern = config.string("pattern") ?? cl100kPattern
        d.preTokenizer = TokenizerDescription.splitThenByteLevel(pattern, addPrefixSpace: false)
        d.decoder = TokenizerDescription.byteLevelDecoder
        d.addConfigured(config)
        for s in config.extraSpecialTokens { d.add(s, special: true, normalized: false) }
        d.postProcessor = ["type": "ByteLevel", "trim_offsets": false, "add_prefix_space": true]
        return (try d.build(file: url.lastPathComponent), config)
    }
}

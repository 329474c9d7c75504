/// The model turns one pre-tokenized word into tokens (WordPiece, BPE, Unigram, WordLevel).
public protocol TokenizerModel: AnyObject {
    /// Tokens for `word`, offsets counted in its characters.
    func tokenize(_ word: [Unicode.Scalar]) throws -> [Token]
    /// The id of a vocabulary entry.
    func tokenToId(_ token: String) -> Int?
    /// The vocabulary entry for an id.
    func idToToken(_ id: Int) -> String?
    /// Number of entries in the model's vocabulary.
    var vocabularySize: Int { get }
}

/// The model table: tokenizer.json `type` -> constructor.
enum ModelRegistry {
    nonisolated(unsafe) static var table: [String: (JSONObject) throws -> TokenizerModel] = [
        "WordPiece": { try WordPieceModel(json: $0) },
        "BPE": { try BPEModel(json: $0) },
        "Unigram": { try UnigramModel(json: $0) },
        "WordLevel": { try WordLevelModel(json: $0) },
    ]

    static func make(_ json: JSONObject) throws -> TokenizerModel {
        // Old files omit the model type; the reference then guesses from the fields.
        var type = json.type
        if type == nil {
            if json.values["merges"] != nil { type = "BPE" }
            else if json.values["continuing_subword_prefix"] != nil || json.values["max_input_chars_per_word"] != nil { type = "WordPiece" }
            else if json.values["unk_id"] != nil || json.array("vocab")?.first is [Any] { type = "Unigram" }
            else { type = "WordLevel" }
        }
        guard let t = type, let make = table[t] else {
            throw TokenizerError.unknownComponent(kind: "model", type: type ?? "<missing>", file: json.file)
        }
        return try make(json)
    }

    /// Reads a `{"token": id}` vocabulary.
    static func vocabulary(_ json: JSONObject, model: String) throws -> Vocabulary {
        guard let raw = json.values["vocab"] as? [String: Any] else {
            throw TokenizerError.missingField(component: "\(model) model", field: "vocab", file: json.file)
        }
        var vocab = Vocabulary(minimumCapacity: raw.count)
        for (k, v) in raw {
            guard let n = v as? Int else {
                throw TokenizerError.malformed(file: json.file, detail: "\(model) vocab entry '\(k)' is not an integer id")
            }
            vocab[exact: k] = n
        }
        return vocab
    }

    static func reverse(_ vocab: Vocabulary) -> [String?] {
        let n = (vocab.values.max() ?? -1) + 1
        var r = [String?](repeating: nil, count: max(n, 0))
        for (k, v) in vocab where v >= 0 { r[v] = k.string }
        return r
    }
}

/// A trie over Unicode scalars for longest-prefix and all-prefix lookups. Built with a hash map,
/// then frozen into flat arrays: each node's edges sorted by scalar, plus a dense 128-entry table
/// for ASCII on nodes with many children (the root, the `##` node), since lookups are the hot path
/// of WordPiece, Unigram and added-token matching.
struct ScalarTrie {
    private var building: [UInt64: Int32] = [:]
    private var values: [Int32] = [-1]
    private var frozen = false
    private var edgeStart: [Int32] = []
    private var edgeScalars: [UInt32] = []
    private var edgeTargets: [Int32] = []
    private var denseBase: [Int32] = []
    private var dense: [Int32] = []

    mutating func insert(_ key: some Sequence<Unicode.Scalar>, value: Int) {
        if frozen { thaw() }
        var node: Int32 = 0
        for c in key {
            let k = UInt64(UInt32(node)) << 21 | UInt64(c.value)
            if let next = building[k] {
                node = next
            } else {
                let next = Int32(values.count)
                values.append(-1)
                building[k] = next
                node = next
            }
        }
        values[Int(node)] = Int32(value)
    }

    /// Rebuilds the hash map from the frozen arrays, to allow more inserts.
    private mutating func thaw() {
        building = [:]
        for node in 0..<(edgeStart.count - 1) {
            for e in Int(edgeStart[node])..<Int(edgeStart[node + 1]) {
                building[UInt64(UInt32(node)) << 21 | UInt64(edgeScalars[e])] = edgeTargets[e]
            }
        }
        frozen = false
    }

    /// Compiles the edges into the flat lookup arrays.
    mutating func freeze() {
        // Already compiled and nothing inserted since: `building` is empty, recompiling would erase it.
        if frozen { return }
        let nodeCount = values.count
        var edges = building.map { (node: Int32(truncatingIfNeeded: $0.key >> 21), scalar: UInt32($0.key & 0x1F_FFFF), target: $0.value) }
        edges.sort { $0.node != $1.node ? $0.node < $1.node : $0.scalar < $1.scalar }
        edgeStart = [Int32](repeating: 0, count: nodeCount + 1)
        for e in edges { edgeStart[Int(e.node) + 1] += 1 }
        for i in 0..<nodeCount { edgeStart[i + 1] += edgeStart[i] }
        edgeScalars = edges.map(\.scalar)
        edgeTargets = edges.map(\.target)
        denseBase = [Int32](repeating: -1, count: nodeCount)
        dense = []
        for node in 0..<nodeCount where edgeStart[node + 1] - edgeStart[node] > 6 {
            denseBase[node] = Int32(dense.count)
            var table = [Int32](repeating: -1, count: 128)
            for e in Int(edgeStart[node])..<Int(edgeStart[node + 1]) where edgeScalars[e] < 128 {
                table[Int(edgeScalars[e])] = edgeTargets[e]
            }
            dense += table
        }
        building = [:]
        frozen = true
    }

    @inline(__always) func child(_ node: Int32, _ c: Unicode.Scalar) -> Int32? {
        if !frozen { return building[UInt64(UInt32(node)) << 21 | UInt64(c.value)] }
        let v = c.value
        let n = Int(node)
        if v < 128 {
            let base = denseBase[n]
            if base >= 0 {
                let t = dense[Int(base) + Int(v)]
                return t >= 0 ? t : nil
            }
        }
        var lo = Int(edgeStart[n]), hi = Int(edgeStart[n + 1])
        while lo < hi {
            let mid = (lo + hi) >> 1
            let s = edgeScalars[mid]
            if s == v { return edgeTargets[mid] }
            if s < v { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    @inline(__always) func value(_ node: Int32) -> Int? {
        let v = values[Int(node)]
        return v >= 0 ? Int(v) : nil
    }

    /// The longest key that is a prefix of `text[start...]` (up to `end`): (value, length).
    func longestPrefix(_ text: UnsafeBufferPointer<Unicode.Scalar>, from start: Int, to end: Int, root: Int32 = 0) -> (Int, Int)? {
        var node = root
        var best: (Int, Int)?
        var i = start
        while i < end, let next = child(node, text[i]) {
            node = next
            i += 1
            if let v = value(node) { best = (v, i - start) }
        }
        return best
    }

    /// Walks `prefix` from the root, returning the node reached.
    func node(for prefix: some Sequence<Unicode.Scalar>) -> Int32? {
        var node: Int32 = 0
        for c in prefix {
            guard let n = child(node, c) else { return nil }
            node = n
        }
        return node
    }
}

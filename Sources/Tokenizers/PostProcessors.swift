/// A post-processor adds special tokens around the encoded sequence(s) and sets type ids.
public protocol PostProcessor {
    /// How many special tokens it adds to a single sequence or a pair (truncation leaves room).
    func addedTokens(isPair: Bool) -> Int
    /// Processes the sequence encodings (one or two); the tokenizer then concatenates them.
    func process(_ encodings: [Encoding], addSpecialTokens: Bool) throws -> [Encoding]
}

/// An encoding made of special tokens only.
func specialEncoding(ids: [Int], tokens: [String], typeId: Int) -> Encoding {
    var e = Encoding()
    e.ids = ids
    e.tokens = tokens
    e.typeIds = Array(repeating: typeId, count: ids.count)
    e.offsets = Array(repeating: Offset(0, 0), count: ids.count)
    e.specialTokensMask = Array(repeating: 1, count: ids.count)
    e.attentionMask = Array(repeating: 1, count: ids.count)
    e.wordIds = Array(repeating: nil, count: ids.count)
    return e
}

/// `cls A sep` / `cls A sep B sep` wrapping used by BERT and RoBERTa processors, applied to the
/// encoding and each of its overflowing windows.
private func wrap(_ e: Encoding, before: (Int, String)?, after: (Int, String), typeIdBefore: Int, typeIdAfter: Int) -> Encoding {
    func one(_ e: Encoding) -> Encoding {
        var parts: [Encoding] = []
        if let b = before { parts.append(specialEncoding(ids: [b.0], tokens: [b.1], typeId: typeIdBefore)) }
        var body = e
        body.overflowing = []
        parts.append(body)
        parts.append(specialEncoding(ids: [after.0], tokens: [after.1], typeId: typeIdAfter))
        // The body's sequence range, shifted past the leading special token, carries over.
        return Encoding.merged(parts, growingOffsets: false)
    }
    var out = one(e)
    out.overflowing = e.overflowing.map(one)
    return out
}

/// BERT: `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]`, second sequence with type id 1.
public struct BertProcessing: PostProcessor {
    public let sep: (Int, String), cls: (Int, String)
    public func addedTokens(isPair: Bool) -> Int { isPair ? 3 : 2 }
    public func process(_ encodings: [Encoding], addSpecialTokens: Bool) throws -> [Encoding] {
        guard addSpecialTokens else { return encodings }
        return encodings.enumerated().map { i, e in
            i == 0 ? wrap(e, before: cls, after: sep, typeIdBefore: 0, typeIdAfter: 0)
                   : wrap(e, before: nil, after: sep, typeIdBefore: 1, typeIdAfter: 1)
        }
    }
}

/// RoBERTa: `<s> A </s>` and `<s> A </s></s> B </s>`, all type ids 0; trims spaces from
/// byte-level token spans.
public struct RobertaProcessing: PostProcessor {
    public let sep: (Int, String), cls: (Int, String)
    public let trimOffsets: Bool, addPrefixSpace: Bool
    public func addedTokens(isPair: Bool) -> Int { isPair ? 4 : 2 }
    public func process(_ encodings: [Encoding], addSpecialTokens: Bool) throws -> [Encoding] {
        var encodings = encodings
        if trimOffsets {
            for i in encodings.indices {
                trimByteLevelOffsets(&encodings[i], addPrefixSpace: addPrefixSpace)
                for j in encodings[i].overflowing.indices { trimByteLevelOffsets(&encodings[i].overflowing[j], addPrefixSpace: addPrefixSpace) }
            }
        }
        guard addSpecialTokens else { return encodings }
        return encodings.enumerated().map { i, e in
            var e = e
            if i > 0 {
                e.typeIds = Array(repeating: 0, count: e.count)
                for j in e.overflowing.indices { e.overflowing[j].typeIds = Array(repeating: 0, count: e.overflowing[j].count) }
            }
            return wrap(e, before: i == 0 ? cls : sep, after: sep, typeIdBefore: 0, typeIdAfter: 0)
        }
    }
}

/// Byte-level post-processing: only trims spaces from token spans.
public struct ByteLevelProcessing: PostProcessor {
    public let trimOffsets: Bool, addPrefixSpace: Bool
    public func addedTokens(isPair: Bool) -> Int { 0 }
    public func process(_ encodings: [Encoding], addSpecialTokens: Bool) throws -> [Encoding] {
        guard trimOffsets else { return encodings }
        var encodings = encodings
        for i in encodings.indices {
            trimByteLevelOffsets(&encodings[i], addPrefixSpace: addPrefixSpace)
            for j in encodings[i].overflowing.indices { trimByteLevelOffsets(&encodings[i].overflowing[j], addPrefixSpace: addPrefixSpace) }
        }
        return encodings
    }
}

/// A template such as `[CLS] $A [SEP] $B:1 [SEP]:1`: sequences and special tokens with type ids.
public struct TemplateProcessing: PostProcessor {
    public enum Piece { case sequence(second: Bool, typeId: Int), special(name: String, typeId: Int) }
    public let single: [Piece], pair: [Piece]
    /// Special token name -> (ids, tokens).
    public let specialTokens: [String: (ids: [Int], tokens: [String])]

    public func addedTokens(isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { n, p in
            if case .special(let name, _) = p { return n + (specialTokens[name]?.ids.count ?? 0) }
            return n
        }
    }

    public func process(_ encodings: [Encoding], addSpecialTokens: Bool) throws -> [Encoding] {
        var encodings = encodings
        var out: [Encoding] = []
        for piece in encodings.count == 2 ? pair : single {
            switch piece {
            case .sequence(let second, let typeId):
                let i = second ? 1 : 0
                guard i < encodings.count else {
                    throw TokenizerError.invalidArgument("the post-processing template uses $B but no second sequence was given")
                }
                encodings[i].typeIds = Array(repeating: typeId, count: encodings[i].count)
                encodings[i].setSequenceId(i)
                out.append(encodings[i])
            case .special(let name, let typeId):
                guard addSpecialTokens else { continue }
                guard let t = specialTokens[name] else {
                    throw TokenizerError.invalidArgument("the post-processing template uses '\(name)', which is not among its special tokens")
                }
                out.append(specialEncoding(ids: t.ids, tokens: t.tokens, typeId: typeId))
            }
        }
        return out
    }
}

/// Runs post-processors one after another.
public struct PostProcessorSequence: PostProcessor {
    public let processors: [PostProcessor]
    public func addedTokens(isPair: Bool) -> Int { processors.reduce(0) { $0 + $1.addedTokens(isPair: isPair) } }
    public func process(_ encodings: [Encoding], addSpecialTokens: Bool) throws -> [Encoding] {
        var e = encodings
        for p in processors { e = try p.process(e, addSpecialTokens: addSpecialTokens) }
        return e
    }
}

/// The post-processor table: tokenizer.json `type` -> constructor.
enum PostProcessorRegistry {
    static func tokenPair(_ j: JSONObject, _ key: String, _ component: String) throws -> (Int, String) {
        guard let a = j.array(key), a.count == 2, let s = a[0] as? String, let id = a[1] as? Int else {
            throw TokenizerError.missingField(component: component, field: key, file: j.file)
        }
        return (id, s)
    }

    static func template(_ j: JSONObject, _ key: String) throws -> [TemplateProcessing.Piece] {
        guard let list = j.array(key) else {
            throw TokenizerError.missingField(component: "TemplateProcessing", field: key, file: j.file)
        }
        return try list.map { item in
            guard let d = item as? [String: Any] else {
                throw TokenizerError.malformed(file: j.file, detail: "TemplateProcessing.\(key) holds a non-object")
            }
            if let s = d["Sequence"] as? [String: Any] {
                let id = s["id"] as? String ?? "A"
                return .sequence(second: id == "B", typeId: s["type_id"] as? Int ?? 0)
            }
            if let s = d["SpecialToken"] as? [String: Any], let id = s["id"] as? String {
                return .special(name: id, typeId: s["type_id"] as? Int ?? 0)
            }
            throw TokenizerError.malformed(file: j.file, detail: "TemplateProcessing.\(key) piece is neither Sequence nor SpecialToken")
        }
    }

    nonisolated(unsafe) static var table: [String: (JSONObject) throws -> PostProcessor] = [
        "BertProcessing": { j in
            BertProcessing(sep: try tokenPair(j, "sep", "BertProcessing"), cls: try tokenPair(j, "cls", "BertProcessing"))
        },
        "RobertaProcessing": { j in
            RobertaProcessing(sep: try tokenPair(j, "sep", "RobertaProcessing"), cls: try tokenPair(j, "cls", "RobertaProcessing"),
                              trimOffsets: j.bool("trim_offsets", default: true), addPrefixSpace: j.bool("add_prefix_space", default: true))
        },
        "ByteLevel": { j in
            ByteLevelProcessing(trimOffsets: j.bool("trim_offsets", default: true), addPrefixSpace: j.bool("add_prefix_space", default: true))
        },
        "TemplateProcessing": { j in
            var specials: [String: (ids: [Int], tokens: [String])] = [:]
            for (name, v) in (j.values["special_tokens"] as? [String: Any]) ?? [:] {
                guard let d = v as? [String: Any], let ids = d["ids"] as? [Int], let tokens = d["tokens"] as? [String] else {
                    throw TokenizerError.malformed(file: j.file, detail: "TemplateProcessing special token '\(name)' needs ids and tokens")
                }
                specials[name] = (ids, tokens)
            }
            return TemplateProcessing(single: try template(j, "single"), pair: try template(j, "pair"), specialTokens: specials)
        },
        "Sequence": { j in
            PostProcessorSequence(processors: try j.objects("processors", in: "Sequence post-processor").map(PostProcessorRegistry.make))
        },
    ]

    static func make(_ json: JSONObject) throws -> PostProcessor {
        let type = json.type ?? "<missing>"
        guard let make = table[type] else {
            throw TokenizerError.unknownComponent(kind: "post-processor", type: type, file: json.file)
        }
        return try make(json)
    }
}

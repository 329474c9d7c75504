import CSentencePiece
import Foundation

/// A SentencePiece `.model` file read through libsentencepiece (pieces, scores, types, special
/// ids), plus what its C++ API does not expose (user-defined piece types, the model type and the
/// normalizer's compiled character map), read from the model's protobuf directly.
struct SentencePieceModelFile {
    enum PieceType: Int32 { case normal = 1, unknown, control, userDefined, byte, unused }
    var pieces: [String] = []
    var scores: [Double] = []
    var types: [PieceType] = []
    var unkId: Int32 = -1, bosId: Int32 = -1, eosId: Int32 = -1, padId: Int32 = -1
    /// 1 Unigram, 2 BPE, 3 word, 4 char (SentencePiece's TrainerSpec.ModelType).
    var modelType = 1
    var precompiledCharsmap = Data()

    init(url: URL) throws {
        let name = url.lastPathComponent
        var error = [CChar](repeating: 0, count: 512)
        guard let spp = apus_spp_load(url.path, &error, error.count) else {
            let message = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw TokenizerError.malformed(file: name, detail: "libsentencepiece cannot load it: \(message)")
        }
        defer { apus_spp_free(spp) }
        let n = Int(apus_spp_vocab_size(spp))
        var buffer = [CChar](repeating: 0, count: 256)
        for i in 0..<Int32(n) {
            var length = apus_spp_id_to_piece(spp, i, &buffer, buffer.count)
            if length >= buffer.count {
                buffer = [CChar](repeating: 0, count: Int(length) + 1)
                length = apus_spp_id_to_piece(spp, i, &buffer, buffer.count)
            }
            guard length >= 0 else { throw TokenizerError.malformed(file: name, detail: "piece \(i) cannot be read") }
            pieces.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            scores.append(Double(apus_spp_score(spp, i)))
            types.append(PieceType(rawValue: apus_spp_piece_type(spp, i)) ?? .normal)
        }
        unkId = apus_spp_unk_id(spp); bosId = apus_spp_bos_id(spp); eosId = apus_spp_eos_id(spp); padId = apus_spp_pad_id(spp)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw TokenizerError.fileNotFound(path: url.path) }
        try readSpecs(data, file: name)
    }

    /// Reads TrainerSpec.model_type (field 2 → 3) and NormalizerSpec.precompiled_charsmap
    /// (field 3 → 2) from the ModelProto's wire format.
    private mutating func readSpecs(_ data: Data, file: String) throws {
        let bytes = [UInt8](data)
        var pieceIndex = 0
        for field in try ProtobufFields.parse(bytes[...], file: file) {
            if field.number == 1, case .bytes(let sub) = field.value {
                // The processor API reports user-defined pieces as normal; the proto says
                // USER_DEFINED (4) in the piece's field 3.
                for f in try ProtobufFields.parse(sub, file: file) where f.number == 3 {
                    if case .varint(4) = f.value, pieceIndex < types.count { types[pieceIndex] = .userDefined }
                }
                pieceIndex += 1
            } else if field.number == 2, case .bytes(let sub) = field.value {
                for f in try ProtobufFields.parse(sub, file: file) where f.number == 3 {
                    if case .varint(let v) = f.value { modelType = Int(v) }
                }
            } else if field.number == 3, case .bytes(let sub) = field.value {
                for f in try ProtobufFields.parse(sub, file: file) where f.number == 2 {
                    if case .bytes(let b) = f.value { precompiledCharsmap = Data(b) }
                }
            }
        }
    }

    /// The id of a piece, by its first occurrence.
    func id(of piece: String) -> Int? { pieceIds[piece] }
    var pieceIds: [String: Int] {
        var d: [String: Int] = [:]
        for (i, p) in pieces.enumerated() where d[p] == nil { d[p] = i }
        return d
    }
}

/// The fields of one protobuf message, enough to walk a SentencePiece ModelProto.
enum ProtobufFields {
    enum Value { case varint(UInt64), bytes(ArraySlice<UInt8>), fixed }
    struct Field { let number: Int; let value: Value }

    static func parse(_ b: ArraySlice<UInt8>, file: String) throws -> [Field] {
        var i = b.startIndex
        var out: [Field] = []
        func corrupt() -> TokenizerError { .malformed(file: file, detail: "the SentencePiece protobuf is damaged at byte \(i)") }
        func varint() throws -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < b.endIndex, shift < 64 else { throw corrupt() }
                let byte = b[i]; i += 1
                v |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return v }
                shift += 7
            }
        }
        while i < b.endIndex {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: out.append(Field(number: number, value: .varint(try varint())))
            case 1: guard b.endIndex - i >= 8 else { throw corrupt() }; i += 8; out.append(Field(number: number, value: .fixed))
            case 5: guard b.endIndex - i >= 4 else { throw corrupt() }; i += 4; out.append(Field(number: number, value: .fixed))
            case 2:
                let n = try varint()
                guard n <= UInt64(b.endIndex - i) else { throw corrupt() }
                out.append(Field(number: number, value: .bytes(b[i..<(i + Int(n))])))
                i += Int(n)
            default: throw corrupt()
            }
        }
        return out
    }
}

/// SentencePiece `.model` files converted as transformers converts them to a fast tokenizer.
enum SentencePieceFiles {
    /// Llama-style: the pieces become a byte-fallback BPE whose merges are implied by the
    /// vocabulary, with Metaspace (prepend on the first word only, the non-legacy behaviour),
    /// control pieces special and user-defined pieces added, BOS/EOS from tokenizer_config.json.
    static func llama(_ url: URL, configuration config: TokenizerConfiguration) throws -> (Tokenizer, TokenizerConfiguration) {
        let sp = try SentencePieceModelFile(url: url)
        var vocab: [String: Any] = [:]
        for (i, p) in sp.pieces.enumerated() { vocab[p] = i }
        let merges = TokenizerDescription.generateMerges(vocabulary: sp.pieces, scores: nil)
        let model: [String: Any] = ["type": "BPE", "vocab": vocab, "merges": merges, "fuse_unk": true, "byte_fallback": true]
        var d = TokenizerDescription(model: model, vocabularySize: sp.pieces.count) { vocab[$0] as? Int }
        var c = config
        c.unkToken = c.unkToken ?? "<unk>"; c.bosToken = c.bosToken ?? "<s>"; c.eosToken = c.eosToken ?? "</s>"
        let addPrefixSpace = config.addPrefixSpace ?? true
        let legacy = config.bool("legacy") ?? false
        d.preTokenizer = ["type": "Metaspace", "replacement": "▁", "split": false,
                          "prepend_scheme": addPrefixSpace ? (legacy ? "always" : "first") : "never"]
        var decoders: [[String: Any]] = [["type": "Replace", "pattern": ["String": "▁"], "content": " "],
                                         ["type": "ByteFallback"], ["type": "Fuse"]]
        if addPrefixSpace { decoders.append(["type": "Strip", "content": " ", "start": 1, "stop": 0]) }
        d.decoder = ["type": "Sequence", "decoders": decoders]
        addSpecials(&d, c, sp)
        d.setBosEosTemplate(bos: (c.addBosToken ?? false) ? c.bosToken : nil, eos: (c.addEosToken ?? false) ? c.eosToken : nil)
        return (try d.build(file: url.lastPathComponent), c)
    }

    /// T5-style: a Unigram over the pieces and scores, the model's compiled normalizer,
    /// whitespace split then Metaspace, `</s>` appended, and `extra_ids` (100 by default)
    /// sentinel tokens `<extra_id_N>` added after the vocabulary, highest N first.
    static func t5(_ url: URL, configuration config: TokenizerConfiguration) throws -> (Tokenizer, TokenizerConfiguration) {
        let sp = try SentencePieceModelFile(url: url)
        let vocab: [[Any]] = zip(sp.pieces, sp.scores).map { [$0, $1] }
        let ids = sp.pieceIds
        let model: [String: Any] = ["type": "Unigram", "unk_id": 2, "vocab": vocab, "byte_fallback": false]
        var d = TokenizerDescription(model: model, vocabularySize: sp.pieces.count) { ids[$0] }
        if !sp.precompiledCharsmap.isEmpty {
            d.normalizer = ["type": "Precompiled", "precompiled_charsmap": sp.precompiledCharsmap.base64EncodedString()]
        }
        d.preTokenizer = ["type": "Sequence", "pretokenizers": [
            ["type": "WhitespaceSplit"], ["type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true]]]
        d.decoder = ["type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true]
        var c = config
        c.eosToken = c.eosToken ?? "</s>"; c.unkToken = c.unkToken ?? "<unk>"; c.padToken = c.padToken ?? "<pad>"
        let extraIds = config.int("extra_ids") ?? 100
        if !c.extraSpecialTokens.contains(where: { $0.contains("<extra_id_") }) {
            c.extraSpecialTokens += (0..<extraIds).reversed().map { "<extra_id_\($0)>" }
        }
        addSpecials(&d, c, sp)
        d.setBosEosTemplate(bos: nil, eos: c.eosToken)
        return (try d.build(file: url.lastPathComponent), c)
    }

    /// The class's special tokens, then control pieces (special) and user-defined pieces (not
    /// special) in id order, then the configuration's extra special tokens.
    static func addSpecials(_ d: inout TokenizerDescription, _ c: TokenizerConfiguration, _ sp: SentencePieceModelFile) {
        d.addConfigured(c)
        for s in [c.bosToken, c.eosToken, c.unkToken, c.sepToken, c.padToken, c.clsToken, c.maskToken].compactMap({ $0 }) {
            d.add(s, special: true, normalized: false)
        }
        for (p, t) in zip(sp.pieces, sp.types) where t == .control || t == .userDefined {
            d.add(p, special: t == .control, normalized: false)
        }
        for s in c.extraSpecialTokens { d.add(s, special: true, normalized: false) }
    }
}

import Foundation
import Tensors

extension PreTrainedTokenizerFast {
    /// transformers' `int(1e30)`, written for an unbounded `model_max_length`.
    static let veryLargeInteger = "1000000000000000019884624838656"

    /// Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json into
    /// `directory` (created if needed), files transformers loads back (`save_pretrained`).
    /// Returns the paths written.
    @discardableResult
    public func savePretrained(_ directory: URL) throws -> [URL] {
        guard var json = sourceJSON else {
            throw TransformersError.value("save_pretrained needs the tokenizer.json this tokenizer was loaded from; this one was built from other files")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        json["added_tokens"] = addedTokensDecoder.map { $0.jsonObject }
        let tokenizerFile = directory.appendingPathComponent("tokenizer.json")
        let configFile = directory.appendingPathComponent("tokenizer_config.json")
        let mapFile = directory.appendingPathComponent("special_tokens_map.json")
        try JSONWriter.write(json).write(to: tokenizerFile, atomically: true, encoding: .utf8)

        var decoder: [(String, Any)] = []
        // transformers' form has no id inside (the key is the id).
        for t in addedTokensDecoder { decoder.append((String(t.id), JSONWriter.Ordered(Array(t.jsonObject.pairs.dropFirst())))) }
        var cfg: [(String, Any)] = [("added_tokens_decoder", JSONWriter.Ordered(decoder))]
        if let b = config.addBosToken { cfg.append(("add_bos_token", b)) }
        if let b = config.addEosToken { cfg.append(("add_eos_token", b)) }
        if let t = config.chatTemplate { cfg.append(("chat_template", t)) }
        cfg.append(("clean_up_tokenization_spaces", config.cleanUpTokenizationSpaces))
        for (name, token) in specialTokensMap { cfg.append((name, token)) }
        if !config.additionalSpecialTokens.isEmpty { cfg.append(("extra_special_tokens", config.additionalSpecialTokens)) }
        cfg.append(("model_input_names", config.modelInputNames))
        cfg.append(("model_max_length", config.modelMaxLength.map { $0 as Any } ?? JSONWriter.RawNumber(PreTrainedTokenizerFast.veryLargeInteger)))
        cfg.append(("padding_side", config.paddingSide))
        cfg.append(("tokenizer_class", config.tokenizerClass == "TokenizersBackend" ? "PreTrainedTokenizerFast" : config.tokenizerClass))
        cfg.append(("truncation_side", config.truncationSide))
        try JSONWriter.write(JSONWriter.Ordered(cfg)).write(to: configFile, atomically: true, encoding: .utf8)

        var map: [(String, Any)] = specialTokensMap.map { ($0.0, $0.1) }
        if !config.additionalSpecialTokens.isEmpty { map.append(("additional_special_tokens", config.additionalSpecialTokens)) }
        try JSONWriter.write(JSONWriter.Ordered(map)).write(to: mapFile, atomically: true, encoding: .utf8)
        return [configFile, mapFile, tokenizerFile]
    }
}

extension AddedToken {
    /// The tokenizer.json form of an added token.
    var jsonObject: JSONWriter.Ordered {
        JSONWriter.Ordered([("id", id), ("content", content), ("single_word", singleWord), ("lstrip", lstrip),
                            ("rstrip", rstrip), ("normalized", normalized), ("special", special)])
    }
}

/// Writes the values `JSONParser` reads (plus ordered objects and raw numbers) back as JSON
/// text. Doubles use Swift's shortest round-trip form, so Unigram scores read back bit for bit.
enum JSONWriter {
    /// An object whose keys keep the given order.
    struct Ordered { let pairs: [(String, Any)]; init(_ p: [(String, Any)]) { pairs = p } }
    /// A number written exactly as given (integers too big for Int).
    struct RawNumber { let text: String; init(_ t: String) { text = t } }

    static func write(_ value: Any) -> String {
        var out = ""
        append(value, to: &out, indent: 0)
        return out + "\n"
    }

    static func append(_ value: Any, to out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1), close = String(repeating: "  ", count: indent)
        switch value {
        case let o as Ordered:
            if o.pairs.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (k, v)) in o.pairs.enumerated() {
                out += pad; appendString(k, to: &out); out += ": "
                append(v, to: &out, indent: indent + 1)
                out += i + 1 < o.pairs.count ? ",\n" : "\n"
            }
            out += close + "}"
        case let d as [String: Any]:
            append(Ordered(d.keys.sorted().map { ($0, d[$0]!) }), to: &out, indent: indent)
        case let a as [Any]:
            if a.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, v) in a.enumerated() {
                out += pad
                append(v, to: &out, indent: indent + 1)
                out += i + 1 < a.count ? ",\n" : "\n"
            }
            out += close + "]"
        case let s as String: appendString(s, to: &out)
        case let b as Bool: out += b ? "true" : "false"
        case let i as Int: out += String(i)
        case let d as Double: out += d.isFinite ? "\(d)" : "null"
        case let r as RawNumber: out += r.text
        default: out += "null"
        }
    }

    static func appendString(_ s: String, to out: inout String) { JSONText.appendQuoted(s, to: &out) }
}

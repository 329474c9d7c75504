import Foundation

/// A decoder turns token strings back into text. `decodeChain` maps tokens to pieces so that
/// decoders can be chained; the final text is the pieces joined.
public protocol Decoder {
    /// Maps token strings to text pieces (one per token, or fewer when the decoder joins them).
    func decodeChain(_ tokens: [String]) throws -> [String]
}

extension Decoder {
    /// The decoded text.
    public func decode(_ tokens: [String]) throws -> String { try decodeChain(tokens).joined() }
}

/// Undoes WordPiece: glue `##` continuations, space before other words, optional cleanup of
/// spaces before punctuation and contractions.
public struct WordPieceDecoder: Decoder {
    public let prefix: String, cleanup: Bool

    static func cleanup(_ s: String) -> String {
        s.replacingOccurrences(of: " .", with: ".").replacingOccurrences(of: " ?", with: "?")
            .replacingOccurrences(of: " !", with: "!").replacingOccurrences(of: " ,", with: ",")
            .replacingOccurrences(of: " ' ", with: "'").replacingOccurrences(of: " n't", with: "n't")
            .replacingOccurrences(of: " 'm", with: "'m").replacingOccurrences(of: " do not", with: " don't")
            .replacingOccurrences(of: " 's", with: "'s").replacingOccurrences(of: " 've", with: "'ve")
            .replacingOccurrences(of: " 're", with: "'re")
    }

    public func decodeChain(_ tokens: [String]) throws -> [String] {
        tokens.enumerated().map { i, t in
            var t = t
            if i != 0 {
                let p = prefix.unicodeScalars
                if t.unicodeScalars.starts(with: p) {
                    t = String(String.UnicodeScalarView(t.unicodeScalars.dropFirst(p.count)))
                } else {
                    t = " " + t
                }
            }
            return cleanup ? WordPieceDecoder.cleanup(t) : t
        }
    }
}

/// Maps byte-level alphabet characters back to bytes and decodes them as UTF-8 (invalid
/// sequences become U+FFFD).
public struct ByteLevelDecoder: Decoder {
    public func decodeChain(_ tokens: [String]) throws -> [String] {
        var bytes: [UInt8] = []
        for t in tokens {
            var mapped: [UInt8] = []
            var ok = true
            for c in t.unicodeScalars {
                guard let b = ByteLevelAlphabet.byte(for: c) else { ok = false; break }
                mapped.append(b)
            }
            bytes += ok ? mapped : Array(t.utf8)
        }
        return [String(decoding: bytes, as: UTF8.self)]
    }
}

/// Turns `▁` back into spaces, dropping it from the first token unless prepending was off.
public struct MetaspaceDecoder: Decoder {
    public let replacement: Unicode.Scalar
    public let prependScheme: MetaspacePreTokenizer.PrependScheme
    public func decodeChain(_ tokens: [String]) throws -> [String] {
        tokens.enumerated().map { i, t in
            var out = String.UnicodeScalarView()
            for c in t.unicodeScalars {
                if c == replacement {
                    if !(i == 0 && prependScheme != .never) { out.append(" ") }
                } else {
                    out.append(c)
                }
            }
            return String(out)
        }
    }
}

/// Replaces the end-of-word suffix with a space (none after the last token).
public struct BPEDecoder: Decoder {
    public let suffix: String
    public func decodeChain(_ tokens: [String]) throws -> [String] {
        tokens.enumerated().map { i, t in t.replacingOccurrences(of: suffix, with: i == tokens.count - 1 ? "" : " ") }
    }
}

/// Turns runs of `<0xNN>` tokens into the text their bytes spell (U+FFFD per byte if invalid).
public struct ByteFallbackDecoder: Decoder {
    static func byteValue(_ t: String) -> UInt8? {
        let u = Array(t.utf8)
        guard u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E else { return nil }
        return UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16)
    }

    public func decodeChain(_ tokens: [String]) throws -> [String] {
        var out: [String] = []
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let s = String(validatingUTF8CString: pending) {
                out.append(s)
            } else {
                out += Array(repeating: "\u{FFFD}", count: pending.count)
            }
            pending.removeAll()
        }
        for t in tokens {
            if let b = ByteFallbackDecoder.byteValue(t) { pending.append(b) } else { flush(); out.append(t) }
        }
        flush()
        return out
    }
}

extension String {
    /// Strict UTF-8 decoding of bytes (nil when invalid).
    init?(validatingUTF8CString bytes: [UInt8]) {
        var it = bytes.makeIterator()
        var decoder = UTF8()
        var scalars = String.UnicodeScalarView()
        loop: while true {
            switch decoder.decode(&it) {
            case .scalarValue(let s): scalars.append(s)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        self = String(scalars)
    }
}

/// Joins all tokens into one piece.
public struct FuseDecoder: Decoder {
    public func decodeChain(_ tokens: [String]) throws -> [String] { [tokens.joined()] }
}

/// Removes up to `start`/`stop` copies of a character from each token's ends.
public struct StripDecoder: Decoder {
    public let content: Unicode.Scalar, start: Int, stop: Int
    public func decodeChain(_ tokens: [String]) throws -> [String] {
        try tokens.map { t in
            let s = Array(t.unicodeScalars)
            var from = 0
            for c in s.prefix(start) { if c == content { from += 1 } else { break } }
            var to = s.count
            for c in s.reversed().prefix(stop) { if c == content { to -= 1 } else { break } }
            guard from <= to else { throw TokenizerError.invalidArgument("Strip decoder: token '\(t)' is shorter than what it strips") }
            return s[from..<to].string
        }
    }
}

/// Replaces a literal or regex in every token.
public struct ReplaceDecoder: Decoder {
    let pattern: SplitPattern
    let content: [Unicode.Scalar]
    public func decodeChain(_ tokens: [String]) throws -> [String] {
        try tokens.map { t in
            var n = NormalizedString(t)
            try n.replace(pattern, with: content)
            return n.text
        }
    }
}

/// CTC (speech): collapse repeats, drop the pad token, word delimiters become spaces.
public struct CTCDecoder: Decoder {
    public let padToken: String, wordDelimiterToken: String, cleanup: Bool
    public func decodeChain(_ tokens: [String]) throws -> [String] {
        var deduped: [String] = []
        for t in tokens where deduped.last != t { deduped.append(t) }
        return deduped.compactMap { t in
            var r = t.replacingOccurrences(of: padToken, with: "")
            if cleanup { r = WordPieceDecoder.cleanup(r).replacingOccurrences(of: wordDelimiterToken, with: " ") }
            return r.isEmpty ? nil : r
        }
    }
}

/// Runs decoders one after another on the token pieces.
public struct DecoderSequence: Decoder {
    public let decoders: [Decoder]
    public func decodeChain(_ tokens: [String]) throws -> [String] {
        var t = tokens
        for d in decoders { t = try d.decodeChain(t) }
        return t
    }
}

/// The decoder table: tokenizer.json `type` -> constructor.
enum DecoderRegistry {
    static func char(_ j: JSONObject, _ key: String, default value: String) throws -> Unicode.Scalar {
        let s = (j.optionalString(key) ?? value).unicodeScalars
        guard s.count == 1, let c = s.first else {
            throw TokenizerError.malformed(file: j.file, detail: "decoder field '\(key)' must be one character")
        }
        return c
    }

    nonisolated(unsafe) static var table: [String: (JSONObject) throws -> Decoder] = [
        "WordPiece": { j in WordPieceDecoder(prefix: j.optionalString("prefix") ?? "##", cleanup: j.bool("cleanup", default: true)) },
        "ByteLevel": { _ in ByteLevelDecoder() },
        "Metaspace": { j in
            var scheme = MetaspacePreTokenizer.PrependScheme.always
            if let s = j.optionalString("prepend_scheme") {
                guard let p = MetaspacePreTokenizer.PrependScheme(rawValue: s) else {
                    throw TokenizerError.malformed(file: j.file, detail: "unknown Metaspace prepend_scheme '\(s)'")
                }
                scheme = p
            } else if !j.bool("add_prefix_space", default: true) {
                scheme = .never
            }
            return MetaspaceDecoder(replacement: try char(j, "replacement", default: "▁"), prependScheme: scheme)
        },
        "BPEDecoder": { j in BPEDecoder(suffix: j.optionalString("suffix") ?? "</w>") },
        "ByteFallback": { _ in ByteFallbackDecoder() },
        "Fuse": { _ in FuseDecoder() },
        "Strip": { j in
            StripDecoder(content: try char(j, "content", default: " "), start: j.optionalInt("start") ?? 0, stop: j.optionalInt("stop") ?? 0)
        },
        "Replace": { j in
            guard let p = j.object("pattern") else {
                throw TokenizerError.missingField(component: "Replace decoder", field: "pattern", file: j.file)
            }
            return ReplaceDecoder(pattern: try makePattern(p, context: "Replace decoder"), content: try j.string("content", in: "Replace decoder").scalars)
        },
        "CTC": { j in
            CTCDecoder(padToken: j.optionalString("pad_token") ?? "<pad>", wordDelimiterToken: j.optionalString("word_delimiter_token") ?? "|",
                       cleanup: j.bool("cleanup", default: true))
        },
        "Sequence": { j in DecoderSequence(decoders: try j.objects("decoders", in: "Sequence decoder").map(DecoderRegistry.make)) },
    ]

    static func make(_ json: JSONObject) throws -> Decoder {
        let type = json.type ?? "<missing>"
        guard let make = table[type] else {
            throw TokenizerError.unknownComponent(kind: "decoder", type: type, file: json.file)
        }
        return try make(json)
    }
}

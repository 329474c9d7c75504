/// Receives tokens as `generate` makes them (transformers' `BaseStreamer`): first the prompt,
/// then each step's new token, then `end()`.
public protocol GenerationStreamer: AnyObject {
    func put(_ tokens: [Int]) throws
    func end() throws
}

/// Turns a stream of tokens into printable text pieces as transformers' `TextStreamer` does:
/// text is released at word boundaries (a space), at the end of a line, after a CJK character,
/// or whenever everything pending is letters, marks, numbers or spaces, so a partly decoded
/// word or byte sequence is never shown. `emit(text, streamEnd)` receives the pieces.
public final class TextStreamer: GenerationStreamer {
    let decode: ([Int]) throws -> String
    let skipPrompt: Bool
    let emit: (String, Bool) throws -> Void
    private var tokenCache: [Int] = []
    private var printedLength = 0
    private var nextTokensArePrompt = true

    /// `decode` turns token ids into text (the tokenizer's decode with the caller's options).
    public init(decode: @escaping ([Int]) throws -> String, skipPrompt: Bool = false,
                emit: @escaping (String, Bool) throws -> Void) {
        self.decode = decode
        self.skipPrompt = skipPrompt
        self.emit = emit
    }

    public func put(_ tokens: [Int]) throws {
        if skipPrompt && nextTokensArePrompt {
            nextTokensArePrompt = false
            return
        }
        tokenCache += tokens
        // Lengths and slices count code points, as Python's str does.
        let text = Array(try decode(tokenCache).unicodeScalars)
        let pending = text.count > printedLength ? Array(text[printedLength...]) : []
        let printable: [Unicode.Scalar]
        if text.last == "\n" {
            printable = pending
            tokenCache = Array(tokenCache.suffix(1))
            printedLength = try decode(tokenCache).unicodeScalars.count
        } else if let last = text.last, TextStreamer.isCJK(last) {
            printable = pending
            printedLength += printable.count
        } else if pending.allSatisfy({ $0.properties.isWhitespace || TextStreamer.isLetterMarkOrNumber($0) }) {
            printable = pending
            printedLength += printable.count
        } else {
            let afterSpace = text.lastIndex(of: " ").map { $0 + 1 } ?? 0
            printable = afterSpace > printedLength ? Array(text[printedLength ..< afterSpace]) : []
            printedLength += printable.count
        }
        try emit(String(String.UnicodeScalarView(printable)), false)
    }

    public func end() throws {
        var printable: [Unicode.Scalar] = []
        if !tokenCache.isEmpty {
            let text = Array(try decode(tokenCache).unicodeScalars)
            printable = text.count > printedLength ? Array(text[printedLength...]) : []
            tokenCache = []
            printedLength = 0
        }
        nextTokensArePrompt = true
        try emit(String(String.UnicodeScalarView(printable)), true)
    }

    /// Python's test `unicodedata.category(c)[0] in "LMN"`.
    static func isLetterMarkOrNumber(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// The CJK ideograph blocks transformers' `_is_chinese_char` lists.
    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }
}

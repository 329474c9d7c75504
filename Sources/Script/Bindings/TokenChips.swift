import Display
import Tokenizers

/// The notebook display of tokenizer outputs: each token as a coloured chip with its id under
/// it, tokens of one word sharing a colour, special tokens and padding in grey; text/plain is
/// transformers' repr.
enum TokenChips {
    /// Pastel colours that keep dark text readable; neighbouring words differ.
    static let palette = ["#ffd6a5", "#caffbf", "#9bf6ff", "#bdb2ff", "#ffc6ff", "#fdffb6", "#a0c4ff", "#ffadad"]
    static let special = "#e0e0e0"

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case " ": out += "&nbsp;"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    /// One row of chips for an encoding.
    static func row(_ e: Encoding) -> String {
        var html = "<div style=\"display:flex;flex-wrap:wrap;gap:3px;margin:4px 0\">"
        for i in 0..<e.count {
            let isSpecial = i < e.specialTokensMask.count && e.specialTokensMask[i] == 1
            let word = i < e.wordIds.count ? e.wordIds[i] : nil
            let colour = isSpecial || word == nil ? special : palette[(word ?? 0) % palette.count]
            let faded = i < e.attentionMask.count && e.attentionMask[i] == 0 ? ";opacity:0.45" : ""
            html += "<span title=\"token \(i)\" style=\"display:inline-flex;flex-direction:column;align-items:center;padding:2px 5px;border-radius:5px;background:\(colour);font-family:monospace;color:#222\(faded)\">"
            html += "<span>\(escape(e.tokens[i]))</span><span style=\"font-size:0.7em;color:#555\">\(e.ids[i])</span></span>"
        }
        return html + "</div>"
    }

    /// The display of encodings (rows) under `plain` as the text form.
    static func bundle(_ encodings: [Encoding], plain: String) -> MimeBundle {
        var b = MimeBundle(plain: plain)
        b.set("text/html", text: "<div class=\"apus-tokens\">" + encodings.map(row).joined() + "</div>")
        return b
    }

    /// The rich display of a BatchEncoding or Encoding value, nil for other values.
    static func mimeBundle(for value: Value) -> MimeBundle? {
        if let b = ScriptBridge.unwrap(value, as: BatchEncodingObject.self), let encs = b.encoding.encodings {
            return bundle(encs, plain: (try? b.repr()) ?? "")
        }
        if let e = ScriptBridge.unwrap(value, as: EncodingObject.self) {
            return bundle([e.encoding], plain: (try? e.repr()) ?? "")
        }
        return nil
    }
}

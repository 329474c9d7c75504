import Display
import Foundation

/// How the terminal can show a picture, best first.
public enum TerminalPicture: Equatable, Sendable {
    /// The kitty graphics protocol (PNG sent in base64 chunks).
    case kitty
    /// iTerm2's inline-image escape (OSC 1337).
    case iTerm
    /// Unicode upper-half blocks with 24-bit foreground/background colours: two pixels per cell.
    case halfBlocks
    /// No picture: fall back to the text form.
    case text

    /// Picks the best picture form from the environment. Only a terminal gets escapes:
    /// when stdout is a pipe or a file, every picture becomes its text.
    public static func choose(environment env: [String: String], isTTY: Bool) -> TerminalPicture {
        guard isTTY else { return .text }
        if env["KITTY_WINDOW_ID"] != nil || (env["TERM"] ?? "").contains("kitty") { return .kitty }
        if env["TERM_PROGRAM"] == "iTerm.app" { return .iTerm }
        let colour = (env["COLORTERM"] ?? "").lowercased()
        if colour == "truecolor" || colour == "24bit" { return .halfBlocks }
        return .text
    }
}

/// Turns display bundles into what the terminal prints.
public enum TerminalRenderer {
    /// The terminal form of `bundle`: a picture escape or colour art for `image/png` when
    /// `picture` allows one, else the `text/plain` form. Always ends with a newline.
    public static func render(_ bundle: MimeBundle, picture: TerminalPicture, columns: Int) -> String {
        if picture != .text, let b64 = bundle["image/png"]?.stringValue,
           let data = Data(base64Encoded: b64, options: .ignoreUnknownCharacters) {
            let png = [UInt8](data)
            switch picture {
            case .kitty: return kittyEscape(png: png) + "\n"
            case .iTerm: return iTermEscape(png: png) + "\n"
            case .halfBlocks:
                if let image = try? RGBAImage(pngData: png) { return halfBlocks(image, maxColumns: columns) }
            case .text: break
            }
        }
        let text = bundle.plainText
        return text.hasSuffix("\n") ? text : text + "\n"
    }

    /// The kitty graphics protocol: transmit-and-display a PNG, in chunks of at most 4096
    /// base64 bytes as the protocol requires.
    public static func kittyEscape(png: [UInt8]) -> String {
        let b64 = Array(Data(png).base64EncodedString().utf8)
        var out = ""
        var start = 0
        repeat {
            let end = min(start + 4096, b64.count)
            let more = end < b64.count ? 1 : 0
            let control = start == 0 ? "a=T,f=100,m=\(more)" : "m=\(more)"
            out += "\u{1B}_G\(control);" + String(decoding: b64[start..<end], as: UTF8.self) + "\u{1B}\\"
            start = end
        } while start < b64.count
        return out
    }

    /// iTerm2's inline image escape for a PNG file's bytes.
    public static func iTermEscape(png: [UInt8]) -> String {
        "\u{1B}]1337;File=inline=1;size=\(png.count);preserveAspectRatio=1:" + Data(png).base64EncodedString() + "\u{07}"
    }

    /// Colour art: each character cell shows two vertically stacked pixels, the upper one as
    /// the foreground of "▀" and the lower as its background. Wider images are downsampled
    /// (box average) to `maxColumns`; transparent pixels are blended onto white.
    public static func halfBlocks(_ image: RGBAImage, maxColumns: Int) -> String {
        let columns = max(1, min(image.width, maxColumns))
        let scale = Double(image.width) / Double(columns)
        let rows = max(1, Int((Double(image.height) / scale).rounded()))
        var out = ""
        var y = 0
        while y < rows {
            for x in 0..<columns {
                let top = averageColour(image, x: x, y: y, columns: columns, rows: rows)
                out += "\u{1B}[38;2;\(top.red);\(top.green);\(top.blue)m"
                if y + 1 < rows {
                    let bottom = averageColour(image, x: x, y: y + 1, columns: columns, rows: rows)
                    out += "\u{1B}[48;2;\(bottom.red);\(bottom.green);\(bottom.blue)m"
                } else {
                    out += "\u{1B}[49m"
                }
                out += "▀"
            }
            out += "\u{1B}[0m\n"
            y += 2
        }
        return out
    }

    /// The mean colour of the source pixels that fall in output pixel (x, y) of a
    /// `columns` × `rows` grid.
    static func averageColour(_ image: RGBAImage, x: Int, y: Int, columns: Int, rows: Int) -> RGB {
        let x0 = x * image.width / columns, x1 = max(x0 + 1, (x + 1) * image.width / columns)
        let y0 = y * image.height / rows, y1 = max(y0 + 1, (y + 1) * image.height / rows)
        var r = 0.0, g = 0.0, b = 0.0, n = 0.0
        for sy in y0..<min(y1, image.height) {
            for sx in x0..<min(x1, image.width) {
                let i = (sy * image.width + sx) * 4
                let a = Double(image.pixels[i + 3]) / 255
                r += Double(image.pixels[i]) * a + 255 * (1 - a)
                g += Double(image.pixels[i + 1]) * a + 255 * (1 - a)
                b += Double(image.pixels[i + 2]) * a + 255 * (1 - a)
                n += 1
            }
        }
        guard n > 0 else { return RGB(255, 255, 255) }
        return RGB(UInt8((r / n).rounded()), UInt8((g / n).rounded()), UInt8((b / n).rounded()))
    }
}

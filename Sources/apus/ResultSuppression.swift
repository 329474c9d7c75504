import Foundation

/// IPython's rule that a cell ending in `;` shows no result: `x * 7;` runs but displays nothing.
enum ResultSuppression {
    /// True when the cell's last token, ignoring comments and blank lines, is a semicolon.
    static func isSuppressed(_ code: String) -> Bool {
        guard code.utf8.contains(UInt8(ascii: ";")) else { return false }
        for line in code.split(separator: "\n", omittingEmptySubsequences: false).reversed() {
            // The last character that is not a space or tab decides.
            guard let last = withoutComment(line).unicodeScalars.last(where: { $0 != " " && $0 != "\t" }) else { continue }
            return last == ";"
        }
        return false
    }

    /// The line up to a `#` that is outside string quotes (a `#` inside a string is text).
    private static func withoutComment(_ line: Substring) -> String {
        var quote: Character? = nil
        var escaped = false
        var kept = ""
        for character in line {
            if let open = quote {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "#" {
                break
            }
            kept.append(character)
        }
        return kept
    }
}

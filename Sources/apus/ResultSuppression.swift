import Foundation

/// IPython's rule that a cell ending in `;` shows no result: `x * 7;` runs but displays nothing.
enum ResultSuppression {
    /// True when the cell's last token, ignoring comments and blank lines, is a semicolon.
    static func isSuppressed(_ code: String) -> Bool {
        for line in code.split(separator: "\n", omittingEmptySubsequences: false).reversed() {
            let trimmed = withoutComment(line).trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            return trimmed.hasSuffix(";")
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

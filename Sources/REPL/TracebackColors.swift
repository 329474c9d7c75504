/// ANSI colouring for tracebacks shown in a terminal.
public enum TracebackColors {
    static let red = "\u{1B}[31m", boldRed = "\u{1B}[1;31m", green = "\u{1B}[32m"
    static let cyan = "\u{1B}[36m", magenta = "\u{1B}[35m", reset = "\u{1B}[0m"

    /// Whether colour is wanted: stdout is a terminal and NO_COLOR is unset (no-color.org).
    public static func enabled(environment: [String: String], isTTY: Bool) -> Bool {
        isTTY && environment["NO_COLOR"] == nil
    }

    /// The traceback with file names, line numbers and function names tinted, carets red
    /// and the final "Name: message" line in red with the exception name bold.
    public static func colorize(_ traceback: String) -> String {
        var lines = traceback.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let lastIndex = lines.lastIndex { !$0.isEmpty }
        for (i, line) in lines.enumerated() {
            if line.hasPrefix("Traceback (most recent call last):") {
                lines[i] = red + line + reset
            } else if line.hasPrefix("  File \"") {
                lines[i] = colourFileLine(line)
            } else if !line.isEmpty, line.trimmingCharacters(in: .whitespaces).allSatisfy({ $0 == "^" || $0 == "~" }) {
                lines[i] = red + line + reset
            } else if i == lastIndex, !line.hasPrefix(" ") {
                if let colon = line.firstIndex(of: ":") {
                    lines[i] = boldRed + line[..<colon] + reset + red + line[colon...] + reset
                } else {
                    lines[i] = boldRed + line + reset
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `  File "x", line 3, in f` with the file green, the line number green and `f` magenta.
    static func colourFileLine(_ line: String) -> String {
        guard let q1 = line.firstIndex(of: "\""),
              let q2 = line[line.index(after: q1)...].firstIndex(of: "\"") else { return line }
        var out = String(line[..<q1]) + green + line[q1...q2] + reset
        var rest = String(line[line.index(after: q2)...])
        if let r = rest.range(of: ", line ") {
            let digits = rest[r.upperBound...].prefix { $0.isNumber }
            out += rest[..<r.upperBound] + green + digits + reset
            rest = String(rest[r.upperBound...].dropFirst(digits.count))
        }
        if let r = rest.range(of: ", in ") {
            out += rest[..<r.upperBound] + magenta + rest[r.upperBound...] + reset
        } else {
            out += rest
        }
        return out
    }
}

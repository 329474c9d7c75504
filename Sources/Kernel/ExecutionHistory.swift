import Foundation
import Display

/// The cells run with `store_history`, answering history_request: tail, range and glob search
/// (with `unique`), optionally with each cell's output (`text/plain` of its result).
/// Kept in memory for the kernel's lifetime, as session 1.
final class ExecutionHistory: @unchecked Sendable {
    struct Entry {
        let line: Int
        let input: String
        var output: String?
    }

    /// The session number replies carry (history is not persisted across kernel processes yet).
    static let session = 1

    private let lock = NSLock()
    private var entries: [Entry] = []

    func record(line: Int, input: String, output: String?) {
        lock.lock(); defer { lock.unlock() }
        entries.append(Entry(line: line, input: input, output: output))
    }

    /// The history_reply content for a history_request's content.
    func reply(to request: JSONValue) -> JSONValue {
        lock.lock()
        let all = entries
        lock.unlock()
        let withOutput = request["output"]?.boolValue ?? false
        let selected: [Entry]
        switch request["hist_access_type"]?.stringValue ?? "range" {
        case "tail":
            let n = max(request["n"]?.intValue ?? 10, 0)
            selected = Array(all.suffix(n))
        case "search":
            let pattern = request["pattern"]?.stringValue ?? "*"
            var matches = all.filter { GlobPattern(pattern).matches($0.input) }
            if request["unique"]?.boolValue ?? false {
                // Keep the latest run of each distinct input, in line order.
                var seen = Set<String>()
                matches = matches.reversed().filter { seen.insert($0.input).inserted }.reversed()
            }
            if let n = request["n"]?.intValue { matches = Array(matches.suffix(max(n, 0))) }
            selected = matches
        default:
            let session = request["session"]?.intValue ?? 0
            // 0 and this session's number mean the current session; earlier ones are not kept.
            guard session == 0 || session == ExecutionHistory.session else { selected = []; break }
            let start = request["start"]?.intValue ?? 1
            let stop = request["stop"]?.intValue
            selected = all.filter { entry in entry.line >= start && (stop.map { entry.line < $0 } ?? true) }
        }
        let rows: [JSONValue] = selected.map { entry in
            let input: JSONValue = withOutput
                ? .array([.string(entry.input), entry.output.map(JSONValue.string) ?? .null])
                : .string(entry.input)
            return .array([.int(ExecutionHistory.session), .int(entry.line), input])
        }
        return ["status": "ok", "history": .array(rows)]
    }
}

/// A glob as SQLite's GLOB (which IPython's history search uses) reads it: `*`, `?`, `[abc]`,
/// `[a-z]`, `[^abc]`, matched against the whole text, case-sensitively.
struct GlobPattern {
    private let pattern: [Character]

    init(_ pattern: String) { self.pattern = Array(pattern) }

    func matches(_ text: String) -> Bool {
        let chars = Array(text)
        // Iterative matcher with backtracking to the last star: linear for typical patterns.
        var p = 0, t = 0
        var starP = -1, starT = 0
        while t < chars.count {
            if p < pattern.count {
                switch pattern[p] {
                case "*":
                    starP = p; starT = t; p += 1
                    continue
                case "?":
                    p += 1; t += 1
                    continue
                case "[":
                    if let (matched, next) = matchClass(at: p, chars[t]) {
                        if matched { p = next; t += 1; continue }
                    } else if chars[t] == "[" { p += 1; t += 1; continue }
                default:
                    if pattern[p] == chars[t] { p += 1; t += 1; continue }
                }
            }
            guard starP >= 0 else { return false }
            p = starP + 1
            starT += 1
            t = starT
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// Whether `c` is in the bracket class starting at `start`, and the index after it; nil
    /// when the bracket is not closed (then it is a literal `[`).
    private func matchClass(at start: Int, _ c: Character) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < pattern.count && pattern[i] == "^" { negate = true; i += 1 }
        var matched = false
        var first = true
        while i < pattern.count && (pattern[i] != "]" || first) {
            first = false
            if i + 2 < pattern.count && pattern[i + 1] == "-" && pattern[i + 2] != "]" {
                if pattern[i] <= c && c <= pattern[i + 2] { matched = true }
                i += 3
            } else {
                if pattern[i] == c { matched = true }
                i += 1
            }
        }
        guard i < pattern.count else { return nil }
        return (matched != negate, i + 1)
    }
}

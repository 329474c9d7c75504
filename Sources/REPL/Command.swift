import Foundation

/// What one entry typed at the prompt asks for: code to run, help on a name, or a magic.
public enum REPLCommand: Equatable, Sendable {
    /// Ordinary code for the engine.
    case code(String)
    /// `?name`, `name?` (and `??`): help on a name or dotted expression.
    case help(String)
    /// `%time CODE`: run once and report CPU and wall time.
    case time(String)
    /// `%timeit CODE`: time many runs and report mean ± standard deviation.
    case timeit(String)
    /// `%who`: list the session's variables.
    case who
    /// `%reset` (`force` with -f: no confirmation): delete the session's variables.
    case reset(force: Bool)
    /// `%load FILE`: show a file's code and run it.
    case load(String)
    /// `%history` (`numbered` with -n): the inputs of this session.
    case history(numbered: Bool)
    /// A `%name` the REPL does not know, or a magic used wrongly; the text explains.
    case unknownMagic(String)

    /// Reads one complete entry. Magics and help apply to single-line entries only, so a
    /// multi-line block is always code; a `%` line inside code would be a syntax error anyway.
    public static func parse(_ entry: String) -> REPLCommand {
        let trimmed = entry.trimmingCharacters(in: .whitespaces)
        guard !trimmed.contains("\n") else { return .code(entry) }
        if trimmed.hasPrefix("%") {
            let body = trimmed.dropFirst(trimmed.hasPrefix("%%") ? 2 : 1)
            let name = String(body.prefix { !$0.isWhitespace })
            let rest = String(body.dropFirst(name.count)).trimmingCharacters(in: .whitespaces)
            let flags = Set(rest.split(separator: " ").map(String.init))
            switch name {
            case "time": return rest.isEmpty ? .unknownMagic("%time needs code to run, e.g. %time sum(range(1000))") : .time(rest)
            case "timeit": return rest.isEmpty ? .unknownMagic("%timeit needs code to run, e.g. %timeit sum(range(1000))") : .timeit(rest)
            case "who": return .who
            case "reset": return .reset(force: flags.contains("-f"))
            case "load": return rest.isEmpty ? .unknownMagic("%load needs a file name") : .load(rest)
            case "history", "hist": return .history(numbered: flags.contains("-n"))
            default: return .unknownMagic("UsageError: Line magic function `%\(name)` not found.")
            }
        }
        if trimmed.hasPrefix("?") {
            let name = trimmed.drop { $0 == "?" }.trimmingCharacters(in: .whitespaces)
            if isDottedName(name) { return .help(name) }
        } else if trimmed.hasSuffix("?") {
            var name = trimmed
            while name.hasSuffix("?") { name.removeLast() }
            name = name.trimmingCharacters(in: .whitespaces)
            if isDottedName(name) { return .help(name) }
        }
        return .code(entry)
    }

    /// Whether `s` is `name` or `name.attr.attr`, the only things help looks up.
    static func isDottedName(_ s: String) -> Bool {
        guard !s.isEmpty else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            guard let first = part.unicodeScalars.first else { return false }
            return (first == "_" || first.properties.isXIDStart)
                && part.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isXIDContinue }
        }
    }
}

/// Formats timings the way IPython's %time and %timeit print them.
public enum TimingFormat {
    /// A duration with three significant digits and the unit that suits it: "1.23 µs", "45.6 ms", "2.5 s".
    public static func duration(_ seconds: Double) -> String {
        let units: [(String, Double)] = [("s", 1), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)]
        let unit = units.first { seconds >= $0.1 } ?? units[units.count - 1]
        return String(format: "%.3g", seconds / unit.1) + " " + unit.0
    }

    /// %timeit's summary line for the per-loop times of each run.
    public static func timeitSummary(perLoopTimes: [Double], loops: Int) -> String {
        let n = Double(perLoopTimes.count)
        let mean = perLoopTimes.reduce(0, +) / max(n, 1)
        let variance = perLoopTimes.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / max(n, 1)
        let runs = perLoopTimes.count == 1 ? "1 run" : "\(perLoopTimes.count) runs"
        let loopWord = loops == 1 ? "1 loop each" : "\(loops) loops each"
        return "\(duration(mean)) ± \(duration(variance.squareRoot())) per loop (mean ± std. dev. of \(runs), \(loopWord))"
    }

    /// The loop count %timeit uses: the first of 1, 2, 5, 10, 20, 50, ... whose total time
    /// reaches `target` seconds, given a function that times `n` loops.
    public static func adaptiveLoopCount(target: Double = 0.2, limit: Int = 10_000_000,
                                         timeLoops: (Int) throws -> Double) rethrows -> Int {
        var base = 1
        while true {
            for step in [1, 2, 5] {
                let n = base * step
                if n >= limit { return limit }
                if try timeLoops(n) >= target { return n }
            }
            base *= 10
        }
    }
}

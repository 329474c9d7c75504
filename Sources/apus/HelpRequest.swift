/// A help line in a cell, as IPython reads them: `?name`, `name?` (help) and `??name`,
/// `name??` (help and source). The kernel answers them with a pager payload.
struct HelpRequest: Equatable {
    /// The (dotted) name asked about.
    let name: String
    /// `??`: show the definition's source too.
    let withSource: Bool

    /// The requests of a cell made only of help lines (and blank lines); nil for any other cell,
    /// which runs as code.
    static func parseCell(_ code: String) -> [HelpRequest]? {
        // Every help line has a `?`: most cells are answered here, without trimming each line.
        guard code.utf8.contains(UInt8(ascii: "?")) else { return nil }
        var requests: [HelpRequest] = []
        for line in code.split(separator: "\n", omittingEmptySubsequences: true) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let request = parse(text) else { return nil }
            requests.append(request)
        }
        return requests.isEmpty ? nil : requests
    }

    /// One help line, or nil when `text` is not one.
    static func parse(_ text: String) -> HelpRequest? {
        var body = Substring(text)
        var marks = 0
        while body.hasPrefix("?") { body = body.dropFirst(); marks += 1 }
        if marks == 0 { while body.hasSuffix("?") { body = body.dropLast(); marks += 1 } }
        guard (1...2).contains(marks), isDottedName(body) else { return nil }
        return HelpRequest(name: String(body), withSource: marks == 2)
    }

    static func isDottedName(_ s: Substring) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { part in
            guard let first = part.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
            return part.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || $0.properties.numericType != nil }
        }
    }
}

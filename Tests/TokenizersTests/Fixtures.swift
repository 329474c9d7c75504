import Foundation
@testable import Tokenizers

/// Where committed reference data lives: `Tests/Fixtures/<area>/...`.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    static func json(_ relative: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(relative))
        // The module's exact parser: Foundation's drops a leading U+FEFF from strings.
        return try JSONParser.parse(data) as? [String: Any] ?? [:]
    }
}

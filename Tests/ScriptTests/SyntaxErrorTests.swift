import XCTest
@testable import Script

/// Compares the parser's syntax errors (class, message, line, column) with CPython's on the
/// snippets in Tests/Fixtures/language/syntax_errors.json (written by generate_syntax_errors.py).
final class SyntaxErrorTests: XCTestCase {
    struct Case: Decodable { let source: String; let error: String?; let message: String?; let line: Int?; let col: Int? }

    static func parse(_ code: String) -> SyntaxErrorInfo? {
        do {
            var lx = Lexer(code)
            let toks = try lx.tokenize()
            let fc = FunctionCode(name: "<module>", qualname: "<module>", source: SourceFile(name: "<snippet>", text: code), firstLine: 1)
            let scope = Scope(.module, parent: nil, code: fc)
            _ = try Parser(tokens: toks, source: fc.source, scope: scope, lexError: lx.lexError).parseModule()
            try Resolver(globals: Globals()).resolve(scope)
            return nil
        } catch let e as SyntaxErrorInfo { return e } catch { return nil }
    }

    func testSyntaxErrorsMatchCPython() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/language/syntax_errors.json")
        let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: url))
        var matched = 0
        for c in cases {
            let got = Self.parse(c.source)
            let want = c.error.map { "\($0): \(c.message ?? "") at \(c.line ?? 0):\(c.col ?? 0)" } ?? "no error"
            let have = got.map { "\($0.kind): \($0.message) at \($0.pos.line):\($0.pos.col)" } ?? "no error"
            if want == have { matched += 1 } else { XCTFail("\(c.source.debugDescription): expected \(want), got \(have)") }
        }
        print("syntax errors: \(matched)/\(cases.count) match CPython")
    }
}

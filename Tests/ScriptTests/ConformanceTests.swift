import XCTest
@testable import Script

/// Runs every Tests/Fixtures/language/cases/*.py through the interpreter and compares its
/// output with what CPython printed (cases/*.expected, written by generate.py).
final class ConformanceTests: XCTestCase {
    static var casesDir: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/language/cases")
    }

    /// Output in the same shape generate.py records: stdout, then the error's last line.
    static func run(_ url: URL) throws -> String {
        let code = try String(contentsOf: url, encoding: .utf8)
        let sink = CaptureSink()
        let cwd = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(casesDir.path)
        defer { FileManager.default.changeCurrentDirectoryPath(cwd) }
        let engine = Engine(sink: sink, argv: [url.lastPathComponent])
        let r = engine.execute(code, cellName: url.lastPathComponent)
        var out = sink.stdout
        if let line = r.errorLine { out += "--- error ---\n" + line + "\n" }
        else if let c = r.exitCode, c != 0 {
            let last = sink.stderr.split(separator: "\n").last.map(String.init) ?? ""
            out += "--- error ---\n" + last + "\n"
        }
        return out
    }

    func testEveryCaseMatchesCPython() throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.casesDir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "py" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        XCTAssertFalse(files.isEmpty)
        var passed = 0
        for f in files {
            let expected = try String(contentsOf: f.deletingPathExtension().appendingPathExtension("expected"), encoding: .utf8)
            let got = try Self.run(f)
            if got == expected { passed += 1 } else {
                XCTFail("\(f.lastPathComponent): output differs from CPython.\n--- expected\n\(expected)\n--- got\n\(got)")
            }
        }
        print("conformance: \(passed)/\(files.count) cases match CPython")
    }
}

import Foundation
import XCTest
@testable import Script

/// tutorials/03-models.md, 04-quick-tour.md and 05-pipelines.md print what transformers prints: each code cell
/// runs in order in one session, from the notebooks folder as in CI, and its output is compared with the output of
/// the same cell under Python (Tests/Fixtures/models/tutorial.expected.json, from generate_tutorial.py). Cells
/// that draw Apus's attention pictures or show Apus's own messages have no Python counterpart; they must run
/// without error and print something.
final class ModelTutorialTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The tutorial's ```python blocks, as generate_tutorial.py and make_notebooks.py read them.
    static func codeCells(_ text: String) -> [String] {
        var cells: [String] = [], code: [String] = [], inCode = false
        for line in text.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !inCode && trimmed == "```python" { code = []; inCode = true }
            else if inCode && trimmed == "```" { cells.append(code.joined(separator: "\n")); inCode = false }
            else if inCode { code.append(line) }
        }
        return cells
    }

    func testTutorialCellsPrintWhatTransformersPrints() throws {
        try checkTutorial("03-models", expected: "tutorial.expected.json")
    }

    /// tutorials/04-quick-tour.md: pipelines, chat, streaming, beam search and a custom pipeline
    /// on the real MiniLM and SmolLM2.
    func testQuickTourCellsPrintWhatTransformersPrints() throws {
        try checkTutorial("04-quick-tour", expected: "04-quick-tour.expected.json")
    }

    /// tutorials/05-pipelines.md: token classification, question answering over long contexts,
    /// zero-shot classification and batching, on the tiny random fixtures and the real MiniLM.
    func testPipelinesTutorialCellsPrintWhatTransformersPrints() throws {
        try checkTutorial("05-pipelines", expected: "05-pipelines.expected.json")
    }

    func checkTutorial(_ name: String, expected expectedFile: String) throws {
        let markdown = try String(contentsOf: Self.packageRoot.appendingPathComponent("tutorials/\(name).md"), encoding: .utf8)
        let data = try Data(contentsOf: Self.packageRoot.appendingPathComponent("Tests/Fixtures/models/\(expectedFile)"))
        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        let cells = Self.codeCells(markdown)
        XCTAssertEqual(cells, expected.compactMap { $0["code"] as? String }, "\(expectedFile) is stale: rerun generate_tutorial.py \(name)")

        let cwd = FileManager.default.currentDirectoryPath
        // The notebooks run in notebooks/ (scripts/run_notebooks.py), so relative paths start there.
        _ = FileManager.default.changeCurrentDirectoryPath(Self.packageRoot.appendingPathComponent("notebooks").path)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
        let sink = CaptureSink()
        let engine = Engine(sink: sink)
        for (index, cell) in cells.enumerated() {
            let before = sink.stdout.count
            let result = engine.execute(cell, cellName: "<cell \(index)>")
            XCTAssertNil(result.errorLine, "cell \(index):\n\(cell)")
            let printed = String(sink.stdout.dropFirst(before))
            if index < expected.count, let want = expected[index]["stdout"] as? String {
                XCTAssertEqual(printed, want, "cell \(index):\n\(cell)")
            } else {
                XCTAssertFalse(printed.isEmpty, "cell \(index) shows nothing")
            }
        }
    }
}

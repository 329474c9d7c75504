import Foundation
import XCTest
@testable import Script

/// `apply_chat_template` from scripts with the real SmolLM2-135M-Instruct GGUF (its vocabulary
/// and chat template): the scripts in Tests/Fixtures/tokenizers/api/chat_scripts print exactly
/// what real Python + transformers printed (api/chat_scripts.json, from
/// generate_chat_scripts.py). The model comes from `$HF_HOME` (scripts/fetch_models.py).
final class ChatTemplateBindingTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizers/api")

    func check(_ script: String) throws {
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtures.appendingPathComponent("chat_scripts.json"))) as! [String: String]
        let want = try XCTUnwrap(expected[script])
        let code = try String(contentsOf: Self.fixtures.appendingPathComponent("chat_scripts/\(script)"), encoding: .utf8)
        let sink = CaptureSink()
        let result = Engine(sink: sink).execute(code, cellName: script)
        let got = sink.stdout + (result.errorLine.map { $0 + "\n" } ?? "")
        XCTAssertEqual(got, want, "\(script) prints differently from transformers")
    }

    func testSmolLM2ChatPromptsAndIdsMatchTransformers() throws { try check("smollm2_chat.py") }
    func testCustomTemplatesToolsAndTemplateErrorsMatchTransformers() throws { try check("template_errors.py") }
}

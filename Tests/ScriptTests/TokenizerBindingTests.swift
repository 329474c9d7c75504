import Foundation
import XCTest
@testable import Script

/// The transformers tokenizer bindings: the scripts in Tests/Fixtures/tokenizers/api/scripts
/// print what real Python + transformers printed (api/scripts.json, from generate_api.py),
/// with the real all-MiniLM-L6-v2 tokenizer laid out in a Hugging Face cache.
final class TokenizerBindingTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizers")

    /// `$HF_HOME/hub/models--sentence-transformers--all-MiniLM-L6-v2/snapshots/<ref>/` built from
    /// the committed tokenizer.json and the config files recorded in api/cases.json.
    static let hfHome: URL = {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("apus-binding-hf-\(getpid())")
        let repo = home.appendingPathComponent("hub/models--sentence-transformers--all-MiniLM-L6-v2")
        let snapshot = repo.appendingPathComponent("snapshots/0123abcd")
        try! FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try! FileManager.default.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try! "0123abcd".write(to: repo.appendingPathComponent("refs/main"), atomically: true, encoding: .utf8)
        let cases = try! JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("api/cases.json"))) as! [String: Any]
        let spec = (cases["tokenizers"] as! [String: [String: Any]])["minilm"]!
        let target = snapshot.appendingPathComponent("tokenizer.json")
        try? FileManager.default.removeItem(at: target)
        try! FileManager.default.copyItem(at: fixtures.appendingPathComponent(spec["tokenizer_json"] as! String), to: target)
        try! JSONSerialization.data(withJSONObject: spec["config"]!).write(to: snapshot.appendingPathComponent("tokenizer_config.json"))
        try! JSONSerialization.data(withJSONObject: spec["special_tokens_map"]!).write(to: snapshot.appendingPathComponent("special_tokens_map.json"))
        return home
    }()

    /// The tests point HF_HOME at their own cache; other suites (the real models) need it back.
    private var savedEnvironment: [String: String?] = [:]
    override func setUp() {
        for name in ["HF_HOME", "HF_HUB_CACHE"] { savedEnvironment[name] = getenv(name).map { String(cString: $0) } }
    }
    override func tearDown() {
        for (name, value) in savedEnvironment {
            if let value { setenv(name, value, 1) } else { unsetenv(name) }
        }
    }

    static let expected: [String: String] = {
        let data = try! Data(contentsOf: fixtures.appendingPathComponent("api/scripts.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: String]
    }()

    /// Output in the shape the generator records: stdout, then "Type: message" of an uncaught error.
    func run(_ script: String) throws -> String {
        setenv("HF_HOME", Self.hfHome.path, 1)
        unsetenv("HF_HUB_CACHE")
        let code = try String(contentsOf: Self.fixtures.appendingPathComponent("api/scripts/\(script)"), encoding: .utf8)
        let sink = CaptureSink()
        let engine = Engine(sink: sink)
        let r = engine.execute(code, cellName: script)
        return sink.stdout + (r.errorLine.map { $0 + "\n" } ?? "")
    }

    func check(_ script: String) throws {
        let want = try XCTUnwrap(Self.expected[script])
        let got = try run(script)
        if got != want {
            let g = got.split(separator: "\n", omittingEmptySubsequences: false), w = want.split(separator: "\n", omittingEmptySubsequences: false)
            let i = (0..<min(g.count, w.count)).first { g[$0] != w[$0] } ?? min(g.count, w.count)
            XCTFail("\(script) differs from transformers at line \(i + 1):\n got      \(i < g.count ? String(g[i]) : "<end>")\n expected \(i < w.count ? String(w[i]) : "<end>")\n--- full output\n\(got)")
        }
    }

    func testLoadingCallingAndDecodingMatchTransformers() throws { try check("basics.py") }
    func testBatchesPaddingTruncationAndAlignmentMatchTransformers() throws { try check("batches.py") }
    func testAddingTokensPaddingAndSavingMatchTransformers() throws { try check("editing.py") }
    func testErrorsAreTheExceptionsTransformersRaises() throws { try check("errors.py") }
    func testConstructingFromATokenizerFileMatchesTransformers() throws {
        // The script names its file relative to the package root, as the generator runs it.
        let cwd = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(Self.fixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path)
        defer { FileManager.default.changeCurrentDirectoryPath(cwd) }
        try check("from_file.py")
    }

    func testEncodingDisplaysAsTokenChipsWithIds() throws {
        setenv("HF_HOME", Self.hfHome.path, 1)
        let engine = Engine(sink: CaptureSink())
        let r = engine.execute("from transformers import AutoTokenizer\ntok = AutoTokenizer.from_pretrained('sentence-transformers/all-MiniLM-L6-v2')\ntok('Hello <world>')",
                               cellName: "<cell>", displayLastExpression: true)
        XCTAssertNil(r.errorLine)
        let bundle = try XCTUnwrap(r.mimeBundle)
        XCTAssertEqual(bundle.plainText, r.valueRepr)
        let html = try XCTUnwrap(bundle["text/html"]?.stringValue)
        XCTAssertTrue(html.contains("&lt;"), "token text is escaped")
        XCTAssertTrue(html.contains(">7592<"), "the id of 'hello' is shown")
        XCTAssertTrue(html.contains(">[CLS]<") && html.contains(">hello<"))
    }

    func testHelpShowsSignatureAndDocstring() throws {
        setenv("HF_HOME", Self.hfHome.path, 1)
        let sink = CaptureSink()
        let engine = Engine(sink: sink)
        let r = engine.execute("from transformers import AutoTokenizer\ntok = AutoTokenizer.from_pretrained('sentence-transformers/all-MiniLM-L6-v2')\nprint(tok.decode.__doc__)\nprint('decode' in dir(tok), 'input_ids' in dir(tok('x')))",
                               cellName: "<cell>")
        XCTAssertNil(r.errorLine)
        XCTAssertTrue(sink.stdout.hasPrefix("PreTrainedTokenizerFast.decode(token_ids, skip_special_tokens=False, clean_up_tokenization_spaces=None)"), sink.stdout)
        XCTAssertTrue(sink.stdout.hasSuffix("True True\n"), sink.stdout)
    }

    func testCompletionAndInspectionKnowTheTokenizerAPI() throws {
        setenv("HF_HOME", Self.hfHome.path, 1)
        let engine = Engine(sink: CaptureSink())
        let r = engine.execute("from transformers import AutoTokenizer\ntok = AutoTokenizer.from_pretrained('sentence-transformers/all-MiniLM-L6-v2')\ninputs = tok('hi')",
                               cellName: "<cell>")
        XCTAssertNil(r.errorLine)
        XCTAssertTrue(engine.complete("tok.batch_d", cursor: 11).matches.contains { $0.hasSuffix("batch_decode") })
        XCTAssertTrue(engine.complete("inputs.inp", cursor: 10).matches.contains { $0.hasSuffix("input_ids") })
        XCTAssertTrue(engine.complete("AutoTokenizer.from_", cursor: 19).matches.contains { $0.hasSuffix("from_pretrained") })
        let help = try XCTUnwrap(engine.inspect("tok.decode", cursor: 10))
        XCTAssertTrue(help.contains("skip_special_tokens=False"), help)
    }
}

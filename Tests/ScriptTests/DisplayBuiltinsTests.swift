import XCTest
import Display
@testable import Script

/// What display() and friends send to a rich front-end, in order.
final class RecordingDisplaySink: RichOutputSink {
    enum Event: Equatable {
        case display(MimeBundle, displayId: String?)
        case update(MimeBundle, displayId: String)
        case clear(wait: Bool)
    }
    var events: [Event] = []
    var stdout = ""
    var stderr = ""

    func write(_ text: String, to stream: StreamKind) {
        if stream == .stdout { stdout += text } else { stderr += text }
    }
    func flush() {}
    func display(_ bundle: MimeBundle, displayId: String?) { events.append(.display(bundle, displayId: displayId)) }
    func updateDisplay(_ bundle: MimeBundle, displayId: String) { events.append(.update(bundle, displayId: displayId)) }
    func clearOutput(wait: Bool) { events.append(.clear(wait: wait)) }
}

/// The display builtins against IPython's own bundles (Tests/Fixtures/display/generate.py runs
/// the same code through IPython's formatter and display publisher).
final class DisplayBuiltinsTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/display")

    func expected() throws -> JSONValue {
        try JSONValue.parse(Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json")))
    }

    /// A session with the fixture's prelude and classes defined, recording displays.
    func session(_ reference: JSONValue) throws -> (Engine, RecordingDisplaySink) {
        let sink = RecordingDisplaySink()
        let engine = Engine(sink: sink)
        let setup = "FIX = \"\(Self.fixtures.path)\"\n" + (reference["prelude"]?.stringValue ?? "")
            + (reference["classes"]?.stringValue ?? "")
        let r = engine.execute(setup, cellName: "<setup>")
        XCTAssertNil(r.traceback, r.traceback ?? "")
        return (engine, sink)
    }

    func testResultsFormatLikeIPython() throws {
        let reference = try expected()
        let (engine, sink) = try session(reference)
        for case let item in reference["format"]?.arrayValue ?? [] {
            let name = item["name"]?.stringValue ?? "?", expr = item["expr"]?.stringValue ?? ""
            let r = engine.execute(expr, cellName: "<\(name)>", displayLastExpression: true)
            XCTAssertNil(r.traceback, "\(name): \(r.traceback ?? "")")
            guard let value = r.value else { XCTFail("\(name): no value"); continue }
            let bundle = try engine.displayBundle(for: value, repr: r.valueRepr)
            XCTAssertEqual(bundle.map { JSONValue.object($0.data) }, item["data"], name)
            XCTAssertEqual(bundle.map { JSONValue.object($0.metadata) }, item["metadata"], name)
        }
        XCTAssertEqual(sink.stderr, "")
    }

    func testDisplayCallsPublishLikeIPython() throws {
        let reference = try expected()
        for case let item in reference["publish"]?.arrayValue ?? [] {
            let name = item["name"]?.stringValue ?? "?"
            let (engine, sink) = try session(reference)
            let r = engine.execute(item["code"]?.stringValue ?? "", cellName: "<\(name)>")
            XCTAssertNil(r.traceback, "\(name): \(r.traceback ?? "")")
            let got: [JSONValue] = sink.events.map { event in
                switch event {
                case .display(let b, let id):
                    return ["data": .object(b.data), "metadata": .object(b.metadata), "display_id": id.map(JSONValue.string) ?? .null, "update": false]
                case .update(let b, let id):
                    return ["data": .object(b.data), "metadata": .object(b.metadata), "display_id": .string(id), "update": true]
                case .clear(let wait):
                    return ["clear": .bool(wait)]
                }
            }
            XCTAssertEqual(JSONValue.array(got), item["events"], name)
        }
    }

    func testDisplayIdTrueMakesAFreshIdAndAHandle() throws {
        let sink = RecordingDisplaySink()
        let engine = Engine(sink: sink)
        let r = engine.execute("h = display('a', display_id=True)\nh.update('b')\nk = display('c', display_id=True)\n(h.display_id, k.display_id, type(h).__name__)",
                               cellName: "<t>", displayLastExpression: true)
        XCTAssertNil(r.traceback, r.traceback ?? "")
        guard case .obj(let o)? = r.value, let t = o as? PyTuple, case .str(let first) = t.items[0], case .str(let second) = t.items[1] else {
            return XCTFail("no tuple: \(r.valueRepr ?? "nil")")
        }
        XCTAssertEqual(first.count, 32)
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(t.items[2].strValue, "DisplayHandle")
        XCTAssertEqual(sink.events, [.display(MimeBundle(plain: "'a'"), displayId: first),
                                     .update(MimeBundle(plain: "'b'"), displayId: first),
                                     .display(MimeBundle(plain: "'c'"), displayId: second)])
    }

    func testClearOutputReachesTheFrontEnd() throws {
        let sink = RecordingDisplaySink()
        let engine = Engine(sink: sink)
        let r = engine.execute("clear_output()\nclear_output(wait=True)\ndisplay(1, clear=True)", cellName: "<t>")
        XCTAssertNil(r.traceback, r.traceback ?? "")
        XCTAssertEqual(sink.events, [.clear(wait: false), .clear(wait: true), .clear(wait: true),
                                     .display(MimeBundle(plain: "1"), displayId: nil)])
    }

    func testPlainSinkPrintsTheTextForm() throws {
        let sink = CaptureSink()
        let engine = Engine(sink: sink)
        let r = engine.execute("display(HTML('<b>x</b>'), 5)\nh = display('s', display_id='q')\nh.update('t')", cellName: "<t>")
        XCTAssertNil(r.traceback, r.traceback ?? "")
        XCTAssertEqual(sink.stdout, "<IPython.core.display.HTML object>\n5\n's'\n't'\n")
    }

    func testImportsAsNotebooksWriteThem() throws {
        let engine = Engine(sink: CaptureSink())
        let r = engine.execute("""
            from IPython.display import display, HTML
            import IPython
            from IPython.core.display import Markdown
            (IPython.display.display is display, isinstance(HTML('x'), IPython.display.DisplayObject), Markdown.__name__)
            """, cellName: "<t>", displayLastExpression: true)
        XCTAssertNil(r.traceback, r.traceback ?? "")
        XCTAssertEqual(r.valueRepr, "(True, True, 'Markdown')")
    }

    func testFailingReprMethodIsReportedAndLeftOut() throws {
        let sink = RecordingDisplaySink()
        let engine = Engine(sink: sink)
        let r = engine.execute("""
            class Bad:
                def __repr__(self):
                    return "Bad()"
                def _repr_html_(self):
                    return 1 / 0
            display(Bad())
            """, cellName: "<t>")
        XCTAssertNil(r.traceback, r.traceback ?? "")
        XCTAssertEqual(sink.events, [.display(MimeBundle(plain: "Bad()"), displayId: nil)])
        XCTAssertTrue(sink.stderr.contains("ZeroDivisionError"), sink.stderr)
    }

    func testBadArgumentsRaiseClearErrors() throws {
        let engine = Engine(sink: RecordingDisplaySink())
        let cases: [(String, String)] = [
            ("update_display('x')", "TypeError"),
            ("Image(filename='/no/such/file.png')", "FileNotFoundError"),
            ("Image(data='not a path')", "ValueError"),
            ("Image(data=[1, 2, 300])", "ValueError"),
            ("JSON('{bad')", "ValueError"),
            ("display({1: 'x'}, raw=True)", "TypeError"),
        ]
        for (code, name) in cases {
            let r = engine.execute(code, cellName: "<t>")
            XCTAssertEqual(r.errorName, name, "\(code): \(r.traceback ?? "no error")")
        }
    }

    func testImageFromAListOfBytes() throws {
        let sink = RecordingDisplaySink()
        let engine = Engine(sink: sink)
        let png: [UInt8] = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent("dot.png")))
        let list = "[" + png.map(String.init).joined(separator: ", ") + "]"
        let r = engine.execute("display(Image(data=\(list)))", cellName: "<t>")
        XCTAssertNil(r.traceback, r.traceback ?? "")
        guard case .display(let bundle, _)? = sink.events.first else { return XCTFail("nothing displayed") }
        XCTAssertEqual(bundle["image/png"]?.stringValue, Data(png).base64EncodedString())
    }

    func testHelpWithSourceShowsTheDefinition() throws {
        let engine = Engine(sink: CaptureSink())
        _ = engine.execute("def area(r):\n    \"Area of a disc.\"\n    return 3 * r * r\n\nx = 1", cellName: "<def>")
        let help = engine.help("area", cursor: 4, withSource: true) ?? ""
        XCTAssertTrue(help.contains("Area of a disc."), help)
        XCTAssertTrue(help.hasSuffix("Source:\ndef area(r):\n    \"Area of a disc.\"\n    return 3 * r * r\n"), help)
        XCTAssertEqual(engine.help("area", cursor: 4, withSource: false), engine.inspect("area", cursor: 4))
    }
}

private extension Value {
    var strValue: String? { if case .str(let s) = self { return s }; return nil }
}

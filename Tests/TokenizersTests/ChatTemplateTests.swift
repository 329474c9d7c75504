import Foundation
import XCTest
@testable import Tokenizers

/// Chat templates render exactly what transformers' `apply_chat_template(tokenize=False)`
/// renders: the real templates of SmolLM2, Llama 3.1, Mistral v0.3, Qwen2.5, Gemma 2, Zephyr,
/// ChatML and Hermes 3 tool use on several conversations, Jinja feature snippets, and the
/// errors of broken or raising templates (fixtures from generate_chat_templates.py).
final class ChatTemplateTests: XCTestCase {
    private static let fixture: TemplateValue = {
        let data = try! Data(contentsOf: Fixtures.url("tokenizers/chat_templates.expected.json"))
        return try! TemplateValue(json: String(decoding: data, as: UTF8.self))
    }()

    private func template(_ name: String) throws -> ChatTemplate {
        let text = try String(contentsOf: Fixtures.url("tokenizers/chat_templates/\(name).jinja"), encoding: .utf8)
        return try ChatTemplate(source: text)
    }

    private func items(_ key: String) -> [TemplateValue] {
        guard case .array(let items)? = Self.fixture[key] else { XCTFail("fixture has no \(key)"); return [] }
        return items
    }

    private func string(_ v: TemplateValue?) -> String {
        if case .string(let s)? = v { return s }
        return ""
    }

    private func array(_ v: TemplateValue?) -> [TemplateValue]? {
        if case .array(let a)? = v { return a }
        return nil
    }

    private func extra(_ v: TemplateValue?) -> [String: TemplateValue] {
        guard case .object(let o)? = v else { return [:] }
        return Dictionary(uniqueKeysWithValues: o.entries.map { ($0.key, $0.value) })
    }

    /// Renders one fixture case through the public conversation API.
    private func renderCase(_ c: TemplateValue) throws -> String {
        try template(string(c["template"])).render(
            messages: array(c["messages"]) ?? [],
            addGenerationPrompt: c["add_generation_prompt"] == .bool(true),
            continueFinalMessage: c["continue_final_message"] == .bool(true),
            tools: array(c["tools"]), documents: array(c["documents"]),
            extraContext: extra(c["extra"]))
    }

    func testRealTemplatesRenderLikeTransformers() throws {
        let cases = items("cases")
        XCTAssertGreaterThanOrEqual(cases.count, 30)
        var covered = Set<String>()
        for c in cases {
            let name = string(c["name"])
            do {
                let rendered = try renderCase(c)
                XCTAssertEqual(rendered, string(c["expected"]), name)
                covered.insert(string(c["template"]))
            } catch {
                XCTFail("\(name): \(error)")
            }
        }
        XCTAssertEqual(covered.count, 8, "every template is exercised")
    }

    func testJinjaFeatureSnippetsRenderLikeJinja() throws {
        for s in items("snippets") {
            let name = string(s["name"])
            do {
                let rendered = try ChatTemplate(source: string(s["source"])).render(context: extra(s["context"]))
                XCTAssertEqual(rendered, string(s["expected"]), name)
            } catch {
                XCTFail("\(name): \(error)")
            }
        }
    }

    func testSyntaxErrorsNameTheLine() throws {
        let errors = items("errors").filter { $0["kind"] == .string("syntax") }
        XCTAssertEqual(errors.count, 5)
        for e in errors {
            let name = string(e["name"])
            XCTAssertThrowsError(try ChatTemplate(source: string(e["source"])), name) { error in
                guard let error = error as? ChatTemplateError else { return XCTFail("\(name): \(error)") }
                XCTAssertEqual(error.kind, .syntax, name)
                XCTAssertEqual(error.line.map { TemplateValue.int($0) }, e["line"], "\(name): \(error)")
                XCTAssertTrue(error.description.contains("line \(error.line ?? 0)"), error.description)
            }
        }
    }

    func testRaisedExceptionsCarryTheTemplateMessageAndLine() throws {
        let errors = items("errors").filter { $0["kind"] == .string("raised") }
        XCTAssertEqual(errors.count, 4)
        for e in errors {
            let name = string(e["name"])
            XCTAssertThrowsError(try {
                if e["template"] != nil { return try renderCase(e) }
                return try ChatTemplate(source: string(e["source"])).render(context: extra(e["context"]))
            }(), name) { error in
                guard let error = error as? ChatTemplateError else { return XCTFail("\(name): \(error)") }
                XCTAssertEqual(error.kind, .raised, name)
                XCTAssertEqual(error.message, string(e["message"]), name)
                XCTAssertEqual(error.line.map { TemplateValue.int($0) }, e["line"], name)
            }
        }
    }

    func testStrftimeNowFormatsTheCurrentDate() throws {
        let rendered = try ChatTemplate(source: "{{ strftime_now('%Y') }}").render(context: [:])
        let year = Calendar.current.component(.year, from: Date())
        XCTAssertEqual(rendered, String(year))
    }

    func testContinueFinalMessageRejectsGenerationPrompt() throws {
        XCTAssertThrowsError(try template("smollm2").render(messages: [["role": "user", "content": "Hi"]],
                                                            addGenerationPrompt: true, continueFinalMessage: true)) { error in
            XCTAssertEqual((error as? ChatTemplateError)?.kind, .input)
        }
    }

    func testRuntimeErrorsNameTheLine() throws {
        let t = try ChatTemplate(source: "ok\n{{ 1 + missing }}")
        XCTAssertThrowsError(try t.render(context: [:])) { error in
            let e = error as? ChatTemplateError
            XCTAssertEqual(e?.kind, .runtime)
            XCTAssertEqual(e?.line, 2)
            XCTAssertEqual(e?.message, "'missing' is undefined")
        }
    }

    func testTemplatesCannotMutateLists() throws {
        let t = try ChatTemplate(source: "{% set xs = [1] %}{{ xs.append(2) }}")
        XCTAssertThrowsError(try t.render(context: [:])) { error in
            XCTAssertEqual((error as? ChatTemplateError)?.kind, .runtime)
        }
    }

    func testTemplateValueJSONKeepsKeyOrder() throws {
        let v = try TemplateValue(json: #"{"z": 1, "a": [true, null, 1.5, "\u00e9\ud83d\ude00"], "m": {}}"#)
        guard case .object(let o) = v else { return XCTFail() }
        XCTAssertEqual(o.keys, ["z", "a", "m"])
        XCTAssertEqual(v["a"], [true, nil, 1.5, "é😀"])
        XCTAssertThrowsError(try TemplateValue(json: "{\"a\": }"))
        XCTAssertThrowsError(try TemplateValue(json: String(repeating: "[", count: 100_000)))
    }
}

extension ChatTemplateTests {
    /// Hermes 3's type converter recurses forever on a `"null"` member of a type list (Python
    /// raises RecursionError); here it must fail with an error, also on a small-stack thread.
    func testRunawayRecursionFailsWithAnError() throws {
        let hermes = try template("hermes-3-llama-3.1-tool-use")
        let tools: [TemplateValue] = [["type": "function", "function": [
            "name": "f", "description": "d",
            "parameters": ["type": "object", "properties": ["x": ["type": ["integer", "null"], "description": "x"]]]]]]
        /// Carries the thread's error back; the semaphore orders the write before the read.
        final class Outcome: @unchecked Sendable { var error: Error? }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            do {
                _ = try hermes.render(messages: [["role": "user", "content": "hi"]], tools: tools)
            } catch {
                outcome.error = error
            }
            done.signal()
        }
        thread.stackSize = 512 * 1024
        thread.start()
        done.wait()
        let error = try XCTUnwrap(outcome.error as? ChatTemplateError)
        XCTAssertEqual(error.kind, .runtime)
        XCTAssertTrue(error.message.contains("recursion"), error.message)
    }

    func testDeeplyNestedExpressionsAreASyntaxError() {
        let source = "{{ " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + " }}"
        XCTAssertThrowsError(try ChatTemplate(source: source)) { error in
            XCTAssertEqual((error as? ChatTemplateError)?.kind, .syntax)
        }
    }
}

extension ChatTemplateTests {
    /// Random soups of template fragments either render or throw a `ChatTemplateError`; none
    /// crashes or throws anything else.
    func testRandomTemplatesNeverCrash() {
        let fragments = ["{{", "}}", "{%", "%}", "{#", "#}", "{%-", "-%}", "{{-", "-}}", " for ", " x ", " in ", " if ",
                         " else ", " endif ", " endfor ", " set ", " = ", " macro ", " endmacro ", " m(", ")", "(", "[", "]",
                         "{", "}", ",", ":", "|", " trim ", " length ", " tojson ", " is ", " not ", " defined ", "'s'", "\"q\"",
                         "1", "-2", "3.5", " + ", " - ", " * ", " / ", " // ", " % ", " ** ", " ~ ", " == ", " < ", ".", "messages",
                         "loop", ".index", "[0]", "[::-1]", "[1:]", " and ", " or ", " raw ", " endraw ", "\n", "  ", "text",
                         " namespace(", "ns.a", " call ", " endcall ", " filter ", " endfilter ", " break ", " continue ",
                         " raise_exception(", " range(", " selectattr(", " map(", " items ", "'role'", " none ", " true "]
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next() -> Int {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
        }
        let messages: [TemplateValue] = [["role": "user", "content": "hi"], ["role": "assistant", "content": "yo"]]
        var rendered = 0
        for _ in 0..<3000 {
            let source = (0..<(1 + next() % 14)).map { _ in fragments[next() % fragments.count] }.joined()
            do {
                _ = try ChatTemplate(source: source).render(messages: messages, addGenerationPrompt: true)
                rendered += 1
            } catch is ChatTemplateError {
            } catch {
                XCTFail("\(source): unexpected error \(error)")
            }
        }
        XCTAssertGreaterThan(rendered, 100)
    }
}

extension ChatTemplateTests {
    /// Random templates (whitespace control and scoping, expressions, text handling, macros
    /// and loops) render exactly as Jinja rendered them.
    func testRandomTemplatesRenderLikeJinja() throws {
        let data = try Data(contentsOf: Fixtures.url("tokenizers/chat_templates.random.json"))
        guard case .array(let cases) = try TemplateValue(json: String(decoding: data, as: UTF8.self)) else {
            return XCTFail("random fixture is not a list")
        }
        XCTAssertGreaterThan(cases.count, 400)
        var failures = 0
        for c in cases {
            let name = string(c["name"])
            do {
                let rendered = try ChatTemplate(source: string(c["source"])).render(context: extra(c["context"]))
                if rendered != string(c["expected"]) { failures += 1 }
                XCTAssertEqual(rendered, string(c["expected"]), "\(name): \(string(c["source"]))")
            } catch {
                failures += 1
                XCTFail("\(name): \(string(c["source"])): \(error)")
            }
            if failures > 10 { return XCTFail("stopping after 10 failures") }
        }
    }
}

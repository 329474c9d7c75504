import Foundation
import XCTest
@testable import Tokenizers

/// Compares our encodings with those `tokenizers` recorded (generate.py) for every tokenizer
/// trained by the generator and the real all-MiniLM-L6-v2 tokenizer: single texts, pairs,
/// truncation with overflow, batch padding, decoding. The bar is every case identical.
final class EncodingFixtureTests: XCTestCase {
    /// Differences between an expected (fixture) encoding and ours, as readable lines.
    static func differences(_ expected: [String: Any], _ got: Encoding, path: String = "") -> [String] {
        var out: [String] = []
        func check<T: Equatable>(_ name: String, _ e: T?, _ g: T) {
            if e != g { out.append("\(path)\(name): expected \(String(describing: e!)) got \(g)") }
        }
        check("ids", expected["ids"] as? [Int], got.ids)
        check("tokens", expected["tokens"] as? [String], got.tokens)
        check("type_ids", expected["type_ids"] as? [Int], got.typeIds)
        check("offsets", (expected["offsets"] as? [[Int]])?.map { Offset($0[0], $0[1]) }, got.offsets)
        check("special_tokens_mask", expected["special_tokens_mask"] as? [Int], got.specialTokensMask)
        check("attention_mask", expected["attention_mask"] as? [Int], got.attentionMask)
        let words = (expected["word_ids"] as? [Any])?.map { $0 as? Int }
        if words.map({ $0 != got.wordIds }) ?? true {
            out.append("\(path)word_ids: expected \(String(describing: words)) got \(got.wordIds)")
        }
        let over = expected["overflowing"] as? [[String: Any]] ?? []
        if over.count != got.overflowing.count {
            out.append("\(path)overflowing count: expected \(over.count) got \(got.overflowing.count)")
        } else {
            for (i, (e, g)) in zip(over, got.overflowing).enumerated() {
                out += differences(e, g, path: "\(path)overflowing[\(i)].")
            }
        }
        return out
    }

    static func truncation(_ d: [String: Any]) -> TruncationParameters {
        let strategy: TruncationStrategy = ["only_first": .onlyFirst, "only_second": .onlySecond][d["strategy"] as? String ?? ""] ?? .longestFirst
        return TruncationParameters(maxLength: d["max_length"] as? Int ?? 0, stride: d["stride"] as? Int ?? 0, strategy: strategy,
                                    direction: (d["direction"] as? String) == "left" ? .left : .right)
    }

    static func padding(_ d: [String: Any]) -> PaddingParameters {
        PaddingParameters(length: d["length"] as? Int, direction: (d["direction"] as? String) == "left" ? .left : .right,
                          padToMultipleOf: d["pad_to_multiple_of"] as? Int, padId: d["pad_id"] as? Int ?? 0, padTypeId: 0,
                          padToken: d["pad_token"] as? String ?? "[PAD]")
    }

    /// Runs every recorded case of one tokenizer; returns (passed, total, first failures).
    static func run(_ name: String) throws -> (Int, Int, [String]) {
        let fixture = try Fixtures.json("tokenizers/\(name).expected.json")
        let fileTokenizer = try Tokenizer(contentsOf: Fixtures.url("tokenizers/\(name).json"))
        let base = try Tokenizer(contentsOf: Fixtures.url("tokenizers/\(name).json"))
        base.truncation = nil
        base.padding = nil
        var passed = 0, total = 0
        var failures: [String] = []
        func record(_ label: String, _ diffs: [String]) {
            total += 1
            if diffs.isEmpty { passed += 1 } else if failures.count < 12 { failures.append("\(label): " + diffs.prefix(3).joined(separator: "; ")) }
        }
        func attempt(_ label: String, _ body: () throws -> [String]) {
            do { record(label, try body()) } catch { record(label, ["threw \(error)"]) }
        }
        for c in fixture["cases"] as? [[String: Any]] ?? [] {
            let text = c["text"] as? String ?? ""
            let pair = c["pair"] as? String
            let label = "\(c["kind"] as? String ?? "?") \(text.debugDescription.prefix(40))"
            switch c["kind"] as? String {
            case "file_config":
                attempt(label) { differences(c["encoding"] as! [String: Any], try fileTokenizer.encode(text)) }
            case "single":
                attempt(label) {
                    let e = try base.encode(text)
                    var d = differences(c["encoding"] as! [String: Any], e)
                    d += differences(c["no_special"] as! [String: Any], try base.encode(text, addSpecialTokens: false), path: "no_special.")
                    let decoded = try base.decode(e.ids), skipped = try base.decode(e.ids, skipSpecialTokens: true)
                    if decoded != c["decoded"] as? String { d.append("decoded: expected \((c["decoded"] as? String ?? "").debugDescription) got \(decoded.debugDescription)") }
                    if skipped != c["decoded_skip"] as? String { d.append("decoded_skip: expected \((c["decoded_skip"] as? String ?? "").debugDescription) got \(skipped.debugDescription)") }
                    return d
                }
            case "fuzz":
                attempt(label) {
                    let e = try base.encode(text)
                    var d = differences(c["encoding"] as! [String: Any], e)
                    let decoded = try base.decode(e.ids)
                    if decoded != c["decoded"] as? String { d.append("decoded: expected \((c["decoded"] as? String ?? "").debugDescription) got \(decoded.debugDescription)") }
                    return d
                }
            case "pair":
                attempt(label) { differences(c["encoding"] as! [String: Any], try base.encode(text, pair: pair)) }
            case "truncation":
                let t = base
                t.truncation = truncation(c["truncation"] as! [String: Any])
                defer { t.truncation = nil }
                if let expected = c["encoding"] as? [String: Any] {
                    attempt(label + " \(t.truncation!)") { differences(expected, try t.encode(text, pair: pair)) }
                } else {
                    record(label + " expects an error", (try? t.encode(text, pair: pair)) == nil ? [] : ["no error thrown"])
                }
            case "padding":
                let t = base
                t.padding = padding(c["padding"] as! [String: Any])
                defer { t.padding = nil }
                attempt("padding \(t.padding!)") {
                    let got = try t.encodeBatch(c["batch"] as! [String], pairs: c["pairs"] as? [String])
                    let expected = c["encodings"] as! [[String: Any]]
                    return zip(expected, got).enumerated().flatMap { i, p in differences(p.0, p.1, path: "[\(i)].") }
                }
            default:
                record(label, ["unknown case kind"])
            }
        }
        return (passed, total, failures)
    }

    func check(_ name: String) throws {
        let (passed, total, failures) = try EncodingFixtureTests.run(name)
        print("\(name): \(passed)/\(total) cases identical")
        XCTAssertGreaterThan(total, 0)
        XCTAssertEqual(passed, total, "\(name): \(total - passed) cases differ:\n" + failures.joined(separator: "\n"))
    }

    func testAllMiniLML6v2MatchesReference() throws { try check("all-MiniLM-L6-v2") }
    func testBertWordPieceMatchesReference() throws { try check("bert_wordpiece") }
    func testBertCasedSequenceMatchesReference() throws { try check("bert_cased_sequence") }
    func testBertStripAccentsMatchesReference() throws { try check("bert_strip_accents") }
    func testByteLevelBPEMatchesReference() throws { try check("bpe_bytelevel") }
    func testByteLevelBPELegacyMergesMatchesReference() throws { try check("bpe_bytelevel_legacy_merges") }
    func testRobertaMatchesReference() throws { try check("roberta") }
    func testLlama3StyleMatchesReference() throws { try check("llama3_style") }
    func testLlamaBPEByteFallbackMatchesReference() throws { try check("llama_bpe") }
    func testLlamaMetaspaceMatchesReference() throws { try check("llama_metaspace") }
    func testUnigramMatchesReference() throws { try check("unigram") }
    func testUnigramByteFallbackMatchesReference() throws { try check("unigram_byte_fallback") }
    func testWordLevelMatchesReference() throws { try check("wordlevel") }
    func testClipBPEMatchesReference() throws { try check("clip_bpe") }
    func testBPESubwordPrefixMatchesReference() throws { try check("bpe_subword_prefix") }
    func testUnigramPrecompiledMatchesReference() throws { try check("unigram_precompiled") }
}

import Foundation
import XCTest
@testable import Tokenizers

/// Random text mixing every kind of character the pipeline treats specially never traps, and
/// offsets always point inside the input.
final class RobustnessTests: XCTestCase {
    static let alphabet: [String] = ["a", "Z", " ", "  ", "\t", "\n", "\r\n", "\u{0}", "\u{7F}", "\u{A0}", "\u{AD}", "\u{200B}",
        "\u{200D}", "\u{FEFF}", "\u{FFFD}", "é", "e\u{301}", "\u{301}", "\u{302}\u{303}", "ﬁ", "½", "Ａ", "ｶ", "ﾞ", "\u{3099}",
        "한", "\u{1100}", "\u{1161}", "\u{11A8}", "我", "日本", "カ", "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "İ", "ß", "ẞ", "Σ", "'s", "'ll",
        "123", "4", ",", ".", "!?", "(", "<mask>", "<code>", "</code>", "New York", "[CLS]", "<s>", "</s>", "<unk>", "▁", "Ġ", "##",
        "<0x41>", "\u{10FFFF}", "\u{E000}", "𝔢", "ǅ", "\u{0B3E}", "\u{0B47}"]

    func testRandomTextNeverTrapsAndOffsetsStayInside() throws {
        var rng = SplitMix64(seed: 42)
        // Every tokenizer.json fixture: each sits beside its NAME.expected.json.
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.url("tokenizers").path)
        let names = files.filter { $0.hasSuffix(".json") && !$0.hasSuffix(".expected.json")
            && files.contains(String($0.dropLast(5)) + ".expected.json") }.sorted()
        XCTAssertGreaterThan(names.count, 10)
        for name in names {
            let t = try Tokenizer(contentsOf: Fixtures.url("tokenizers/\(name)"))
            t.padding = nil
            for _ in 0..<60 {
                let n = Int(rng.next() % 12)
                let text = (0..<n).map { _ in RobustnessTests.alphabet[Int(rng.next() % UInt64(RobustnessTests.alphabet.count))] }.joined()
                let count = text.unicodeScalars.count
                let e = try t.encode(text, pair: text.isEmpty ? nil : "x" + text)
                for o in e.offsets { XCTAssertTrue(o.start <= o.end && o.end <= count + 1, "\(name) \(text.debugDescription) \(o)") }
                _ = try t.decode(e.ids)
                _ = try t.decode(e.ids, skipSpecialTokens: true)
            }
        }
    }
}

/// A small seedable generator so the random texts are the same on every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

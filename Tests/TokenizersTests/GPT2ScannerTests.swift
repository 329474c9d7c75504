import Foundation
import XCTest
@testable import Tokenizers

/// The hand-written GPT-2 pre-tokenization scanner gives the same pieces as the regex it
/// replaces, run through a regex engine, on the whole fixture corpus and on edge cases.
final class GPT2ScannerTests: XCTestCase {
    func testScannerMatchesRegexEngineOnCorpus() throws {
        let regex = try RegexPattern(GPT2Scanner.pattern)
        let scanner = GPT2Scanner()
        var texts = ComponentFixtureTests.texts
        texts += ["'s'S 're'RE 'll'lL ''s", "a  b   c    ", "  \n\n  x", "x\u{00A0}\u{00A0}y", "12ab34 ++--", " ' 's", "\t\ta", "é😀 😀é", " "]
        for text in texts {
            let s = text.scalars
            let expected = try regex.findMatches(s)
            let got = try scanner.findMatches(s)
            XCTAssertEqual(got.map { [$0.0.start, $0.0.end] }, expected.map { [$0.0.start, $0.0.end] }, text.debugDescription)
        }
    }

    func testBatchEncodingEqualsOneByOne() throws {
        let t = try Tokenizer(contentsOf: Fixtures.url("tokenizers/bpe_bytelevel.json"))
        let texts = ComponentFixtureTests.texts
        let batch = try t.encodeBatch(texts)
        for (text, e) in zip(texts, batch) { XCTAssertEqual(try t.encode(text), e) }
    }
}

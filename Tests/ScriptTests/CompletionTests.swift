import XCTest
@testable import Script

/// Engine.complete as both front-ends use it: names in scope, attributes, and keyword
/// arguments inside a call's parentheses.
final class CompletionTests: XCTestCase {
    var engine: Engine!

    override func setUp() {
        engine = Engine()
    }

    /// Runs set-up code, failing the test if it raises.
    func run(_ code: String, file: StaticString = #filePath, line: UInt = #line) {
        let r = engine.execute(code)
        XCTAssertNil(r.traceback, r.traceback ?? "", file: file, line: line)
    }

    /// Completions with the cursor at the end of `code`.
    func complete(_ code: String) -> (matches: [String], start: Int) {
        engine.complete(code, cursor: code.unicodeScalars.count)
    }

    func testPrintOffersSepAlongsideNames() {
        let (matches, start) = complete("print(1, se")
        XCTAssertEqual(matches.first, "sep=")
        XCTAssertTrue(matches.contains("set"), "normal names are still offered: \(matches)")
        XCTAssertEqual(start, "print(1, ".unicodeScalars.count)
    }

    func testPrintOffersAllItsKeywordsAfterComma() {
        let matches = complete("print(1, ").matches
        XCTAssertEqual(Array(matches.prefix(4)), ["sep=", "end=", "file=", "flush="])
    }

    func testBuiltinWithoutSignatureLineOffersItsKeywords() {
        XCTAssertEqual(Array(complete("sorted(items, ").matches.prefix(2)), ["key=", "reverse="])
        XCTAssertEqual(complete("max(items, def").matches.first, "default=")
    }

    func testNativeBindingOffersDtype() {
        run("import torch")
        XCTAssertEqual(complete("torch.zeros(2, dty").matches, ["dtype="])
    }

    func testNativeMethodOffersItsParameters() {
        run("import torch\nt = torch.zeros(2, 3)")
        XCTAssertEqual(complete("t.sum(di").matches.first, "dim=")
    }

    func testScriptFunctionOffersPositionalAndKeywordOnlyParameters() {
        run("def scale(value, factor=2, *, offset=0):\n    return value * factor + offset")
        XCTAssertEqual(Array(complete("scale(1, ").matches.prefix(3)), ["value=", "factor=", "offset="])
        XCTAssertEqual(complete("scale(1, off").matches, ["offset="])
    }

    func testPositionalOnlyParametersAreNotOffered() {
        run("def area(width, /, height=1):\n    return width * height")
        let matches = complete("area(").matches
        XCTAssertTrue(matches.contains("height="))
        XCTAssertFalse(matches.contains("width="))
    }

    func testKeywordsAlreadyGivenAreLeftOut() {
        run("def scale(value, factor=2, *, offset=0):\n    return value * factor + offset")
        let matches = complete("scale(value=1, offset=3, ").matches
        XCTAssertTrue(matches.contains("factor="))
        XCTAssertFalse(matches.contains("value="))
        XCTAssertFalse(matches.contains("offset="))
    }

    func testBoundMethodSkipsSelf() {
        run("class Painter:\n    def paint(self, colour='red', width=1):\n        return colour\np = Painter()")
        let matches = complete("p.paint(").matches
        XCTAssertEqual(Array(matches.prefix(2)), ["colour=", "width="])
        XCTAssertFalse(matches.contains("self="))
    }

    func testClassOffersInitParametersWithoutSelf() {
        run("class Box:\n    def __init__(self, size, label=''):\n        self.size = size")
        let matches = complete("Box(3, ").matches
        XCTAssertEqual(Array(matches.prefix(2)), ["size=", "label="])
        XCTAssertFalse(matches.contains("self="))
    }

    func testDataclassOffersItsFields() {
        run("from dataclasses import dataclass\n@dataclass\nclass Point:\n    x: int\n    y: int = 0")
        XCTAssertEqual(Array(complete("Point(1, ").matches.prefix(2)), ["x=", "y="])
    }

    func testInnermostOpenCallDecides() {
        run("def scale(value, factor=2):\n    return value * factor")
        XCTAssertEqual(complete("print(scale(1, fa").matches.first, "factor=")
        XCTAssertEqual(complete("print(scale(1, 2), se").matches.first, "sep=")
    }

    func testNoKeywordsOutsideCalls() {
        XCTAssertFalse(complete("se").matches.contains("sep="))
        XCTAssertFalse(complete("print([se").matches.contains("sep="), "inside a list, not the call")
        XCTAssertFalse(complete("print(1 + se").matches.contains("sep="), "in the middle of an expression")
        XCTAssertFalse(complete("x = (se").matches.contains("sep="), "parentheses that are not a call")
    }

    func testNoKeywordsInsideStringsOrAfterThem() {
        XCTAssertFalse(complete("print('a, se").matches.contains("sep="))
        // A comma inside a closed string does not start an argument.
        XCTAssertEqual(complete("print('a, b', se").matches.first, "sep=")
        XCTAssertFalse(complete("print('a, se' se").matches.contains("sep="))
    }

    func testNamesStillCompleteAsBefore() {
        run("value_one = 1")
        XCTAssertEqual(complete("valu").matches, ["value_one"])
        run("import math")
        XCTAssertTrue(complete("math.sq").matches.contains("sqrt"))
    }

    func testUnknownCalleeOffersOnlyNames() {
        let matches = complete("no_such_function(1, se").matches
        XCTAssertFalse(matches.contains { $0.hasSuffix("=") })
        XCTAssertTrue(matches.contains("set"))
    }
}

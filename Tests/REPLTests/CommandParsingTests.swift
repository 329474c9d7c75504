import XCTest
@testable import REPL

final class CommandParsingTests: XCTestCase {
    func testPlainCodeIsCode() { XCTAssertEqual(REPLCommand.parse("x = 1"), .code("x = 1")) }
    func testMultiLineBlockIsCodeEvenWithPercent() {
        XCTAssertEqual(REPLCommand.parse("def f():\n    return 5 % 2"), .code("def f():\n    return 5 % 2"))
    }
    func testLeadingQuestionMarkIsHelp() { XCTAssertEqual(REPLCommand.parse("?len"), .help("len")) }
    func testTrailingQuestionMarkIsHelp() { XCTAssertEqual(REPLCommand.parse("math.sqrt?"), .help("math.sqrt")) }
    func testDoubleQuestionMarkIsHelp() { XCTAssertEqual(REPLCommand.parse("obj??"), .help("obj")) }
    func testQuestionMarkAfterExpressionIsCode() { XCTAssertEqual(REPLCommand.parse("f(1)?"), .code("f(1)?")) }
    func testTime() { XCTAssertEqual(REPLCommand.parse("%time sum(range(10))"), .time("sum(range(10))")) }
    func testTimeit() { XCTAssertEqual(REPLCommand.parse("%timeit  x * 2 "), .timeit("x * 2")) }
    func testTimeitWithoutCodeExplains() {
        guard case .unknownMagic(let m) = REPLCommand.parse("%timeit") else { return XCTFail() }
        XCTAssertTrue(m.contains("%timeit needs code"))
    }
    func testWho() { XCTAssertEqual(REPLCommand.parse("%who"), .who) }
    func testResetAsksByDefault() { XCTAssertEqual(REPLCommand.parse("%reset"), .reset(force: false)) }
    func testResetForce() { XCTAssertEqual(REPLCommand.parse("%reset -f"), .reset(force: true)) }
    func testLoad() { XCTAssertEqual(REPLCommand.parse("%load ~/a b.py"), .load("~/a b.py")) }
    func testHistory() {
        XCTAssertEqual(REPLCommand.parse("%history"), .history(numbered: false))
        XCTAssertEqual(REPLCommand.parse("%history -n"), .history(numbered: true))
    }
    func testUnknownMagic() {
        XCTAssertEqual(REPLCommand.parse("%nope"), .unknownMagic("UsageError: Line magic function `%nope` not found."))
    }
}

final class TimingFormatTests: XCTestCase {
    func testDurationUnits() {
        XCTAssertEqual(TimingFormat.duration(2.5), "2.5 s")
        XCTAssertEqual(TimingFormat.duration(0.0456), "45.6 ms")
        XCTAssertEqual(TimingFormat.duration(1.234e-6), "1.23 µs")
        XCTAssertEqual(TimingFormat.duration(5e-9), "5 ns")
    }
    func testTimeitSummaryReadsLikeIPython() {
        XCTAssertEqual(TimingFormat.timeitSummary(perLoopTimes: [1e-6, 3e-6], loops: 1000),
                       "2 µs ± 1 µs per loop (mean ± std. dev. of 2 runs, 1000 loops each)")
    }
    func testAdaptiveLoopCountStopsAtFirstCountReachingTarget() {
        var tried: [Int] = []
        // A fake clock: each loop "takes" 1 ms.
        let n = TimingFormat.adaptiveLoopCount(target: 0.2) { n in tried.append(n); return Double(n) * 0.001 }
        XCTAssertEqual(n, 200)
        XCTAssertEqual(tried, [1, 2, 5, 10, 20, 50, 100, 200])
    }
}

final class TracebackColourTests: XCTestCase {
    let tb = "Traceback (most recent call last):\n  File \"<stdin-1>\", line 1, in <module>\n    1/0\n    ^^^\nZeroDivisionError: division by zero\n"

    func testNoColorDisables() {
        XCTAssertFalse(TracebackColors.enabled(environment: ["NO_COLOR": "1"], isTTY: true))
        XCTAssertFalse(TracebackColors.enabled(environment: [:], isTTY: false))
        XCTAssertTrue(TracebackColors.enabled(environment: [:], isTTY: true))
    }
    func testColouringKeepsTheTextAndTintsTheErrorName() {
        let coloured = TracebackColors.colorize(tb)
        let stripped = coloured.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        XCTAssertEqual(stripped, tb)
        XCTAssertTrue(coloured.contains("\u{1B}[1;31mZeroDivisionError\u{1B}[0m"))
        XCTAssertTrue(coloured.contains("\u{1B}[35m<module>\u{1B}[0m"))
    }
}

final class HistoryEncodingTests: XCTestCase {
    func testHistoryLinesEscapeSpacesNewlinesBackslashesAndUTF8() {
        XCTAssertEqual(LineEditor.encodeHistoryLine("if a:\n\tb = '\\é'"),
                       "if\\040a:\\012\\011b\\040=\\040'\\134\\303\\251'")
    }
}

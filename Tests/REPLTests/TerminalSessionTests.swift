import Foundation
import XCTest

/// The `apus` REPL driven through a pseudo-terminal, keystroke by keystroke, as a user at a
/// terminal drives it. Each test starts the built binary with a scratch home and history file.
/// Every wait is bounded (10 s by default), so a REPL that stops responding fails the test
/// with the output it produced instead of stalling the suite; tearDown kills the child.
final class TerminalSessionTests: XCTestCase {
    var scratch: URL!
    var terminals: [PseudoTerminal] = []

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("apus-repl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        for t in terminals { t.close() }
        terminals = []
        if let s = scratch { try? FileManager.default.removeItem(at: s) }
    }

    /// Starts `apus` with no arguments and waits for its first prompt.
    func startREPL() throws -> PseudoTerminal {
        let environment = [
            "HOME": scratch.path,
            "APUS_HISTORY": scratch.appendingPathComponent("history").path,
            "PATH": "/usr/bin:/bin",
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "NO_COLOR": "1",
        ]
        let t = try PseudoTerminal(executable: try TerminalSessionTests.apusBinary(), environment: environment)
        terminals.append(t)
        try prompt(t)
        return t
    }

    /// Waits for the prompt `text` and for the line editor to be reading keys.
    func prompt(_ t: PseudoTerminal, _ text: String = ">>> ") throws {
        try t.waitFor(text)
        try t.waitForLineEditing()
    }

    /// The `apus` executable built beside this test bundle (`swift build --build-tests` builds
    /// it), or the one named by $APUS_BINARY.
    static func apusBinary() throws -> String {
        var candidates: [String] = []
        if let named = ProcessInfo.processInfo.environment["APUS_BINARY"] { candidates.append(named) }
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        candidates.append(runner.deletingLastPathComponent().appendingPathComponent("apus").path)
        for bundle in [Bundle.main] + Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("apus").path)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/apus").path)
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw PseudoTerminal.Failure(description: "the apus executable was not found (looked at \(candidates)); "
            + "run `swift build --product apus` or set APUS_BINARY")
    }

    func testMultiLineDefinitionRunsAfterBlankLine() throws {
        let t = try startREPL()
        try t.type("def double(x):\r")
        try prompt(t, "... ")
        // The REPL types the body's indentation itself.
        try t.type("y = x * 2\r")
        try t.waitFor("    y = x * 2\n")
        try prompt(t, "... ")
        try t.type("return y\r")
        try t.waitFor("    return y\n")
        try prompt(t, "... ")
        // A blank line (the pre-filled indentation alone) closes the block.
        try t.type("\r")
        try prompt(t)
        try t.type("double(21)\r")
        try t.waitFor("\n42\n")
        try prompt(t)
    }

    func testPastedBlockKeepsItsOwnIndentation() throws {
        let t = try startREPL()
        // One write, as a terminal delivers a paste: the REPL must not add its indentation
        // to the pasted one.
        try t.type("def pick(a, b=2):\r    if a:\r        return a + b\r    return 0\r\rprint(pick(1), pick(0))\r")
        try t.waitFor("\n3 0\n")
        try prompt(t)
    }

    func testHistoryFromPreviousSessionIsRecalledWithUpArrow() throws {
        let first = try startREPL()
        try first.type("history_marker = 12345\r")
        try prompt(first)
        try first.type("\u{4}")
        XCTAssertEqual(try first.waitForExit(), 0)

        let second = try startREPL()
        try second.type(PseudoTerminal.upArrow)
        try second.waitFor("history_marker = 12345")
        try second.type("\r")
        try prompt(second)
        try second.type("history_marker + 1\r")
        try second.waitFor("\n12346\n")
    }

    func testCtrlRSearchesHistoryFromPreviousSession() throws {
        let first = try startREPL()
        try first.type("searched_value = 11\r")
        try prompt(first)
        try first.type("str(searched_value).zfill(4)\r")
        try first.waitFor("\n'0011'\n")
        try prompt(first)
        try first.type("\u{4}")
        XCTAssertEqual(try first.waitForExit(), 0)

        let second = try startREPL()
        try second.type("searched_value = 7\r")
        try prompt(second)
        try second.type("\u{12}")
        try second.waitFor("bck:")
        // The search finds the newest entry matching the text (libedit reads it as a regular
        // expression, hence plain letters); Enter runs it in this session.
        try second.type("zfill\r")
        try second.waitFor("\n'0007'\n")
    }

    func testTabCompletesNameInScope() throws {
        let t = try startREPL()
        try t.type("distinctive_variable = 7\r")
        try prompt(t)
        try t.type("distinctive_v\t")
        try t.waitFor("ariable")
        try t.type(" * 6\r")
        try t.waitFor("\n42\n")
    }

    func testTabCompletesAttribute() throws {
        let t = try startREPL()
        try t.type("greeting = 'hello'\r")
        try prompt(t)
        try t.type("greeting.upp\t")
        try t.waitFor("er")
        try t.type("()\r")
        try t.waitFor("\n'HELLO'\n")
    }

    func testTabCompletesKeywordArgumentInsideCall() throws {
        let t = try startREPL()
        try t.type("print(1, 2, sep\t")
        try t.waitFor("sep=")
        try t.type("'-')\r")
        try t.waitFor("\n1-2\n")
    }

    func testTabCompletesKeywordOfNativeFunction() throws {
        let t = try startREPL()
        try t.type("import torch\r")
        try prompt(t)
        try t.type("torch.zeros(2, dty\t")
        try t.waitFor("pe=")
        try t.type("torch.int64)\r")
        try t.waitFor("\ntensor([0, 0])\n")
    }

    func testCtrlCStopsLongLoopAndKeepsVariables() throws {
        let t = try startREPL()
        try t.type("kept = 99\r")
        try prompt(t)
        try t.type("i = 0\r")
        try prompt(t)
        try t.type("while True: i += 1\r")
        try t.waitFor("while True: i += 1\n")
        // Ctrl-C reaches the REPL as SIGINT through the terminal. One that lands before the
        // loop has started is lost (each run starts uninterrupted), so press it until the
        // interrupt shows, a bounded number of times.
        var interrupted = false
        for _ in 0..<20 where !interrupted {
            Thread.sleep(forTimeInterval: 0.3)
            try t.type("\u{3}")
            interrupted = t.sees("KeyboardInterrupt", within: 0.5)
        }
        XCTAssertTrue(interrupted, "Ctrl-C never interrupted the loop")
        let report = try t.waitFor("KeyboardInterrupt")
        XCTAssertTrue(report.contains("Traceback (most recent call last):"), "no traceback before KeyboardInterrupt:\n\(report)")
        try prompt(t)
        try t.type("print(i > 0, kept)\r")
        try t.waitFor("\nTrue 99\n")
        try prompt(t)
        // The counter stopped where it was interrupted and is still usable.
        try t.type("j = i; print(i == j)\r")
        try t.waitFor("\nTrue\n")
    }

    func testCtrlCAtPromptDiscardsTheLine() throws {
        let t = try startREPL()
        try t.type("this line is thrown away")
        try t.waitFor("thrown away")
        try t.type("\u{3}")
        try prompt(t)
        try t.type("40 + 2\r")
        try t.waitFor("\n42\n")
    }

    func testCtrlDOnEmptyLineExitsWithStatusZero() throws {
        let t = try startREPL()
        try t.type("\u{4}")
        XCTAssertEqual(try t.waitForExit(), 0)
    }

    func testTimeMagicReportsCPUAndWallTime() throws {
        let t = try startREPL()
        try t.type("%time total = sum(range(1000))\r")
        try t.waitFor("CPU times: user ")
        try t.waitFor("Wall time: ")
        try prompt(t)
        try t.type("total\r")
        try t.waitFor("\n499500\n")
    }

    func testWhoListsTheSessionVariables() throws {
        let t = try startREPL()
        try t.type("alpha = 1\r")
        try prompt(t)
        try t.type("beta = 2\r")
        try prompt(t)
        try t.type("%who\r")
        try t.waitFor("\nalpha\tbeta\n")
    }

    func testTimeitReportsMeanAndDeviation() throws {
        let t = try startREPL()
        try t.type("%timeit 6 * 7\r")
        // Seven runs of about 0.2 s after calibration: slower than the other steps.
        try t.waitFor("per loop (mean ± std. dev. of 7 runs, ", timeout: 60)
        try prompt(t)
    }

    func testQuestionMarkShowsDocstring() throws {
        let t = try startREPL()
        try t.type("def documented(x):\r")
        try prompt(t, "... ")
        try t.type("'Doubles x for the help test.'\r")
        try prompt(t, "... ")
        try t.type("return 2 * x\r")
        try prompt(t, "... ")
        try t.type("\r")
        try prompt(t)
        try t.type("?documented\r")
        try t.waitFor("documented(x)")
        try t.waitFor("Doubles x for the help test.")
        try prompt(t)
    }
}

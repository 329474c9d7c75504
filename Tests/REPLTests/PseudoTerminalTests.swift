import Foundation
import XCTest

/// The pseudo-terminal harness itself: a program that never answers makes a wait fail within
/// its time limit and is killed, and screen output is read as plain text.
final class PseudoTerminalTests: XCTestCase {
    func testWaitForTextThatNeverComesFailsWithinItsLimit() throws {
        let t = try PseudoTerminal(executable: "/bin/sleep", arguments: ["30"], environment: [:])
        defer { t.close() }
        let start = Date()
        XCTAssertThrowsError(try t.waitFor("never printed", timeout: 0.5))
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testCloseKillsAProgramThatDoesNotExit() throws {
        let t = try PseudoTerminal(executable: "/bin/sleep", arguments: ["30"], environment: [:])
        XCTAssertThrowsError(try t.waitForExit(timeout: 0.3))
        t.close()
        XCTAssertEqual(t.exitStatus, 128 + SIGKILL)
    }

    func testTypedLinesComeBackAndExitStatusIsReported() throws {
        let t = try PseudoTerminal(executable: "/bin/sh", arguments: ["-c", "read line; echo \"got $line\"; exit 3"],
                                   environment: ["PATH": "/usr/bin:/bin"])
        defer { t.close() }
        try t.type("hello\r")
        try t.waitFor("got hello\n")
        XCTAssertEqual(try t.waitForExit(), 3)
    }

    func testCtrlCReachesTheProgramAsSIGINT() throws {
        let t = try PseudoTerminal(executable: "/bin/sh", arguments: ["-c", "trap 'echo interrupted; exit 0' INT; echo ready; while :; do sleep 0.05; done"],
                                   environment: ["PATH": "/usr/bin:/bin"])
        defer { t.close() }
        try t.waitFor("ready\n")
        try t.type("\u{3}")
        try t.waitFor("interrupted\n")
        XCTAssertEqual(try t.waitForExit(), 0)
    }

    func testEscapeSequencesAndCarriageReturnsAreDropped() {
        var bytes = Array("\u{1B}[?1h\u{1B}=\r>>> x\u{1B}[K = 1\r\n\u{1B}]0;title\u{07}\u{1B}(Bok".utf8)
        XCTAssertEqual(PseudoTerminal.plainText(&bytes), ">>> x = 1\nok")
        XCTAssertEqual(bytes, [])
    }

    func testSplitSequenceAndCharacterWaitForTheRest() {
        var bytes = Array("a\u{1B}[3".utf8)
        XCTAssertEqual(PseudoTerminal.plainText(&bytes), "a")
        bytes += Array("1mb".utf8) + [0xC3]
        // The unfinished é (0xC3 0xA9) is held back until its second byte arrives.
        XCTAssertEqual(PseudoTerminal.plainText(&bytes), "b")
        bytes += [0xA9]
        XCTAssertEqual(PseudoTerminal.plainText(&bytes), "é")
    }
}

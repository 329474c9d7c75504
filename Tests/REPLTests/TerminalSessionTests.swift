import Foundation
import XCTest

/// Drives the real `apus` binary in a tmux pane, as a user at a terminal would.
final class TerminalSessionTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed at /usr/bin/tmux")
        }
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("apus-repl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        if let s = scratch { try? FileManager.default.removeItem(at: s) }
    }

    func testMultiLineDefinitionRunsAfterBlankLine() throws {
        let t = try TerminalPane(scratch: scratch)
        defer { t.close() }
        try t.waitFor(">>> ")
        t.type("def double(x):"); t.press("Enter")
        try t.waitFor("... ")
        // The body's indentation is typed for us.
        t.type("return x * 2"); t.press("Enter")
        try t.waitFor("...     return x * 2")
        t.press("Enter")
        t.type("double(21)"); t.press("Enter")
        try t.waitFor("\n42")
    }

    func testHistoryPersistsAcrossSessions() throws {
        let first = try TerminalPane(scratch: scratch)
        try first.waitFor(">>> ")
        first.type("history_marker = 12345"); first.press("Enter")
        try first.waitFor(">>> ", count: 2)
        first.press("C-d")
        try first.waitForExit()
        first.close()

        let second = try TerminalPane(scratch: scratch)
        defer { second.close() }
        try second.waitFor(">>> ")
        second.press("Up")
        try second.waitFor(">>> history_marker = 12345")
        second.press("Enter")
        second.type("history_marker + 1"); second.press("Enter")
        try second.waitFor("12346")
    }

    func testTabCompletesVariableName() throws {
        let t = try TerminalPane(scratch: scratch)
        defer { t.close() }
        try t.waitFor(">>> ")
        t.type("distinctive_variable = 7"); t.press("Enter")
        try t.waitFor(">>> ", count: 2)
        t.type("distinctive_v"); t.press("Tab")
        try t.waitFor(">>> distinctive_variable")
        t.press("Enter")
        try t.waitFor("\n7")
    }

    func testCtrlCInterruptsLoopAndKeepsVariables() throws {
        let t = try TerminalPane(scratch: scratch)
        defer { t.close() }
        try t.waitFor(">>> ")
        t.type("kept = 99"); t.press("Enter")
        try t.waitFor(">>> ", count: 2)
        t.type("while True: pass"); t.press("Enter")
        // The signal may land before the loop starts; keep pressing until the traceback shows.
        var interrupted = false
        for _ in 0..<40 where !interrupted {
            Thread.sleep(forTimeInterval: 0.5)
            t.press("C-c")
            interrupted = (try? t.waitFor("KeyboardInterrupt", timeout: 1, after: "while True: pass")) != nil
                && t.screen().contains("Traceback")
        }
        XCTAssertTrue(interrupted, "no KeyboardInterrupt traceback:\n\(t.screen())")
        t.type("kept"); t.press("Enter")
        try t.waitFor("\n99")
    }

    func testCtrlCAtPromptClearsTheLine() throws {
        let t = try TerminalPane(scratch: scratch)
        defer { t.close() }
        try t.waitFor(">>> ")
        t.type("garbage that would not parse")
        t.press("C-c")
        try t.waitFor(">>> ", count: 2)
        t.type("40 + 2"); t.press("Enter")
        try t.waitFor("\n42")
    }

    func testCtrlDOnEmptyLineExits() throws {
        let t = try TerminalPane(scratch: scratch)
        defer { t.close() }
        try t.waitFor(">>> ")
        t.press("C-d")
        try t.waitForExit()
    }
}

/// One tmux server with one pane running `apus`, on a private socket.
final class TerminalPane {
    let socket = "apus-test-\(UUID().uuidString.prefix(8))"

    init(scratch: URL) throws {
        let binary = try TerminalPane.apusBinary()
        let config = scratch.appendingPathComponent("tmux.conf")
        try "set -g remain-on-exit on\nset -g history-limit 5000\n".write(to: config, atomically: true, encoding: .utf8)
        let history = scratch.appendingPathComponent("history").path
        let command = "env -i HOME=\(scratch.path) PATH=/usr/bin:/bin TERM=xterm NO_COLOR=1 APUS_HISTORY=\(history) \(binary)"
        try tmux(["-f", config.path, "new-session", "-d", "-x", "120", "-y", "40", "-s", "main", command])
    }

    /// The `apus` executable built beside this test bundle (or named by $APUS_BINARY).
    static func apusBinary() throws -> String {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["APUS_BINARY"] { candidates.append(env) }
        for bundle in Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("apus").path)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/apus").path)
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw NSError(domain: "TerminalSessionTests", code: 1, userInfo: [NSLocalizedDescriptionKey:
            "the apus executable was not found (looked at \(candidates)); run `swift build --product apus` or set APUS_BINARY"])
    }

    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
        p.arguments = ["-L", socket] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = Pipe()
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Types text literally (no key-name interpretation).
    func type(_ text: String) { _ = try? tmux(["send-keys", "-t", "main", "-l", text]) }
    /// Presses a named key: Enter, Tab, Up, C-c, C-d.
    func press(_ key: String) { _ = try? tmux(["send-keys", "-t", "main", key]) }

    func screen() -> String {
        (try? tmux(["capture-pane", "-p", "-t", "main", "-S", "-5000"])) ?? ""
    }

    /// Waits until `text` shows on screen (at least `count` times; only after `after` if given).
    /// The timeout is a safety net against hangs, not a speed requirement.
    @discardableResult
    func waitFor(_ text: String, count: Int = 1, timeout: Double = 60, after: String? = nil) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var s = ""
        repeat {
            s = screen()
            var region = Substring(s)
            if let a = after, let r = s.range(of: a) { region = s[r.upperBound...] }
            if region.components(separatedBy: text).count - 1 >= count { return s }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < deadline
        throw NSError(domain: "TerminalSessionTests", code: 2, userInfo: [NSLocalizedDescriptionKey:
            "never saw \(String(reflecting: text)) ×\(count); screen:\n\(s)"])
    }

    /// Waits until the apus process has exited.
    func waitForExit(timeout: Double = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if (try? tmux(["display-message", "-p", "-t", "main", "#{pane_dead}"]))?.hasPrefix("1") == true { return }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < deadline
        throw NSError(domain: "TerminalSessionTests", code: 3, userInfo: [NSLocalizedDescriptionKey:
            "apus did not exit; screen:\n\(screen())"])
    }

    func close() { _ = try? tmux(["kill-server"]) }
}

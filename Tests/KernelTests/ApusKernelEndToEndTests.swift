import XCTest

/// The real kernel (`apus kernel`, the Apus language behind it) driven by jupyter_client:
/// jupyter_kernel_test's suite and the protocol checks with Apus code samples, plus rich output,
/// help pages and comms from scripts (`scripts/kernel_protocol_suite.py --apus`). Needs the
/// `apus` executable built (`swift build`; APUS_BINARY overrides the path) and APUS_PYTHON.
final class ApusKernelEndToEndTests: XCTestCase {
    func apusBinary() throws -> String {
        let path = ProcessInfo.processInfo.environment["APUS_BINARY"]
            ?? Self.repositoryRoot.appendingPathComponent(".build/debug/apus").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw MissingPython(message: "no apus executable at \(path): build it first (swift build --product apus) or set APUS_BINARY")
        }
        return path
    }

    /// `apus-kernel`, the starter Jupyter runs (built next to `apus`).
    func starterBinary() throws -> String {
        let path = (try apusBinary() as NSString).deletingLastPathComponent + "/apus-kernel"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw MissingPython(message: "no apus-kernel starter at \(path): build it first (swift build --product apus-kernel)")
        }
        return path
    }

    /// The whole suite against the kernel as Jupyter starts it: through `apus-kernel`.
    func testRealKernelProtocolSuiteWithApusCode() throws {
        let python = try requirePython()
        let starter = try starterBinary()
        var arguments = [Self.protocolSuite, "--kernel-cmd", starter, "--apus"]
        if let extra = ProcessInfo.processInfo.environment["APUS_KERNEL_SUITE_ARGS"] {
            arguments += extra.split(separator: " ").map(String.init)
        }
        let result = try runProcess(python, arguments, timeout: 900)
        print(result.output)
        XCTAssertEqual(result.status, 0, "the protocol suite failed against the real kernel:\n\(result.output)")
    }

    /// The starter leaves what it cannot do to `apus kernel`, which names the problem.
    func testStarterWithAMissingConnectionFileReportsIt() throws {
        let missing = "/nonexistent/apus-\(UUID().uuidString).json"
        let run = try runProcess(try starterBinary(), ["-f", missing], timeout: 60)
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.output.contains("connection file") && run.output.contains(missing), run.output)
        let usage = try runProcess(try starterBinary(), [], timeout: 60)
        XCTAssertEqual(usage.status, 2, usage.output)
        XCTAssertTrue(usage.output.contains("usage: apus-kernel -f CONNECTION_FILE"), usage.output)
    }

    /// `apus run NB.ipynb` writes what nbclient writes when it runs the same notebook against
    /// `apus kernel` (display ids updated across cells, clear_output(wait), streams, results,
    /// errors, language_info), timing metadata aside.
    func testNotebookRunWritesWhatNbclientWrites() throws {
        let python = try requirePython()
        let binary = try apusBinary()
        let notebook = Self.repositoryRoot.appendingPathComponent("Tests/Fixtures/notebooks/display_outputs.ipynb").path
        let written = FileManager.default.temporaryDirectory.appendingPathComponent("apus-run-\(UUID().uuidString).ipynb").path
        defer { try? FileManager.default.removeItem(atPath: written) }
        let run = try runProcess(binary, ["run", notebook, "--allow-errors", "-o", written], timeout: 120)
        XCTAssertEqual(run.status, 0, run.output)
        let compare = try runProcess(python, [Self.protocolSuite, "--kernel-cmd", "\(binary) kernel",
                                              "--notebook", notebook, "--written", written], timeout: 300)
        XCTAssertEqual(compare.status, 0, compare.output)
    }

    /// Without --allow-errors a raising cell stops the run, nothing is written, the exit status
    /// is 1 and the traceback is on stderr.
    func testNotebookRunStopsAtAnError() throws {
        let binary = try apusBinary()
        let notebook = Self.repositoryRoot.appendingPathComponent("Tests/Fixtures/notebooks/display_outputs.ipynb").path
        let written = FileManager.default.temporaryDirectory.appendingPathComponent("apus-run-\(UUID().uuidString).ipynb").path
        let run = try runProcess(binary, ["run", notebook, "-o", written], timeout: 120)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.output.contains("ValueError: shown in the notebook"), run.output)
        XCTAssertTrue(run.output.contains("cell 7 raised ValueError"), run.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: written))
        let missing = try runProcess(binary, ["run", "/no/such/notebook.ipynb"], timeout: 60)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.output.contains("/no/such/notebook.ipynb"), missing.output)
    }
}

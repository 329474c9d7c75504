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

    func testRealKernelProtocolSuiteWithApusCode() throws {
        let python = try requirePython()
        let binary = try apusBinary()
        var arguments = [Self.protocolSuite, "--kernel-cmd", "\(binary) kernel", "--apus"]
        if let extra = ProcessInfo.processInfo.environment["APUS_KERNEL_SUITE_ARGS"] {
            arguments += extra.split(separator: " ").map(String.init)
        }
        let result = try runProcess(python, arguments, timeout: 900)
        print(result.output)
        XCTAssertEqual(result.status, 0, "the protocol suite failed against the real kernel:\n\(result.output)")
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

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
}

import XCTest

/// Thrown (so the test fails, never skips) when the Python side cannot run.
struct MissingPython: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension XCTestCase {
    /// The protocol suite driven with jupyter_client.
    static var protocolSuite: String {
        repositoryRoot.appendingPathComponent("scripts/kernel_protocol_suite.py").path
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The Python from APUS_PYTHON, checked to have the packages the suite imports.
    func requirePython() throws -> String {
        guard let python = ProcessInfo.processInfo.environment["APUS_PYTHON"], !python.isEmpty else {
            throw MissingPython(message: "APUS_PYTHON is not set: point it at a Python with jupyter_client and jupyter_kernel_test (scripts/python_env.sh makes one)")
        }
        let check = try runProcess(python, ["-c", "import jupyter_client, jupyter_kernel_test, zmq"], timeout: 60)
        guard check.status == 0 else {
            throw MissingPython(message: "APUS_PYTHON (\(python)) lacks jupyter_client / jupyter_kernel_test / pyzmq:\n\(check.output)")
        }
        return python
    }

    /// Runs a command with its output captured in a file (no pipe to fill), killing it after `timeout`.
    func runProcess(_ executable: String, _ arguments: [String], timeout: Double,
                    directory: URL? = nil) throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("apus-kernel-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? FileManager.default.removeItem(at: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        if let directory { process.currentDirectoryURL = directory }
        try process.run()
        let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        process.waitUntilExit()
        timer.cancel()
        try handle.close()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return (process.terminationStatus, output)
    }
}

import XCTest
import Display
@testable import Kernel

/// The kernel in-process, with the test engine, driven by the real jupyter_client from Python
/// (`scripts/kernel_protocol_suite.py`: jupyter_kernel_test's suites plus the protocol checks it lacks).
/// Needs APUS_PYTHON naming a Python with jupyter_client and jupyter_kernel_test; without it
/// these tests fail, saying so.
final class KernelEndToEndTests: XCTestCase {
    func startKernel(connection: ConnectionInfo = ConnectionInfo()) throws -> (KernelServer, String) {
        let engine = LineCommandTestEngine()
        let server = try KernelServer(engine: engine, connection: connection)
        engine.register(on: server)
        try server.start()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("apus-kernel-\(UUID().uuidString).json").path
        try server.connection.write(to: file)
        return (server, file)
    }

    func testJupyterClientProtocolSuite() throws {
        let python = try requirePython()
        let (server, file) = try startKernel()
        server.handleInterruptSignal()
        defer {
            server.stop()
            server.waitUntilStopped()
            try? FileManager.default.removeItem(atPath: file)
        }
        // While developing: APUS_KERNEL_SUITE_ARGS="-k NAME" runs only matching Python tests,
        // "--bench 300" prints latency figures instead.
        var arguments = [Self.protocolSuite, "--connection-file", file, "--kernel-pid", String(getpid())]
        if let extra = ProcessInfo.processInfo.environment["APUS_KERNEL_SUITE_ARGS"] {
            arguments += extra.split(separator: " ").map(String.init)
        }
        let result = try runProcess(python, arguments, timeout: 600)
        print(result.output)
        XCTAssertEqual(result.status, 0, "the protocol suite failed:\n\(result.output)")
    }

    func testShutdownWithRestartThenANewKernelOnTheSamePorts() throws {
        let python = try requirePython()
        let (first, file) = try startKernel()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let started = Date()
        let shutdown = try runProcess(python, [Self.protocolSuite, "--connection-file", file, "--shutdown", "restart"], timeout: 60)
        XCTAssertEqual(shutdown.status, 0, shutdown.output)
        XCTAssertEqual(first.waitUntilStopped(timeout: 5), .restart)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)

        // What a client's restart does: a fresh kernel on the same connection, with a new session.
        let (second, secondFile) = try startKernel(connection: first.connection)
        defer { try? FileManager.default.removeItem(atPath: secondFile) }
        let probe = try runProcess(python, [Self.protocolSuite, "--connection-file", secondFile, "--probe"], timeout: 60)
        XCTAssertEqual(probe.status, 0, probe.output)
        let line = probe.output.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? "{}"
        let session = try JSONValue.parse(line)["session"]?.stringValue
        XCTAssertEqual(session, second.session)
        XCTAssertNotEqual(session, first.session)
        let stop = try runProcess(python, [Self.protocolSuite, "--connection-file", secondFile, "--shutdown", "shutdown"], timeout: 60)
        XCTAssertEqual(stop.status, 0, stop.output)
        XCTAssertEqual(second.waitUntilStopped(timeout: 5), .shutdown)
    }

    func testIPCTransportWithSigningOff() throws {
        let python = try requirePython()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("apus-ipc-e2e-\(getpid())").path
        let connection = ConnectionInfo(transport: "ipc", ip: base, shellPort: 11, iopubPort: 12, stdinPort: 13,
                                        controlPort: 14, heartbeatPort: 15, key: "")
        let (server, file) = try startKernel(connection: connection)
        defer {
            server.stop()
            server.waitUntilStopped()
            try? FileManager.default.removeItem(atPath: file)
        }
        let result = try runProcess(python, [Self.protocolSuite, "--connection-file", file,
                                             "-k", "ApusConformance", "-k", "test_stdin_round_trip", "-k", "test_comm_open"],
                                    timeout: 300)
        print(result.output)
        XCTAssertEqual(result.status, 0, "the protocol suite failed over ipc without signing:\n\(result.output)")
        XCTAssertTrue(result.output.contains("Ran 14 tests"), result.output)
    }

    func testKernelStopsCleanlyWithoutClients() throws {
        let (server, file) = try startKernel()
        defer { try? FileManager.default.removeItem(atPath: file) }
        server.stop()
        XCTAssertEqual(server.waitUntilStopped(timeout: 5), .shutdown)
    }

    func testIPCTransportBinds() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("apus-ipc-\(getpid())").path
        let connection = ConnectionInfo(transport: "ipc", ip: base, shellPort: 1, iopubPort: 2, stdinPort: 3,
                                        controlPort: 4, heartbeatPort: 5)
        let (server, file) = try startKernel(connection: connection)
        defer { try? FileManager.default.removeItem(atPath: file) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(base)-1"))
        server.stop()
        XCTAssertEqual(server.waitUntilStopped(timeout: 5), .shutdown)
    }
}

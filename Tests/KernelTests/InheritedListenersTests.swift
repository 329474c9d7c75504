import XCTest
import Display
@testable import Kernel

/// Thrown (failing the test) when no loopback port can be listened on.
struct LoopbackUnavailable: Error { let errno: Int32 }

/// Listening sockets opened before the kernel ran (what `apus-kernel` does) are the ones the
/// kernel serves: a client that connected first is answered on its connection.
final class InheritedListenersTests: XCTestCase {
    /// A listening TCP socket on a free loopback port.
    func listeningSocket() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard fd >= 0, bound else { throw LoopbackUnavailable(errno: errno) }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A plain TCP connection to a loopback port.
    func connect(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return status == 0 ? fd : -1
    }

    func testParsesChannelPairsAndNamesABadOne() throws {
        let listeners = try InheritedListeners(parsing: "shell=3,iopub=4,stdin=5,control=6,hb=7")
        XCTAssertEqual(listeners.descriptors, [.shell: 3, .iopub: 4, .stdin: 5, .control: 6, .heartbeat: 7])
        XCTAssertThrowsError(try InheritedListeners(parsing: "shell=3,web=4")) { error in
            XCTAssertTrue("\(error)".contains("'web=4'"), "\(error)")
        }
        XCTAssertThrowsError(try InheritedListeners(parsing: "shell=three")) { error in
            XCTAssertTrue("\(error)".contains("'shell=three'"), "\(error)")
        }
    }

    func testAClientConnectedBeforeTheKernelStartedIsServedOnThatConnection() throws {
        var sockets: [KernelChannel: (fd: Int32, port: Int)] = [:]
        for channel in KernelChannel.allCases { sockets[channel] = try listeningSocket() }
        let connection = ConnectionInfo(shellPort: sockets[.shell]!.port, iopubPort: sockets[.iopub]!.port,
                                        stdinPort: sockets[.stdin]!.port, controlPort: sockets[.control]!.port,
                                        heartbeatPort: sockets[.heartbeat]!.port)
        // The client's connection is accepted by the kernel's socket before the kernel exists.
        let early = connect(port: sockets[.shell]!.port)
        XCTAssertGreaterThanOrEqual(early, 0, "the listening socket refused a connection")
        defer { close(early) }

        let engine = LineCommandTestEngine()
        let server = try KernelServer(engine: engine, connection: connection)
        engine.register(on: server)
        server.inheritedListeners = try InheritedListeners(
            parsing: sockets.map { "\($0.key.rawValue)=\($0.value.fd)" }.joined(separator: ","))
        try server.start()
        defer {
            server.stop()
            server.waitUntilStopped()
        }
        XCTAssertEqual(server.connection, connection, "the kernel moved to other ports")
        XCTAssertTrue(server.inheritedListeners.descriptors.isEmpty)
        // ZeroMQ took the socket over: it greets the early connection (ZMTP 3 signature:
        // 0xFF, eight padding bytes, 0x7F).
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(early, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var greeting = [UInt8](repeating: 0, count: 10)
        let wanted = greeting.count
        var received = 0
        while received < wanted {
            let n = greeting.withUnsafeMutableBytes { recv(early, $0.baseAddress! + received, wanted - received, 0) }
            guard n > 0 else { break }
            received += n
        }
        XCTAssertEqual(received, 10, "no ZeroMQ greeting on the connection made before the kernel started")
        XCTAssertEqual(greeting.first, 0xFF)
        XCTAssertEqual(greeting.last, 0x7F)

        // And a real client is answered through the inherited sockets.
        let python = try requirePython()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("apus-inherited-\(UUID().uuidString).json").path
        try server.connection.write(to: file)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let probe = try runProcess(python, [Self.protocolSuite, "--connection-file", file, "--probe"], timeout: 60)
        XCTAssertEqual(probe.status, 0, probe.output)
        let line = probe.output.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? "{}"
        XCTAssertEqual(try JSONValue.parse(line)["session"]?.stringValue, server.session)
    }

    func testADescriptorThatIsNotTheChannelsListenerIsIgnored() throws {
        // A pipe, and a listener on some other port, in place of the shell and control sockets:
        // the kernel binds those channels itself, at the connection's ports.
        var pipeEnds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&pipeEnds), 0)
        defer { close(pipeEnds[0]); close(pipeEnds[1]) }
        let stranger = try listeningSocket()
        defer { close(stranger.fd) }
        let shell = try listeningSocket(), control = try listeningSocket()
        close(shell.fd)
        close(control.fd)
        let connection = ConnectionInfo(shellPort: shell.port, controlPort: control.port)
        let engine = LineCommandTestEngine()
        let server = try KernelServer(engine: engine, connection: connection)
        engine.register(on: server)
        server.inheritedListeners = try InheritedListeners(parsing: "shell=\(pipeEnds[0]),control=\(stranger.fd)")
        try server.start()
        defer {
            server.stop()
            server.waitUntilStopped()
        }
        XCTAssertEqual(server.connection.shellPort, shell.port)
        XCTAssertEqual(server.connection.controlPort, control.port)
        let probe = connect(port: shell.port)
        XCTAssertGreaterThanOrEqual(probe, 0, "the kernel did not bind the shell port itself")
        close(probe)
        // The pipe is still ours.
        XCTAssertEqual(write(pipeEnds[1], "x", 1), 1)
    }
}

import Foundation
import Display

/// One of the five channels a Jupyter kernel serves.
public enum KernelChannel: String, CaseIterable, Sendable {
    case shell, iopub, stdin, control, heartbeat = "hb"
}

/// A kernel's connection file: where its five sockets listen and how messages are signed.
/// Jupyter writes it and passes its path as `{connection_file}`; `transport` is `tcp` (ports on
/// `ip`) or `ipc` (the ports become file-name suffixes: `ipc://IP-PORT`).
public struct ConnectionInfo: Equatable, Sendable {
    public var transport: String
    public var ip: String
    public var shellPort: Int
    public var iopubPort: Int
    public var stdinPort: Int
    public var controlPort: Int
    public var heartbeatPort: Int
    /// Only `hmac-sha256` is supported; ignored when `key` is empty.
    public var signatureScheme: String
    /// The HMAC key, used as its UTF-8 bytes (not hex-decoded). Empty turns signing off.
    public var key: String
    /// The kernel name Jupyter recorded, when present.
    public var kernelName: String?

    /// A connection on the loopback interface; port 0 lets the kernel choose a free port when
    /// it binds (the chosen ports are then in `KernelServer.connection`).
    public init(transport: String = "tcp", ip: String = "127.0.0.1", shellPort: Int = 0, iopubPort: Int = 0,
                stdinPort: Int = 0, controlPort: Int = 0, heartbeatPort: Int = 0,
                signatureScheme: String = "hmac-sha256", key: String = UUID().uuidString.lowercased(),
                kernelName: String? = nil) {
        self.transport = transport
        self.ip = ip
        self.shellPort = shellPort
        self.iopubPort = iopubPort
        self.stdinPort = stdinPort
        self.controlPort = controlPort
        self.heartbeatPort = heartbeatPort
        self.signatureScheme = signatureScheme
        self.key = key
        self.kernelName = kernelName
    }

    /// Reads a connection file; throws `KernelError.connectionFile` naming what is wrong.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KernelError.connectionFile("cannot read '\(path)'")
        }
        let json: JSONValue
        do { json = try JSONValue.parse(data) } catch {
            throw KernelError.connectionFile("'\(path)' is not valid JSON: \(error)")
        }
        try self.init(json: json)
    }

    /// Decodes the connection file's JSON object.
    public init(json: JSONValue) throws {
        guard json.objectValue != nil else { throw KernelError.connectionFile("the connection file must hold a JSON object") }
        func port(_ name: String) throws -> Int {
            guard let value = json[name] else { return 0 }
            guard let port = value.intValue, (0...65535).contains(port) else {
                throw KernelError.connectionFile("'\(name)' must be a port number, got \(value.serialized)")
            }
            return port
        }
        func text(_ name: String, default fallback: String) throws -> String {
            guard let value = json[name], value != .null else { return fallback }
            guard let s = value.stringValue else {
                throw KernelError.connectionFile("'\(name)' must be a string, got \(value.serialized)")
            }
            return s
        }
        transport = try text("transport", default: "tcp")
        guard transport == "tcp" || transport == "ipc" else {
            throw KernelError.connectionFile("unsupported transport '\(transport)' (expected tcp or ipc)")
        }
        ip = try text("ip", default: "127.0.0.1")
        shellPort = try port("shell_port")
        iopubPort = try port("iopub_port")
        stdinPort = try port("stdin_port")
        controlPort = try port("control_port")
        heartbeatPort = try port("hb_port")
        signatureScheme = try text("signature_scheme", default: "hmac-sha256")
        key = try text("key", default: "")
        kernelName = json["kernel_name"]?.stringValue
    }

    /// The port (or ipc suffix) of `channel`.
    public func port(of channel: KernelChannel) -> Int {
        switch channel {
        case .shell: return shellPort
        case .iopub: return iopubPort
        case .stdin: return stdinPort
        case .control: return controlPort
        case .heartbeat: return heartbeatPort
        }
    }

    mutating func setPort(_ port: Int, of channel: KernelChannel) {
        switch channel {
        case .shell: shellPort = port
        case .iopub: iopubPort = port
        case .stdin: stdinPort = port
        case .control: controlPort = port
        case .heartbeat: heartbeatPort = port
        }
    }

    /// The ZeroMQ endpoint `channel` binds to; a tcp port 0 becomes `*` (any free port).
    public func endpoint(for channel: KernelChannel) -> String {
        let port = port(of: channel)
        if transport == "ipc" { return "ipc://\(ip)-\(port)" }
        let host = ip == "*" ? "*" : (ip.contains(":") ? "[\(ip)]" : ip)
        return "tcp://\(host):\(port == 0 ? "*" : String(port))"
    }

    /// The connection file's JSON, as Jupyter writes it.
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("shell_port", .int(shellPort)), ("iopub_port", .int(iopubPort)), ("stdin_port", .int(stdinPort)),
            ("control_port", .int(controlPort)), ("hb_port", .int(heartbeatPort)), ("ip", .string(ip)),
            ("key", .string(key)), ("transport", .string(transport)), ("signature_scheme", .string(signatureScheme)),
        ]
        if let kernelName { pairs.append(("kernel_name", .string(kernelName))) }
        return .object(pairs)
    }

    /// Writes the connection file (owner-only permissions: it holds the signing key).
    public func write(to path: String) throws {
        let data = Data(json.serialized.utf8)
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw KernelError.connectionFile("cannot write '\(path)'")
        }
    }
}

/// Why the kernel could not start or serve.
public enum KernelError: Error, CustomStringConvertible, Equatable {
    /// The connection file is missing, unreadable or malformed.
    case connectionFile(String)
    /// A signature scheme other than hmac-sha256.
    case unsupportedSignatureScheme(String)
    /// A ZeroMQ call failed: the operation and libzmq's message.
    case zeroMQ(operation: String, message: String)
    /// A kernelspec could not be installed.
    case kernelSpec(String)
    /// A `--listening` pair that is not CHANNEL=FD with a known channel.
    case badListeningSpec(String)

    public var description: String {
        switch self {
        case .connectionFile(let m): return "connection file: \(m)"
        case .unsupportedSignatureScheme(let s): return "unsupported signature scheme '\(s)' (only hmac-sha256 is supported)"
        case .zeroMQ(let op, let m): return "ZeroMQ \(op) failed: \(m)"
        case .kernelSpec(let m): return "kernelspec: \(m)"
        case .badListeningSpec(let pair):
            return "--listening: '\(pair)' is not CHANNEL=FD (channels: shell, iopub, stdin, control, hb)"
        }
    }
}

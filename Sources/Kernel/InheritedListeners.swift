import Foundation

/// Listening sockets opened for this kernel before it ran, by channel.
///
/// `apus-kernel` (a small C starter) listens on the connection file's ports a millisecond after
/// the client starts it and then becomes `apus kernel --listening shell=3,iopub=4,...`, so a
/// client that connects while the engine is still loading waits in the sockets' backlog instead
/// of being refused and retrying 100 ms later. The server hands each socket to ZeroMQ
/// (`ZMQ_USE_FD`) in place of binding a new one.
public struct InheritedListeners: Equatable, Sendable {
    /// Descriptor of each channel's listening socket.
    public private(set) var descriptors: [KernelChannel: Int32] = [:]

    /// No inherited sockets: every channel binds its own.
    public init() {}

    /// Parses `CHANNEL=FD` pairs separated by commas (channel names as in the connection file:
    /// shell, iopub, stdin, control, hb).
    public init(parsing spec: String) throws {
        for pair in spec.split(separator: ",") {
            let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, let channel = KernelChannel(rawValue: String(parts[0])),
                  let fd = Int32(parts[1]), fd >= 0 else {
                throw KernelError.badListeningSpec(String(pair))
            }
            descriptors[channel] = fd
        }
    }

    /// Removes and returns the descriptor for `channel` when it is a listening socket at the
    /// connection's address for that channel; a descriptor that is not (a stale or mistaken
    /// argument) is left alone and nil returned, so the channel binds as usual. The descriptor
    /// is marked close-on-exec, so that processes the kernel starts do not inherit it.
    mutating func take(_ channel: KernelChannel, connection: ConnectionInfo) -> Int32? {
        guard let fd = descriptors.removeValue(forKey: channel) else { return nil }
        var listening: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) == 0, listening == 1 else { return nil }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { return nil }
        let expectedPort = connection.port(of: channel)
        switch (connection.transport, Int32(storage.ss_family)) {
        case ("tcp", AF_INET):
            let port = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            }
            guard Int(port) == expectedPort else { return nil }
        case ("ipc", AF_UNIX):
            break
        default:
            return nil
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    /// Closes the sockets no channel took.
    mutating func closeRest() {
        for fd in descriptors.values { close(fd) }
        descriptors.removeAll()
    }
}

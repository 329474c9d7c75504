import Foundation
import CZeroMQ

/// A ZeroMQ context (the I/O threads behind a set of sockets).
final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    init() throws {
        guard let handle = zmq_ctx_new() else { throw ZMQ.error("zmq_ctx_new") }
        self.handle = handle
    }

    /// Waits for every socket of the context to be closed, then frees it.
    func terminate() {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }
}

enum ZMQ {
    static func error(_ operation: String) -> KernelError {
        let code = zmq_errno()
        return .zeroMQ(operation: operation, message: String(cString: zmq_strerror(code)))
    }

    /// Waits until one of `items` is ready or `timeout` ms pass (-1: forever); returns how many are ready.
    static func poll(_ items: inout [zmq_pollitem_t], timeout: Int) -> Int {
        let n = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32($0.count), timeout) }
        return Int(max(n, 0))
    }

    static func pollItem(socket: ZMQSocket) -> zmq_pollitem_t {
        zmq_pollitem_t(socket: socket.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
    }

    static func pollItem(fd: Int32) -> zmq_pollitem_t {
        zmq_pollitem_t(socket: nil, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0)
    }

    static func isReadable(_ item: zmq_pollitem_t) -> Bool { item.revents & Int16(ZMQ_POLLIN) != 0 }
}

/// One ZeroMQ socket. Not thread-safe, as ZeroMQ sockets are not: each belongs to one thread
/// (it may be created on another and handed over, thread start being a full memory barrier).
final class ZMQSocket: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private var closed = false

    init(_ context: ZMQContext, type: Int32) throws {
        guard let handle = zmq_socket(context.handle, type) else { throw ZMQ.error("zmq_socket") }
        self.handle = handle
        // Pending messages get a moment to leave at close (the last idle, the shutdown reply),
        // but a vanished peer cannot hold the process open.
        setOption(ZMQ_LINGER, 1000)
    }

    func setOption(_ option: Int32, _ value: Int32) {
        var v = value
        zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size)
    }

    /// Sets a byte-string option (a subscription's topic).
    func setOption(_ option: Int32, bytes: Data) {
        bytes.withUnsafeBytes { _ = zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
    }

    /// Binds and returns the endpoint actually bound (with the chosen port when asked for `*`).
    @discardableResult
    func bind(_ endpoint: String) throws -> String {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQ.error("bind to \(endpoint)") }
        var buffer = [CChar](repeating: 0, count: 512)
        var size = buffer.count
        guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else { return endpoint }
        return String(cString: buffer)
    }

    /// Sends a multipart message; blocks only if the peer's queue is full.
    func send(_ frames: [Data]) throws {
        for (i, frame) in frames.enumerated() {
            let flags = i + 1 < frames.count ? ZMQ_SNDMORE : 0
            while true {
                let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
                if rc >= 0 { break }
                if zmq_errno() == EINTR { continue }
                throw ZMQ.error("send")
            }
        }
    }

    /// Receives a whole multipart message (blocking, or nil at once with `wait: false` when
    /// nothing is queued).
    func receive(wait: Bool = true) throws -> [Data]? {
        var frames: [Data] = []
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        while true {
            let flags = wait || !frames.isEmpty ? 0 : ZMQ_DONTWAIT
            if zmq_msg_recv(&message, handle, flags) < 0 {
                let code = zmq_errno()
                if code == EINTR { continue }
                if code == EAGAIN && frames.isEmpty { return nil }
                throw ZMQ.error("receive")
            }
            let size = zmq_msg_size(&message)
            if let data = zmq_msg_data(&message), size > 0 {
                frames.append(Data(bytes: data, count: size))
            } else {
                frames.append(Data())
            }
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }

    /// Whether a message is waiting to be received (ZMQ_EVENTS); also processes the socket's
    /// pending commands, which re-arms its descriptor.
    var hasInput: Bool {
        var events: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(handle, ZMQ_EVENTS, &events, &size) == 0 else { return false }
        return events & Int32(ZMQ_POLLIN) != 0
    }

    func close() {
        guard !closed else { return }
        closed = true
        zmq_close(handle)
    }
}

/// A thread-safe queue that a ZeroMQ poll loop can wait on: posting writes a byte to a pipe
/// whose read end sits in the loop's poll set, so the loop wakes for socket traffic and for
/// work from other threads alike, without timeouts.
final class Mailbox<Item>: @unchecked Sendable {
    private var items: [Item] = []
    private let lock = NSLock()
    private let readEnd: Int32
    private let writeEnd: Int32

    init() {
        var fds: [Int32] = [0, 0]
        if pipe(&fds) != 0 { fds = [-1, -1] }
        readEnd = fds[0]
        writeEnd = fds[1]
        for fd in fds where fd >= 0 { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// The descriptor to poll for readability.
    var fileDescriptor: Int32 { readEnd }

    func post(_ item: Item) {
        lock.lock()
        let wasEmpty = items.isEmpty
        items.append(item)
        lock.unlock()
        // One byte per empty-to-non-empty transition is enough: the reader drains everything.
        // A full pipe (EAGAIN) already holds a wake-up.
        if wasEmpty {
            var byte: UInt8 = 1
            _ = write(writeEnd, &byte, 1)
        }
    }

    /// Everything posted so far, in order.
    func takeAll() -> [Item] {
        lock.lock()
        defer { lock.unlock() }
        var sink = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &sink, sink.count) > 0 {}
        let taken = items
        items.removeAll(keepingCapacity: true)
        return taken
    }
}

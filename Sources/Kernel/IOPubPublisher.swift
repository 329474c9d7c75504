import Foundation
import CZeroMQ
import Display

/// Owns the IOPub XPUB socket. Every broadcast is encoded and handed to ZeroMQ under one lock by
/// the thread that makes it, so outputs leave in the order they were made, whichever thread made
/// them, and a cell's `busy`, results and `idle` leave without waking another thread first (on a
/// loaded machine each thread hand-off can cost a scheduler time slice). The publisher's own
/// thread only waits for what no producer is there to do:
/// - answering each subscription with `iopub_welcome` (protocol 5.5), so a client knows it is
///   subscribed before it waits for anything (the slow-joiner race);
/// - sending coalesced stream text when `coalescingInterval` has passed. Consecutive stream
///   writes of one stream and request are merged into one `stream` message, sent when anything
///   else is published, when that interval has passed, or when the text reaches
///   `maximumStreamChunk`.
/// ZeroMQ sockets may move between threads across a full memory barrier; the lock is that barrier.
final class IOPubPublisher: @unchecked Sendable {
    enum Wake {
        /// Stream text is pending: the thread arms its flush timer.
        case timer
        case stop
    }

    private let socket: ZMQSocket
    private let codec: WireCodec
    private let factory: MessageFactory
    private let wakeups = Mailbox<Wake>()
    private let log: (String) -> Void
    let coalescingInterval: Double
    let maximumStreamChunk = 1 << 20

    // Under `lock`.
    private let lock = NSLock()
    private var closed = false
    /// Set while subscriptions are handled: a send made meanwhile must not receive the next one.
    private var welcoming = false
    private var pendingName: OutputStreamName = .stdout
    private var pendingParent: Message?
    private var pendingText = ""
    private var pendingSince = 0.0

    init(socket: ZMQSocket, codec: WireCodec, factory: MessageFactory, coalescingInterval: Double = 0.02,
         log: @escaping (String) -> Void) {
        self.socket = socket
        self.codec = codec
        self.factory = factory
        self.coalescingInterval = coalescingInterval
        self.log = log
    }

    /// Broadcasts a message now (after any stream text pending before it).
    func publish(_ message: Message) {
        lock.lock()
        defer { lock.unlock() }
        flushStream()
        send(message)
    }

    /// Broadcasts `type` with `content`, belonging to `parent`.
    func publish(_ type: String, _ content: JSONValue, parent: Message?, metadata: JSONValue = [:], buffers: [Data] = []) {
        publish(factory.message(type: type, content: content, parent: parent, metadata: metadata, buffers: buffers))
    }

    /// Broadcasts `status` for `parent`.
    func status(_ state: String, parent: Message?) {
        publish("status", ["execution_state": .string(state)], parent: parent)
    }

    /// Adds stream text (merged with adjacent text of the same stream and request).
    func stream(_ name: OutputStreamName, _ text: String, parent: Message) {
        lock.lock()
        defer { lock.unlock() }
        if let current = pendingParent, current.id != parent.id || pendingName != name { flushStream() }
        var armTimer = false
        if pendingParent == nil {
            pendingParent = parent
            pendingName = name
            pendingSince = now()
            armTimer = true
        }
        pendingText += text
        if pendingText.utf8.count >= maximumStreamChunk { flushStream() }
        if armTimer { wakeups.post(.timer) }
    }

    /// Returns once everything published so far has been handed to ZeroMQ (before
    /// input_request, which leaves on another socket and must not overtake the prompt's
    /// preceding output).
    func waitUntilSent() {
        lock.lock()
        flushStream()
        lock.unlock()
    }

    /// Sends what is pending and ends the thread.
    func stop() { wakeups.post(.stop) }

    /// The thread body: welcomes subscriptions and flushes stream text that has waited long enough.
    func run() {
        var descriptor: Int32 = -1
        var size = MemoryLayout<Int32>.size
        lock.withLock {
            _ = zmq_getsockopt(socket.handle, ZMQ_FD, &descriptor, &size)
            handleSubscriptions()
        }
        // The socket's descriptor signals that it has work (edge-triggered): its events are read
        // under the lock, and after every send too, since a send can consume that signal.
        var items = [ZMQ.pollItem(fd: descriptor), ZMQ.pollItem(fd: wakeups.fileDescriptor)]
        var timeout = -1
        while true {
            items[0].revents = 0
            items[1].revents = 0
            _ = ZMQ.poll(&items, timeout: timeout)
            let stopping = wakeups.takeAll().contains { if case .stop = $0 { return true } else { return false } }
            lock.lock()
            handleSubscriptions()
            if stopping {
                flushStream()
                closed = true
                socket.close()
                lock.unlock()
                return
            }
            timeout = -1
            if pendingParent != nil {
                let left = pendingSince + coalescingInterval - now()
                if left <= 0 { flushStream() } else { timeout = max(1, Int((left * 1000).rounded(.up))) }
            }
            lock.unlock()
        }
    }

    private func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Under the lock.
    private func flushStream() {
        guard let parent = pendingParent else { return }
        let message = factory.message(type: "stream", content: ["name": .string(pendingName.rawValue), "text": .string(pendingText)],
                                      parent: parent)
        pendingParent = nil
        pendingText = ""
        send(message)
    }

    /// Under the lock.
    private func send(_ message: Message) {
        guard !closed else { return }
        var message = message
        // Clients subscribe to everything and ignore topics; the topic names the sender for
        // anyone filtering with their own subscription.
        let topic = message.type == "stream" ? "stream.\(message.content["name"]?.stringValue ?? "stdout")"
                                             : "kernel.\(factory.session).\(message.type)"
        message.identities = [Data(topic.utf8)]
        do { try socket.send(codec.encode(message)) } catch { log("iopub: \(error)") }
        handleSubscriptions()
    }

    /// Under the lock. XPUB delivers each (un)subscription as a frame: 0x01 + topic to subscribe,
    /// 0x00 + topic to unsubscribe. The socket is in manual mode (ZMQ_XPUB_MANUAL): a subscriber
    /// receives nothing until it is subscribed here, right before its welcome, so `iopub_welcome`
    /// is the first message every subscriber sees, even one that connected before the kernel
    /// started (the sockets `apus-kernel` opened) and would otherwise catch `status: starting`.
    private func handleSubscriptions() {
        guard !closed, !welcoming else { return }
        welcoming = true
        defer { welcoming = false }
        while socket.hasInput {
            // Text written before the subscription goes out without the newcomer.
            flushStream()
            guard let frames = try? socket.receive(wait: false) else { break }
            guard let frame = frames.first, let kind = frame.first, kind <= 1 else { continue }
            // Applies to the subscriber whose frame was just received, so nothing may be received
            // in between (sends made while welcoming do not look for subscriptions).
            socket.setOption(kind == 1 ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE, bytes: Data(frame.dropFirst()))
            guard kind == 1 else { continue }
            let topic = String(decoding: frame.dropFirst(), as: UTF8.self)
            send(factory.message(type: "iopub_welcome", content: ["subscription": .string(topic)], parent: nil))
        }
    }
}

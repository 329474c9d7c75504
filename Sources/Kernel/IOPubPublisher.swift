import Foundation
import CZeroMQ
import Display

/// The one thread that owns the IOPub XPUB socket. Every broadcast goes through its queue, so
/// outputs leave in the order they were made, whichever thread made them. It also:
/// - answers each subscription with `iopub_welcome` (protocol 5.5), so a client knows it is
///   subscribed before it waits for anything (the slow-joiner race);
/// - coalesces consecutive stream writes of one stream and request into one `stream` message,
///   sent when anything else is published, when `coalescingInterval` has passed, or when the
///   text reaches `maximumStreamChunk`.
final class IOPubPublisher: @unchecked Sendable {
    enum Item {
        case message(Message)
        case stream(name: OutputStreamName, text: String, parent: Message)
        /// Signals once everything posted before has been sent.
        case barrier(DispatchSemaphore)
        case stop
    }

    private let socket: ZMQSocket
    private let codec: WireCodec
    private let factory: MessageFactory
    private let mailbox = Mailbox<Item>()
    private let log: (String) -> Void
    let coalescingInterval: Double
    let maximumStreamChunk = 1 << 20

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

    /// Queues a message for broadcast.
    func publish(_ message: Message) { mailbox.post(.message(message)) }

    /// Queues `type` with `content`, belonging to `parent`.
    func publish(_ type: String, _ content: JSONValue, parent: Message?, metadata: JSONValue = [:], buffers: [Data] = []) {
        mailbox.post(.message(factory.message(type: type, content: content, parent: parent, metadata: metadata, buffers: buffers)))
    }

    /// Queues `status` for `parent`.
    func status(_ state: String, parent: Message?) {
        publish("status", ["execution_state": .string(state)], parent: parent)
    }

    /// Queues stream text (merged with adjacent text of the same stream and request).
    func stream(_ name: OutputStreamName, _ text: String, parent: Message) {
        mailbox.post(.stream(name: name, text: text, parent: parent))
    }

    /// Blocks until everything queued so far has been handed to ZeroMQ (before input_request,
    /// which leaves on another socket and must not overtake the prompt's preceding output).
    func waitUntilSent(timeout: Double = 5) {
        let done = DispatchSemaphore(value: 0)
        mailbox.post(.barrier(done))
        _ = done.wait(timeout: .now() + timeout)
    }

    /// Sends what is queued and ends the thread.
    func stop() { mailbox.post(.stop) }

    /// The thread body.
    func run() {
        defer { socket.close() }
        var items = [ZMQ.pollItem(socket: socket), ZMQ.pollItem(fd: mailbox.fileDescriptor)]
        while true {
            var timeout = -1
            if pendingParent != nil {
                let left = pendingSince + coalescingInterval - now()
                if left <= 0 { flushStream(); continue }
                timeout = max(1, Int(left * 1000))
            }
            items[0].revents = 0
            items[1].revents = 0
            _ = ZMQ.poll(&items, timeout: timeout)
            if ZMQ.isReadable(items[0]) { handleSubscriptions() }
            if ZMQ.isReadable(items[1]) || timeout >= 0 {
                for item in mailbox.takeAll() {
                    switch item {
                    case .message(let message):
                        flushStream()
                        send(message)
                    case .stream(let name, let text, let parent):
                        if let current = pendingParent, current.id != parent.id || pendingName != name { flushStream() }
                        if pendingParent == nil {
                            pendingParent = parent
                            pendingName = name
                            pendingSince = now()
                        }
                        pendingText += text
                        if pendingText.utf8.count >= maximumStreamChunk { flushStream() }
                    case .barrier(let done):
                        flushStream()
                        done.signal()
                    case .stop:
                        flushStream()
                        return
                    }
                }
            }
        }
    }

    private func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    private func flushStream() {
        guard let parent = pendingParent else { return }
        let message = factory.message(type: "stream", content: ["name": .string(pendingName.rawValue), "text": .string(pendingText)],
                                      parent: parent)
        pendingParent = nil
        pendingText = ""
        send(message)
    }

    private func send(_ message: Message) {
        var message = message
        // Clients subscribe to everything and ignore topics; the topic names the sender for
        // anyone filtering with their own subscription.
        let topic = message.type == "stream" ? "stream.\(message.content["name"]?.stringValue ?? "stdout")"
                                             : "kernel.\(factory.session).\(message.type)"
        message.identities = [Data(topic.utf8)]
        do { try socket.send(codec.encode(message)) } catch { log("iopub: \(error)") }
    }

    /// XPUB delivers each (un)subscription as a frame: 0x01 + topic to subscribe.
    private func handleSubscriptions() {
        while let frames = try? socket.receive(wait: false) {
            guard let frame = frames.first, frame.first == 1 else { continue }
            let topic = String(decoding: frame.dropFirst(), as: UTF8.self)
            flushStream()
            send(factory.message(type: "iopub_welcome", content: ["subscription": .string(topic)], parent: nil))
        }
    }
}

import Foundation
import CZeroMQ
import Display

/// A running Jupyter kernel: binds the five sockets of a connection file and serves an engine.
///
/// Threads (each owns its socket; they talk through queues, never by sharing a socket):
/// - heartbeat: echoes pings, never touches the engine, so a busy cell cannot look dead;
/// - control: interrupt, shutdown (with restart) and kernel_info, answered during any cell;
/// - shell: answers kernel_info, complete, inspect, is_complete, history and comm_info at once,
///   even while a cell runs, and queues execute requests and comm messages for the evaluator;
/// - evaluator: runs cells one at a time and owns the stdin socket;
/// - IOPub publisher: the one path every broadcast takes, in order.
public final class KernelServer: @unchecked Sendable {
    /// What the kernel says about itself in kernel_info_reply.
    public struct Configuration: Sendable {
        public var implementation: String
        public var implementationVersion: String
        public var banner: String
        /// Links shown in the front-end's Help menu: (text, url).
        public var helpLinks: [(text: String, url: String)]
        /// How long stream text may wait to be merged with more before it is sent.
        public var streamCoalescingInterval: Double

        /// The defaults describe Apus.
        public init(implementation: String = "apus", implementationVersion: String = "0.1.0",
                    banner: String = "Apus: Transformers in Swift", helpLinks: [(text: String, url: String)] = [],
                    streamCoalescingInterval: Double = 0.02) {
            self.implementation = implementation
            self.implementationVersion = implementationVersion
            self.banner = banner
            self.helpLinks = helpLinks
            self.streamCoalescingInterval = streamCoalescingInterval
        }
    }

    /// Why `run` returned.
    public enum ShutdownReason: Equatable, Sendable {
        case shutdown
        /// The client asked for a restart; it starts a fresh kernel process itself.
        case restart
    }

    /// The language being served.
    public let engine: KernelEngine
    /// What kernel_info_reply says about the kernel.
    public let configuration: Configuration
    /// The connection as bound (ports chosen by the kernel filled in).
    public private(set) var connection: ConnectionInfo
    /// This kernel's session id, in every header it sends.
    public var session: String { factory.session }
    /// Where warnings go (bad signatures, malformed messages); stderr by default.
    public var log: (String) -> Void = { line in
        FileHandle.standardError.write(Data("[apus kernel] \(line)\n".utf8))
    }

    let factory: MessageFactory
    let codec: WireCodec
    let history = ExecutionHistory()
    let comms = CommRegistry()
    var publisher: IOPubPublisher!
    let evaluatorQueue = EvaluatorQueue()

    private var context: ZMQContext?
    private var shellSocket: ZMQSocket?
    private var controlSocket: ZMQSocket?
    var stdinSocket: ZMQSocket?
    private var heartbeatSocket: ZMQSocket?
    let shellOutbox = Mailbox<ShellOutgoing>()

    enum ShellOutgoing {
        case send(Message)
        case stop
    }

    // Shared state, under `stateLock`.
    let stateLock = NSLock()
    var running: Message?
    private var interruptFlag = false
    private var stopping = false
    private var reason: ShutdownReason = .shutdown
    private let stopRequested = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private var isStopped = false
    private var threadsDone: [String: DispatchSemaphore] = [:]

    /// The evaluator's cell counter (evaluator thread only).
    var executionCount = 0

    /// Prepares a kernel; throws for an unsupported signature scheme. Nothing is bound until `start`.
    public init(engine: KernelEngine, connection: ConnectionInfo, configuration: Configuration = Configuration()) throws {
        self.engine = engine
        self.connection = connection
        self.configuration = configuration
        self.factory = MessageFactory()
        self.codec = WireCodec(signer: try MessageSigner(scheme: connection.signatureScheme, key: connection.key))
    }

    /// Registers a comm target: comm_open from the front-end for `name` calls `handler` on the
    /// evaluator thread. Comms to unregistered targets are closed at once.
    public func registerCommTarget(_ name: String, handler: @escaping CommTargetHandler) {
        comms.register(target: name, handler: handler)
    }

    /// Sockets already listening on the connection's ports, opened by `apus-kernel` before this
    /// process loaded; each is handed to ZeroMQ in place of a new bind.
    public var inheritedListeners = InheritedListeners()

    /// Binds every socket and starts the threads; returns once the kernel is serving.
    public func start() throws {
        guard context == nil else { throw KernelError.zeroMQ(operation: "start", message: "this kernel was already started") }
        let context = try ZMQContext()
        self.context = context
        func bind(_ type: Int32, _ channel: KernelChannel) throws -> ZMQSocket {
            let socket = try ZMQSocket(context, type: type)
            if type == ZMQ_ROUTER { socket.setOption(ZMQ_ROUTER_HANDOVER, 1) }
            if type == ZMQ_XPUB {
                // Every subscription, even a repeated one, must reach us to be welcomed.
                socket.setOption(ZMQ_XPUB_VERBOSE, 1)
                // Subscriptions take effect when the publisher welcomes them (IOPubPublisher).
                socket.setOption(ZMQ_XPUB_MANUAL, 1)
                socket.setOption(ZMQ_SNDHWM, 100_000)
            }
            let endpoint = connection.endpoint(for: channel)
            let bound: String
            if let fd = inheritedListeners.take(channel, connection: connection) {
                socket.setOption(ZMQ_USE_FD, fd)
                do {
                    bound = try socket.bind(endpoint)
                } catch {
                    // Not usable after all: bind a socket of our own, as without a starter (the
                    // descriptor may be ZeroMQ's now, so it is not closed here).
                    socket.setOption(ZMQ_USE_FD, -1)
                    bound = try socket.bind(endpoint)
                }
            } else {
                bound = try socket.bind(endpoint)
            }
            if connection.transport == "tcp", let port = bound.split(separator: ":").last.flatMap({ Int($0) }) {
                connection.setPort(port, of: channel)
            }
            return socket
        }
        do {
            heartbeatSocket = try bind(ZMQ_REP, .heartbeat)
            let iopub = try bind(ZMQ_XPUB, .iopub)
            publisher = IOPubPublisher(socket: iopub, codec: codec, factory: factory,
                                       coalescingInterval: configuration.streamCoalescingInterval, log: { [weak self] in self?.log($0) })
            controlSocket = try bind(ZMQ_ROUTER, .control)
            stdinSocket = try bind(ZMQ_ROUTER, .stdin)
            shellSocket = try bind(ZMQ_ROUTER, .shell)
            inheritedListeners.closeRest()
        } catch {
            inheritedListeners.closeRest()
            for socket in [heartbeatSocket, controlSocket, stdinSocket, shellSocket] { socket?.close() }
            publisher = nil
            context.terminate()
            throw error
        }
        launch("iopub") { [publisher] in publisher!.run() }
        // The threads hold the server until it stops; a deep interpreter recursion gets a big stack.
        launch("heartbeat") { self.heartbeatLoop() }
        launch("control") { self.controlLoop() }
        // 512 MB of address space (touched only as used): enough that a script engine runs
        // cells on this thread itself rather than spawning a large-stack thread per cell.
        launch("evaluator", stackSize: 1 << 29) { self.evaluatorLoop() }
        launch("shell") { self.shellLoop() }
        let reaper = Thread { self.reap() }
        reaper.name = "apus-kernel-reaper"
        reaper.start()
        publisher.status("starting", parent: nil)
    }

    /// What `apus kernel -f FILE` does: reads the connection file, serves `engine` with SIGINT
    /// turned into interrupts, and returns when the client shuts the kernel down.
    public static func serve(connectionFile path: String, engine: KernelEngine,
                             configuration: Configuration = Configuration(),
                             listeners: InheritedListeners = InheritedListeners()) throws -> ShutdownReason {
        let server = try KernelServer(engine: engine, connection: ConnectionInfo(contentsOf: path),
                                      configuration: configuration)
        server.inheritedListeners = listeners
        server.handleInterruptSignal()
        return try server.run()
    }

    /// Starts and serves until a shutdown request; returns whether a restart was asked for.
    public func run() throws -> ShutdownReason {
        try start()
        return waitUntilStopped()
    }

    /// Blocks until the kernel has stopped.
    @discardableResult
    public func waitUntilStopped() -> ShutdownReason {
        stopped.wait()
        stopped.signal()
        return stateLock.withLock { reason }
    }

    /// Blocks until the kernel has stopped or `timeout` seconds pass; nil on timeout.
    public func waitUntilStopped(timeout: Double) -> ShutdownReason? {
        guard stopped.wait(timeout: .now() + timeout) == .success else { return nil }
        stopped.signal()
        return stateLock.withLock { reason }
    }

    /// Stops the kernel as a shutdown request would.
    public func stop(reason: ShutdownReason = .shutdown) {
        let first: Bool = stateLock.withLock {
            guard !stopping else { return false }
            stopping = true
            self.reason = reason
            return true
        }
        guard first else { return }
        interrupt()
        evaluatorQueue.stop()
        shellOutbox.post(.stop)
        stopRequested.signal()
    }

    /// Interrupts the running cell, if any (interrupt_request, SIGINT). The session is kept.
    /// A cell counts as running from the moment its `busy` is published (which, for a request
    /// announced at queue time, is before the evaluator picks it up).
    public func interrupt() {
        stateLock.withLock {
            guard running != nil else { return }
            interruptFlag = true
            // Under the lock, so that it cannot land after the next cell's `beginCell` cleared it.
            engine.interrupt()
        }
    }

    /// Makes SIGINT interrupt the running cell instead of ending the process (jupyter_client
    /// sends one in signal mode and at the start of every shutdown). Process-wide: the last
    /// server to call it receives the signals.
    public func handleInterruptSignal() {
        InterruptSignal.install { [weak self] in self?.interrupt() }
    }

    var isInterrupted: Bool { stateLock.withLock { interruptFlag } }
    var isStopping: Bool { stateLock.withLock { stopping } }

    /// Makes `request` the running cell and clears any interrupt left from before. Called
    /// before the request's `busy` is published: from then on an interrupt reaches it.
    func beginCell(_ request: Message) {
        stateLock.withLock {
            running = request
            interruptFlag = false
            engine.clearInterrupt()
        }
    }

    /// Publishes the request's idle and forgets the running cell, atomically with respect to
    /// out-of-band requests (which re-announce `busy` for the running cell after their idle).
    func endCell(_ request: Message) {
        stateLock.withLock {
            running = nil
            publisher.status("idle", parent: request)
        }
    }

    // MARK: threads

    private func launch(_ name: String, stackSize: Int = 0, _ body: @escaping () -> Void) {
        let done = DispatchSemaphore(value: 0)
        threadsDone[name] = done
        let thread = Thread {
            body()
            done.signal()
        }
        thread.name = "apus-kernel-\(name)"
        if stackSize > 0 { thread.stackSize = stackSize }
        thread.start()
    }

    /// Waits for a stop, then winds the threads down in dependency order: the evaluator and
    /// shell first (their last messages still go out), then IOPub, then the context.
    private func reap() {
        stopRequested.wait()
        var clean = true
        for name in ["evaluator", "shell", "control", "heartbeat"] {
            if threadsDone[name]?.wait(timeout: .now() + 3) == .timedOut {
                clean = false
                log("the \(name) thread did not stop in time")
            }
        }
        publisher.stop()
        if threadsDone["iopub"]?.wait(timeout: .now() + 3) == .timedOut { clean = false }
        // A thread still inside the engine keeps its socket open, and terminating the context
        // would block until it closes: leave the context to process exit then.
        if clean { context?.terminate() }
        stateLock.withLock { isStopped = true }
        stopped.signal()
    }

    private func heartbeatLoop() {
        guard let socket = heartbeatSocket else { return }
        defer { socket.close() }
        var items = [ZMQ.pollItem(socket: socket)]
        while !isStopping {
            items[0].revents = 0
            guard ZMQ.poll(&items, timeout: 100) > 0 else { continue }
            do {
                if let frames = try socket.receive(wait: false) { try socket.send(frames) }
            } catch {
                log("heartbeat: \(error)")
            }
        }
    }

    private func controlLoop() {
        guard let socket = controlSocket else { return }
        defer { socket.close() }
        var items = [ZMQ.pollItem(socket: socket)]
        while !isStopping {
            items[0].revents = 0
            guard ZMQ.poll(&items, timeout: 100) > 0 else { continue }
            while let frames = try? socket.receive(wait: false) {
                guard let request = decode(frames, channel: "control") else { continue }
                let send: (Message) -> Void = { [unowned self] reply in
                    do { try socket.send(codec.encode(reply)) } catch { log("control: \(error)") }
                }
                switch request.type {
                case "shutdown_request":
                    shutdown(request, send: send)
                case "interrupt_request":
                    answerAtOnce(request, send: send) { request in
                        interrupt()
                        return factory.reply(to: request, type: "interrupt_reply", content: ["status": "ok"])
                    }
                default:
                    answerAtOnce(request, send: send, handler: immediateReply)
                }
            }
        }
    }

    private func shellLoop() {
        guard let socket = shellSocket else { return }
        defer { socket.close() }
        var items = [ZMQ.pollItem(socket: socket), ZMQ.pollItem(fd: shellOutbox.fileDescriptor)]
        let send: (Message) -> Void = { [unowned self] reply in
            do { try socket.send(codec.encode(reply)) } catch { log("shell: \(error)") }
        }
        while true {
            items[0].revents = 0
            items[1].revents = 0
            _ = ZMQ.poll(&items, timeout: -1)
            if ZMQ.isReadable(items[1]) {
                for item in shellOutbox.takeAll() {
                    switch item {
                    case .send(let message): send(message)
                    case .stop: return
                    }
                }
            }
            if ZMQ.isReadable(items[0]) {
                while let frames = try? socket.receive(wait: false) {
                    guard let request = decode(frames, channel: "shell") else { continue }
                    routeShellRequest(request, send: send)
                }
            }
        }
    }

    private func routeShellRequest(_ request: Message, send: @escaping (Message) -> Void) {
        switch request.type {
        case "execute_request":
            evaluatorQueue.pushExecute(request) {
                beginCell(request)
                publisher.status("busy", parent: request)
            }
        case "comm_open" where comms.handler(for: request.content["target_name"]?.stringValue ?? "") == nil:
            // Unknown target: closed at once, so the front-end does not wait on it.
            answerAtOnce(request, send: send) { request in
                publisher.publish("comm_close", ["comm_id": request.content["comm_id"] ?? "", "data": [:]], parent: request)
                return nil
            }
        case "comm_open", "comm_msg", "comm_close":
            evaluatorQueue.push(.comm(request))
        case "shutdown_request":
            shutdown(request, send: send)
        default:
            answerAtOnce(request, send: send, handler: immediateReply)
        }
    }

    /// Wraps an immediate answer in busy/idle with the request as parent. When a cell is running,
    /// its `busy` is re-announced after this idle, so front-ends do not show an idle kernel
    /// while the cell still runs.
    private func answerAtOnce(_ request: Message, send: (Message) -> Void, handler: (Message) -> Message?) {
        publisher.status("busy", parent: request)
        if let reply = handler(request) { send(reply) }
        stateLock.withLock {
            publisher.status("idle", parent: request)
            if let running { publisher.status("busy", parent: running) }
        }
    }

    private func shutdown(_ request: Message, send: (Message) -> Void) {
        let restart = request.content["restart"]?.boolValue ?? false
        answerAtOnce(request, send: send) { request in
            factory.reply(to: request, type: "shutdown_reply", content: ["status": "ok", "restart": .bool(restart)])
        }
        stop(reason: restart ? .restart : .shutdown)
    }

    /// Decodes frames, logging and dropping anything invalid.
    func decode(_ frames: [Data], channel: String) -> Message? {
        do {
            return try codec.decode(frames)
        } catch {
            log("\(channel): dropped a message: \(error)")
            return nil
        }
    }
}

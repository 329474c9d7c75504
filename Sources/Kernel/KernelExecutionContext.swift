import Foundation
import Display

/// The kernel's `ExecutionContext`: turns a cell's output into IOPub messages parented to its
/// execute request, its input requests into stdin round trips and its help into payloads.
final class KernelExecutionContext: ExecutionContext, @unchecked Sendable {
    private unowned let server: KernelServer
    private let request: Message
    let executionCount: Int
    let isSilent: Bool
    private let allowStdin: Bool
    private let lock = NSLock()
    private var finished = false
    private var pages: [JSONValue] = []

    init(server: KernelServer, request: Message, executionCount: Int, silent: Bool, allowStdin: Bool) {
        self.server = server
        self.request = request
        self.executionCount = executionCount
        self.isSilent = silent
        self.allowStdin = allowStdin
    }

    var isInterrupted: Bool { server.isInterrupted }

    /// The execute reply's payloads (pager pages).
    var payloads: [JSONValue] { lock.withLock { pages } }

    func finish() { lock.withLock { finished = true } }

    private var isOpen: Bool { !isSilent && lock.withLock { !finished } }

    func write(_ text: String, to stream: OutputStreamName) {
        guard isOpen, !text.isEmpty else { return }
        server.publisher.stream(stream, text, parent: request)
    }

    func display(_ bundle: MimeBundle, displayId: String?) {
        guard isOpen else { return }
        var content: [(String, JSONValue)] = [("data", .object(bundle.data)), ("metadata", .object(bundle.metadata))]
        if let displayId { content.append(("transient", ["display_id": .string(displayId)])) }
        server.publisher.publish("display_data", .object(content), parent: request)
    }

    func updateDisplay(_ bundle: MimeBundle, displayId: String) {
        guard isOpen else { return }
        server.publisher.publish("update_display_data", [
            "data": .object(bundle.data), "metadata": .object(bundle.metadata),
            "transient": ["display_id": .string(displayId)],
        ], parent: request)
    }

    func clearOutput(wait: Bool) {
        guard isOpen else { return }
        server.publisher.publish("clear_output", ["wait": .bool(wait)], parent: request)
    }

    func input(prompt: String, password: Bool) throws -> String {
        guard allowStdin else { throw InputError.notAllowed }
        return try server.readInput(prompt: prompt, password: password, request: request)
    }

    func page(_ bundle: MimeBundle) {
        lock.withLock { pages.append(["source": "page", "data": .object(bundle.data), "start": 0]) }
    }

    func openComm(target: String, data: JSONValue, metadata: JSONValue, buffers: [Data]) -> Comm? {
        guard lock.withLock({ !finished }) else { return nil }
        let comm = server.makeComm(id: UUID().uuidString.lowercased(), target: target)
        server.comms.add(comm)
        server.publisher.publish("comm_open", ["comm_id": .string(comm.id), "target_name": .string(target), "data": data],
                                 parent: request, metadata: metadata, buffers: buffers)
        return comm
    }

    func registerCommTarget(_ target: String, handler: @escaping CommTargetHandler) -> Bool {
        server.registerCommTarget(target, handler: handler)
        return true
    }
}

import Foundation
import Display

/// One side of a comm: a named, bidirectional channel between kernel code and a front-end
/// object (widgets, live views). Messages from the front-end arrive on the evaluator thread,
/// in order with the cells.
public final class Comm: @unchecked Sendable {
    /// The comm's id, shared by both ends.
    public let id: String
    /// The target it was opened for (`jupyter.widget`, ...).
    public let targetName: String
    /// Called with each `comm_msg`'s data and buffers from the front-end.
    public var onMessage: ((JSONValue, [Data]) -> Void)?
    /// Called when the front-end closes the comm.
    public var onClose: ((JSONValue) -> Void)?

    private let outlet: (String, JSONValue, JSONValue, [Data]) -> Void
    private let closed: () -> Void
    private var isOpen = true

    init(id: String, targetName: String, outlet: @escaping (String, JSONValue, JSONValue, [Data]) -> Void,
         closed: @escaping () -> Void) {
        self.id = id
        self.targetName = targetName
        self.outlet = outlet
        self.closed = closed
    }

    /// Sends `comm_msg` to the front-end.
    public func send(_ data: JSONValue, metadata: JSONValue = [:], buffers: [Data] = []) {
        guard isOpen else { return }
        outlet("comm_msg", ["comm_id": .string(id), "data": data], metadata, buffers)
    }

    /// Closes the comm from the kernel side (`comm_close`).
    public func close(_ data: JSONValue = [:]) {
        guard isOpen else { return }
        isOpen = false
        outlet("comm_close", ["comm_id": .string(id), "data": data], [:], [])
        closed()
    }

    func closedByFrontEnd(_ data: JSONValue) {
        guard isOpen else { return }
        isOpen = false
        closed()
        onClose?(data)
    }
}

/// Called when a front-end opens a comm to a registered target: the new comm, the open
/// message's data and buffers.
public typealias CommTargetHandler = (Comm, JSONValue, [Data]) -> Void

/// Comm targets and the comms open now; read by the shell thread (comm_info, unknown targets)
/// and written by the evaluator.
final class CommRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var targets: [String: CommTargetHandler] = [:]
    private var comms: [String: Comm] = [:]

    func register(target: String, handler: @escaping CommTargetHandler) {
        lock.lock(); defer { lock.unlock() }
        targets[target] = handler
    }

    func handler(for target: String) -> CommTargetHandler? {
        lock.lock(); defer { lock.unlock() }
        return targets[target]
    }

    func add(_ comm: Comm) {
        lock.lock(); defer { lock.unlock() }
        comms[comm.id] = comm
    }

    func remove(_ id: String) {
        lock.lock(); defer { lock.unlock() }
        comms[id] = nil
    }

    func comm(_ id: String) -> Comm? {
        lock.lock(); defer { lock.unlock() }
        return comms[id]
    }

    /// Open comms as comm_info_reply lists them, optionally only those of one target.
    func info(target: String?) -> JSONValue {
        lock.lock(); defer { lock.unlock() }
        let pairs = comms.values.filter { target == nil || $0.targetName == target }
            .sorted { $0.id < $1.id }
            .map { ($0.id, JSONValue.object([("target_name", .string($0.targetName))])) }
        return .object(pairs)
    }
}

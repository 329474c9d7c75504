import Foundation
import CZeroMQ
import Display

/// Work for the evaluator thread, in arrival order.
final class EvaluatorQueue: @unchecked Sendable {
    enum Work {
        /// `announced`: it became the running cell and its `busy` was published when it was
        /// queued (the evaluator was idle).
        case execute(Message, announced: Bool)
        case comm(Message)
        case stop
    }

    private let condition = NSCondition()
    private var items: [Work] = []
    private var stopped = false
    /// The evaluator is blocked in `pop` on an empty queue: everything it did before has been
    /// published.
    private var waiting = false

    func push(_ work: Work) {
        condition.lock()
        items.append(work)
        condition.signal()
        condition.unlock()
    }

    /// Queues an execute request. When the evaluator is waiting for work, `announce` (which
    /// makes the request the running cell and publishes its `busy`) runs first, under the
    /// queue's lock so that no output of the evaluator's can come between: the front-end hears
    /// `busy` without waiting for the evaluator thread to wake, and an interrupt sent on hearing
    /// it reaches the cell.
    func pushExecute(_ request: Message, announce: () -> Void) {
        condition.lock()
        var announced = false
        if waiting && items.isEmpty && !stopped {
            announce()
            announced = true
        }
        items.append(.execute(request, announced: announced))
        condition.signal()
        condition.unlock()
    }

    /// Makes the next `pop` return `.stop`, ahead of anything queued.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    func pop() -> Work {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !stopped {
            waiting = true
            condition.wait()
        }
        waiting = false
        if stopped { return .stop }
        return items.removeFirst()
    }

    /// Removes and returns the execute requests waiting now (after an error with stop_on_error).
    func removeQueuedExecutes() -> [Message] {
        condition.lock()
        defer { condition.unlock() }
        var removed: [Message] = []
        items.removeAll { work in
            if case .execute(let request, _) = work { removed.append(request); return true }
            return false
        }
        return removed
    }
}

/// The evaluator thread: runs cells and comm messages one at a time, owns the session state
/// (through the engine) and the stdin socket.
extension KernelServer {
    func evaluatorLoop() {
        defer { stdinSocket?.close() }
        while true {
            switch evaluatorQueue.pop() {
            case .stop: return
            case .execute(let request, let announced): execute(request, announced: announced)
            case .comm(let message): handleComm(message)
            }
        }
    }

    private func execute(_ request: Message, announced: Bool) {
        let content = request.content
        let code = content["code"]?.stringValue ?? ""
        let silent = content["silent"]?.boolValue ?? false
        let storeHistory = silent ? false : (content["store_history"]?.boolValue ?? true)
        let allowStdin = content["allow_stdin"]?.boolValue ?? true
        let stopOnError = content["stop_on_error"]?.boolValue ?? true
        let started = MessageFactory.timestamp()

        if !announced {
            beginCell(request)
            publisher.status("busy", parent: request)
        }
        if storeHistory { executionCount += 1 }
        let count = executionCount
        if !silent {
            publisher.publish("execute_input", ["code": .string(code), "execution_count": .int(count)], parent: request)
        }
        let context = KernelExecutionContext(server: self, request: request, executionCount: count,
                                             silent: silent, allowStdin: allowStdin)
        let outcome = engine.execute(code, context: context)
        var reply: JSONValue
        var failed = false
        switch outcome {
        case .success(let result):
            if let result, !silent {
                publisher.publish("execute_result", [
                    "execution_count": .int(count), "data": .object(result.data), "metadata": .object(result.metadata),
                ], parent: request)
            }
            if storeHistory { history.record(line: count, input: code, output: result?.plainText) }
            reply = ["status": "ok", "execution_count": .int(count), "payload": .array(context.payloads),
                     "user_expressions": evaluateUserExpressions(content["user_expressions"], request: request, count: count)]
        case .failure(let error):
            failed = true
            if !silent {
                publisher.publish("error", ["ename": .string(error.name), "evalue": .string(error.value),
                                            "traceback": .array(error.traceback.map(JSONValue.string))], parent: request)
            }
            if storeHistory { history.record(line: count, input: code, output: nil) }
            reply = ["status": "error", "execution_count": .int(count), "ename": .string(error.name),
                     "evalue": .string(error.value), "traceback": .array(error.traceback.map(JSONValue.string)),
                     "payload": .array(context.payloads), "user_expressions": [:]]
        }
        // Anything the engine still writes through this context (from a stray thread) would land
        // after idle, in no cell: it is dropped instead.
        context.finish()
        // The requests to abort are those queued before the front-end can know of the error:
        // taken now, before the reply goes out, so a request sent in answer to it is never aborted.
        let aborted = failed && stopOnError ? evaluatorQueue.removeQueuedExecutes() : []
        shellOutbox.post(.send(factory.reply(to: request, type: "execute_reply", content: reply,
                                             metadata: ["started": .string(started), "status": reply["status"] ?? "ok"])))
        endCell(request)
        abort(aborted, count: count)
    }

    /// Replies `error` (ename ExecutionAborted) to execute requests that were queued behind a
    /// failed cell: the spec's status since 5.1, and the one every validator accepts ("aborted"
    /// fails some).
    private func abort(_ requests: [Message], count: Int) {
        for request in requests {
            publisher.status("busy", parent: request)
            shellOutbox.post(.send(factory.reply(to: request, type: "execute_reply", content: [
                "status": "error", "execution_count": .int(count), "ename": "ExecutionAborted",
                "evalue": "not run: an earlier cell raised an error (stop_on_error)", "traceback": [],
                "payload": [], "user_expressions": [:],
            ], metadata: ["status": "error"])))
            publisher.status("idle", parent: request)
        }
    }

    /// Evaluates `user_expressions` after a successful cell: each name maps to the expression's
    /// display bundle, or to its error.
    private func evaluateUserExpressions(_ expressions: JSONValue?, request: Message, count: Int) -> JSONValue {
        guard let pairs = expressions?.objectValue, !pairs.isEmpty else { return [:] }
        var results: [(String, JSONValue)] = []
        for (name, expression) in pairs {
            let context = KernelExecutionContext(server: self, request: request, executionCount: count,
                                                 silent: true, allowStdin: false)
            switch engine.execute(expression.stringValue ?? "", context: context) {
            case .success(let result):
                results.append((name, ["status": "ok", "data": .object(result?.data ?? [("text/plain", "")]),
                                       "metadata": .object(result?.metadata ?? [])]))
            case .failure(let error):
                results.append((name, ["status": "error", "ename": .string(error.name), "evalue": .string(error.value),
                                       "traceback": .array(error.traceback.map(JSONValue.string))]))
            }
            context.finish()
        }
        return .object(results)
    }

    private func handleComm(_ message: Message) {
        beginCell(message)
        publisher.status("busy", parent: message)
        let content = message.content
        let id = content["comm_id"]?.stringValue ?? ""
        let data = content["data"] ?? [:]
        // Handlers run with a context of their own, so what they print reaches the front-end
        // parented to this comm message.
        let context = KernelExecutionContext(server: self, request: message, executionCount: executionCount,
                                             silent: false, allowStdin: false)
        engine.withContext(context) {
            switch message.type {
            case "comm_open":
                let target = content["target_name"]?.stringValue ?? ""
                if let handler = comms.handler(for: target), !id.isEmpty {
                    let comm = makeComm(id: id, target: target)
                    comms.add(comm)
                    handler(comm, data, message.buffers)
                } else {
                    publisher.publish("comm_close", ["comm_id": .string(id), "data": [:]], parent: message)
                }
            case "comm_msg":
                comms.comm(id)?.onMessage?(data, message.buffers)
            default:
                if let comm = comms.comm(id) {
                    comms.remove(id)
                    comm.closedByFrontEnd(data)
                }
            }
        }
        context.finish()
        endCell(message)
    }

    /// A comm whose messages belong to whatever request the evaluator is handling when sent.
    func makeComm(id: String, target: String) -> Comm {
        Comm(id: id, targetName: target, outlet: { [weak self] type, content, metadata, buffers in
            guard let self else { return }
            let parent = self.stateLock.withLock { self.running }
            publisher.publish(type, content, parent: parent, metadata: metadata, buffers: buffers)
        }, closed: { [weak self] in self?.comms.remove(id) })
    }

    /// Sends input_request on stdin (routed like the execute request, whose client's shell and
    /// stdin sockets share one identity) and waits for the matching input_reply, staying
    /// responsive to interrupts and shutdown.
    func readInput(prompt: String, password: Bool, request: Message) throws -> String {
        guard let socket = stdinSocket else { throw InputError.shuttingDown }
        // Output printed before the prompt must reach the front-end first.
        publisher.waitUntilSent()
        let inputRequest = factory.message(type: "input_request",
                                           content: ["prompt": .string(prompt), "password": .bool(password)],
                                           parent: request, routeToSender: true)
        // Drop stale replies to an earlier, interrupted prompt.
        while let _ = try? socket.receive(wait: false) {}
        try? socket.send(codec.encode(inputRequest))
        var items = [ZMQ.pollItem(socket: socket)]
        while true {
            if isInterrupted { throw InputError.interrupted }
            if isStopping { throw InputError.shuttingDown }
            items[0].revents = 0
            guard ZMQ.poll(&items, timeout: 50) > 0 else { continue }
            while let frames = try? socket.receive(wait: false) {
                guard let reply = decode(frames, channel: "stdin"), reply.type == "input_reply" else { continue }
                if let parentId = reply.parentHeader["msg_id"]?.stringValue, parentId != inputRequest.id { continue }
                return reply.content["value"]?.stringValue ?? ""
            }
        }
    }
}

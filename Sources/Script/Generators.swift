import Foundation
/// The hand-off between a generator's body, which runs on its own thread, and its consumer.
/// Exactly one of the two threads runs at any time, so interpreter state needs no locks.
final class GeneratorState {
    // Spinning before sleeping was tried and lost on a busy machine: plain semaphores.
    let resumeSem = DispatchSemaphore(value: 0)
    let yieldSem = DispatchSemaphore(value: 0)
    var sent: Value = .none
    var yielded: Value = .none
    var finished = false
    var error: Error? = nil
    var abandon = false
    var throwIn: PyError? = nil

    /// Called on the generator's thread: hands `v` to the consumer and waits to be resumed.
    func yield(_ v: Value) throws -> Value {
        yielded = v
        let myDepth = Interp.depth
        yieldSem.signal()
        resumeSem.wait()
        Interp.depth = myDepth
        if abandon { throw Interp.error("GeneratorExit", nil) }
        if let t = throwIn { throwIn = nil; throw t }
        return sent
    }
}

/// A thread that runs generator bodies one after another; idle workers are kept in a small
/// pool because creating a thread costs far more than handing one a job.
final class GeneratorWorker {
    let wake = DispatchSemaphore(value: 0)
    var job: (() -> Void)? = nil
    var done: (() -> Void)? = nil
    static let lock = NSLock()
    nonisolated(unsafe) static var idle: [GeneratorWorker] = []
    static let maxIdle = 32

    /// Runs `job` on a worker, then `then` after the worker is back in the pool.
    static func run(_ job: @escaping () -> Void, then: @escaping () -> Void) {
        lock.lock()
        let w = idle.popLast()
        lock.unlock()
        if let w = w { w.job = job; w.done = then; w.wake.signal(); return }
        let worker = GeneratorWorker()
        worker.job = job
        worker.done = then
        let t = Thread { worker.loop() }
        t.stackSize = 256 << 20
        t.start()
        worker.wake.signal()
    }

    func loop() {
        while true {
            wake.wait()
            job?()
            job = nil
            let finish = done
            done = nil
            GeneratorWorker.lock.lock()
            let keep = GeneratorWorker.idle.count < GeneratorWorker.maxIdle
            if keep { GeneratorWorker.idle.append(self) }
            GeneratorWorker.lock.unlock()
            finish?()
            if !keep { return }
        }
    }
}

/// Number of generator bodies currently suspended on their own threads.
nonisolated(unsafe) var liveGeneratorThreads = 0

/// A generator object created by calling a function that contains `yield`.
final class PyGenerator: PyObject {
    let state = GeneratorState()
    var frame: Frame?
    var started = false
    var running = false
    var returnValue: Value = .none
    /// Set when the body can run on the consumer's thread.
    var runner: ResumableRunner? = nil
    init(_ frame: Frame) {
        self.frame = frame
        super.init()
        if frame.code.resumable { runner = ResumableRunner(frame) } else { frame.generator = state }
    }

    func resumeInline(_ r: ResumableRunner, _ send: Value, throwing: PyError?) throws -> Value? {
        if running { throw Interp.valueError("generator already executing") }
        if !started && !send.isNone && throwing == nil { throw Interp.typeError("can't send non-None value to a just-started generator") }
        started = true
        running = true
        defer { running = false }
        let v = try r.resume(send, throwing: throwing)
        if v == nil { returnValue = r.returnValue }
        return v
    }
    override var pyClass: PyClass { Builtins.generatorClass }

    func start() {
        guard let frame = frame else { return }
        let state = self.state
        liveGeneratorThreads += 1
        GeneratorWorker.run({
            do { _ = try Interp.runFrame(frame) } catch { state.error = error }
            state.yielded = frame.retval
            state.finished = true
        }, then: { state.yieldSem.signal() })
    }

    /// Runs the body until its next yield; nil when it returns (its value is in `returnValue`).
    func resume(send: Value) throws -> Value? {
        if let r = runner { return try resumeInline(r, send, throwing: nil) }
        if state.finished { return nil }
        if running { throw Interp.valueError("generator already executing") }
        let depth = Interp.depth
        running = true
        defer { running = false; Interp.depth = depth }
        if !started {
            if !send.isNone && state.throwIn == nil { throw Interp.typeError("can't send non-None value to a just-started generator") }
            started = true
            start()
        } else {
            state.sent = send
            state.resumeSem.signal()
        }
        state.yieldSem.wait()
        if state.finished {
            liveGeneratorThreads -= 1
            frame = nil
            if let e = state.error { state.error = nil; throw e }
            returnValue = state.yielded
            return nil
        }
        return state.yielded
    }

    func method(_ name: String, _ a: [Value]) throws -> Value? {
        switch name {
        case "__next__", "send":
            if let v = try resume(send: name == "send" ? (a.first ?? Value.none) : .none) { return v }
            throw returnValue.isNone ? Interp.error("StopIteration", nil) : Interp.error("StopIteration", args: [returnValue])
        case "__iter__": return .obj(self)
        case "close":
            if let r = runner { r.finished = true; return Value.none }
            if !started || state.finished { state.finished = true; return Value.none }
            state.throwIn = Interp.error("GeneratorExit", nil)
            do {
                if try resume(send: .none) != nil { throw Interp.error("RuntimeError", "generator ignored GeneratorExit") }
            } catch let e as PyError where e.exc.cls === Builtins.exceptionClass("GeneratorExit") || e.exc.cls === Builtins.exceptionClass("StopIteration") {}
            return Value.none
        case "throw":
            let exc = try Interp.makeException(a.first ?? Value.none)
            if let r = runner {
                if let v = try resumeInline(r, .none, throwing: PyError(exc)) { return v }
                throw Interp.error("StopIteration", nil)
            }
            if !started { state.finished = true; throw PyError(exc) }
            state.throwIn = PyError(exc)
            if let v = try resume(send: .none) { return v }
            throw Interp.error("StopIteration", nil)
        default: return nil
        }
    }

    deinit {
        // A suspended body is unwound (running its finally blocks) so its thread ends.
        if runner == nil && started && !state.finished {
            state.abandon = true
            state.resumeSem.signal()
            state.yieldSem.wait()
            liveGeneratorThreads -= 1
        }
    }
}

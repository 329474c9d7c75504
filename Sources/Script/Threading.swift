import Foundation

/// `threading`, as far as streaming generation needs it: `Thread(target=model.generate,
/// kwargs=...)` runs a native function (a library call such as `generate`) on a real thread
/// while the script iterates a `TextIteratorStreamer`. The interpreter itself is single-
/// threaded, so a target written in the script language runs to completion inside `start()`.
enum Threading {
    static func make() -> PyModule {
        PyModule("threading", [
            "Thread": ScriptBridge.function("Thread", doc: "Thread(target=None, args=(), kwargs=None, name=None, daemon=None): runs target(*args, **kwargs) when started.") { args, kwargs in
                var values: [String: Value] = [:]
                for (i, v) in args.enumerated() where i < 5 { values[["group", "target", "name", "args", "kwargs"][i]] = v }
                for (k, v) in kwargs { values[k] = v }
                let known: Set = ["group", "target", "name", "args", "kwargs", "daemon"]
                if let bad = values.keys.first(where: { !known.contains($0) }) {
                    throw ScriptBridge.error("TypeError", "Thread.__init__() got an unexpected keyword argument '\(bad)'")
                }
                return ScriptBridge.wrap(ThreadObject(target: values["target"] ?? .none, args: values["args"] ?? .tuple([]),
                                                      kwargs: values["kwargs"] ?? .none, name: values["name"]))
            },
        ], doc: "Threads: a native target (model.generate) runs concurrently; a script target runs inside start().")
    }
}

final class ThreadObject: NativeObject {
    let target: Value, args: Value, kwargs: Value
    let name: String
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    private var started = false, finished = false
    private var failure: Error?
    private let lock = NSLock()
    nonisolated(unsafe) static var counter = 0

    init(target: Value, args: Value, kwargs: Value, name: Value?) {
        self.target = target; self.args = args; self.kwargs = kwargs
        ThreadObject.counter += 1
        if case .str(let s)? = name { self.name = s } else { self.name = "Thread-\(ThreadObject.counter)" }
    }

    var typeName: String { "Thread" }
    var doc: String? { "A thread: start(), join(), is_alive()." }
    var attributeNames: [String] { ["start", "join", "is_alive", "name"] }

    func run() throws {
        if target.isNone { return }
        let positional = try ScriptBridge.array(args)
        let keywords = try Interp.mappingItems(kwargs)?.map { (try ScriptBridge.string($0.0), $0.1) } ?? []
        _ = try ScriptBridge.call(target, positional, keywords)
    }

    func getAttribute(_ name: String) throws -> Value? {
        switch name {
        case "name": return .str(self.name)
        case "start":
            return ScriptBridge.function("start") { [unowned self] _, _ in
                guard !self.started else { throw ScriptBridge.error("RuntimeError", "threads can only be started once") }
                self.started = true
                if case .obj(let o) = self.target, o is PyBuiltin {
                    let thread = Thread { [self] in
                        do { try self.run() } catch { self.lock.lock(); self.failure = error; self.lock.unlock() }
                        self.lock.lock(); self.finished = true; self.lock.unlock()
                        self.done.signal()
                    }
                    thread.stackSize = 1 << 26
                    self.thread = thread
                    thread.start()
                } else {
                    defer { self.finished = true; self.done.signal() }
                    try self.run()
                }
                return .none
            }
        case "join":
            return ScriptBridge.function("join") { [unowned self] args, _ in
                guard self.started else { throw ScriptBridge.error("RuntimeError", "cannot join thread before it is started") }
                let timeout = try args.first.flatMap { $0.isNone ? nil : try ScriptBridge.double($0) }
                let deadline = timeout.map { Date().addingTimeInterval($0) }
                while true {
                    self.lock.lock(); let isDone = self.finished; self.lock.unlock()
                    if isDone { break }
                    if let deadline, Date() >= deadline { return .none }
                    try ScriptBridge.checkCancellation()
                    _ = self.done.wait(timeout: .now() + 0.05)
                }
                self.lock.lock(); let error = self.failure; self.failure = nil; self.lock.unlock()
                if let error {
                    // Python prints a thread's exception instead of raising it in join().
                    Runtime.sink.write("Exception in thread \(self.name):\n\(Self.describe(error))\n", to: .stderr)
                }
                return .none
            }
        case "is_alive":
            return ScriptBridge.function("is_alive") { [unowned self] _, _ in
                self.lock.lock(); defer { self.lock.unlock() }
                return .bool(self.started && !self.finished)
            }
        default:
            return nil
        }
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? PyError { return Traceback.lastLine(e.exc) }
        return "\(error)"
    }
}

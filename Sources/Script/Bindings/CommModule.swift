import Display
import Foundation

/// The `comm` module (the API of Jupyter's `comm` package, also as `ipykernel.comm`): scripts
/// open comms to front-end objects (`create_comm(target_name=..., data=...)` or
/// `Comm(target_name=..., data=...)`), send and receive messages (`send`, `on_msg`), close them,
/// and accept comms the front-end opens (`get_comm_manager().register_target(name, f)`).
/// Where the front-end has no comms (the REPL, `apus run`) a comm is a silent stand-in, as the
/// package's own DummyComm.
enum CommModule {
    nonisolated(unsafe) static var registered = false

    static func register() {
        guard !registered else { return }
        registered = true
        let doc = "Comms between scripts and front-end objects (Jupyter's comm API, Apus's own implementation)."
        let names: [String: Value] = [
            "Comm": .obj(commClass), "create_comm": createComm, "get_comm_manager": getCommManager,
            "CommManager": .obj(managerClass),
        ]
        Modules.register("comm") { PyModule("comm", names, doc: doc) }
        Modules.register("ipykernel.comm") { PyModule("ipykernel.comm", names, doc: doc) }
        Modules.register("ipykernel") { PyModule("ipykernel", ["comm": try Modules.importModule("ipykernel.comm")]) }
    }

    /// The Swift end of a script comm, kept on the instance.
    final class Channel: NativeObject {
        let channel: CommChannel?
        init(_ channel: CommChannel?) { self.channel = channel }
        var typeName: String { "CommChannel" }
        func getAttribute(_ name: String) throws -> Value? { nil }
    }

    static func channel(_ this: PyInstance) -> CommChannel? {
        guard let v = this.attrs["_channel"] else { return nil }
        return ScriptBridge.unwrap(v, as: Channel.self)?.channel
    }

    static let commSignature = "target_name='comm', data=None, metadata=None, buffers=None, comm_id=None, primary=True, target_module=None"

    static let createComm = Bindings.function("create_comm", commSignature, doc: """
        Open a comm to the front-end object registered for target_name, sending data with the
        comm_open message. Returns the Comm.
        """) { a in
        try Interp.call(.obj(commClass), [], [("target_name", a["target_name"]), ("data", a["data"]),
                                              ("metadata", a["metadata"]), ("comm_id", a["comm_id"]),
                                              ("primary", a["primary"])])
    }

    /// The message dict a comm callback receives, shaped like the Jupyter message it came in.
    static func message(type: String, commId: String, data: JSONValue) -> Value {
        ScriptBridge.dict([
            ("header", ScriptBridge.dict([("msg_type", .str(type))])), ("msg_type", .str(type)),
            ("parent_header", .obj(PyDict())), ("metadata", .obj(PyDict())),
            ("content", ScriptBridge.dict([("comm_id", .str(commId)), ("data", ScriptJSON.value(data))])),
            ("buffers", .list([])),
        ])
    }

    /// Calls a script callback from the front-end's side; its error is reported on stderr, as
    /// a kernel logs a failing comm handler, and the session goes on.
    static func callback(_ f: Value, _ args: [Value]) {
        do { _ = try Interp.call(f, args) } catch let e as PyError {
            Runtime.sink.write("Exception in comm callback:\n" + Traceback.format(e.exc), to: .stderr)
        } catch {
            Runtime.sink.write("Exception in comm callback: \(error)\n", to: .stderr)
        }
        Runtime.sink.flush()
    }

    /// Wires a channel's incoming messages and close to the instance's callbacks.
    static func attach(_ this: PyInstance, _ channel: CommChannel?) {
        this.attrs["_channel"] = ScriptBridge.wrap(Channel(channel))
        guard let channel else { return }
        // Strong references, as a kernel's comm manager holds its comms: a script need not
        // keep the Comm for its callbacks to run.
        channel.onMessage = { data in
            guard let f = this.attrs["_msg_callback"], !f.isNone else { return }
            callback(f, [message(type: "comm_msg", commId: channel.commId, data: data)])
        }
        channel.onClose = { data in
            this.attrs["_closed"] = .bool(true)
            if let f = this.attrs["_close_callback"], !f.isNone {
                callback(f, [message(type: "comm_close", commId: channel.commId, data: data)])
            }
        }
    }

    static let commClass: PyClass = {
        let c = PyClass(name: "Comm", base: Builtins.objectClass, dict: [
            "__init__": IPythonDisplay.method("__init__", commSignature) { this, a in
                let target = try a.string("target_name")
                let data = try a.isNone("data") ? JSONValue.object([]) : ScriptJSON.json(a["data"])
                let metadata = try a.isNone("metadata") ? JSONValue.object([]) : ScriptJSON.json(a["metadata"])
                this.attrs["target_name"] = .str(target)
                this.attrs["_closed"] = .bool(false)
                this.attrs["_msg_callback"] = Value.none
                this.attrs["_close_callback"] = Value.none
                // A comm built for a front-end's comm_open (primary=False) is attached by the manager.
                guard try a.bool("primary") else {
                    this.attrs["comm_id"] = a.isNone("comm_id") ? .str(IPythonDisplay.newDisplayId()) : a["comm_id"]
                    return .none
                }
                let channel = (Runtime.sink as? RichOutputSink)?.openComm(target: target, data: data, metadata: metadata)
                this.attrs["comm_id"] = channel.map { .str($0.commId) }
                    ?? (a.isNone("comm_id") ? .str(IPythonDisplay.newDisplayId()) : a["comm_id"])
                attach(this, channel)
                return .none
            },
            "__repr__": IPythonDisplay.method("__repr__", "") { this, _ in
                .str("<Comm target_name=\(try Interp.repr(this.attrs["target_name"] ?? .none)) comm_id=\(try Interp.repr(this.attrs["comm_id"] ?? .none))>")
            },
            "send": IPythonDisplay.method("send", "data=None, metadata=None, buffers=None", doc: "Send data to the front-end (comm_msg).") { this, a in
                guard case .bool(false)? = this.attrs["_closed"] else { return .none }
                channel(this)?.send(a.isNone("data") ? [:] : try ScriptJSON.json(a["data"]),
                                    metadata: a.isNone("metadata") ? [:] : try ScriptJSON.json(a["metadata"]))
                return .none
            },
            "close": IPythonDisplay.method("close", "data=None, metadata=None, buffers=None", doc: "Close the comm (comm_close).") { this, a in
                guard case .bool(false)? = this.attrs["_closed"] else { return .none }
                this.attrs["_closed"] = .bool(true)
                channel(this)?.close(a.isNone("data") ? [:] : try ScriptJSON.json(a["data"]))
                return .none
            },
            "on_msg": IPythonDisplay.method("on_msg", "callback", doc: "Call callback(msg) for each message from the front-end; msg['content']['data'] holds the data.") { this, a in
                this.attrs["_msg_callback"] = a["callback"]
                return .none
            },
            "on_close": IPythonDisplay.method("on_close", "callback", doc: "Call callback(msg) when the front-end closes the comm.") { this, a in
                this.attrs["_close_callback"] = a["callback"]
                return .none
            },
        ])
        c.module = "comm.base_comm"
        c.doc = "A comm: a channel of JSON messages between a script and a front-end object."
        return c
    }()

    static let managerClass: PyClass = {
        let c = PyClass(name: "CommManager", base: Builtins.objectClass, dict: [
            "register_target": IPythonDisplay.method("register_target", "target_name, f", doc: """
                Call f(comm, open_msg) whenever the front-end opens a comm to target_name.
                """) { _, a in
                let target = try a.string("target_name")
                let f = a["f"]
                guard let sink = Runtime.sink as? RichOutputSink else { return .none }
                _ = sink.registerCommTarget(target) { channel, data in
                    do {
                        let comm = try Interp.call(.obj(commClass), [], [("target_name", .str(target)), ("primary", .bool(false)),
                                                                        ("comm_id", .str(channel.commId))])
                        guard case .obj(let o) = comm, let instance = o as? PyInstance else { return }
                        attach(instance, channel)
                        callback(f, [comm, message(type: "comm_open", commId: channel.commId, data: data)])
                    } catch let e as PyError {
                        Runtime.sink.write("Exception opening comm:\n" + Traceback.format(e.exc), to: .stderr)
                    } catch {}
                }
                return .none
            },
        ])
        c.module = "comm.base_comm"
        c.doc = "Registers the comm targets front-ends may open."
        return c
    }()

    static let manager: Value = .obj(PyInstance(managerClass))

    static let getCommManager = Bindings.function("get_comm_manager", "", doc: "The session's comm manager.") { _ in manager }
}

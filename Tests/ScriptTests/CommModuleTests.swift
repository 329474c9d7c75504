import XCTest
import Display
@testable import Script

/// A front-end end of a comm that records what the script sends.
final class RecordingCommChannel: CommChannel {
    let commId: String
    let targetName: String
    var sent: [JSONValue] = []
    var closedWith: JSONValue? = nil
    var onMessage: ((JSONValue) -> Void)?
    var onClose: ((JSONValue) -> Void)?
    init(id: String, target: String) { commId = id; targetName = target }
    func send(_ data: JSONValue, metadata: JSONValue) { sent.append(data) }
    func close(_ data: JSONValue) { closedWith = data }
}

/// A sink with comms: records opened comms and registered targets.
final class CommRecordingSink: RichOutputSink {
    var stdout = "", stderr = ""
    var opened: [(target: String, data: JSONValue, channel: RecordingCommChannel)] = []
    var targets: [String: (CommChannel, JSONValue) -> Void] = [:]
    func write(_ text: String, to stream: StreamKind) { if stream == .stdout { stdout += text } else { stderr += text } }
    func flush() {}
    func display(_ bundle: MimeBundle, displayId: String?) {}
    func updateDisplay(_ bundle: MimeBundle, displayId: String) {}
    func clearOutput(wait: Bool) {}
    func openComm(target: String, data: JSONValue, metadata: JSONValue) -> CommChannel? {
        let channel = RecordingCommChannel(id: "c\(opened.count)", target: target)
        opened.append((target, data, channel))
        return channel
    }
    func registerCommTarget(_ target: String, handler: @escaping (CommChannel, JSONValue) -> Void) -> Bool {
        targets[target] = handler
        return true
    }
}

final class CommModuleTests: XCTestCase {
    func testScriptCommSendsReceivesAndCloses() throws {
        let sink = CommRecordingSink()
        let engine = Engine(sink: sink)
        var r = engine.execute("""
            from comm import create_comm, Comm
            c = create_comm(target_name='t', data={'a': [1, 2.5]})
            c.on_msg(lambda msg: print(msg['content']['data']['n'] * 2))
            c.send({'x': None})
            d = Comm(target_name='u')
            (c.comm_id, c.target_name, d.comm_id)
            """, cellName: "<t>", displayLastExpression: true)
        XCTAssertNil(r.traceback, r.traceback ?? "")
        XCTAssertEqual(r.valueRepr, "('c0', 't', 'c1')")
        XCTAssertEqual(sink.opened.map(\.target), ["t", "u"])
        XCTAssertEqual(sink.opened[0].data, ["a": [1, 2.5]])
        let channel = sink.opened[0].channel
        XCTAssertEqual(channel.sent, [["x": nil]])
        channel.onMessage?(["n": 21])
        XCTAssertEqual(sink.stdout, "42\n")
        r = engine.execute("c.close({'bye': 1})\nc.send({'late': 1})", cellName: "<t>")
        XCTAssertNil(r.traceback, r.traceback ?? "")
        XCTAssertEqual(channel.closedWith, ["bye": 1])
        XCTAssertEqual(channel.sent.count, 1)
    }

    func testFrontEndOpensACommToARegisteredTarget() throws {
        let sink = CommRecordingSink()
        let engine = Engine(sink: sink)
        let r = engine.execute("""
            from comm import get_comm_manager
            seen = []
            def opened(comm, msg):
                seen.append(msg['content']['data'])
                comm.send({'hello': comm.comm_id})
            get_comm_manager().register_target('echo', opened)
            """, cellName: "<t>")
        XCTAssertNil(r.traceback, r.traceback ?? "")
        let channel = RecordingCommChannel(id: "front", target: "echo")
        sink.targets["echo"]?(channel, ["k": "v"])
        XCTAssertEqual(channel.sent, [["hello": "front"]])
        XCTAssertEqual(engine.execute("seen", cellName: "<t>", displayLastExpression: true).valueRepr, "[{'k': 'v'}]")
    }

    func testCallbackErrorsAreReportedNotThrown() throws {
        let sink = CommRecordingSink()
        let engine = Engine(sink: sink)
        _ = engine.execute("from comm import create_comm\nc = create_comm(target_name='t')\nc.on_msg(lambda m: 1 / 0)", cellName: "<t>")
        sink.opened[0].channel.onMessage?([:])
        XCTAssertTrue(sink.stderr.contains("ZeroDivisionError"), sink.stderr)
    }

    func testWithoutAFrontEndCommsAreSilent() throws {
        let sink = CaptureSink()
        let engine = Engine(sink: sink)
        let r = engine.execute("from comm import create_comm\nc = create_comm(target_name='t', data={'a': 1})\nc.send({'b': 2})\nc.close()\nlen(c.comm_id)",
                               cellName: "<t>", displayLastExpression: true)
        XCTAssertNil(r.traceback, r.traceback ?? "")
        XCTAssertEqual(r.valueRepr, "32")
        XCTAssertEqual(sink.stdout + sink.stderr, "")
    }

    func testNonJSONDataIsATypeError() throws {
        let engine = Engine(sink: CommRecordingSink())
        let r = engine.execute("from comm import create_comm\ncreate_comm(target_name='t', data={'f': len})", cellName: "<t>")
        XCTAssertEqual(r.errorName, "TypeError", r.traceback ?? "")
    }
}

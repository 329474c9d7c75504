import XCTest
import Display
@testable import Kernel

/// The wire layer: connection files, HMAC signing and verification, framing, headers.
final class WireFormatTests: XCTestCase {
    let factory = MessageFactory(session: "kernel-session", username: "tester")

    func makeCodec(_ key: String) throws -> WireCodec { WireCodec(signer: try MessageSigner(key: key)) }

    func testSignatureIsHexHMACSHA256OverTheFourFrames() throws {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?" split over frames.
        let signer = try MessageSigner(key: "Jefe")
        let parts = ["what do ", "ya want ", "for ", "nothing?"].map { Data($0.utf8) }
        XCTAssertEqual(String(decoding: signer.signature(parts), as: UTF8.self),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testEncodedMessageDecodesWithTheSameKey() throws {
        let codec = try makeCodec("secret")
        var message = factory.message(type: "execute_request", content: ["code": "1+1", "silent": false], parent: nil)
        message.identities = [Data("client-1".utf8)]
        message.buffers = [Data([0, 1, 2])]
        let frames = codec.encode(message)
        XCTAssertEqual(frames[1], WireCodec.delimiter)
        XCTAssertEqual(frames[2].count, 64)
        let decoded = try codec.decode(frames)
        XCTAssertEqual(decoded.identities, [Data("client-1".utf8)])
        XCTAssertEqual(decoded.header, message.header)
        XCTAssertEqual(decoded.content, message.content)
        XCTAssertEqual(decoded.buffers, [Data([0, 1, 2])])
    }

    func testWrongKeyIsRejected() throws {
        let frames = try makeCodec("right").encode(factory.message(type: "kernel_info_request", content: [:], parent: nil))
        XCTAssertThrowsError(try makeCodec("wrong").decode(frames)) { XCTAssertEqual($0 as? WireError, .badSignature) }
    }

    func testUnsignedMessageIsRejectedBySigningKernel() throws {
        var frames = try makeCodec("key").encode(factory.message(type: "kernel_info_request", content: [:], parent: nil))
        frames[1] = Data()  // the signature frame (no identities)
        XCTAssertThrowsError(try makeCodec("key").decode(frames)) { XCTAssertEqual($0 as? WireError, .badSignature) }
    }

    func testSignatureCoversTheBytesAsReceived() throws {
        // Same JSON meaning, different spacing: the signature no longer matches.
        let codec = try makeCodec("key")
        var frames = codec.encode(factory.message(type: "kernel_info_request", content: ["a": 1], parent: nil))
        frames[frames.count - 1] = Data("{\"a\": 1}".utf8)
        XCTAssertThrowsError(try codec.decode(frames)) { XCTAssertEqual($0 as? WireError, .badSignature) }
    }

    func testReplayedMessageIsRejected() throws {
        let codec = try makeCodec("key")
        let frames = codec.encode(factory.message(type: "kernel_info_request", content: [:], parent: nil))
        _ = try codec.decode(frames)
        XCTAssertThrowsError(try codec.decode(frames)) { XCTAssertEqual($0 as? WireError, .duplicateSignature) }
    }

    func testEmptyKeyTurnsSigningOff() throws {
        let codec = try makeCodec("")
        XCTAssertFalse(codec.signer.isSigning)
        var frames = codec.encode(factory.message(type: "kernel_info_request", content: [:], parent: nil))
        XCTAssertEqual(frames[1], Data())
        frames[1] = Data("anything".utf8)
        XCTAssertEqual(try codec.decode(frames).type, "kernel_info_request")
    }

    func testMalformedFramesAreErrorsNotCrashes() throws {
        let codec = try makeCodec("key")
        XCTAssertThrowsError(try codec.decode([Data("id".utf8), Data("{}".utf8)])) {
            XCTAssertEqual($0 as? WireError, .missingDelimiter)
        }
        XCTAssertThrowsError(try codec.decode([WireCodec.delimiter, Data(), Data("{}".utf8)])) {
            XCTAssertEqual($0 as? WireError, .missingFrames(2))
        }
        let signer = try MessageSigner(key: "key")
        for bad in ["{\"msg_type\": ", "[1, 2]", "\u{FF}garbage", "{}"] {
            let parts = [Data(bad.utf8), Data("{}".utf8), Data("{}".utf8), Data("{}".utf8)]
            XCTAssertThrowsError(try codec.decode([WireCodec.delimiter, signer.signature(parts)] + parts)) { error in
                guard case .malformedJSON(part: "header", _)? = error as? WireError else {
                    return XCTFail("expected malformed header, got \(error)")
                }
            }
        }
    }

    func testUnsupportedSignatureSchemeIsRefused() {
        XCTAssertThrowsError(try MessageSigner(scheme: "hmac-md5", key: "k")) {
            XCTAssertEqual($0 as? KernelError, .unsupportedSignatureScheme("hmac-md5"))
        }
    }

    func testHeaderHasFreshIdOwnSessionUTCDateAndVersion() throws {
        let a = factory.header(type: "status"), b = factory.header(type: "status")
        XCTAssertNotEqual(a["msg_id"], b["msg_id"])
        XCTAssertEqual(a["session"], "kernel-session")
        XCTAssertEqual(a["username"], "tester")
        XCTAssertEqual(a["version"], "5.5")
        XCTAssertEqual(a["msg_type"], "status")
        let date = try XCTUnwrap(a["date"]?.stringValue)
        XCTAssertNotNil(date.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#, options: .regularExpression), date)
    }

    func testReplyCarriesRequestIdentitiesAndHeaderAsParent() throws {
        let client = MessageFactory(session: "client-session", username: "user")
        var request = client.message(type: "kernel_info_request", content: [:], parent: nil)
        request.identities = [Data("route".utf8)]
        let reply = factory.reply(to: request, type: "kernel_info_reply", content: ["status": "ok"])
        XCTAssertEqual(reply.identities, request.identities)
        XCTAssertEqual(reply.parentHeader, request.header)
        XCTAssertEqual(reply.header["session"], "kernel-session")
    }

    func testConnectionFileParsesTCP() throws {
        let info = try ConnectionInfo(json: JSONValue.parse("""
            {"transport":"tcp","ip":"127.0.0.1","shell_port":57503,"iopub_port":40885,"stdin_port":52597,
             "control_port":50160,"hb_port":42540,"signature_scheme":"hmac-sha256","key":"a0436f6c-1916","kernel_name":"apus"}
            """))
        XCTAssertEqual(info.shellPort, 57503)
        XCTAssertEqual(info.heartbeatPort, 42540)
        XCTAssertEqual(info.key, "a0436f6c-1916")
        XCTAssertEqual(info.kernelName, "apus")
        XCTAssertEqual(info.endpoint(for: .control), "tcp://127.0.0.1:50160")
        XCTAssertEqual(try ConnectionInfo(json: info.json), info)
    }

    func testConnectionFileParsesIPC() throws {
        let info = try ConnectionInfo(json: JSONValue.parse("""
            {"transport":"ipc","ip":"/tmp/kernel-x","shell_port":1,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5,"key":""}
            """))
        XCTAssertEqual(info.endpoint(for: .iopub), "ipc:///tmp/kernel-x-2")
        XCTAssertEqual(info.key, "")
    }

    func testBadConnectionFilesAreDescribed() {
        XCTAssertThrowsError(try ConnectionInfo(json: ["transport": "udp"])) {
            XCTAssertEqual("\($0)", "connection file: unsupported transport 'udp' (expected tcp or ipc)")
        }
        XCTAssertThrowsError(try ConnectionInfo(json: ["shell_port": "x"]))
        XCTAssertThrowsError(try ConnectionInfo(json: ["shell_port": 70000]))
        XCTAssertThrowsError(try ConnectionInfo(contentsOf: "/nonexistent/connection.json"))
    }

    func testHistoryGlobMatchesLikeSQLiteGlob() {
        XCTAssertTrue(GlobPattern("6?7").matches("6*7"))
        XCTAssertFalse(GlobPattern("6?7").matches("6*77"))
        XCTAssertTrue(GlobPattern("*print*").matches("x = 1\nprint(x)"))
        XCTAssertTrue(GlobPattern("[a-c]x").matches("bx"))
        XCTAssertFalse(GlobPattern("[^a-c]x").matches("bx"))
        XCTAssertTrue(GlobPattern("a[b").matches("a[b"))
    }

    func testHistoryTailRangeSearchAndUnique() {
        let history = ExecutionHistory()
        for (line, code) in ["6*7", "1+1", "6*7", "print hi"].enumerated() {
            history.record(line: line + 1, input: code, output: code == "print hi" ? nil : "x")
        }
        func inputs(_ request: JSONValue) -> [String] {
            (history.reply(to: request)["history"]?.arrayValue ?? []).compactMap { $0.arrayValue?[2].stringValue }
        }
        XCTAssertEqual(inputs(["hist_access_type": "tail", "n": 2]), ["6*7", "print hi"])
        XCTAssertEqual(inputs(["hist_access_type": "range", "session": 1, "start": 2, "stop": 3]), ["1+1"])
        XCTAssertEqual(inputs(["hist_access_type": "search", "pattern": "6?7"]), ["6*7", "6*7"])
        XCTAssertEqual(inputs(["hist_access_type": "search", "pattern": "6?7", "unique": true]), ["6*7"])
        XCTAssertEqual(inputs(["hist_access_type": "search", "pattern": "*", "n": 3]), ["1+1", "6*7", "print hi"])
        let withOutput = history.reply(to: ["hist_access_type": "tail", "n": 1, "output": true])
        XCTAssertEqual(withOutput["history"], [[1, 4, ["print hi", nil]]])
    }

    /// The wire encoder writes exactly the bytes of JSONValue.serialized (escapes, UTF-8,
    /// astral characters, control characters, numbers, nesting, key order).
    func testWireEncodingMatchesSerializedJSON() {
        let value: JSONValue = [
            "text": .string("quote \" backslash \\ newline \n tab \t cr \r bell \u{7} nul \u{0} unit \u{1f} é 中 😀"),
            "numbers": [0, -17, 1.5, 2.0, 1e300, .double(.nan)],
            "nested": ["a": [true, false, nil], "": [:]],
            "empty": "",
        ]
        XCTAssertEqual(WireJSON.encode(value), Data(value.serialized.utf8))
    }

    /// Timestamps are ISO-8601 UTC with six fractional digits; message ids never repeat.
    func testTimestampsAndMessageIds() throws {
        let stamp = MessageFactory.timestamp()
        let pattern = try NSRegularExpression(pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z$")
        XCTAssertEqual(pattern.numberOfMatches(in: stamp, range: NSRange(stamp.startIndex..., in: stamp)), 1, stamp)
        let ids = (0..<1000).map { _ in MessageFactory.newMessageId() }
        XCTAssertEqual(Set(ids).count, ids.count)
    }
}

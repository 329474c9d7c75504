import Foundation
import Display

/// One Jupyter message: routing identities, the four JSON parts and optional binary buffers.
/// Parts decoded from the wire are kept as parsed JSON; the exact received bytes were already
/// used for the signature check and are not needed after it.
public struct Message: Sendable {
    /// ZeroMQ routing frames before `<IDS|MSG>` (replies on shell, control and stdin carry the
    /// request's identities back); on IOPub, the topic.
    public var identities: [Data]
    public var header: JSONValue
    /// The header of the request this message answers or belongs to, `{}` when none.
    public var parentHeader: JSONValue
    public var metadata: JSONValue
    public var content: JSONValue
    /// Raw frames after the content (comms and widgets use them); not signed.
    public var buffers: [Data]

    public init(identities: [Data] = [], header: JSONValue, parentHeader: JSONValue = [:],
                metadata: JSONValue = [:], content: JSONValue = [:], buffers: [Data] = []) {
        self.identities = identities
        self.header = header
        self.parentHeader = parentHeader
        self.metadata = metadata
        self.content = content
        self.buffers = buffers
    }

    /// `header.msg_type`, empty when absent.
    public var type: String { header["msg_type"]?.stringValue ?? "" }
    /// `header.msg_id`, empty when absent.
    public var id: String { header["msg_id"]?.stringValue ?? "" }
}

/// The kernel's side of a session: its own session id (new for each kernel process, which is how
/// clients notice a restart) and the headers of the messages it sends.
public struct MessageFactory: Sendable {
    /// The protocol version every header carries.
    public static let protocolVersion = "5.5"

    public let session: String
    public let username: String

    public init(session: String = UUID().uuidString.lowercased(), username: String? = nil) {
        self.session = session
        self.username = username ?? MessageFactory.currentUser()
    }

    static func currentUser() -> String {
        for name in ["USER", "LOGNAME"] {
            if let value = ProcessInfo.processInfo.environment[name], !value.isEmpty { return value }
        }
        return "apus"
    }

    /// A fresh header: new msg_id, this session, the current UTC time, version 5.5.
    public func header(type: String) -> JSONValue {
        [
            "msg_id": .string(MessageFactory.newMessageId()),
            "session": .string(session),
            "username": .string(username),
            "date": .string(MessageFactory.timestamp()),
            "msg_type": .string(type),
            "version": .string(MessageFactory.protocolVersion),
        ]
    }

    /// A message of `type` belonging to `parent` (a reply routed back to its sender when
    /// `routeToSender`, an IOPub side effect otherwise).
    public func message(type: String, content: JSONValue, parent: Message?, metadata: JSONValue = [:],
                        routeToSender: Bool = false, buffers: [Data] = []) -> Message {
        Message(identities: routeToSender ? parent?.identities ?? [] : [],
                header: header(type: type), parentHeader: parent?.header ?? [:],
                metadata: metadata, content: content, buffers: buffers)
    }

    /// The reply to `request`, routed back through its identities.
    public func reply(to request: Message, type: String, content: JSONValue, metadata: JSONValue = [:]) -> Message {
        message(type: type, content: content, parent: request, metadata: metadata, routeToSender: true)
    }

    /// ISO-8601 UTC with microseconds, e.g. `2026-11-26T22:43:05.123456Z`.
    public static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        // Digits by hand: String(format:) costs more than the rest of a header together.
        var text = [UInt8]()
        text.reserveCapacity(27)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var value = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                value %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4); text.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2); text.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2); text.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2); text.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2); text.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2); text.append(UInt8(ascii: "."))
        digits(Int(now.tv_nsec / 1000), 6); text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    /// A random prefix drawn once per process: ids are this prefix and a counter, unique like
    /// fresh UUIDs but without reading /dev/urandom (which UUID() opens each time) per message.
    private static let idPrefix = UUID().uuidString.lowercased()
    private static let idLock = NSLock()
    nonisolated(unsafe) private static var idCounter = 0

    /// A fresh message id.
    static func newMessageId() -> String {
        idLock.lock()
        idCounter += 1
        let n = idCounter
        idLock.unlock()
        return "\(idPrefix)_\(n)"
    }
}

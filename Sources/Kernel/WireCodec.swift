import Foundation
import Crypto
import Display

/// Why a received multipart message was dropped.
public enum WireError: Error, Equatable, CustomStringConvertible {
    /// No `<IDS|MSG>` frame.
    case missingDelimiter
    /// Fewer than the signature and four JSON frames after the delimiter.
    case missingFrames(Int)
    /// The HMAC did not match (wrong key, tampering, or an unsigned message to a signed kernel).
    case badSignature
    /// A signature already seen: a replayed message.
    case duplicateSignature
    /// A JSON frame did not parse, or is not an object: which part and why.
    case malformedJSON(part: String, reason: String)

    public var description: String {
        switch self {
        case .missingDelimiter: return "no <IDS|MSG> delimiter"
        case .missingFrames(let n): return "expected a signature and 4 JSON frames after <IDS|MSG>, got \(n) frames"
        case .badSignature: return "invalid HMAC signature"
        case .duplicateSignature: return "duplicate signature (replayed message)"
        case .malformedJSON(let part, let reason): return "malformed \(part): \(reason)"
        }
    }
}

/// HMAC-SHA256 signing of the four JSON frames, hex-encoded as Jupyter expects.
/// An empty key turns signing off: messages go out with an empty signature and any is accepted.
public struct MessageSigner: Sendable {
    private let key: SymmetricKey?
    /// HMAC state with the key already absorbed, copied for each signature.
    private let keyed: HMAC<SHA256>?

    /// Throws `KernelError.unsupportedSignatureScheme` for a non-empty key with a scheme other
    /// than hmac-sha256.
    public init(scheme: String = "hmac-sha256", key: String) throws {
        if key.isEmpty { self.key = nil; self.keyed = nil; return }
        guard scheme.lowercased() == "hmac-sha256" else { throw KernelError.unsupportedSignatureScheme(scheme) }
        let symmetric = SymmetricKey(data: Data(key.utf8))
        self.key = symmetric
        self.keyed = HMAC<SHA256>(key: symmetric)
    }

    /// Whether messages are signed at all.
    public var isSigning: Bool { key != nil }

    /// The lowercase hex HMAC over the parts in order (header, parent, metadata, content).
    public func signature<Parts: Sequence>(_ parts: Parts) -> Data where Parts.Element == Data {
        guard let keyed else { return Data() }
        // A copy of the keyed state: the key's inner and outer pads are hashed once, not per message.
        var hmac = keyed
        for part in parts { part.withUnsafeBytes { hmac.update(data: $0) } }
        let mac = hmac.finalize()
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in mac {
            hex.append(MessageSigner.hexDigits[Int(byte >> 4)])
            hex.append(MessageSigner.hexDigits[Int(byte & 0x0F)])
        }
        return Data(hex)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    public func isValid<Parts: Sequence>(signature: Data, for parts: Parts) -> Bool where Parts.Element == Data {
        guard isSigning else { return true }
        let expected = self.signature(parts)
        guard signature.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(signature, expected) { difference |= a ^ b }
        return difference == 0
    }
}

/// Turns multipart ZeroMQ messages into `Message`s and back: identities, `<IDS|MSG>`, HMAC,
/// header, parent header, metadata, content, buffers. The signature is checked over the frames
/// exactly as received, never over a re-serialization.
public final class WireCodec: @unchecked Sendable {
    public static let delimiter = Data("<IDS|MSG>".utf8)
    public let signer: MessageSigner
    // Signatures already accepted, to refuse replays as jupyter_client does; bounded so that a
    // long session does not grow without end.
    private var seen = Set<Data>()
    private var seenOrder: [Data] = []
    private var seenStart = 0
    private let historyLimit: Int
    private let lock = NSLock()

    public init(signer: MessageSigner, replayHistory: Int = 1 << 16) {
        self.signer = signer
        self.historyLimit = replayHistory
    }

    /// Encodes `message` into frames ready to send.
    public func encode(_ message: Message) -> [Data] {
        let parts = [message.header, message.parentHeader, message.metadata, message.content]
            .map(WireJSON.encode)
        var frames = message.identities
        frames.append(WireCodec.delimiter)
        frames.append(signer.signature(parts))
        frames.append(contentsOf: parts)
        frames.append(contentsOf: message.buffers)
        return frames
    }

    /// Decodes and verifies received frames; throws `WireError` for anything to drop.
    public func decode(_ frames: [Data]) throws -> Message {
        guard let split = frames.firstIndex(of: WireCodec.delimiter) else { throw WireError.missingDelimiter }
        let rest = frames[(split + 1)...]
        guard rest.count >= 5 else { throw WireError.missingFrames(rest.count) }
        let signature = rest[rest.startIndex]
        let parts = Array(rest[(rest.startIndex + 1)..<(rest.startIndex + 5)])
        guard signer.isValid(signature: signature, for: parts) else { throw WireError.badSignature }
        let names = ["header", "parent_header", "metadata", "content"]
        var values: [JSONValue] = []
        for (name, part) in zip(names, parts) {
            let value: JSONValue
            do { value = try JSONValue.parse(part) } catch {
                throw WireError.malformedJSON(part: name, reason: "\(error)")
            }
            guard value.objectValue != nil else { throw WireError.malformedJSON(part: name, reason: "not a JSON object") }
            values.append(value)
        }
        guard values[0]["msg_type"]?.stringValue != nil else {
            throw WireError.malformedJSON(part: "header", reason: "no msg_type")
        }
        if signer.isSigning { try remember(signature) }
        return Message(identities: Array(frames[..<split]), header: values[0], parentHeader: values[1],
                       metadata: values[2], content: values[3],
                       buffers: Array(rest[(rest.startIndex + 5)...]))
    }

    private func remember(_ signature: Data) throws {
        lock.lock()
        defer { lock.unlock() }
        guard seen.insert(signature).inserted else { throw WireError.duplicateSignature }
        seenOrder.append(signature)
        if seenOrder.count - seenStart > historyLimit {
            seen.remove(seenOrder[seenStart])
            seenStart += 1
            if seenStart > historyLimit { seenOrder.removeFirst(seenStart); seenStart = 0 }
        }
    }
}

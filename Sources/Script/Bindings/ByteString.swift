import Foundation

/// Raw bytes as scripts see them where binary data appears (an `Image`'s `.data`): shown as
/// Python shows a bytes object. The language has no bytes literals, so scripts that produce
/// binary display data return a list of ints (0–255) or base64 text instead.
final class ByteString: NativeObject {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var typeName: String { "bytes" }
    var doc: String? { "Raw bytes (image data)." }

    func getAttribute(_ name: String) throws -> Value? {
        switch name {
        case "__len__": return ScriptBridge.function("__len__") { _, _ in .int(self.bytes.count) }
        case "hex": return ScriptBridge.function("hex") { _, _ in .str(self.bytes.map { String(format: "%02x", $0) }.joined()) }
        default: return nil
        }
    }

    /// b'...' with Python's escapes.
    func repr() throws -> String {
        var out = "b'"
        for b in bytes {
            switch b {
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x27: out += "\\'"
            case 0x5C: out += "\\\\"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(b))
            default: out += String(format: "\\x%02x", b)
            }
        }
        return out + "'"
    }

    /// The bytes of a bytes object, or of a list/tuple of ints 0–255; `what` names the data
    /// in the TypeError for anything else.
    static func bytes(_ v: Value, what: String) throws -> [UInt8] {
        if let b = ScriptBridge.unwrap(v, as: ByteString.self) { return b.bytes }
        if case .obj(let o) = v, o is PyList || o is PyTuple {
            return try Interp.toArray(v).map { item in
                guard case .int(let i) = item, (0...255).contains(i) else {
                    throw Interp.valueError("\(what): bytes must be ints in range(0, 256), got \(try Interp.repr(item))")
                }
                return UInt8(i)
            }
        }
        throw Interp.typeError("\(what) must be bytes (or a list of ints 0-255), not \(Interp.typeName(v))")
    }
}

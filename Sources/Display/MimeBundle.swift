/// What a value looks like in each MIME type a front-end may show: `text/plain` always, and
/// `text/html`, `image/png` (base64), `image/svg+xml`, `application/json`, `text/markdown`
/// where they help. The kernel sends the whole bundle; the REPL picks the best it can draw.
public struct MimeBundle: Equatable, Sendable {
    /// MIME type → content (a string, or a JSON value for `application/json`), in insertion order.
    public private(set) var data: [(String, JSONValue)]
    /// Per-type metadata (e.g. image sizes), as the display protocol defines it.
    public var metadata: [(String, JSONValue)]

    public init(plain text: String) {
        data = [("text/plain", .string(text))]
        metadata = []
    }

    /// A bundle with exactly these entries (a raw `display(..., raw=True)` bundle may lack
    /// text/plain; everything the formatters build has it).
    public init(data: [(String, JSONValue)], metadata: [(String, JSONValue)] = []) {
        self.data = data
        self.metadata = metadata
    }

    public static func == (a: MimeBundle, b: MimeBundle) -> Bool {
        JSONValue.object(a.data) == JSONValue.object(b.data)
            && JSONValue.object(a.metadata) == JSONValue.object(b.metadata)
    }

    /// Sets (or replaces) the content for `mimeType`.
    public mutating func set(_ mimeType: String, _ value: JSONValue) {
        if let i = data.firstIndex(where: { $0.0 == mimeType }) { data[i].1 = value }
        else { data.append((mimeType, value)) }
    }

    public mutating func set(_ mimeType: String, text: String) { set(mimeType, .string(text)) }

    /// Adds a PNG image (raw file bytes, base64-encoded here) with its size as metadata.
    public mutating func setPNG(_ png: [UInt8], width: Int, height: Int) {
        set("image/png", .string(Base64.encode(png)))
        metadata.append(("image/png", ["width": .int(width), "height": .int(height)]))
    }

    /// The content for `mimeType`, if present.
    public subscript(mimeType: String) -> JSONValue? { data.first { $0.0 == mimeType }?.1 }

    /// The plain-text form (always present).
    public var plainText: String { self["text/plain"]?.stringValue ?? "" }

    /// The MIME types present, in order.
    public var mimeTypes: [String] { data.map(\.0) }
}

/// A value that shows itself richly: tensors as tables and heatmaps, audio as players, ...
/// Any type can adopt it; the kernel's and REPL's display path asks for this bundle.
public protocol RichDisplayable {
    func mimeBundle() -> MimeBundle
}

enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}

import Foundation

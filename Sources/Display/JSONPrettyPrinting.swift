import Foundation
import Tensors

extension JSONValue {
    /// The text Python's `json.dumps(value, indent=indent, sort_keys=sortKeys,
    /// separators=(",", ": "), ensure_ascii=False)` writes: the form nbformat gives notebook
    /// files, so a notebook written here diffs cleanly against one written by Jupyter.
    public func pythonJSON(indent: Int = 1, sortKeys: Bool = true) -> String {
        var out = ""
        writePython(into: &out, level: 0, indent: indent, sortKeys: sortKeys)
        return out
    }

    private func writePython(into out: inout String, level: Int, indent: Int, sortKeys: Bool) {
        let pad = String(repeating: " ", count: (level + 1) * indent)
        let closing = String(repeating: " ", count: level * indent)
        switch self {
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                item.writePython(into: &out, level: level + 1, indent: indent, sortKeys: sortKeys)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += closing + "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            // Python sorts keys by code point.
            let ordered = sortKeys ? pairs.sorted { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) } : pairs
            out += "{\n"
            for (i, (key, value)) in ordered.enumerated() {
                out += pad
                JSONValue.string(key).writePython(into: &out, level: level + 1, indent: indent, sortKeys: sortKeys)
                out += ": "
                value.writePython(into: &out, level: level + 1, indent: indent, sortKeys: sortKeys)
                out += i + 1 < ordered.count ? ",\n" : "\n"
            }
            out += closing + "}"
        case .string(let s):
            JSONText.appendQuoted(s, to: &out)
        case .double(let d):
            if d.isNaN { out += "NaN" }
            else if d.isInfinite { out += d > 0 ? "Infinity" : "-Infinity" }
            else if d == d.rounded() && abs(d) < 1e16 { out += String(format: "%.1f", d) }
            else { out += "\(d)" }
        default:
            out += serialized
        }
    }
}

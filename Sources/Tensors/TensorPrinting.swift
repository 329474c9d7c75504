import Foundation

/// How tensors are printed, as torch's `set_printoptions`.
public struct PrintOptions: Sendable, Equatable {
    /// Digits after the decimal point for floating-point values.
    public var precision = 4
    /// Tensors with more elements than this are summarised with `...` (`Int.max`: never,
    /// torch's "full" profile).
    public var threshold = 1000
    /// Items kept at each end of every summarised dimension.
    public var edgeItems = 3
    /// Characters per line before elements wrap.
    public var lineWidth = 80
    /// Forces scientific notation on (true) or off (false); nil lets the values decide.
    public var scientific: Bool? = nil

    /// torch's defaults.
    public init() {}

    /// torch's defaults: precision 4, threshold 1000, 3 edge items, 80 columns.
    public static let standard = PrintOptions()

    /// The options `description` uses; scripts change them through `set_printoptions`.
    nonisolated(unsafe) public static var current = PrintOptions()
}

/// Printing a tensor exactly as torch's `repr()` does, character for character: the same
/// number formats (fixed, integer-valued `1.`, scientific), widths, line wrapping,
/// summarisation of large tensors and suffixes (`dtype=`, `size=`, `requires_grad=True`,
/// `grad_fn=<...>`).
extension Tensor: CustomStringConvertible {
    /// torch's `repr()` of this tensor, using `PrintOptions.current`.
    public var description: String { description(options: PrintOptions.current) }

    /// torch's `repr()` of this tensor under `options`.
    public func description(options: PrintOptions) -> String {
        let prefix = "tensor("
        let indent = prefix.count
        var suffixes: [String] = []
        let body: String
        let hasDefaultDType = dtype == .float32 || dtype == .int64 || dtype == .bool
        if count == 0 {
            // NumPy's convention: the shape is shown unless it is (0,), and the dtype always
            // unless float32, since no element hints at it.
            if rank != 1 { suffixes.append("size=" + shape.tupleString) }
            if dtype != .float32 { suffixes.append("dtype=\(dtype.torchName)") }
            body = "[]"
        } else {
            if options.edgeItems == 0 { suffixes.append("size=" + shape.tupleString) }
            if !hasDefaultDType { suffixes.append("dtype=\(dtype.torchName)") }
            body = withExtendedLifetime(self) {
                TensorPrinter(tensor: self, options: options).render(indent: indent)
            }
        }
        if let gradFn {
            suffixes.append("grad_fn=<\(gradFn.name)>")
        } else if requiresGrad {
            suffixes.append("requires_grad=True")
        }
        return Tensor.appendingSuffixes(prefix + body, suffixes, indent: indent,
                                        lineWidth: options.lineWidth)
    }

    /// Adds `, suffix` items, moving one to a new line when the current line would pass the
    /// line width. torch counts the last line two characters longer than it is; so do we.
    private static func appendingSuffixes(_ text: String, _ suffixes: [String], indent: Int,
                                          lineWidth: Int) -> String {
        var out = text
        let lastLine = text.split(separator: "\n", omittingEmptySubsequences: false).last ?? ""
        var lastLineLength = lastLine.count + 2
        for suffix in suffixes {
            if lastLineLength + suffix.count + 2 > lineWidth {
                out += ",\n" + String(repeating: " ", count: indent) + suffix
                lastLineLength = indent + suffix.count
            } else {
                out += ", " + suffix
                lastLineLength += suffix.count + 2
            }
        }
        return out + ")"
    }
}

extension Array where Element == Int {
    /// A shape as Python prints a tuple: `(2, 3)`, `(4,)`, `()`.
    var tupleString: String {
        count == 1 ? "(\(self[0]),)" : "(" + map(String.init).joined(separator: ", ") + ")"
    }
}

/// Renders one non-empty tensor's elements. Elements are read straight from the storage
/// through the strides, and a summarised tensor reads only the elements it shows, so
/// printing a huge tensor costs almost nothing.
private struct TensorPrinter {
    let tensor: Tensor
    let options: PrintOptions
    let summarize: Bool
    let formatter: ElementFormatter

    init(tensor: Tensor, options: PrintOptions) {
        self.tensor = tensor
        // Options come from scripts: negative counts would make empty ranges trap.
        var options = options
        options.edgeItems = max(0, options.edgeItems)
        options.precision = min(max(0, options.precision), 100)
        self.options = options
        summarize = tensor.count > options.threshold
        var shown: [Int] = []
        TensorPrinter.collectShown(tensor, axis: 0, base: tensor.offset, summarize: summarize,
                                   edge: options.edgeItems, into: &shown)
        formatter = ElementFormatter(tensor: tensor, indices: shown, options: options)
    }

    func render(indent: Int) -> String {
        if tensor.rank == 0 { return formatter.format(tensor.offset) }
        return render(axis: 0, base: tensor.offset, indent: indent)
    }

    /// Which of a dimension's indices are printed: all, or the edges when summarising.
    private static func shownIndices(size: Int, summarize: Bool, edge: Int) -> ([Int], [Int])? {
        guard summarize && size > 2 * edge else { return nil }
        return (Array(0..<edge), Array((size - edge)..<size))
    }

    private func render(axis: Int, base: Int, indent: Int) -> String {
        let size = tensor.shape[axis]
        let stride = tensor.strides[axis]
        let edge = options.edgeItems
        if axis == tensor.rank - 1 {
            let items: [String]
            if summarize && edge == 0 {
                items = ["..."]
            } else if let (head, tail) = TensorPrinter.shownIndices(size: size, summarize: summarize,
                                                                    edge: edge) {
                items = head.map { formatter.format(base + $0 * stride) } + [" ..."]
                    + tail.map { formatter.format(base + $0 * stride) }
            } else {
                items = (0..<size).map { formatter.format(base + $0 * stride) }
            }
            let perLine = max(1, Int((Double(options.lineWidth - indent)
                / Double(formatter.width + 2)).rounded(.down)))
            var lines: [String] = []
            var start = 0
            while start < items.count {
                lines.append(items[start..<min(start + perLine, items.count)].joined(separator: ", "))
                start += perLine
            }
            return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
        }
        let slices: [String]
        let child = { (i: Int) in self.render(axis: axis + 1, base: base + i * stride,
                                              indent: indent + 1) }
        if let (head, tail) = TensorPrinter.shownIndices(size: size, summarize: summarize, edge: edge) {
            slices = head.map(child) + ["..."] + tail.map(child)
        } else {
            slices = (0..<size).map(child)
        }
        let remaining = tensor.rank - axis
        let separator = "," + String(repeating: "\n", count: remaining - 1)
            + String(repeating: " ", count: indent + 1)
        return "[" + slices.joined(separator: separator) + "]"
    }

    /// The storage indices of the elements the formatter measures: every element, or for a
    /// summarised tensor those torch's `get_summarized_data` keeps (including its quirks at
    /// zero edge items: a vector is kept whole, a higher-rank tensor contributes nothing).
    private static func collectShown(_ tensor: Tensor, axis: Int, base: Int, summarize: Bool,
                                     edge: Int, into out: inout [Int]) {
        if tensor.rank == 0 { out.append(base); return }
        let size = tensor.shape[axis]
        let stride = tensor.strides[axis]
        let isLast = axis == tensor.rank - 1
        if summarize && edge == 0 && !isLast { return }
        var positions: [Int]
        if let (head, tail) = shownIndices(size: size, summarize: summarize, edge: edge), edge > 0 {
            positions = head + tail
        } else {
            positions = Array(0..<size)
        }
        for i in positions {
            if isLast {
                out.append(base + i * stride)
            } else {
                collectShown(tensor, axis: axis + 1, base: base + i * stride, summarize: summarize,
                             edge: edge, into: &out)
            }
        }
    }
}

/// Formats single elements at a common width, choosing the notation as torch's `_Formatter`
/// does from the elements that will be shown.
private struct ElementFormatter {
    enum Mode { case integer, boolean, fixed, integralFloat, scientific }

    let tensor: Tensor
    let precision: Int
    private(set) var mode: Mode
    private(set) var width = 1

    init(tensor: Tensor, indices: [Int], options: PrintOptions) {
        self.tensor = tensor
        precision = options.precision
        switch tensor.dtype {
        case .bool:
            mode = .boolean
            for i in indices { width = max(width, ElementFormatter.readBool(tensor, i) ? 4 : 5) }
            return
        case .int64, .int32, .uint8:
            mode = .integer
            for i in indices { width = max(width, String(ElementFormatter.readInteger(tensor, i)).count) }
            return
        default:
            break
        }
        let values = indices.map { ElementFormatter.readFloat(tensor, $0) }
            .filter { $0.isFinite && $0 != 0 }
        // With nothing finite and non-zero to go by, torch prints in its integer style.
        mode = .integralFloat
        guard !values.isEmpty else { return }
        let magnitudes = values.map { abs($0) }
        let smallest = magnitudes.min() ?? 1
        let largest = magnitudes.max() ?? 1
        let integral = values.allSatisfy { $0 == $0.rounded(.up) }
        let scientific = options.scientific
            ?? (largest / smallest > 1000 || largest > 1e8 || smallest < 1e-4)
        if scientific {
            mode = .scientific
            for v in values { width = max(width, format(v, as: .scientific).count) }
        } else if integral {
            mode = .integralFloat
            for v in values { width = max(width, format(v, as: .integralFloat).count) }
        } else {
            mode = .fixed
            for v in values { width = max(width, format(v, as: .fixed).count) }
        }
    }

    /// The element at storage index `index`, right-aligned to the common width.
    func format(_ index: Int) -> String {
        let text: String
        switch mode {
        case .boolean: text = ElementFormatter.readBool(tensor, index) ? "True" : "False"
        case .integer: text = String(ElementFormatter.readInteger(tensor, index))
        default: text = format(ElementFormatter.readFloat(tensor, index), as: mode)
        }
        let padding = width - text.count
        return padding > 0 ? String(repeating: " ", count: padding) + text : text
    }

    /// A float as Python's format spec for the mode writes it (`.4f`, `.0f` plus a point,
    /// `.4e`); NaN has no sign in Python's output, unlike C's printf.
    private func format(_ value: Double, as mode: Mode) -> String {
        if value.isNaN { return "nan" }
        switch mode {
        case .scientific:
            return String(format: "%.\(precision)e", value)
        case .integralFloat:
            let text = String(format: "%.0f", value)
            return value.isInfinite ? text : text + "."
        default:
            return String(format: "%.\(precision)f", value)
        }
    }

    private static func readFloat(_ tensor: Tensor, _ index: Int) -> Double {
        let bytes = UnsafeRawPointer(tensor.storage.bytes)
        switch tensor.dtype {
        case .float32: return Double(bytes.load(fromByteOffset: index * 4, as: Float.self))
        case .float16: return Double(bytes.load(fromByteOffset: index * 2, as: Float16.self))
        case .bfloat16:
            return Double(floatFromBFloat16Bits(bytes.load(fromByteOffset: index * 2, as: UInt16.self)))
        default: return Double(readInteger(tensor, index))
        }
    }

    private static func readInteger(_ tensor: Tensor, _ index: Int) -> Int64 {
        let bytes = UnsafeRawPointer(tensor.storage.bytes)
        switch tensor.dtype {
        case .int64: return bytes.load(fromByteOffset: index * 8, as: Int64.self)
        case .int32: return Int64(bytes.load(fromByteOffset: index * 4, as: Int32.self))
        case .uint8, .bool: return Int64(bytes.load(fromByteOffset: index, as: UInt8.self))
        default: return 0  // floating types never print in integer mode

        }
    }

    private static func readBool(_ tensor: Tensor, _ index: Int) -> Bool {
        UnsafeRawPointer(tensor.storage.bytes).load(fromByteOffset: index, as: UInt8.self) != 0
    }
}

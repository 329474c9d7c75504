import Foundation

/// A 2-D grid of numbers drawn as coloured cells: attention weights, a weight matrix, a
/// spectrogram. PNG for the bare picture; SVG when there are axis labels (tokens) and a title.
public struct Heatmap: Sendable {
    public let rows: Int
    public let columns: Int
    /// Row-major values.
    public let values: [Float]
    public var rowLabels: [String]?
    public var columnLabels: [String]?
    public var title: String?
    public var colormap: Colormap
    /// The value range mapped onto the colormap; the data's finite range by default.
    public var range: ClosedRange<Float>

    public init(values: [Float], rows: Int, columns: Int, rowLabels: [String]? = nil,
                columnLabels: [String]? = nil, title: String? = nil,
                colormap: Colormap = .viridis, range: ClosedRange<Float>? = nil) throws {
        guard rows > 0, columns > 0, values.count == rows * columns else {
            throw DisplayError.invalidImage("a heatmap needs rows x columns values (got \(values.count) for \(rows)x\(columns))")
        }
        if let rowLabels, rowLabels.count != rows {
            throw DisplayError.invalidImage("\(rowLabels.count) row labels for \(rows) rows")
        }
        if let columnLabels, columnLabels.count != columns {
            throw DisplayError.invalidImage("\(columnLabels.count) column labels for \(columns) columns")
        }
        self.values = values
        self.rows = rows
        self.columns = columns
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.title = title
        self.colormap = colormap
        let finite = values.filter { $0.isFinite }
        let low = finite.min() ?? 0, high = finite.max() ?? 1
        self.range = range ?? (low...(high > low ? high : low + 1))
    }

    func normalized(_ v: Float) -> Double {
        Double((v - range.lowerBound) / (range.upperBound - range.lowerBound))
    }

    /// Pixels per cell so the picture is about `target` pixels on its longer side.
    func cellSize(target: Int = 480) -> Int {
        max(1, min(48, target / max(rows, columns)))
    }

    /// The grid as an image, each cell a square of `cellSize` pixels.
    public func image(cellSize: Int? = nil) -> RGBAImage {
        let cell = cellSize ?? self.cellSize()
        var image = RGBAImage(width: columns * cell, height: rows * cell)
        for r in 0..<rows {
            for c in 0..<columns {
                image.fill(x: c * cell, y: r * cell, width: cell, height: cell,
                           color: colormap.color(normalized(values[r * columns + c])))
            }
        }
        return image
    }

    public func pngData() throws -> [UInt8] { try image().pngData() }

    /// An SVG with the grid, the labels on both axes, the title and a colour scale.
    public func svg() throws -> String {
        let cell = cellSize(target: 420)
        let labelWidth = rowLabels.map { labels in 8 + 7 * min(24, labels.map(\.count).max() ?? 0) } ?? 0
        let labelHeight = columnLabels.map { labels in 8 + 7 * min(24, labels.map(\.count).max() ?? 0) } ?? 0
        let top = (title == nil ? 8 : 28) + labelHeight
        let gridWidth = columns * cell, gridHeight = rows * cell
        let width = labelWidth + gridWidth + 70, height = top + gridHeight + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"11\">"
        if let title { svg += "<text x=\"\(labelWidth)\" y=\"18\" font-size=\"13\">\(Self.escape(title))</text>" }
        // The grid itself is embedded as a PNG: one element instead of rows*columns rects.
        let png = try image(cellSize: cell).pngData()
        svg += "<image x=\"\(labelWidth)\" y=\"\(top)\" width=\"\(gridWidth)\" height=\"\(gridHeight)\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,\(Base64.encode(png))\"/>"
        if let rowLabels {
            for (r, label) in rowLabels.enumerated() {
                let y = top + r * cell + cell / 2 + 4
                svg += "<text x=\"\(labelWidth - 4)\" y=\"\(y)\" text-anchor=\"end\">\(Self.escape(Self.clip(label)))</text>"
            }
        }
        if let columnLabels {
            for (c, label) in columnLabels.enumerated() {
                let x = labelWidth + c * cell + cell / 2 + 4
                svg += "<text transform=\"translate(\(x),\(top - 4)) rotate(-90)\">\(Self.escape(Self.clip(label)))</text>"
            }
        }
        // Colour scale with its end values.
        let barX = labelWidth + gridWidth + 10
        for i in 0..<gridHeight where gridHeight > 0 {
            let t = 1 - Double(i) / Double(max(1, gridHeight - 1))
            svg += "<rect x=\"\(barX)\" y=\"\(top + i)\" width=\"12\" height=\"1\" fill=\"\(colormap.color(t).hex)\"/>"
        }
        svg += "<text x=\"\(barX + 16)\" y=\"\(top + 9)\">\(Self.format(range.upperBound))</text>"
        svg += "<text x=\"\(barX + 16)\" y=\"\(top + gridHeight)\">\(Self.format(range.lowerBound))</text>"
        svg += "</svg>"
        return svg
    }

    static func clip(_ label: String) -> String {
        label.count > 24 ? String(label.prefix(23)) + "…" : label
    }

    static func format(_ v: Float) -> String { String(format: "%.3g", Double(v)) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension Heatmap: RichDisplayable {
    public func mimeBundle() -> MimeBundle {
        var bundle = MimeBundle(plain: "<Heatmap \(rows)x\(columns)\(title.map { " '\($0)'" } ?? "")>")
        if rowLabels != nil || columnLabels != nil || title != nil, let svg = try? svg() {
            bundle.set("image/svg+xml", text: svg)
        }
        if let png = try? pngData() {
            let cell = cellSize()
            bundle.setPNG(png, width: columns * cell, height: rows * cell)
        }
        return bundle
    }
}

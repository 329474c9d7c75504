import Foundation

/// Attention probabilities drawn as a grid of heatmaps, one per head (and per layer), with
/// the tokens on both axes: queries down the side, keys along the top. Values are
/// probabilities, so the colour scale is fixed to [0, 1] (white = 0, deep blue = 1) and maps
/// of different heads compare at a glance.
///
/// The bundle has an SVG with the token labels and titles (what notebooks show), a PNG of the
/// bare maps (for front-ends without SVG, and the REPL's terminal pictures) and a text form:
/// each head's matrix with two decimals, readable in a terminal.
public struct AttentionGrid: Sendable {
    /// One map: `queries x keys` row-major probabilities and its title (`Layer 0, head 3`).
    public struct Panel: Sendable {
        public let title: String
        public let values: [Float]
        public init(title: String, values: [Float]) {
            self.title = title
            self.values = values
        }
    }

    public let panels: [Panel]
    /// Labels of the rows (the attending tokens) and of the columns (the attended ones).
    public let queryTokens: [String]
    public let keyTokens: [String]
    /// Panels per row of the grid.
    public let columns: Int
    /// The picture's title.
    public let title: String?
    public let colormap = Colormap.blues

    /// Pixels per cell: about 120 pixels per map side, between 4 and 24 per token.
    public var cellSize: Int { max(4, min(24, 120 / max(queryTokens.count, keyTokens.count))) }
    /// Blank pixels between maps in the PNG.
    public static let gap = 8

    /// Checks that every panel holds `queries x keys` values.
    public init(panels: [Panel], queryTokens: [String], keyTokens: [String], columns: Int, title: String? = nil) throws {
        guard !panels.isEmpty else { throw DisplayError.invalidImage("an attention grid needs at least one map") }
        guard !queryTokens.isEmpty, !keyTokens.isEmpty else { throw DisplayError.invalidImage("an attention grid needs tokens") }
        for p in panels where p.values.count != queryTokens.count * keyTokens.count {
            throw DisplayError.invalidImage("\(p.title): \(p.values.count) values for \(queryTokens.count) x \(keyTokens.count) tokens")
        }
        self.panels = panels
        self.queryTokens = queryTokens
        self.keyTokens = keyTokens
        self.columns = max(1, min(columns, panels.count))
        self.title = title
    }

    /// Rows of panels in the grid.
    public var rows: Int { (panels.count + columns - 1) / columns }

    /// The colour of probability `p` (clamped to [0, 1]).
    public func color(_ p: Float) -> RGB { colormap.color(Double(p)) }

    /// The bare maps on white: panel i at column i % columns, row i / columns, each
    /// `keys x queries` cells of `cellSize` pixels, `gap` pixels apart.
    public func image() -> RGBAImage {
        let cell = cellSize, w = keyTokens.count * cell, h = queryTokens.count * cell
        var image = RGBAImage(width: columns * w + (columns - 1) * Self.gap, height: rows * h + (rows - 1) * Self.gap)
        for (i, panel) in panels.enumerated() {
            let x0 = (i % columns) * (w + Self.gap), y0 = (i / columns) * (h + Self.gap)
            for r in queryTokens.indices {
                for c in keyTokens.indices {
                    image.fill(x: x0 + c * cell, y: y0 + r * cell, width: cell, height: cell,
                               color: color(panel.values[r * keyTokens.count + c]))
                }
            }
        }
        return image
    }

    /// One panel's maps alone (for the SVG, which places them itself).
    func panelImage(_ panel: Panel) -> RGBAImage {
        let cell = cellSize
        var image = RGBAImage(width: keyTokens.count * cell, height: queryTokens.count * cell)
        for r in queryTokens.indices {
            for c in keyTokens.indices {
                image.fill(x: c * cell, y: r * cell, width: cell, height: cell, color: color(panel.values[r * keyTokens.count + c]))
            }
        }
        return image
    }

    /// The grid with titles and the tokens on both axes of every map, and a colour scale.
    public func svg() throws -> String {
        let cell = cellSize
        func labelLength(_ tokens: [String]) -> Int { 8 + 6 * min(16, tokens.map { Heatmap.clip($0).count }.max() ?? 0) }
        let left = labelLength(queryTokens), top = labelLength(keyTokens) + 16
        let mapWidth = keyTokens.count * cell, mapHeight = queryTokens.count * cell
        let panelWidth = left + mapWidth + 16, panelHeight = top + mapHeight + 12
        let header = title == nil ? 0 : 24
        let width = columns * panelWidth + 60, height = header + rows * panelHeight
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"10\">"
        if let title { svg += "<text x=\"4\" y=\"16\" font-size=\"13\">\(Heatmap.escape(title))</text>" }
        for (i, panel) in panels.enumerated() {
            let x0 = (i % columns) * panelWidth, y0 = header + (i / columns) * panelHeight
            svg += "<text x=\"\(x0 + left)\" y=\"\(y0 + 11)\" font-size=\"11\">\(Heatmap.escape(panel.title))</text>"
            let png = try panelImage(panel).pngData()
            svg += "<image x=\"\(x0 + left)\" y=\"\(y0 + top)\" width=\"\(mapWidth)\" height=\"\(mapHeight)\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,\(Base64.encode(png))\"/>"
            for (r, token) in queryTokens.enumerated() {
                svg += "<text x=\"\(x0 + left - 3)\" y=\"\(y0 + top + r * cell + cell / 2 + 3)\" text-anchor=\"end\">\(Heatmap.escape(Heatmap.clip(token)))</text>"
            }
            for (c, token) in keyTokens.enumerated() {
                svg += "<text transform=\"translate(\(x0 + left + c * cell + cell / 2 + 3),\(y0 + top - 3)) rotate(-90)\">\(Heatmap.escape(Heatmap.clip(token)))</text>"
            }
        }
        // The colour scale, 0 at the bottom, 1 at the top.
        let barX = columns * panelWidth + 4, barTop = header + top, barHeight = max(mapHeight, 40)
        for i in 0..<barHeight {
            svg += "<rect x=\"\(barX)\" y=\"\(barTop + i)\" width=\"10\" height=\"1\" fill=\"\(colormap.color(1 - Double(i) / Double(barHeight - 1)).hex)\"/>"
        }
        svg += "<text x=\"\(barX + 14)\" y=\"\(barTop + 8)\">1</text><text x=\"\(barX + 14)\" y=\"\(barTop + barHeight)\">0</text>"
        return svg + "</svg>"
    }

    /// Each map as text: the keys across, the queries down, probabilities with two decimals.
    public func text() -> String {
        func clip(_ s: String) -> String { s.count > 10 ? String(s.prefix(9)) + "…" : s }
        let rowWidth = queryTokens.map { clip($0).count }.max() ?? 0
        let columnWidth = max(4, keyTokens.map { clip($0).count }.max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        var lines: [String] = []
        if let title { lines.append(title) }
        for panel in panels {
            lines.append(panel.title)
            lines.append(pad("", rowWidth) + keyTokens.map { " " + pad(clip($0), columnWidth) }.joined())
            for (r, token) in queryTokens.enumerated() {
                let row = keyTokens.indices.map { c in " " + pad(String(format: "%.2f", Double(panel.values[r * keyTokens.count + c])), columnWidth) }
                lines.append(pad(clip(token), rowWidth) + row.joined())
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension AttentionGrid: RichDisplayable {
    public func mimeBundle() -> MimeBundle {
        var bundle = MimeBundle(plain: text())
        if let svg = try? svg() { bundle.set("image/svg+xml", text: svg) }
        let picture = image()
        if let png = try? picture.pngData() { bundle.setPNG(png, width: picture.width, height: picture.height) }
        return bundle
    }
}

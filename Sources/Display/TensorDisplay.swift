import Foundation
import Tensors

/// How tensors show themselves: torch's text, an HTML summary (shape, dtype, statistics and the
/// leading values), and a heatmap for 2-D float tensors.
extension Tensor: RichDisplayable {
    public func mimeBundle() -> MimeBundle {
        var bundle = MimeBundle(plain: "\(self)")
        bundle.set("text/html", text: htmlSummary())
        if rank == 2, dtype.isFloatingPoint, shape[0] > 1, shape[1] > 1, shape[0] <= 1024, shape[1] <= 1024,
           let heatmap = try? Heatmap(values: toFloatArray(), rows: shape[0], columns: shape[1]),
           let png = try? heatmap.pngData() {
            let cell = heatmap.cellSize()
            bundle.setPNG(png, width: shape[1] * cell, height: shape[0] * cell)
        }
        return bundle
    }

    /// Summary statistics of the finite values: (min, max, mean, std), nil when there are none.
    public func summaryStatistics() -> (min: Double, max: Double, mean: Double, std: Double)? {
        let values = toFloatArray().lazy.map(Double.init).filter { $0.isFinite }
        var n = 0.0, mean = 0.0, m2 = 0.0, low = Double.infinity, high = -Double.infinity
        for v in values {
            n += 1
            let delta = v - mean
            mean += delta / n
            m2 += delta * (v - mean)
            low = Swift.min(low, v)
            high = Swift.max(high, v)
        }
        guard n > 0 else { return nil }
        return (low, high, mean, n > 1 ? (m2 / (n - 1)).squareRoot() : 0)
    }

    func htmlSummary() -> String {
        var html = "<div class=\"apus-tensor\"><table style=\"border-collapse:collapse;font-family:monospace\">"
        html += "<tr><th style=\"text-align:left;padding:2px 8px\">shape</th><td style=\"padding:2px 8px\">(\(shape.map(String.init).joined(separator: ", ")))</td></tr>"
        html += "<tr><th style=\"text-align:left;padding:2px 8px\">dtype</th><td style=\"padding:2px 8px\">\(dtype.torchName)</td></tr>"
        if requiresGrad {
            html += "<tr><th style=\"text-align:left;padding:2px 8px\">grad_fn</th><td style=\"padding:2px 8px\">\(gradFn?.name ?? "leaf, requires_grad")</td></tr>"
        }
        if count > 0, let stats = summaryStatistics() {
            for (name, value) in [("min", stats.min), ("max", stats.max), ("mean", stats.mean), ("std", stats.std)] {
                html += "<tr><th style=\"text-align:left;padding:2px 8px\">\(name)</th><td style=\"padding:2px 8px\">\(String(format: "%.6g", value))</td></tr>"
            }
        }
        html += "</table>"
        if rank >= 1 && rank <= 2 && count > 0 {
            let rowsShown = rank == 1 ? 1 : Swift.min(shape[0], 16)
            let columnsShown = Swift.min(shape[rank - 1], 16)
            let values = toFloatArray()
            let width = shape[rank - 1]
            html += "<table style=\"border-collapse:collapse;font-family:monospace;margin-top:4px\">"
            for r in 0..<rowsShown {
                html += "<tr>"
                for c in 0..<columnsShown {
                    let v = values[r * width + c]
                    let text = dtype.isFloatingPoint ? String(format: "%.4f", Double(v)) : String(Int64(v))
                    html += "<td style=\"border:1px solid #ddd;padding:1px 6px;text-align:right\">\(text)</td>"
                }
                if columnsShown < width { html += "<td>…</td>" }
                html += "</tr>"
            }
            if rank == 2 && rowsShown < shape[0] { html += "<tr><td>⋮</td></tr>" }
            html += "</table>"
        }
        return html + "</div>"
    }
}

import Display
import Foundation
import Tensors

/// Attention as pictures for scripts: `from apus.viz import show_attention` and, for code
/// written for bertviz, `from bertviz import head_view, model_view`. Both draw per-head
/// heatmaps with the tokens on both axes (`AttentionGrid`): an SVG with labels in notebooks,
/// a picture or a table of numbers in the terminal.
enum AttentionViews {
    /// Registers the `apus`, `apus.viz` and `bertviz` modules.
    static func register() {
        let viz: [String: Value] = [
            "show_attention": Bindings.function("show_attention", "attentions, tokens=None, layer=0, heads=None, batch_index=0, columns=4",
                doc: "Shows one layer's attention, one heatmap per head, with the tokens on both axes (queries down, keys across). attentions is outputs.attentions (a tuple with one [batch, heads, query, key] tensor per layer) or one such tensor; heads selects some heads; batch_index the sentence.") { a in
                IPythonDisplay.publish(try figure(a, layers: [try a.int("layer")]).mimeBundle(), displayId: nil, update: false)
                return .none
            },
            "attention_figure": Bindings.function("attention_figure", "attentions, tokens=None, layer=0, heads=None, batch_index=0, columns=4",
                doc: "The picture show_attention shows, as a value: it displays itself, and str() of it is the table of numbers.") { a in
                ScriptBridge.wrap(AttentionFigure(try figure(a, layers: [try a.int("layer")])))
            },
        ]
        let vizDoc = "Pictures of what models compute: show_attention(outputs.attentions, tokens, layer=0)."
        ScriptBridge.registerModule("apus.viz", doc: vizDoc) { viz }
        ScriptBridge.registerModule("apus", doc: "Apus's own additions to the Python API.") {
            ["viz": try Modules.importModule("apus.viz")]
        }
        let bertvizSignature = "attention, tokens, sentence_b_start=None, prettify_tokens=True, layer=None, heads=None, encoder_attention=None, decoder_attention=None, cross_attention=None, encoder_tokens=None, decoder_tokens=None, include_layers=None, html_action='view'"
        func bertviz(_ name: String, _ doc: String) -> Value {
            Bindings.function(name, bertvizSignature, doc: doc) { a in
                let layerCount = try layers(a["attention"]).count
                let chosen: [Int]
                if !a.isNone("layer") { chosen = [try a.int("layer")] }
                else if !a.isNone("include_layers") { chosen = try a.ints("include_layers") }
                else { chosen = Array(0..<layerCount) }
                let grid = try figure(a, layers: chosen, attentionKey: "attention", tokensKey: "tokens",
                                      batchKey: nil, columnsPerLayer: true, prettify: try a.bool("prettify_tokens"))
                if case .str("return") = a["html_action"] { return ScriptBridge.wrap(AttentionFigure(grid)) }
                IPythonDisplay.publish(grid.mimeBundle(), displayId: nil, update: false)
                return .none
            }
        }
        let bertvizNames: [String: Value] = [
            "head_view": bertviz("head_view", "Every head of every layer (or of layer=) as heatmaps with the tokens on both axes: one row per layer, one column per head."),
            "model_view": bertviz("model_view", "The whole model's attention: one row per layer, one column per head, with the tokens on both axes."),
        ]
        ScriptBridge.registerModule("bertviz", doc: "bertviz's head_view and model_view, drawn as heatmap grids (no JavaScript).") { bertvizNames }
    }

    /// The layers of an attention argument: a tuple/list of per-layer tensors, a 5-D stack
    /// `[layers, batch, heads, q, k]`, or one layer's tensor (4-D with a batch, 3-D, or 2-D).
    static func layers(_ v: Value) throws -> [Tensor] {
        if let t = ScriptBridge.unwrap(v, as: Tensor.self) {
            switch t.rank {
            case 5: return try (0..<t.shape[0]).map { try t.select(0, $0) }
            case 2, 3, 4: return [t]
            default: throw ScriptBridge.error("ValueError", "attention must have 2 to 5 dimensions ([layers,] [batch,] [heads,] query, key), got shape \(t.shape.shapeString)")
            }
        }
        guard case .obj(let o) = v, o is PyList || o is PyTuple else {
            throw ScriptBridge.error("TypeError", "attention must be outputs.attentions (a tuple of tensors) or a tensor, not \(Interp.typeName(v)); call the model with output_attentions=True")
        }
        let items = try ScriptBridge.array(v)
        guard !items.isEmpty else { throw ScriptBridge.error("ValueError", "attention is empty: call the model with output_attentions=True") }
        return try items.enumerated().map { i, item in
            guard let t = ScriptBridge.unwrap(item, as: Tensor.self) else {
                throw ScriptBridge.error("TypeError", "attention[\(i)] must be a tensor, not \(Interp.typeName(item))")
            }
            return t
        }
    }

    /// bertviz's token clean-up: the BPE space markers become plain text.
    static func prettify(_ token: String) -> String {
        var t = token
        for marker in ["Ġ", "▁"] where t.hasPrefix(marker) { t = " " + t.dropFirst(marker.count) }
        return t.replacingOccurrences(of: "Ċ", with: "\\n")
    }

    /// Builds the grid for `layers` from the call's arguments.
    static func figure(_ a: Arguments, layers chosen: [Int], attentionKey: String = "attentions", tokensKey: String = "tokens",
                       batchKey: String? = "batch_index", columnsPerLayer: Bool = false, prettify pretty: Bool = false) throws -> AttentionGrid {
        let all = try layers(a[attentionKey])
        let batch = try batchKey.map { try a.int($0) } ?? 0
        var panels: [AttentionGrid.Panel] = []
        var queries = 0, keys = 0, headsPerLayer = 1
        for layer in chosen {
            guard layer >= -all.count && layer < all.count else {
                throw ScriptBridge.error("IndexError", "layer \(layer) is out of range: the attention has \(all.count) layer\(all.count == 1 ? "" : "s")")
            }
            let index = layer < 0 ? layer + all.count : layer
            let given = all[index]
            var t = given
            if t.rank == 4 {
                guard batch >= 0 && batch < t.shape[0] else {
                    throw ScriptBridge.error("IndexError", "batch_index \(batch) is out of range for a batch of \(t.shape[0])")
                }
                t = try t.select(0, batch)
            }
            if t.rank == 2 { t = try t.unsqueeze(0) }
            guard t.rank == 3 else { throw ScriptBridge.error("ValueError", "layer \(layer): expected [batch, heads, query, key] attention, got shape \(given.shape.shapeString)") }
            let headCount = t.shape[0]
            var heads = Array(0..<headCount)
            if !a.isNone("heads") {
                heads = try a.ints("heads")
                if let bad = heads.first(where: { $0 < 0 || $0 >= headCount }) {
                    throw ScriptBridge.error("IndexError", "head \(bad) is out of range: layer \(layer) has \(headCount) heads")
                }
            }
            queries = t.shape[1]; keys = t.shape[2]; headsPerLayer = heads.count
            let values = try t.contiguous().to(.float32).toFloatArray()
            for h in heads {
                let start = h * queries * keys
                panels.append(.init(title: "Layer \(index), head \(h)", values: Array(values[start..<(start + queries * keys)])))
            }
        }
        var keyTokens: [String]
        if a.isNone(tokensKey) {
            keyTokens = (0..<keys).map(String.init)
        } else {
            keyTokens = try ScriptBridge.array(a[tokensKey]).map { v -> String in
                if case .str(let s) = v { return s }
                return try Interp.str(v)
            }
        }
        if pretty { keyTokens = keyTokens.map(prettify) }
        guard keyTokens.count == keys else {
            throw ScriptBridge.error("ValueError", "\(keyTokens.count) tokens for attention over \(keys) positions: pass the tokens of the sentence the model saw (tokenizer.convert_ids_to_tokens(inputs['input_ids'][\(batch)]))")
        }
        // With a cache the queries are the last positions; their labels are the last tokens.
        let queryTokens = Array(keyTokens.suffix(queries))
        let columns = columnsPerLayer ? headsPerLayer : (a.isNone("columns") ? 4 : try a.int("columns"))
        do {
            return try AttentionGrid(panels: panels, queryTokens: queryTokens, keyTokens: keyTokens, columns: columns)
        } catch {
            throw ScriptBridge.error("ValueError", "\(error)")
        }
    }
}

/// An attention picture as a script value: shows itself as the grid of heatmaps; str() and
/// repr() are the table of probabilities.
final class AttentionFigure: NativeObject, RichDisplayable {
    let grid: AttentionGrid
    init(_ grid: AttentionGrid) { self.grid = grid }
    var typeName: String { "AttentionFigure" }
    func getAttribute(_ name: String) throws -> Value? {
        switch name {
        case "svg": return .str(try grid.svg())
        case "png": return ScriptBridge.wrap(ByteString(try grid.image().pngData()))
        case "size": let image = grid.image(); return .tuple([.int(image.width), .int(image.height)])
        case "titles": return .list(grid.panels.map { .str($0.title) })
        case "tokens": return .list(grid.keyTokens.map(Value.str))
        default: return nil
        }
    }
    func repr() throws -> String { grid.text() }
    func mimeBundle() -> MimeBundle { grid.mimeBundle() }
    var doc: String? { "Attention heatmaps: .svg (with labels), .png (bytes), .size (width, height of the PNG), .titles, .tokens." }
    var attributeNames: [String] { ["png", "size", "svg", "titles", "tokens"] }
}

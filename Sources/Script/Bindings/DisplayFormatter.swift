import Display
import Foundation

/// Turns a script value into the MIME bundle front-ends show, the way IPython's display
/// formatter does: `text/plain` is always the value's repr(); a script class adds other types
/// by defining `_repr_html_`, `_repr_markdown_`, `_repr_svg_`, `_repr_png_`, `_repr_jpeg_`,
/// `_repr_latex_`, `_repr_json_`, `_repr_javascript_`, `_repr_pdf_` (each may return the data
/// or a `(data, metadata)` pair, or None to decline) or `_repr_mimebundle_(include, exclude)`,
/// whose entries win over the single-type methods. Native objects with a rich form (tensors)
/// bring their own bundle.
public enum DisplayFormatter {
    /// The single-type repr methods, in IPython's formatter order.
    static let reprMethods: [(mimeType: String, method: String)] = [
        ("text/html", "_repr_html_"), ("text/markdown", "_repr_markdown_"), ("image/svg+xml", "_repr_svg_"),
        ("image/png", "_repr_png_"), ("application/pdf", "_repr_pdf_"), ("image/jpeg", "_repr_jpeg_"),
        ("text/latex", "_repr_latex_"), ("application/json", "_repr_json_"),
        ("application/javascript", "_repr_javascript_"),
    ]

    /// MIME types whose data is binary: base64 text in the bundle, as the protocol wants.
    static let binaryTypes: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"]

    /// The bundle for a cell's result or a `display()` call. `repr` is the value's repr when the
    /// caller already has it. A `_repr_*_` method that raises is reported on stderr with its
    /// traceback and its type left out, as IPython does; an interrupt still stops the cell.
    /// nil when the object displayed itself (`_ipython_display_`).
    public static func bundle(for value: Value, repr: String? = nil) throws -> MimeBundle? {
        try bundle(for: value, repr: repr, include: nil, exclude: [])
    }

    static func bundle(for value: Value, repr: String?, include: Set<String>?, exclude: Set<String>) throws -> MimeBundle? {
        if let rich = Bindings.mimeBundle(for: value) { return filtered(rich, include: include, exclude: exclude) }
        guard case .obj(let o) = value, let instance = o as? PyInstance else {
            return MimeBundle(plain: try repr ?? Interp.repr(value))
        }
        if let hook = method(instance, "_ipython_display_") {
            try reporting("_ipython_display_") { _ = try Interp.call(hook, []) }
            return nil
        }
        var data: [(String, JSONValue)] = []
        var metadata: [(String, JSONValue)] = []
        func wanted(_ mime: String) -> Bool { (include?.contains(mime) ?? true) && !exclude.contains(mime) }

        if let mimebundle = method(instance, "_repr_mimebundle_") {
            let kwargs: [(String, Value)] = [("include", include.map { .list($0.sorted().map(Value.str)) } ?? .none),
                                             ("exclude", .list(exclude.sorted().map(Value.str)))]
            try reporting("_repr_mimebundle_") {
                let result = try Interp.call(mimebundle, [], kwargs)
                if result.isNone { return }
                var bundleValue = result, metadataValue = Value.none
                if case .obj(let t) = result, let pair = t as? PyTuple, pair.items.count == 2 {
                    bundleValue = pair.items[0]; metadataValue = pair.items[1]
                }
                guard case .obj(let d) = bundleValue, let dict = d as? PyDict else {
                    throw Interp.typeError("_repr_mimebundle_ must return a dict or a (dict, dict) tuple, not \(Interp.typeName(bundleValue))")
                }
                var entries: [(String, JSONValue)] = []
                for (key, item) in dict.items {
                    guard case .str(let mime) = key else { throw Interp.typeError("MIME types must be str, not \(Interp.typeName(key))") }
                    if wanted(mime) { entries.append((mime, try content(item, mimeType: mime))) }
                }
                let md = try ScriptJSON.pairs(metadataValue, what: "_repr_mimebundle_ metadata")
                data = entries
                metadata = md
            }
        }
        var plain: [(String, JSONValue)] = []
        if !data.contains(where: { $0.0 == "text/plain" }), wanted("text/plain") {
            plain = [("text/plain", .string(try repr ?? Interp.repr(value)))]
        }
        for (mime, name) in reprMethods where wanted(mime) && !data.contains(where: { $0.0 == mime }) {
            guard let f = method(instance, name) else { continue }
            try reporting(name) {
                var item = try Interp.call(f, [])
                var md = JSONValue.null
                if case .obj(let t) = item, let pair = t as? PyTuple, pair.items.count == 2 {
                    item = pair.items[0]
                    md = try ScriptJSON.json(pair.items[1])
                }
                if item.isNone { return }
                data.append((mime, try content(item, mimeType: mime)))
                if md != .object([]), md != .null { metadata.append((mime, md)) }
            }
        }
        return MimeBundle(data: plain + data, metadata: metadata)
    }

    /// The JSON content of one MIME type: binary types as base64 text (a str is taken to be
    /// base64 already, as IPython does), JSON as JSON (a str is parsed), text as text.
    static func content(_ item: Value, mimeType: String) throws -> JSONValue {
        if binaryTypes.contains(mimeType) {
            if case .str(let s) = item { return .string(s) }
            return .string(Data(try ByteString.bytes(item, what: mimeType)).base64EncodedString())
        }
        if mimeType == "application/json" || mimeType.hasSuffix("+json") {
            if case .str(let s) = item {
                do { return try JSONValue.parse(s) } catch {
                    throw Interp.valueError("\(mimeType) data is not valid JSON: \(error)")
                }
            }
            return try ScriptJSON.json(item)
        }
        guard case .str(let s) = item else {
            throw Interp.typeError("\(mimeType) data must be str, not \(Interp.typeName(item))")
        }
        return .string(s)
    }

    /// The bound method `name` of a script object, found without `__getattr__` (so objects that
    /// answer every attribute do not claim every MIME type).
    static func method(_ instance: PyInstance, _ name: String) -> Value? {
        guard let v = try? Interp.lookupAttr(.obj(instance), name), !v.isNone else { return nil }
        return v
    }

    /// Runs a formatter method and takes in what it returns; its error (other than an
    /// interrupt or exit) goes to stderr with the traceback and the method counts as declined.
    static func reporting(_ name: String, _ body: () throws -> Void) throws {
        do { try body() } catch let e as PyError {
            if e.exc.cls.isSubclass(of: Builtins.exceptionClass("KeyboardInterrupt"))
                || e.exc.cls === Builtins.exceptionClass("SystemExit") { throw e }
            Runtime.sink.write("Error in \(name):\n" + Traceback.format(e.exc), to: .stderr)
        }
    }

    static func filtered(_ bundle: MimeBundle, include: Set<String>?, exclude: Set<String>) -> MimeBundle {
        guard include != nil || !exclude.isEmpty else { return bundle }
        let keep = { (mime: String) in (include?.contains(mime) ?? true) && !exclude.contains(mime) }
        return MimeBundle(data: bundle.data.filter { keep($0.0) }, metadata: bundle.metadata.filter { keep($0.0) })
    }
}

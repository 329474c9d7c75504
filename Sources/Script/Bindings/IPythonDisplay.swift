import Display
import Foundation

/// IPython's display API for scripts: `display`, `update_display`, `clear_output`, the
/// `DisplayHandle` they return and the display objects `HTML`, `Markdown`, `Latex`, `SVG`,
/// `JSON` and `Image`. They are builtins (as in an IPython kernel) and importable from
/// `IPython.display`, so notebook code runs as written. Output goes to the session's sink:
/// the kernel sends display_data / update_display_data / clear_output, the REPL draws, and a
/// plain sink (`apus run`) prints the text/plain form.
enum IPythonDisplay {
    nonisolated(unsafe) static var registered = false

    /// Adds the builtins and the `IPython`, `IPython.display` and `IPython.core.display`
    /// modules; called from `Bindings.registerAll` (once per process).
    static func register() {
        guard !registered else { return }
        registered = true
        let names = namespace
        for (name, value) in names { Builtins.table[name] = value }
        let doc = "IPython's display functions and objects (Apus's own implementation)."
        Modules.register("IPython.display") { PyModule("IPython.display", names, doc: doc) }
        Modules.register("IPython.core.display") { PyModule("IPython.core.display", names, doc: doc) }
        Modules.register("IPython.core") {
            PyModule("IPython.core", ["display": try Modules.importModule("IPython.core.display")])
        }
        Modules.register("IPython") {
            PyModule("IPython", ["display": try Modules.importModule("IPython.display"),
                                 "core": try Modules.importModule("IPython.core")], doc: doc)
        }
    }

    /// Everything the module exports, built once.
    static let namespace: [String: Value] = {
        var n: [String: Value] = [
            "display": displayFunction, "update_display": updateDisplayFunction,
            "clear_output": clearOutputFunction, "DisplayHandle": .obj(displayHandleClass),
            "DisplayObject": .obj(displayObjectClass), "TextDisplayObject": .obj(textDisplayObjectClass),
            "JSON": .obj(jsonClass), "Image": .obj(imageClass),
        ]
        for c in textClasses { n[c.name] = .obj(c) }
        return n
    }()

    // MARK: publishing

    /// Sends a bundle to the session's sink; a plain sink gets the text/plain form, as a
    /// terminal IPython prints it (updates print again).
    static func publish(_ bundle: MimeBundle, displayId: String?, update: Bool) {
        if let rich = Runtime.sink as? RichOutputSink {
            if update, let id = displayId { rich.updateDisplay(bundle, displayId: id) }
            else { rich.display(bundle, displayId: displayId) }
            return
        }
        if let text = bundle["text/plain"]?.stringValue { Runtime.sink.write(text + "\n", to: .stdout) }
    }

    static func newDisplayId() -> String { UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    static func mimeSet(_ v: Value, _ what: String) throws -> Set<String>? {
        if v.isNone { return nil }
        if case .str(let s) = v { return [s] }
        return Set(try Interp.toArray(v).map { item -> String in
            guard case .str(let s) = item else { throw Interp.typeError("\(what) must hold MIME type strings, not \(Interp.typeName(item))") }
            return s
        })
    }

    /// Merges `extra` into `metadata`; nested dicts merge one level deep, as IPython's `_merge`.
    static func merged(_ metadata: [(String, JSONValue)], _ extra: [(String, JSONValue)]) -> [(String, JSONValue)] {
        var out = metadata
        for (key, value) in extra {
            if let i = out.firstIndex(where: { $0.0 == key }), case .object(let old) = out[i].1, case .object(let new) = value {
                out[i].1 = .object(merged(old, new))
            } else if let i = out.firstIndex(where: { $0.0 == key }) {
                out[i].1 = value
            } else {
                out.append((key, value))
            }
        }
        return out
    }

    static let displaySignature = "*objs, include=None, exclude=None, metadata=None, transient=None, display_id=None, raw=False, clear=False, update=False"

    static let displayFunction = Bindings.function("display", displaySignature, doc: """
        Show objects in the front-end as rich output (all the MIME types their formatters give).
        display_id=True (or a string) makes the output updatable: a DisplayHandle is returned
        whose update(obj) replaces it in place. raw=True takes MIME-type dicts as they are;
        clear=True clears the cell's output first. include/exclude filter the MIME types.
        """) { a in try display(a) }

    static func display(_ a: Arguments) throws -> Value {
        var objs = try Interp.toArray(a["objs"])
        var raw = try a.bool("raw")
        let update = try a.bool("update")
        var displayId: String? = nil
        switch a["display_id"] {
        case .none, .bool(false): break
        case .bool(true): displayId = newDisplayId()
        case .str(let s): displayId = s
        case let other: displayId = try Interp.str(other)
        }
        if let transient = try? ScriptJSON.pairs(a["transient"], what: "transient"),
           let id = transient.first(where: { $0.0 == "display_id" })?.1.stringValue { displayId = id }
        if update && displayId == nil { throw Interp.typeError("display_id required for update_display") }
        // No objects but an id: an empty output to fill in later.
        if objs.isEmpty && displayId != nil { objs = [.obj(PyDict())]; raw = true }
        let include = try mimeSet(a["include"], "include"), exclude = try mimeSet(a["exclude"], "exclude") ?? []
        let extraMetadata = try ScriptJSON.pairs(a["metadata"], what: "metadata")
        if try a.bool("clear") { try clearOutput(wait: true) }
        for obj in objs {
            var bundle: MimeBundle
            if raw {
                bundle = MimeBundle(data: try ScriptJSON.pairs(obj, what: "a raw display bundle"))
            } else {
                guard let formatted = try DisplayFormatter.bundle(for: obj, repr: nil, include: include, exclude: exclude) else { continue }
                bundle = formatted
            }
            if !extraMetadata.isEmpty { bundle.metadata = merged(bundle.metadata, extraMetadata) }
            publish(bundle, displayId: displayId, update: update)
        }
        guard let id = displayId else { return .none }
        return try Interp.call(.obj(displayHandleClass), [.str(id)])
    }

    static let updateDisplayFunction = Bindings.function("update_display",
        "obj, *, display_id, include=None, exclude=None, metadata=None, raw=False", doc: """
        Replace the output shown with display_id (by an earlier display(..., display_id=...)) by obj.
        """) { a in
        _ = try display(bind(.tuple([a["obj"]]), ["display_id": a["display_id"], "include": a["include"], "exclude": a["exclude"],
                                                   "metadata": a["metadata"], "raw": a["raw"], "update": .bool(true)]))
        return .none
    }

    /// Calls `display` with these arguments.
    static func bind(_ objs: Value, _ keywords: [String: Value]) throws -> Arguments {
        try Signature(displaySignature).bind(try Interp.toArray(objs), keywords.sorted { $0.key < $1.key }, function: "display")
    }

    static let clearOutputFunction = Bindings.function("clear_output", "wait=False", doc: """
        Clear the output of the current cell. With wait=True the clear happens only when new
        output arrives, so animations do not flicker.
        """) { a in
        try clearOutput(wait: a.bool("wait"))
        return .none
    }

    static func clearOutput(wait: Bool) throws {
        if let rich = Runtime.sink as? RichOutputSink { rich.clearOutput(wait: wait); return }
        // A terminal without rich output: erase the current line, as IPython does there.
        if isatty(1) != 0 { Runtime.sink.write("\u{1B}[2K\r", to: .stdout) }
    }

    // MARK: classes

    /// A class scripts see as `IPython.core.display.<name>`, with methods written in Swift.
    static func makeClass(_ name: String, base: PyClass, doc: String, methods: [String: Value]) -> PyClass {
        let c = PyClass(name: name, base: base, dict: methods)
        c.module = "IPython.core.display"
        c.doc = doc
        return c
    }

    /// A method taking `self` and then `signature`.
    static func method(_ name: String, _ signature: String, doc: String = "", _ body: @escaping (PyInstance, Arguments) throws -> Value) -> Value {
        Bindings.function(name, "self" + (signature.isEmpty ? "" : ", " + signature), doc: doc) { a in
            guard case .obj(let o) = a["self"], let instance = o as? PyInstance else {
                throw Interp.typeError("\(name)() needs an instance as self, not \(Interp.typeName(a["self"]))")
            }
            return try body(instance, a)
        }
    }

    static let displayHandleClass: PyClass = makeClass("DisplayHandle", base: Builtins.objectClass, doc: """
        A handle on an updatable output: display(obj, display_id=True) returns one.
        handle.update(obj) replaces the output, handle.display(obj) shows obj as a new output
        with the same id.
        """, methods: [
        "__init__": method("__init__", "display_id=None") { this, a in
            this.attrs["display_id"] = a.isNone("display_id") ? .str(newDisplayId()) : a["display_id"]
            return .none
        },
        "__repr__": method("__repr__", "") { this, _ in
            .str("<DisplayHandle display_id=\(try Interp.str(this.attrs["display_id"] ?? .none))>")
        },
        "display": method("display", "obj, include=None, exclude=None, metadata=None", doc: "Show obj as a new output with this handle's id.") { this, a in
            _ = try display(bind(.tuple([a["obj"]]), ["display_id": this.attrs["display_id"] ?? .none, "include": a["include"],
                                                      "exclude": a["exclude"], "metadata": a["metadata"]]))
            return .none
        },
        "update": method("update", "obj, include=None, exclude=None, metadata=None", doc: "Replace this handle's output with obj.") { this, a in
            _ = try display(bind(.tuple([a["obj"]]), ["display_id": this.attrs["display_id"] ?? .none, "include": a["include"],
                                                      "exclude": a["exclude"], "metadata": a["metadata"], "update": .bool(true)]))
            return .none
        },
    ])

    static let displayObjectClass: PyClass = makeClass("DisplayObject", base: Builtins.objectClass, doc: """
        Base of the display objects: holds data (or reads it from filename) and metadata.
        """, methods: [
        "__init__": method("__init__", "data=None, url=None, filename=None, metadata=None") { this, a in
            try initialize(this, a)
            return .none
        },
        "__repr__": method("__repr__", "") { this, _ in .str("<\(this.cls.module).\(this.cls.name) object>") },
    ])

    /// Stores data, url, filename and metadata; a str that names an existing file (or an
    /// http(s) URL) counts as that, as IPython decides.
    static func initialize(_ this: PyInstance, _ a: Arguments) throws {
        var data = a["data"], url = a["url"], filename = a["filename"]
        if case .str(let s) = data {
            if (s.hasPrefix("http://") || s.hasPrefix("https://")) && url.isNone { url = data; data = .none }
            else if filename.isNone, !s.contains("\n"), s.count < 4096, FileManager.default.fileExists(atPath: s) {
                filename = data; data = .none
            }
        }
        this.attrs["data"] = data
        this.attrs["url"] = url
        this.attrs["filename"] = filename
        this.attrs["metadata"] = a["metadata"].isNone ? .obj(PyDict()) : a["metadata"]
        if case .str(let path) = filename, data.isNone {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw Interp.error("FileNotFoundError", "[Errno 2] No such file or directory: '\(path)'")
            }
            this.attrs["data"] = .str(String(decoding: contents, as: UTF8.self))
        } else if data.isNone, case .str(let u) = url {
            throw Interp.error("OSError", "cannot fetch \(u): Apus works offline; pass data= or filename= instead")
        }
    }

    /// `data`, or `(data, metadata)` when metadata was given.
    static func dataAndMetadata(_ this: PyInstance) -> Value {
        let data = this.attrs["data"] ?? .none
        if case .obj(let m)? = this.attrs["metadata"], let md = m as? PyDict, md.count > 0 { return .tuple([data, .obj(md)]) }
        return data
    }

    static let textDisplayObjectClass: PyClass = makeClass("TextDisplayObject", base: displayObjectClass,
        doc: "A display object whose data is text.", methods: [:])

    /// HTML, Markdown, Latex and SVG: text shown as one MIME type.
    static let textClasses: [PyClass] = [
        ("HTML", "_repr_html_", "HTML shown rendered: HTML('<b>bold</b>')."),
        ("Markdown", "_repr_markdown_", "Markdown shown rendered: Markdown('# Title')."),
        ("Latex", "_repr_latex_", "LaTeX shown rendered: Latex(r'$\\alpha^2$')."),
        ("SVG", "_repr_svg_", "An SVG image: SVG('<svg ...>...</svg>') or SVG(filename='plot.svg')."),
    ].map { name, repr, doc in
        makeClass(name, base: textDisplayObjectClass, doc: doc, methods: [
            repr: method(repr, "") { this, _ in dataAndMetadata(this) },
        ])
    }

    static let jsonClass: PyClass = makeClass("JSON", base: displayObjectClass, doc: """
        JSON shown as a collapsible tree: JSON({'a': [1, 2]}, expanded=True). A str is parsed.
        """, methods: [
        "__init__": method("__init__", "data=None, url=None, filename=None, expanded=False, metadata=None, root='root'") { this, a in
            try initialize(this, a)
            if case .str(let text)? = this.attrs["data"] {
                do { this.attrs["data"] = ScriptJSON.value(try JSONValue.parse(text)) } catch {
                    throw Interp.valueError("JSON(): the text is not valid JSON: \(error)")
                }
            }
            this.attrs["expanded"] = .bool(try a.bool("expanded"))
            this.attrs["root"] = a["root"]
            return .none
        },
        "_repr_json_": method("_repr_json_", "") { this, _ in
            let md = PyDict()
            md.set(.str("expanded"), this.attrs["expanded"] ?? .bool(false))
            md.set(.str("root"), this.attrs["root"] ?? .str("root"))
            if case .obj(let m)? = this.attrs["metadata"], let extra = m as? PyDict { for (k, v) in extra.items { md.set(k, v) } }
            return .tuple([this.attrs["data"] ?? .none, .obj(md)])
        },
    ])

    static let imageClass: PyClass = makeClass("Image", base: displayObjectClass, doc: """
        A PNG, JPEG, GIF or WebP image: Image(filename='cat.png'), Image(data=png_bytes),
        Image(url='https://...') (shown by the front-end, not embedded), with width=, height=,
        retina=, alt=, metadata=.
        """, methods: [
        "__init__": method("__init__", "data=None, url=None, filename=None, format=None, embed=None, width=None, height=None, retina=False, unconfined=False, metadata=None, alt=None") { this, a in
            try initializeImage(this, a)
            return .none
        },
        "_repr_mimebundle_": method("_repr_mimebundle_", "include=None, exclude=None") { this, _ in
            try imageBundle(this)
        },
    ])

    static let imageFormats: [String: String] = ["png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg",
                                                 "gif": "image/gif", "webp": "image/webp"]

    static func initializeImage(_ this: PyInstance, _ a: Arguments) throws {
        var data = a["data"], url = a["url"], filename = a["filename"]
        if case .str(let s) = data {
            if s.hasPrefix("http://") || s.hasPrefix("https://") { url = data }
            else if FileManager.default.fileExists(atPath: s) { filename = data }
            else { throw Interp.valueError("Image(data=...) takes bytes, a file name or a URL; no file named '\(s)'") }
            data = .none
        }
        var bytes: [UInt8]? = nil
        if case .str(let path) = filename {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw Interp.error("FileNotFoundError", "[Errno 2] No such file or directory: '\(path)'")
            }
            bytes = [UInt8](contents)
        } else if !data.isNone {
            bytes = try ByteString.bytes(data, what: "Image(data=...)")
        }
        var format: String? = a.isNone("format") ? nil : try a.string("format").lowercased()
        let named = (filename.isNone ? url : filename)
        if format == nil, case .str(let name) = named, let dot = name.lastIndex(of: ".") {
            format = String(name[name.index(after: dot)...]).lowercased()
        }
        if let b = bytes, format == nil || imageFormats[format!] == nil { format = sniff(b) ?? format }
        let embed = a.isNone("embed") ? bytes != nil : try a.bool("embed")
        if embed && bytes == nil {
            throw Interp.valueError("No image data found. Expecting filename, url, or data.")
        }
        if embed, imageFormats[format ?? ""] == nil {
            throw Interp.valueError("Cannot embed the '\(format ?? "unknown")' image format")
        }
        var width = a["width"], height = a["height"]
        if try a.bool("retina"), let b = bytes, format == "png", let size = pngSize(b) {
            if width.isNone { width = .int(size.width / 2) }
            if height.isNone { height = .int(size.height / 2) }
        }
        this.attrs["data"] = bytes.map { ScriptBridge.wrap(ByteString($0)) } ?? Value.none
        this.attrs["url"] = url
        this.attrs["filename"] = filename
        this.attrs["format"] = format.map(Value.str) ?? Value.none
        this.attrs["embed"] = .bool(embed)
        this.attrs["width"] = width
        this.attrs["height"] = height
        this.attrs["unconfined"] = .bool(try a.bool("unconfined"))
        this.attrs["alt"] = a["alt"]
        this.attrs["metadata"] = a["metadata"].isNone ? .obj(PyDict()) : a["metadata"]
    }

    /// The format from the file's magic bytes.
    static func sniff(_ b: [UInt8]) -> String? {
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "png" }
        if b.starts(with: [0xFF, 0xD8]) { return "jpeg" }
        if b.starts(with: Array("GIF8".utf8)) { return "gif" }
        if b.count >= 12, b.starts(with: Array("RIFF".utf8)), Array(b[8..<12]) == Array("WEBP".utf8) { return "webp" }
        return nil
    }

    /// Width and height from a PNG's IHDR chunk.
    static func pngSize(_ b: [UInt8]) -> (width: Int, height: Int)? {
        guard b.count >= 24 else { return nil }
        func be32(_ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
        return (be32(16), be32(20))
    }

    /// IPython's Image bundle: the embedded image with its size metadata, or an <img> tag
    /// pointing at the URL.
    static func imageBundle(_ this: PyInstance) throws -> Value {
        let bundle = PyDict()
        let width = this.attrs["width"] ?? .none, height = this.attrs["height"] ?? .none
        let alt = this.attrs["alt"] ?? .none
        let unconfined = (try? Interp.truthy(this.attrs["unconfined"] ?? .none)) ?? false
        guard case .bool(true)? = this.attrs["embed"] else {
            var tag = "<img src=\"\(try Interp.str(this.attrs["url"] ?? .none))\""
            if !width.isNone { tag += " width=\"\(try Builtins.intArg(width))\"" }
            if !height.isNone { tag += " height=\"\(try Builtins.intArg(height))\"" }
            if unconfined { tag += " class=\"unconfined\"" }
            if case .str(let text) = alt { tag += " alt=\"\(htmlEscaped(text))\"" }
            bundle.set(.str("text/html"), .str(tag + "/>"))
            return .obj(bundle)
        }
        let format = try Interp.str(this.attrs["format"] ?? .none)
        let mime = imageFormats[format] ?? "image/png"
        let bytes = try ByteString.bytes(this.attrs["data"] ?? .none, what: "Image data")
        bundle.set(.str(mime), .str(Data(bytes).base64EncodedString()))
        let md = PyDict()
        if case .obj(let m)? = this.attrs["metadata"], let extra = m as? PyDict { for (k, v) in extra.items { md.set(k, v) } }
        if !width.isNone { md.set(.str("width"), width) }
        if !height.isNone { md.set(.str("height"), height) }
        if unconfined { md.set(.str("unconfined"), .bool(true)) }
        if !alt.isNone { md.set(.str("alt"), alt) }
        guard md.count > 0 else { return .obj(bundle) }
        let metadata = PyDict()
        metadata.set(.str(mime), .obj(md))
        return .tuple([.obj(bundle), .obj(metadata)])
    }

    static func htmlEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#x27;")
    }
}

import Foundation

/// A text file opened with open(): read/write/readline/readlines/iteration/context manager.
final class FileObject: PyObject {
    static let methodNames: Set<String> = ["read", "readline", "readlines", "write", "writelines", "close", "__enter__", "__exit__", "flush", "__iter__", "__next__"]
    let path: String
    let mode: String
    var content: [Unicode.Scalar] = []
    var pos = 0
    var out = ""
    var closed = false
    init(path: String, mode: String) { self.path = path; self.mode = mode }
    override var pyClass: PyClass { Builtins.fileClass }

    static func open(_ a: [Value], _ kw: [(String, Value)]) throws -> Value {
        guard let pv = Builtins.arg(a, 0, kw, "file"), case .str(let path) = pv else { throw Interp.typeError("open() needs a file path") }
        var mode = "r"
        if let m = Builtins.arg(a, 1, kw, "mode"), case .str(let s) = m { mode = s }
        let f = FileObject(path: path, mode: mode)
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { throw Modules.osError(path, EISDIR) }
        if mode.contains("r") {
            guard let data = FileManager.default.contents(atPath: path) else { throw Modules.osError(path, ENOENT) }
            guard let text = String(data: data, encoding: .utf8) else { throw Interp.error("UnicodeDecodeError", "'utf-8' codec can't decode file \(path)") }
            f.content = Array(text.unicodeScalars)
        } else if mode.contains("w") {
            guard FileManager.default.createFile(atPath: path, contents: Data()) else { throw Modules.osError(path, ENOENT) }
        } else if mode.contains("a") {
            if !FileManager.default.fileExists(atPath: path) { guard FileManager.default.createFile(atPath: path, contents: Data()) else { throw Modules.osError(path, ENOENT) } }
        }
        return .obj(f)
    }

    func flushOut() {
        guard !out.isEmpty, let h = FileHandle(forWritingAtPath: path) else { return }
        h.seekToEndOfFile()
        h.write(out.data(using: .utf8) ?? Data())
        h.closeFile()
        out = ""
    }

    func readLine() -> String? {
        if pos >= content.count { return nil }
        var end = pos
        while end < content.count, content[end] != "\n" { end += 1 }
        if end < content.count { end += 1 }
        let s = String(String.UnicodeScalarView(content[pos..<end]))
        pos = end
        return s
    }

    func method(_ name: String, _ a: [Value]) throws -> Value? {
        if closed && name != "close" && name != "__exit__" { throw Interp.valueError("I/O operation on closed file.") }
        switch name {
        case "read":
            let n = a.first.flatMap { if case .int(let i) = $0 { return i }; return nil } ?? -1
            let end = n < 0 ? content.count : min(content.count, pos + n)
            let s = String(String.UnicodeScalarView(content[pos..<end])); pos = end
            return .str(s)
        case "readline": return .str(readLine() ?? "")
        case "readlines": var out: [Value] = []; while let l = readLine() { out.append(.str(l)) }; return .list(out)
        case "write":
            guard case .str(let s) = a[0] else { throw Interp.typeError("write() argument must be str, not \(Interp.typeName(a[0]))") }
            if !(mode.contains("w") || mode.contains("a") || mode.contains("+")) { throw Interp.error("UnsupportedOperation", "not writable") }
            out += s
            if out.utf8.count > 1 << 16 { flushOut() }
            return .int(s.unicodeScalars.count)
        case "writelines": for v in try Interp.toArray(a[0]) { if case .str(let s) = v { out += s } }; return Value.none
        case "flush": flushOut(); return Value.none
        case "close", "__exit__": flushOut(); closed = true; return name == "__exit__" ? .bool(false) : Value.none
        case "__enter__", "__iter__": return .obj(self)
        case "__next__": if let l = readLine() { return .str(l) }; throw Interp.error("StopIteration", nil)
        default: return nil
        }
    }
    deinit { flushOut() }
}

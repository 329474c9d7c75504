import Foundation

/// Which standard stream a write goes to.
public enum StreamKind: Sendable { case stdout, stderr }

/// Where script output goes: the terminal, a notebook cell, a test's buffer.
public protocol OutputSink: AnyObject {
    /// Receives text written by print() or sys.stdout/sys.stderr.write().
    func write(_ text: String, to stream: StreamKind)
    /// Called by flush=True and sys.stdout.flush().
    func flush()
}

/// Writes to the process's stdout/stderr, buffering stdout for speed.
public final class StandardSink: OutputSink {
    var buffer: [UInt8] = []
    public init() { buffer.reserveCapacity(1 << 16) }
    public func write(_ text: String, to stream: StreamKind) {
        if stream == .stdout {
            buffer.append(contentsOf: text.utf8)
            if buffer.count >= 1 << 15 { flush() }
        } else {
            flush()
            FileHandle.standardError.write(text.data(using: .utf8) ?? Data())
        }
    }
    public func flush() {
        if buffer.isEmpty { return }
        buffer.withUnsafeBufferPointer { p in
            var off = 0
            while off < p.count {
                let n = Foundation.write(1, p.baseAddress! + off, p.count - off)
                if n <= 0 { break }
                off += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Collects output in memory (tests, notebook cells).
public final class CaptureSink: OutputSink {
    public var stdout = ""
    public var stderr = ""
    public init() {}
    public func write(_ text: String, to stream: StreamKind) {
        if stream == .stdout { stdout += text } else { stderr += text }
    }
    public func flush() {}
}

/// Process-wide interpreter state shared by all sessions.
enum Runtime {
    nonisolated(unsafe) static var sink: OutputSink = StandardSink()
    nonisolated(unsafe) static var argv: [String] = [""]
    /// Supplies lines for input(); nil means read from stdin.
    nonisolated(unsafe) static var inputProvider: ((String) throws -> String?)? = nil
}

import CEditLine
import Foundation

/// Line input through libedit's readline-compatible API: emacs-style editing, history with
/// Ctrl-R search, Tab completion, and a persistent history file.
final class LineEditor {
    /// What one call to `read` produced.
    enum Input: Equatable { case line(String), interrupted, endOfFile }

    let historyPath: String?

    /// Sets libedit up and loads `historyPath` when it exists.
    init(historyPath: String?) {
        self.historyPath = historyPath
        // libedit converts between wide characters and bytes through the C locale; without a
        // UTF-8 one every non-ASCII character is lost.
        if let name = setlocale(LC_CTYPE, ""), String(cString: name).lowercased().contains("utf") {
        } else {
            _ = setlocale(LC_CTYPE, "C.UTF-8")
        }
        rl_readline_name = UnsafePointer(strdup("apus"))
        // Our SIGINT handler must see Ctrl-C (libedit's own would re-send the signal to the
        // whole process group).
        rl_catch_signals = 0
        // libedit clears the line after its pre-input hook, so a block's indentation is fed
        // in as if typed, through our own character source (which must be set before
        // rl_initialize to take effect).
        rl_getc_function = { _ in LineEditor.nextCharacter() }
        rl_initialize()
        using_history()
        stifle_history(10_000)
        _ = rl_parse_and_bind("bind ^R em-inc-search-prev")
        _ = rl_parse_and_bind("bind ^I rl_complete")
        // A dot ends a word so `obj.pre<Tab>` completes the attribute alone.
        rl_completer_word_break_characters = strdup(" \t\n\"'`@$><=;|&{(.[,+-*/%~^:!)}]")
        rl_completion_append_character = 0
        rl_attempted_completion_function = { text, start, end in LineEditor.attemptCompletion(text, start, end) }
        if let path = historyPath, FileManager.default.fileExists(atPath: path) { _ = read_history(path) }
    }

    /// Supplies completions: (code before the cursor, including earlier lines of the entry) → names.
    nonisolated(unsafe) static var completer: ((String) -> (matches: [String], word: String))?
    /// Earlier lines of a multi-line entry, so completion sees the whole block.
    nonisolated(unsafe) static var pendingCode = ""

    /// Characters still to hand to libedit before reading the keyboard.
    nonisolated(unsafe) static var pending: [Int32] = []

    /// libedit's character source: the pre-filled text first, then one Unicode scalar from
    /// stdin (libedit takes the returned int as a wide character, so UTF-8 is decoded here).
    /// -1 (end of input) when reading fails or Ctrl-C interrupted the read.
    static func nextCharacter() -> Int32 {
        if !pending.isEmpty { return pending.removeFirst() }
        func byte() -> Int32 {
            var b: UInt8 = 0
            while true {
                // The signal may land on any thread, so a blocked read() is not reliably
                // interrupted: wait on stdin and on the handler's wake-up pipe together.
                if SignalState.sigintAtPrompt != 0 { return -1 }
                var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: SignalState.wakeReadEnd, events: Int16(POLLIN), revents: 0)]
                let ready = poll(&fds, SignalState.wakeReadEnd >= 0 ? 2 : 1, -1)
                if ready < 0 && errno == EINTR { continue }
                if SignalState.sigintAtPrompt != 0 { return -1 }
                if fds[1].revents != 0 { SignalState.drainWakePipe(); continue }
                let n = Foundation.read(0, &b, 1)
                if n == 1 { return Int32(b) }
                if n < 0 && errno == EINTR { continue }
                return -1
            }
        }
        let first = byte()
        guard first >= 0x80 else { return first }
        let extra = first >= 0xF0 ? 3 : first >= 0xE0 ? 2 : first >= 0xC0 ? 1 : 0
        var scalar = first & (0x3F >> extra)
        for _ in 0..<extra {
            let next = byte()
            guard next >= 0 else { return -1 }
            scalar = (scalar << 6) | (next & 0x3F)
        }
        return scalar
    }

    /// Shows `prompt` and reads one line. A Ctrl-C while typing gives `.interrupted`.
    func read(prompt: String, prefill: String = "") -> Input {
        // Keys already waiting were pasted (no one types ahead of a prompt that fast): they
        // bring their own indentation, which the pre-filled one would double.
        LineEditor.pending = LineEditor.inputIsWaiting() ? [] : prefill.unicodeScalars.map { Int32($0.value) }
        SignalState.sigintAtPrompt = 0
        SignalState.drainWakePipe()
        guard let raw = readline(prompt) else {
            return SignalState.sigintAtPrompt != 0 ? .interrupted : .endOfFile
        }
        defer { free(raw) }
        if SignalState.sigintAtPrompt != 0 { return .interrupted }
        return .line(String(cString: raw))
    }

    /// Whether standard input has something to read right now.
    static func inputIsWaiting() -> Bool {
        var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0 && descriptor.revents & Int16(POLLIN) != 0
    }

    /// Records a finished entry in memory and in the history file.
    func remember(_ entry: String) {
        guard !entry.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
        _ = add_history(entry)
        guard let path = historyPath else { return }
        // libedit's file starts with a signature line that only write_history puts there;
        // after that we append ourselves (libedit's append_history repeats the previous entry).
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if size == 0 { _ = write_history(path); return }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data((LineEditor.encodeHistoryLine(entry) + "\n").utf8))
    }

    /// An entry in the history file's encoding (strvis style, which read_history undoes):
    /// printable ASCII as is, every other byte and the backslash as a 3-digit octal escape.
    static func encodeHistoryLine(_ entry: String) -> String {
        var out = ""
        for b in entry.utf8 {
            if b > 0x20 && b < 0x7F && b != UInt8(ascii: "\\") { out.append(Character(Unicode.Scalar(b))) }
            else { out += "\\" + String(b, radix: 8).leftPadded(to: 3) }
        }
        return out
    }

    /// The entries in memory, oldest first (from the file and this session).
    func entries() -> [String] {
        var out: [String] = []
        guard history_length > 0 else { return out }
        for i in history_base..<(history_base + history_length) {
            if let e = history_get(i), let line = e.pointee.line { out.append(String(cString: line)) }
        }
        return out
    }

    /// Readline's completion entry point: ask the session for names and hand them back as a
    /// malloc'd, NULL-terminated array whose first element is their longest common prefix.
    static func attemptCompletion(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32)
        -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        rl_attempted_completion_over = 1
        guard let completer = completer, let text = text, let buffer = rl_line_buffer else { return nil }
        let lineBytes = UnsafeRawBufferPointer(start: buffer, count: Int(max(0, rl_point)))
        let before = pendingCode + String(decoding: lineBytes, as: UTF8.self)
        let typed = String(cString: text)
        let (matches, word) = completer(before)
        // The engine's word and readline's may start at different places; rebase onto readline's.
        let replacements: [String] = matches.map { m in
            if typed.hasSuffix(word) { return String(typed.dropLast(word.count)) + m }
            if word.hasSuffix(typed) { return String(m.dropFirst(word.count - typed.count)) }
            return m
        }
        guard !replacements.isEmpty else { return nil }
        var list = replacements
        if list.count > 1 { list.insert(commonPrefix(list), at: 0) }
        // readline releases the array with free(), so it must come from malloc.
        guard let raw = malloc(MemoryLayout<UnsafeMutablePointer<CChar>?>.stride * (list.count + 1)) else { return nil }
        let array = raw.bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: list.count + 1)
        for (i, s) in list.enumerated() { array[i] = strdup(s) }
        array[list.count] = nil
        return array
    }

    static func commonPrefix(_ items: [String]) -> String {
        guard var prefix = items.first else { return "" }
        for s in items.dropFirst() {
            while !s.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }
}

/// Flags set from the SIGINT handler (which may only touch plain memory).
enum SignalState {
    nonisolated(unsafe) static var sigintAtPrompt: sig_atomic_t = 0
    /// A non-blocking pipe the SIGINT handler writes a byte to, so the prompt's wait wakes up
    /// whichever thread the signal was delivered to.
    nonisolated(unsafe) static var wakeReadEnd: Int32 = -1
    nonisolated(unsafe) static var wakeWriteEnd: Int32 = -1

    /// Creates the wake-up pipe once.
    static func openWakePipe() {
        guard wakeReadEnd < 0 else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeReadEnd = fds[0]
        wakeWriteEnd = fds[1]
    }

    /// Empties the wake-up pipe (stale wake-ups from an earlier Ctrl-C).
    static func drainWakePipe() {
        guard wakeReadEnd >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 64)
        while Foundation.read(wakeReadEnd, &buffer, buffer.count) > 0 {}
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

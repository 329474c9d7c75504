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
        rl_readline_name = UnsafePointer(strdup("apus"))
        // Our SIGINT handler must see Ctrl-C (libedit's own would re-send the signal to the
        // whole process group).
        rl_catch_signals = 0
        rl_initialize()
        using_history()
        stifle_history(10_000)
        _ = rl_parse_and_bind("bind ^R em-inc-search-prev")
        _ = rl_parse_and_bind("bind ^I rl_complete")
        // A dot ends a word so `obj.pre<Tab>` completes the attribute alone.
        rl_completer_word_break_characters = strdup(" \t\n\"'`@$><=;|&{(.[,+-*/%~^:!)}]")
        rl_completion_append_character = 0
        rl_attempted_completion_function = { text, start, end in LineEditor.attemptCompletion(text, start, end) }
        rl_pre_input_hook = {
            if !LineEditor.prefill.isEmpty { _ = LineEditor.prefill.withCString { rl_insert_text($0) } }
            return 0
        }
        if let path = historyPath, FileManager.default.fileExists(atPath: path) { _ = read_history(path) }
    }

    /// Text typed for the user before the cursor at the next prompt (a block's indentation).
    nonisolated(unsafe) static var prefill = ""
    /// Supplies completions: (code before the cursor, including earlier lines of the entry) → names.
    nonisolated(unsafe) static var completer: ((String) -> (matches: [String], word: String))?
    /// Earlier lines of a multi-line entry, so completion sees the whole block.
    nonisolated(unsafe) static var pendingCode = ""

    /// Shows `prompt` and reads one line. A Ctrl-C while typing gives `.interrupted`.
    func read(prompt: String, prefill: String = "") -> Input {
        LineEditor.prefill = prefill
        SignalState.sigintAtPrompt = 0
        guard let raw = readline(prompt) else {
            return SignalState.sigintAtPrompt != 0 ? .interrupted : .endOfFile
        }
        defer { free(raw) }
        if SignalState.sigintAtPrompt != 0 { return .interrupted }
        return .line(String(cString: raw))
    }

    /// Records a finished entry in memory and in the history file.
    func remember(_ entry: String) {
        guard !entry.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
        _ = add_history(entry)
        guard let path = historyPath else { return }
        // libedit's file starts with a signature line that only write_history puts there.
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if size > 0 { _ = append_history(1, path) } else { _ = write_history(path) }
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
}

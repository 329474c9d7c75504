import Foundation
import Display
@testable import Kernel

/// A TEST ENGINE, not a language: it exists only to drive the kernel's protocol in tests, until
/// the real engine (module Script) is wired in. Each line of a cell is one command:
///
///     print TEXT            TEXT and a newline on stdout
///     eprint TEXT           the same on stderr
///     display MIME TEXT     a display_data with text/plain and MIME (image/png shows the logo)
///     show ID TEXT          a display_data with display id ID (text/html)
///     update ID TEXT        update_display_data for ID
///     clear [wait]          clear_output
///     error NAME MESSAGE    fails the cell with NAME: MESSAGE
///     sleep SECONDS         waits, checking the interrupt flag every few milliseconds
///     input PROMPT          asks for a line and prints "got: LINE"; `password PROMPT` hides it
///     flood BYTES           prints numbered 100-byte lines totalling BYTES bytes on stdout
///     comm TARGET           opens a comm to the front-end and sends {"hello": TARGET} on it
///     html TEXT             the cell's result is a bundle with text/html
///     ?NAME                 help for a command in the pager
///     NAME = EXPR           assigns an integer expression
///     EXPR                  an integer expression (`6*7`, `v+1`); a final one is the result
///
/// The comm target "echo" is registered by `register(on:)`: it echoes every message back.
final class LineCommandTestEngine: KernelEngine {
    static let commands = ["print", "eprint", "display", "show", "update", "clear", "error", "sleep",
                           "input", "password", "flood", "comm", "html"]

    private let lock = NSLock()
    private var variables: [String: Int] = [:]
    private var interrupted = false

    var languageInfo: LanguageInfo { .apus(version: "0.0-test") }

    /// Registers the "echo" comm target on a kernel.
    func register(on server: KernelServer) {
        server.registerCommTarget("echo") { comm, data, _ in
            comm.send(["opened": data])
            comm.onMessage = { data, buffers in comm.send(["echo": data], buffers: buffers) }
        }
    }

    func interrupt() { lock.withLock { interrupted = true } }
    func clearInterrupt() { lock.withLock { interrupted = false } }

    private var isInterrupted: Bool { lock.withLock { interrupted } }

    func execute(_ code: String, context: ExecutionContext) -> ExecutionOutcome {
        var result: MimeBundle?
        for raw in code.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            result = nil
            let (command, rest) = split(line)
            switch command {
            case "print": context.write(rest + "\n", to: .stdout)
            case "eprint": context.write(rest + "\n", to: .stderr)
            case "display":
                let (mime, text) = split(rest)
                var bundle = MimeBundle(plain: text)
                if mime == "image/png", let png = try? KernelSpec.logo(size: 8).pngData() {
                    bundle.setPNG(png, width: 8, height: 8)
                } else {
                    bundle.set(mime, text: text)
                }
                context.display(bundle, displayId: nil)
            case "show", "update":
                let (id, text) = split(rest)
                var bundle = MimeBundle(plain: text)
                bundle.set("text/html", text: "<b>\(text)</b>")
                if command == "show" { context.display(bundle, displayId: id) } else { context.updateDisplay(bundle, displayId: id) }
            case "clear": context.clearOutput(wait: rest == "wait")
            case "error":
                let (name, message) = split(rest)
                return .failure(ExecutionError(name: name, value: message,
                                               traceback: ["\u{1B}[31m\(name)\u{1B}[0m: \(message)"]))
            case "sleep":
                let deadline = Date().addingTimeInterval(Double(rest) ?? 0)
                while Date() < deadline {
                    if isInterrupted || context.isInterrupted {
                        return .failure(ExecutionError(name: "KeyboardInterrupt", value: "interrupted"))
                    }
                    usleep(2_000)
                }
            case "input", "password":
                do {
                    let answer = try context.input(prompt: rest, password: command == "password")
                    context.write("got: \(answer)\n", to: .stdout)
                } catch InputError.notAllowed {
                    return .failure(ExecutionError(name: "StdinNotImplementedError", value: "\(InputError.notAllowed)"))
                } catch {
                    return .failure(ExecutionError(name: "KeyboardInterrupt", value: "\(error)"))
                }
            case "flood":
                // 100-byte numbered lines ("000000042 xxx...\n"), the last one cut to fit.
                var remaining = Int(rest) ?? 0
                var n = 0
                let padding = String(repeating: "x", count: 89)
                while remaining > 0 {
                    var line = String(n)
                    line = String(repeating: "0", count: max(0, 9 - line.count)) + line + " " + padding
                    line = String(line.prefix(remaining - 1)) + "\n"
                    context.write(line, to: .stdout)
                    remaining -= line.utf8.count
                    n += 1
                }
            case "comm":
                if let comm = context.openComm(target: rest, data: ["hello": .string(rest)], metadata: [:], buffers: []) {
                    comm.send(["from": "kernel"])
                }
            case "html":
                var bundle = MimeBundle(plain: rest)
                bundle.set("text/html", text: "<i>\(rest)</i>")
                result = bundle
            default:
                if line.hasPrefix("?") {
                    let name = String(line.dropFirst())
                    context.page(MimeBundle(plain: help(name) ?? "no help for \(name)"))
                } else if let eq = line.firstIndex(of: "="), line[line.index(after: eq)...].first != "=" {
                    let name = line[..<eq].trimmingCharacters(in: .whitespaces)
                    switch evaluate(String(line[line.index(after: eq)...])) {
                    case .success(let value): lock.withLock { variables[name] = value }
                    case .failure(let error): return .failure(error)
                    }
                } else {
                    switch evaluate(line) {
                    case .success(let value): result = MimeBundle(plain: String(value))
                    case .failure(let error): return .failure(error)
                    }
                }
            }
        }
        return .success(result: result)
    }

    private func split(_ text: String) -> (String, String) {
        guard let space = text.firstIndex(of: " ") else { return (text, "") }
        return (String(text[..<space]), String(text[text.index(after: space)...]))
    }

    /// Sums and products of integers and variables, left to right with `*` binding tighter.
    private func evaluate(_ expression: String) -> Result<Int, ExecutionError> {
        var total = 0
        for term in expression.split(separator: "+", omittingEmptySubsequences: false) {
            var product = 1
            for factor in term.split(separator: "*", omittingEmptySubsequences: false) {
                let token = factor.trimmingCharacters(in: .whitespaces)
                if let n = Int(token) { product *= n; continue }
                guard let value = lock.withLock({ variables[token] }) else {
                    return .failure(ExecutionError(name: token.isEmpty ? "SyntaxError" : "NameError",
                                                   value: token.isEmpty ? "invalid syntax" : "name '\(token)' is not defined"))
                }
                product *= value
            }
            total += product
        }
        return .success(total)
    }

    private func help(_ name: String) -> String? {
        Self.commands.contains(name) ? "\(name): a test-engine command" : lock.withLock { variables[name].map { "\(name) = \($0)" } }
    }

    func complete(_ code: String, cursor: Int) -> Completion {
        let scalars = Array(code.unicodeScalars.prefix(cursor))
        var start = scalars.count
        while start > 0, CharacterSet.alphanumerics.contains(scalars[start - 1]) || scalars[start - 1] == "_" { start -= 1 }
        let prefix = String(String.UnicodeScalarView(scalars[start...]))
        let names = Self.commands.map { ($0, "function") } + lock.withLock { variables.keys.sorted().map { ($0, "instance") } }
        let found = names.filter { $0.0.hasPrefix(prefix) }
        return Completion(matches: found.map(\.0), cursorStart: start, cursorEnd: scalars.count,
                          details: found.map { CompletionDetail(type: $0.1) })
    }

    func inspect(_ code: String, cursor: Int, detail: Int) -> MimeBundle? {
        let completion = complete(code, cursor: cursor)
        let scalars = Array(code.unicodeScalars)
        var end = cursor
        while end < scalars.count, CharacterSet.alphanumerics.contains(scalars[end]) { end += 1 }
        let name = String(String.UnicodeScalarView(scalars[completion.cursorStart..<end]))
        guard let text = help(name) else { return nil }
        var bundle = MimeBundle(plain: text)
        bundle.set("text/markdown", text: "**\(name)**: \(text)")
        return bundle
    }

    func isComplete(_ code: String) -> IsCompleteResult {
        if code.hasPrefix("!!") { return .invalid }
        let open = code.filter { "([{".contains($0) }.count, close = code.filter { ")]}".contains($0) }.count
        if open > close || code.hasSuffix(":") || code.hasSuffix("\\") { return .incomplete(indent: "    ") }
        return .complete
    }
}

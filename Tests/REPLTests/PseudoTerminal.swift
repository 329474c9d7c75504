import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program running under a pseudo-terminal, driven the way a user at a terminal drives it:
/// keystrokes are written to the master side, the screen output is read back from it.
///
/// Every wait is bounded (a hang becomes a thrown error that names what never appeared and
/// shows the transcript), and `close()` kills the child, so a stuck REPL cannot stall the suite.
/// The child is started with `posix_spawn` (not `fork`): the test process has many threads,
/// and only spawn is safe there. `POSIX_SPAWN_SETSID` makes the child a session leader, and
/// opening the terminal's slave side then makes it the controlling terminal, so Ctrl-C
/// typed into the master reaches the child as SIGINT, as it would from a real terminal.
final class PseudoTerminal {
    /// What went wrong while driving the terminal; the message carries the transcript.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The child's process id (0 once it has been reaped).
    private(set) var pid: pid_t = 0
    /// The master side of the terminal.
    private var master: Int32 = -1
    /// Everything read so far, with terminal escape sequences and carriage returns removed.
    private(set) var transcript = ""
    /// Raw bytes not yet turned into transcript text (an escape sequence or a UTF-8 character
    /// may arrive split across reads).
    private var pendingBytes: [UInt8] = []
    /// Waits search the transcript from here on; each match moves it past the matched text,
    /// so a second prompt is told apart from the first.
    private var searchOffset = 0
    /// Where the unmatched part of the transcript begins.
    private var searchStart: String.Index { transcript.utf8.index(transcript.startIndex, offsetBy: searchOffset) }
    /// The exit status once the child has been reaped.
    private(set) var exitStatus: Int32?

    /// Starts `executable` with `arguments` and exactly `environment` on a new terminal of
    /// `columns` × `rows`.
    init(executable: String, arguments: [String] = [], environment: [String: String],
         columns: UInt16 = 120, rows: UInt16 = 40) throws {
        let slavePath: String
        (master, slavePath) = try PseudoTerminal.openMaster()
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The first open after setsid makes the slave the child's controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        posix_spawn_file_actions_addclose(&actions, master)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Signals the test runner ignores or blocks must not stay so in the child (SIGINT
        // above all), so reset them to their defaults and clear the mask.
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        let setsid: Int32 = 0x80  // POSIX_SPAWN_SETSID, which the Glibc module does not export
        posix_spawnattr_setflags(&attributes, Int16(setsid | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            Glibc.close(master)
            throw Failure(description: "could not start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        // Non-blocking, so a write into a full input queue (a child that stopped reading)
        // cannot block the test: `type` then waits for room within its own time limit.
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    }

    deinit { close() }

    /// Opens a new terminal's master side and names its slave side. The C library's
    /// posix_openpt/grantpt/unlockpt/ptsname_r are looked up at run time: the Glibc module
    /// does not import them (they sit behind feature macros in stdlib.h).
    static func openMaster() throws -> (Int32, String) {
        typealias OpenFn = @convention(c) (Int32) -> Int32
        typealias SetupFn = @convention(c) (Int32) -> Int32
        typealias NameFn = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32
        func symbol<F>(_ name: String, as type: F.Type) throws -> F {
            guard let p = dlsym(nil, name) else { throw Failure(description: "the C library has no \(name)") }
            return unsafeBitCast(p, to: type)
        }
        let openpt = try symbol("posix_openpt", as: OpenFn.self)
        let grantpt = try symbol("grantpt", as: SetupFn.self)
        let unlockpt = try symbol("unlockpt", as: SetupFn.self)
        let ptsname = try symbol("ptsname_r", as: NameFn.self)
        let fd = openpt(O_RDWR | O_NOCTTY)
        guard fd >= 0 else { throw Failure(description: "posix_openpt failed: errno \(errno)") }
        var name = [CChar](repeating: 0, count: 128)
        guard grantpt(fd) == 0, unlockpt(fd) == 0, ptsname(fd, &name, name.count) == 0 else {
            let e = errno
            Glibc.close(fd)
            throw Failure(description: "could not set up the pseudo-terminal: errno \(e)")
        }
        return (fd, String(cString: name))
    }

    /// Types `text` as keystrokes ("\r" is Enter, "\t" Tab, "\u{3}" Ctrl-C, "\u{4}" Ctrl-D).
    func type(_ text: String) throws {
        var bytes = Array(text.utf8)
        var offset = 0
        let deadline = Date().addingTimeInterval(10)
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(master, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 { offset += n; continue }
            if n < 0 && errno != EINTR && errno != EAGAIN {
                throw Failure(description: "writing to the terminal failed (errno \(errno)); transcript:\n\(transcript)")
            }
            // The child is not reading and the terminal's input queue is full: drain its
            // output so it can make progress, within the same bound as every other wait.
            if Date() > deadline { throw Failure(description: "the terminal accepted no input for 10 s; transcript:\n\(transcript)") }
            _ = readAvailable(waitingUpTo: 0.05)
        }
    }

    /// The Up arrow key as xterm sends it.
    static let upArrow = "\u{1B}[A"

    /// Waits until `text` appears in the output after the previous match, and moves past it.
    /// Returns the transcript between the previous match and the end of this one.
    @discardableResult
    func waitFor(_ text: String, timeout: TimeInterval = 10) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let found = transcript.range(of: text, range: searchStart..<transcript.endIndex) {
                let seen = String(transcript[searchStart..<found.upperBound])
                searchOffset = transcript.utf8.distance(from: transcript.startIndex, to: found.upperBound)
                return seen
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                throw Failure(description: "never saw \(String(reflecting: text)) within \(timeout) s; output since the last match:\n"
                    + String(transcript[searchStart...]))
            }
            if !readAvailable(waitingUpTo: remaining) && exitStatus != nil {
                throw Failure(description: "the program exited (status \(exitStatus!)) before \(String(reflecting: text)) appeared; output since the last match:\n"
                    + String(transcript[searchStart...]))
            }
        }
    }

    /// Waits until the program has put the terminal in non-canonical mode, i.e. its line
    /// editor is reading keys. Keys typed earlier reach the terminal's canonical line
    /// discipline instead, which turns Ctrl-D into an end-of-file marker and would make a
    /// test depend on timing; so a test waits for this after each prompt before typing.
    /// (On Linux the master side reports the slave side's settings.)
    func waitForLineEditing(timeout: TimeInterval = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var settings = termios()
        while true {
            if tcgetattr(master, &settings) == 0 && settings.c_lflag & tcflag_t(ICANON) == 0 { return }
            if Date() > deadline {
                throw Failure(description: "the terminal never left canonical mode within \(timeout) s; output since the last match:\n"
                    + String(transcript[searchStart...]))
            }
            _ = readAvailable(waitingUpTo: 0.01)
        }
    }

    /// Whether `text` appears in the output after the previous match, reading for at most
    /// `timeout` seconds; does not move past it.
    func sees(_ text: String, within timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if transcript.range(of: text, range: searchStart..<transcript.endIndex) != nil { return true }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return false }
            if !readAvailable(waitingUpTo: remaining) && exitStatus != nil { return false }
        }
    }

    /// Waits for the child to exit (reading its last output meanwhile) and returns its exit
    /// status; a death by signal is reported as 128 + the signal number, as shells do.
    func waitForExit(timeout: TimeInterval = 10) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while exitStatus == nil {
            if Date() > deadline {
                throw Failure(description: "the program did not exit within \(timeout) s; output since the last match:\n"
                    + String(transcript[searchStart...]))
            }
            if !readAvailable(waitingUpTo: 0.1) { reap(blocking: false) }
        }
        return exitStatus!
    }

    /// Reads whatever output arrives within `seconds`; false when nothing came (or the
    /// terminal was closed by the child's exit).
    @discardableResult
    private func readAvailable(waitingUpTo seconds: TimeInterval) -> Bool {
        guard master >= 0 else { return false }
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        // poll in short slices so a child that exits without closing the terminal is noticed.
        let slice = Int32(max(1, min(seconds, 0.2) * 1000))
        let ready = poll(&descriptor, 1, slice)
        if ready <= 0 {
            reap(blocking: false)
            return false
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress!, $0.count) }
        guard n > 0 else {
            if n < 0 && (errno == EAGAIN || errno == EINTR) { return false }
            // EIO: every slave descriptor is closed, i.e. the child is gone.
            reap(blocking: false)
            if exitStatus == nil { Thread.sleep(forTimeInterval: 0.02) }
            return false
        }
        pendingBytes += buffer[0..<n]
        transcript += PseudoTerminal.plainText(&pendingBytes)
        return true
    }

    /// Collects the child's exit status if it has exited.
    private func reap(blocking: Bool) {
        guard pid > 0 else { return }
        var status: Int32 = 0
        let r = waitpid(pid, &status, blocking ? 0 : WNOHANG)
        guard r == pid else { return }
        let signal = status & 0x7F
        exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        pid = 0
    }

    /// Kills the child if it is still running, reaps it and closes the terminal.
    func close() {
        if pid > 0 {
            kill(pid, SIGKILL)
            reap(blocking: true)
        }
        if master >= 0 { Glibc.close(master); master = -1 }
    }

    /// Turns raw terminal output into the text a reader sees in order: escape sequences
    /// (CSI `ESC [ … final`, OSC `ESC ] … BEL/ST`, and two-byte `ESC x`) and carriage
    /// returns are dropped, backspaces and bells too. Bytes of an unfinished sequence or
    /// character stay in `bytes` for the next read.
    static func plainText(_ bytes: inout [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        scan: while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x1B:
                guard i + 1 < bytes.count else { break scan }
                let kind = bytes[i + 1]
                if kind == UInt8(ascii: "[") {
                    var j = i + 2
                    while j < bytes.count, !(0x40...0x7E).contains(bytes[j]) { j += 1 }
                    guard j < bytes.count else { break scan }
                    i = j + 1
                } else if kind == UInt8(ascii: "]") {
                    var j = i + 2
                    while j < bytes.count, bytes[j] != 0x07, !(bytes[j] == 0x1B && j + 1 < bytes.count && bytes[j + 1] == UInt8(ascii: "\\")) { j += 1 }
                    guard j < bytes.count, bytes[j] == 0x07 || j + 1 < bytes.count else { break scan }
                    i = j + (bytes[j] == 0x07 ? 1 : 2)
                } else if kind == UInt8(ascii: "(") || kind == UInt8(ascii: ")") {
                    guard i + 2 < bytes.count else { break scan }
                    i += 3
                } else {
                    i += 2
                }
            case 0x0D, 0x08, 0x07:
                i += 1
            default:
                out.append(b)
                i += 1
            }
        }
        // Keep an incomplete UTF-8 character at the end for the next read.
        var end = out.count
        var back = 0
        while back < 3, end - back - 1 >= 0, out[end - back - 1] & 0xC0 == 0x80 { back += 1 }
        if end - back - 1 >= 0 {
            let lead = out[end - back - 1]
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            if lead >= 0xC0 && back + 1 < length { end -= back + 1 }
        }
        let text = String(decoding: out[0..<end], as: UTF8.self)
        bytes = Array(out[end...]) + Array(bytes[i...])
        return text
    }
}

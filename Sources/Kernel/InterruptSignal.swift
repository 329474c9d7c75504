import Foundation

// The write end of the pipe the SIGINT handler writes to; written once before the handler is
// installed and only read inside it.
nonisolated(unsafe) private var interruptPipeWriteEnd: Int32 = -1

/// Turns SIGINT into a call on an ordinary thread. The handler itself only writes one byte to
/// a pipe (async-signal-safe); a thread blocked on the pipe's read end does the real work, so
/// the interrupt takes the same path as an interrupt_request.
enum InterruptSignal {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var action: (() -> Void)?
    nonisolated(unsafe) private static var installed = false

    static func install(_ handler: @escaping () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        action = handler
        guard !installed else { return }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        installed = true
        interruptPipeWriteEnd = fds[1]
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        let readEnd = fds[0]
        let reader = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                lock.lock()
                let current = action
                lock.unlock()
                current?()
            }
        }
        reader.name = "apus-kernel-sigint"
        reader.start()
        var handlerAction = sigaction()
        #if os(Linux)
        handlerAction.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 1
            _ = write(interruptPipeWriteEnd, &byte, 1)
        }
        #else
        handlerAction.__sigaction_u.__sa_handler = { _ in
            var byte: UInt8 = 1
            _ = write(interruptPipeWriteEnd, &byte, 1)
        }
        #endif
        sigemptyset(&handlerAction.sa_mask)
        // Restart interrupted system calls, so blocking socket calls elsewhere are not cut short.
        handlerAction.sa_flags = SA_RESTART
        sigaction(SIGINT, &handlerAction, nil)
    }
}

import Foundation

/// A value computed on a thread of its own from the moment it is declared; reading it waits
/// until it is ready, then costs one lock.
final class BackgroundValue<Value>: @unchecked Sendable {
    private var computed: Value?
    private let lock = NSLock()
    private let ready = DispatchSemaphore(value: 0)

    init(_ compute: @escaping () -> Value) {
        let thread = Thread { [self] in
            let value = compute()
            lock.withLock { computed = value }
            ready.signal()
        }
        thread.name = "apus-engine-loader"
        thread.start()
    }

    /// The value, once computed.
    var value: Value {
        if let value = lock.withLock({ computed }) { return value }
        ready.wait()
        ready.signal()  // for the next reader that arrives before the fast path sees the value
        return lock.withLock { computed! }
    }
}

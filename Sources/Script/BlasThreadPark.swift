import Foundation

/// OpenBLAS starts its worker threads when the library loads, and idle workers spin (calling
/// sched_yield) for a while before they sleep. A script that does no matrix work would pay
/// that spinning in CPU time on every run, so the engine stops the pool at start-up; OpenBLAS
/// starts it again by itself at the first call that wants threads (the same path it takes
/// after a fork). The function is looked up by name so a different BLAS is simply left alone.
enum BlasThreadPark {
    /// Set once the pool has been stopped, so later engines leave a running pool alone.
    nonisolated(unsafe) static var done = false

    /// Stops OpenBLAS's idle worker threads if that library is loaded.
    static func parkIdleWorkers() {
        if done { return }
        done = true
        guard let handle = dlopen(nil, RTLD_NOW) else { return }
        defer { dlclose(handle) }
        guard let symbol = dlsym(handle, "blas_thread_shutdown_") else { return }
        typealias Shutdown = @convention(c) () -> Int32
        _ = unsafeBitCast(symbol, to: Shutdown.self)()
    }
}

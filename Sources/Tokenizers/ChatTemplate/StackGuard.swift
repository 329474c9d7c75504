#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Knows where the current thread's stack ends, so that parsing and rendering can stop a
/// runaway recursion (a macro calling itself forever, thousands of nested brackets) with an
/// error while there is still room, on any thread and in any build mode. Swift would otherwise
/// crash on stack exhaustion; Python raises RecursionError there.
struct StackGuard {
    /// The lowest usable stack address of the thread that created the guard, if known.
    private let low: UInt?
    /// Room kept in reserve below which `hasRoom` turns false.
    private static let reserve: UInt = 128 * 1024

    init() {
        #if canImport(Glibc)
        // glibc declares pthread_getattr_np only under _GNU_SOURCE, which Swift's Glibc module
        // does not import, so it is looked up by name.
        typealias GetAttributes = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pthread_getattr_np") else { low = nil; return }
        let getAttributes = unsafeBitCast(symbol, to: GetAttributes.self)
        var attributes = pthread_attr_t()
        guard getAttributes(pthread_self(), &attributes) == 0 else { low = nil; return }
        defer { pthread_attr_destroy(&attributes) }
        var base: UnsafeMutableRawPointer?
        var size = 0
        guard pthread_attr_getstack(&attributes, &base, &size) == 0, let base else { low = nil; return }
        low = UInt(bitPattern: base)
        #elseif canImport(Darwin)
        let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
        low = top - UInt(pthread_get_stacksize_np(pthread_self()))
        #else
        low = nil
        #endif
    }

    /// Whether the caller's frame is still comfortably above the end of the stack.
    func hasRoom() -> Bool {
        guard let low else { return true }
        var marker: UInt8 = 0
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        return here > low && here - low > Self.reserve
    }
}

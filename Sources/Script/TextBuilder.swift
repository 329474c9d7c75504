/// Builds a string from pieces in one UTF-8 buffer: f-strings and `str.join` assemble their
/// result here and make one String at the end, instead of growing a String piece by piece
/// (each growth of a Swift String past its inline size reallocates and copies).
///
/// The buffer starts on the caller's stack (see `TextBuilder.build`) and moves to the heap
/// only when the text outgrows it.
struct TextBuilder {
    private var start: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0
    private var onHeap = false

    private init(_ stack: UnsafeMutableBufferPointer<UInt8>) {
        start = stack.baseAddress!
        capacity = stack.count
    }

    /// Runs `body` with an empty builder and returns the text it assembled.
    @inline(__always) static func build(_ body: (inout TextBuilder) throws -> Void) rethrows -> String {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { stack in
            var b = TextBuilder(stack)
            defer { if b.onHeap { b.start.deallocate() } }
            try body(&b)
            return String(decoding: UnsafeBufferPointer(start: b.start, count: b.count), as: UTF8.self)
        }
    }

    /// Makes room for `extra` more bytes.
    @inline(__always) private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }
    private mutating func grow(_ needed: Int) {
        var c = capacity * 2
        while c < needed { c *= 2 }
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        p.update(from: start, count: count)
        if onHeap { start.deallocate() }
        start = p; capacity = c; onHeap = true
    }

    /// Appends the UTF-8 bytes of `s`.
    @inline(__always) mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { u in
            if u.isEmpty { return }
            reserve(u.count)
            (start + count).update(from: u.baseAddress!, count: u.count)
            count += u.count
        }
    }

    /// Appends the decimal digits of `i` (what `str(i)` gives), written straight into the buffer.
    mutating func append(_ i: Int) {
        reserve(20)
        var m = i.magnitude
        if i < 0 { start[count] = UInt8(ascii: "-"); count += 1 }
        var digits = 1
        var t = m
        while t >= 10 { t /= 10; digits += 1 }
        var k = count + digits - 1
        repeat {
            start[k] = UInt8(truncatingIfNeeded: m % 10) &+ 48
            m /= 10
            k -= 1
        } while m != 0
        count += digits
    }
}

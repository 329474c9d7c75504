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

    /// Appends the decimal digits of `i` (what `str(i)` gives), written straight into the
    /// buffer: two digits per division, from the end of a 20-byte window, then moved into place.
    mutating func append(_ i: Int) {
        reserve(20)
        if i < 0 { start[count] = UInt8(ascii: "-"); count += 1; reserve(20) }
        var m = i.magnitude
        let end = start + count + 20
        var p = end
        while m >= 100 {
            let r = Int(m % 100)
            m /= 100
            p -= 2
            p[0] = TextBuilder.pairs[2 * r]
            p[1] = TextBuilder.pairs[2 * r + 1]
        }
        if m >= 10 {
            let r = Int(m)
            p -= 2
            p[0] = TextBuilder.pairs[2 * r]
            p[1] = TextBuilder.pairs[2 * r + 1]
        } else {
            p -= 1
            p[0] = UInt8(truncatingIfNeeded: m) &+ 48
        }
        let digits = end - p
        UnsafeMutableRawPointer(start + count).copyMemory(from: p, byteCount: digits)
        count += digits
    }
    /// "00", "01", … "99" as ASCII bytes, for writing numbers two digits at a time.
    private static let pairs: [UInt8] = {
        var out: [UInt8] = []
        for n in 0..<100 {
            let tens: Int = n / 10, ones: Int = n % 10
            out.append(UInt8(48 + tens)); out.append(UInt8(48 + ones))
        }
        return out
    }()
}

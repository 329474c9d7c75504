import COpenBLAS

/// Streaming (non-temporal) stores for results too large to stay in the caches.
///
/// A normal store first reads its cache line from memory (read-for-ownership) and later
/// writes it back, so a memory-bound op like `x + y` or a softmax over 25 MB moves 12 bytes
/// per 4-byte result it writes, not 8. A streaming store writes the line straight to memory,
/// a third less traffic where memory is the limit. The price: the result is not in the cache
/// afterwards, so only results of at least `minimumBytes` (well past what the next op could
/// find in the L2 and the shared L3 anyway) are written this way. The stores need 32-byte
/// aligned addresses (fresh tensor buffers are 64-byte aligned; callers check).
enum StreamingStores {
    /// Results at least this large are written with streaming stores.
    static let minimumBytes = 8 << 20

    /// Elementwise kernels costing more than this per element (`mapVectors`' cost, relative
    /// to a copy) are compute-bound and keep ordinary stores.
    static let maximumCost = 8

    /// Whether a result of `count` floats at `destination` should be streamed.
    @inline(__always)
    static func worthwhile(count: Int, destination: UnsafeMutablePointer<Float>) -> Bool {
        count * MemoryLayout<Float>.size >= minimumBytes && isAligned(destination)
    }

    /// Whether `p` is 32-byte aligned, as a streaming store needs.
    @inline(__always)
    static func isAligned(_ p: UnsafeMutablePointer<Float>) -> Bool { Int(bitPattern: p) & 31 == 0 }

    /// Writes 16 floats at `p` (32-byte aligned) without reading the lines into the cache.
    @inline(__always)
    static func store(_ v: FastMath.Vector, to p: UnsafeMutablePointer<Float>) {
        apus_stream_store8(p, v.lowHalf)
        apus_stream_store8(p + 8, v.highHalf)
    }

    /// Makes this thread's streaming stores visible before anything it stores afterwards
    /// (the worker pool's completion count, say); every loop that streams ends with it.
    @inline(__always)
    static func fence() { apus_store_fence() }
}

extension FastMath {
    /// `map` writing `dst` with streaming stores (`dst` 32-byte aligned; the last partial
    /// vector goes through `map`'s padded tail), fenced at the end.
    @inline(__always)
    static func mapStreaming<K: UnaryVectorKernel>(_ src: UnsafePointer<Float>,
                                                   _ dst: UnsafeMutablePointer<Float>,
                                                   _ n: Int, _ f: K) {
        mapStreamingUnfenced(src, dst, n, f)
        StreamingStores.fence()
    }

    /// `mapStreaming` without the closing fence, for a loop over rows that fences once.
    @inline(__always)
    static func mapStreamingUnfenced<K: UnaryVectorKernel>(_ src: UnsafePointer<Float>,
                                                           _ dst: UnsafeMutablePointer<Float>,
                                                           _ n: Int, _ f: K) {
        let input = UnsafeRawPointer(src)
        var i = 0
        while i + 32 <= n {
            let v = input.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            let w = input.loadUnaligned(fromByteOffset: i * 4 + 64, as: Vector.self)
            let fv = f(v), fw = f(w)
            StreamingStores.store(fv, to: dst + i)
            StreamingStores.store(fw, to: dst + i + 16)
            i += 32
        }
        if i < n { map(src + i, dst + i, n - i, f) }
    }

    /// `zip` writing `dst` with streaming stores (`dst` 32-byte aligned), fenced at the end.
    @inline(__always)
    static func zipStreaming<K: BinaryVectorKernel>(_ a: UnsafePointer<Float>,
                                                    _ b: UnsafePointer<Float>,
                                                    _ dst: UnsafeMutablePointer<Float>,
                                                    _ n: Int, _ f: K) {
        let pa = UnsafeRawPointer(a), pb = UnsafeRawPointer(b)
        var i = 0
        while i + 16 <= n {
            let u = pa.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            let v = pb.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            StreamingStores.store(f(u, v), to: dst + i)
            i += 16
        }
        if i < n { zip(a + i, b + i, dst + i, n - i, f) }
        StreamingStores.fence()
    }
}

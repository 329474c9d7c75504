/// One 32-value block layout as the product kernels read it: the quants as four 8-lane float
/// vectors (values 0-7, 8-15, 16-23, 24-31) and the block's `value = scale * q + offset`.
protocol BlockFormat {
    static var byteCount: Int { get }
    /// Whether blocks carry an offset (the kernels then need the per-block sums of x).
    static var hasOffset: Bool { get }
    static func quants(_ block: UnsafeRawPointer) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
    static func scale(_ block: UnsafeRawPointer) -> Float
    static func offset(_ block: UnsafeRawPointer) -> Float
}

@inline(__always)
private func half(_ block: UnsafeRawPointer, _ offset: Int) -> Float {
    Float(Float16(bitPattern: block.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
}

@inline(__always)
private func widen(_ v: SIMD8<UInt8>) -> SIMD8<Float> { SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: v)) }

@inline(__always)
private func nibbles(_ block: UnsafeRawPointer, at offset: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
    // Byte i holds value i in its low nibble and value i + 16 in its high one.
    let packed = block.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self)
    let low = packed & 0x0F, high = packed &>> 4
    return (widen(low.lowHalf), widen(low.highHalf), widen(high.lowHalf), widen(high.highHalf))
}

/// Q4_1: float16 scale and offset, 16 bytes of nibbles; value = scale * q + offset.
enum Q4_1Blocks: BlockFormat {
    static let byteCount = 20
    static let hasOffset = true
    @inline(__always) static func quants(_ b: UnsafeRawPointer) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) { nibbles(b, at: 4) }
    @inline(__always) static func scale(_ b: UnsafeRawPointer) -> Float { half(b, 0) }
    @inline(__always) static func offset(_ b: UnsafeRawPointer) -> Float { half(b, 2) }
}

/// Q4_0: float16 scale, 16 bytes of nibbles; value = scale * (q - 8).
enum Q4_0Blocks: BlockFormat {
    static let byteCount = 18
    static let hasOffset = true
    @inline(__always) static func quants(_ b: UnsafeRawPointer) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) { nibbles(b, at: 2) }
    @inline(__always) static func scale(_ b: UnsafeRawPointer) -> Float { half(b, 0) }
    @inline(__always) static func offset(_ b: UnsafeRawPointer) -> Float { -8 * half(b, 0) }
}

/// Q8_0: float16 scale, 32 signed bytes; value = scale * q.
enum Q8_0Blocks: BlockFormat {
    static let byteCount = 34
    static let hasOffset = false
    @inline(__always) static func quants(_ b: UnsafeRawPointer) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        func lanes(_ at: Int) -> SIMD8<Float> {
            SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: b.loadUnaligned(fromByteOffset: at, as: SIMD8<Int8>.self)))
        }
        return (lanes(2), lanes(10), lanes(18), lanes(26))
    }
    @inline(__always) static func scale(_ b: UnsafeRawPointer) -> Float { half(b, 0) }
    @inline(__always) static func offset(_ b: UnsafeRawPointer) -> Float { 0 }
}

/// The inner loops of `BlockMatrix.multiply`. Per block and input row the kernels form
/// `t = sum(x * q)` in 8 lanes, add `scale * t` to a lane accumulator and `offset * sum(x)` to
/// a scalar one; the lanes are summed once per output.
enum BlockKernels {
    typealias V8 = SIMD8<Float>

    /// The sum of 32 floats, in the lane order the kernels use.
    @inline(__always)
    static func sum32(_ p: UnsafePointer<Float>) -> Float {
        let r = UnsafeRawPointer(p)
        let s = (r.loadUnaligned(as: V8.self) + r.loadUnaligned(fromByteOffset: 32, as: V8.self))
            + (r.loadUnaligned(fromByteOffset: 64, as: V8.self) + r.loadUnaligned(fromByteOffset: 96, as: V8.self))
        return s.sum()
    }

    @inline(__always)
    private static func products(_ x: UnsafeRawPointer, _ q: (V8, V8, V8, V8)) -> V8 {
        var t = x.loadUnaligned(as: V8.self) * q.0
        t = t.addingProduct(x.loadUnaligned(fromByteOffset: 32, as: V8.self), q.1)
        t = t.addingProduct(x.loadUnaligned(fromByteOffset: 64, as: V8.self), q.2)
        return t.addingProduct(x.loadUnaligned(fromByteOffset: 96, as: V8.self), q.3)
    }

    /// One input row against the matrix rows in `range`, two at a time (two independent
    /// chains keep the multipliers busy).
    static func oneRow<Format: BlockFormat>(_ format: Format.Type, _ x: UnsafePointer<Float>, _ sums: UnsafePointer<Float>,
                                            _ w: UnsafeRawPointer, _ rowBytes: Int, _ blocks: Int,
                                            _ out: UnsafeMutablePointer<Float>, _ range: Range<Int>, _ accumulate: Bool) {
        let xr = UnsafeRawPointer(x)
        var n = range.lowerBound
        while n < range.upperBound {
            let pair = n + 1 < range.upperBound
            var b0 = w + n * rowBytes
            var b1 = pair ? b0 + rowBytes : b0
            var acc0 = V8(), acc1 = V8()
            var off0: Float = 0, off1: Float = 0
            for k in 0..<blocks {
                let xk = xr + k * 128
                acc0 = acc0.addingProduct(V8(repeating: Format.scale(b0)), products(xk, Format.quants(b0)))
                acc1 = acc1.addingProduct(V8(repeating: Format.scale(b1)), products(xk, Format.quants(b1)))
                if Format.hasOffset {
                    off0 += Format.offset(b0) * sums[k]
                    off1 += Format.offset(b1) * sums[k]
                }
                b0 += Format.byteCount
                b1 += Format.byteCount
            }
            let v0 = acc0.sum() + off0
            out[n] = accumulate ? out[n] + v0 : v0
            if pair {
                let v1 = acc1.sum() + off1
                out[n + 1] = accumulate ? out[n + 1] + v1 : v1
            }
            n += pair ? 2 : 1
        }
    }

    /// Four input rows (`x [4, columns]`, sums `[4, blocks]`) against the matrix rows in
    /// `range`: each block is decoded once for the four. Only the first `valid` rows are written
    /// (`out` row stride `outputs`).
    static func fourRows<Format: BlockFormat>(_ format: Format.Type, _ x: UnsafePointer<Float>, _ sums: UnsafePointer<Float>,
                                              _ w: UnsafeRawPointer, _ rowBytes: Int, _ blocks: Int,
                                              _ out: UnsafeMutablePointer<Float>, _ outputs: Int, _ valid: Int,
                                              _ range: Range<Int>, _ accumulate: Bool) {
        let columns = blocks * 32
        let x0 = UnsafeRawPointer(x), x1 = x0 + columns * 4, x2 = x1 + columns * 4, x3 = x2 + columns * 4
        for n in range {
            var b = w + n * rowBytes
            var a0 = V8(), a1 = V8(), a2 = V8(), a3 = V8()
            var offsets = SIMD4<Float>()
            for k in 0..<blocks {
                let q = Format.quants(b)
                let d = V8(repeating: Format.scale(b))
                let o = k * 128
                a0 = a0.addingProduct(d, products(x0 + o, q))
                a1 = a1.addingProduct(d, products(x1 + o, q))
                a2 = a2.addingProduct(d, products(x2 + o, q))
                a3 = a3.addingProduct(d, products(x3 + o, q))
                if Format.hasOffset {
                    let s = SIMD4<Float>(sums[k], sums[blocks + k], sums[2 * blocks + k], sums[3 * blocks + k])
                    offsets = offsets.addingProduct(SIMD4<Float>(repeating: Format.offset(b)), s)
                }
                b += Format.byteCount
            }
            let values = SIMD4<Float>(a0.sum(), a1.sum(), a2.sum(), a3.sum()) + offsets
            for r in 0..<valid {
                let p = out + r * outputs + n
                p.pointee = accumulate ? p.pointee + values[r] : values[r]
            }
        }
    }
}

import Foundation

/// The 256-element "K" block types. Each decoder reads one block at `b` and writes its 256
/// values at `out`, following the layouts in gguf-py's quants.py (which mirror ggml-quants.c).
///
/// Common shape: a block is split into sub-blocks (16 of 16 elements, or 8 of 32) each with its
/// own small integer scale (and for some types a minimum), times float16 super-block factors.
/// The per-sub-block factor `d * scale` is rounded to float32 first, then multiplied by the
/// quant, as the reference does.
enum KQuantBlocks {
    /// Q2_K (84 bytes): 16 scale bytes (low nibble scale, high nibble minimum), 64 bytes of
    /// 2-bit quants, float16 d, float16 dmin. Element `g*128 + j*32 + i` (g < 2, j < 4, i < 32)
    /// is bits 2j..2j+1 of quant byte `g*32 + i`; value = (d*scale) * q - (dmin*min).
    @inline(__always)
    static func q2_K(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>) {
        let scales = b, qs = b + 16
        let d = halfFloat(b, 80), dmin = halfFloat(b, 82)
        for g in 0..<2 {
            for j in 0..<4 {
                let shift = UInt8(2 * j)
                for h in 0..<2 {
                    let sub = g * 8 + j * 2 + h
                    let dl = d * Float(scales[sub] & 0x0F), ml = dmin * Float(scales[sub] >> 4)
                    let o = out + g * 128 + j * 32 + h * 16
                    let q = qs + g * 32 + h * 16
                    for i in 0..<16 { o[i] = dl * Float((q[i] >> shift) & 3) - ml }
                }
            }
        }
    }

    /// Q3_K (110 bytes): 32 bytes of high-bit masks, 64 bytes of 2-bit quants, 12 bytes of
    /// 6-bit scales, float16 d. Element `g*128 + j*32 + i` takes bits 2j..2j+1 of quant byte
    /// `g*32 + i`, minus 4 when bit `g*4 + j` of mask byte `i` is clear; scale s (of 16) is the
    /// nibble `s/8` of byte `s%8` plus, as bits 4-5, the pair `s/4` of byte `8 + s%4`, minus 32.
    @inline(__always)
    static func q3_K(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>) {
        let hmask = b, qs = b + 32, scales = b + 96
        let d = halfFloat(b, 108)
        for g in 0..<2 {
            for j in 0..<4 {
                let shift = UInt8(2 * j), bit = UInt8(g * 4 + j)
                for h in 0..<2 {
                    let s = g * 8 + j * 2 + h
                    let low = (scales[s % 8] >> UInt8(4 * (s / 8))) & 0x0F
                    let high = (scales[8 + s % 4] >> UInt8(2 * (s / 4))) & 0x03
                    let dl = d * Float(Int32(low | high << 4) - 32)
                    let o = out + g * 128 + j * 32 + h * 16
                    let q = qs + g * 32 + h * 16, m = hmask + h * 16
                    for i in 0..<16 {
                        let value = Int32((q[i] >> shift) & 3) - (((m[i] >> bit) & 1) == 0 ? 4 : 0)
                        o[i] = dl * Float(value)
                    }
                }
            }
        }
    }

    /// The eight 6-bit (scale, min) pairs packed in 12 bytes, as Q4_K and Q5_K store them:
    /// pairs 0-3 are the low six bits of bytes 0-3 and 4-7; pairs 4-7 take their low four bits
    /// from the nibbles of bytes 8-11 and their top two bits from bytes 0-7's top bits.
    @inline(__always)
    static func scaleAndMin(_ p: UnsafePointer<UInt8>, _ s: Int) -> (UInt8, UInt8) {
        if s < 4 { return (p[s] & 0x3F, p[s + 4] & 0x3F) }
        return ((p[s + 4] & 0x0F) | ((p[s - 4] >> 2) & 0x30), (p[s + 4] >> 4) | ((p[s] >> 2) & 0x30))
    }

    /// Q4_K (144 bytes): float16 d, float16 dmin, 12 bytes of scales and mins, 128 bytes of
    /// nibbles. Sub-block `2g + h` (32 elements) is nibble h of quant bytes `g*32 ..< g*32+32`;
    /// value = (d*scale) * q - (dmin*min).
    @inline(__always)
    static func q4_K(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>) {
        let d = halfFloat(b, 0), dmin = halfFloat(b, 2)
        let scales = b + 4, qs = b + 16
        for g in 0..<4 {
            for h in 0..<2 {
                let (sc, mn) = scaleAndMin(scales, g * 2 + h)
                let dl = d * Float(sc), ml = dmin * Float(mn)
                let o = out + (g * 2 + h) * 32, q = qs + g * 32
                let shift = UInt8(4 * h)
                for i in 0..<32 { o[i] = dl * Float((q[i] >> shift) & 0x0F) - ml }
            }
        }
    }

    /// Q5_K (176 bytes): as Q4_K with 32 bytes of fifth bits before the nibbles; bit s of
    /// byte i is the fifth bit of element i of sub-block s.
    @inline(__always)
    static func q5_K(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>) {
        let d = halfFloat(b, 0), dmin = halfFloat(b, 2)
        let scales = b + 4, qh = b + 16, qs = b + 48
        for g in 0..<4 {
            for h in 0..<2 {
                let s = g * 2 + h
                let (sc, mn) = scaleAndMin(scales, s)
                let dl = d * Float(sc), ml = dmin * Float(mn)
                let o = out + s * 32, q = qs + g * 32
                let shift = UInt8(4 * h), bit = UInt8(s)
                for i in 0..<32 {
                    let value = ((q[i] >> shift) & 0x0F) | ((qh[i] >> bit) & 1) << 4
                    o[i] = dl * Float(value) - ml
                }
            }
        }
    }

    /// Q6_K (210 bytes): 128 bytes of low nibbles, 64 bytes of 2-bit high parts, 16 signed
    /// scale bytes, float16 d. Element `g*128 + j*32 + i` takes nibble `j/2` of low byte
    /// `g*64 + (j%2)*32 + i` and bits 2j..2j+1 of high byte `g*32 + i`; value =
    /// (d*scale) * (q - 32) with one scale per 16 elements.
    @inline(__always)
    static func q6_K(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>) {
        let ql = b, qh = b + 128, scales = b + 192
        let d = halfFloat(b, 208)
        for g in 0..<2 {
            for j in 0..<4 {
                let lowShift = UInt8(4 * (j / 2)), highShift = UInt8(2 * j)
                for h in 0..<2 {
                    let dl = d * Float(Int8(bitPattern: scales[g * 8 + j * 2 + h]))
                    let o = out + g * 128 + j * 32 + h * 16
                    let low = ql + g * 64 + (j % 2) * 32 + h * 16, high = qh + g * 32 + h * 16
                    for i in 0..<16 {
                        let q = ((low[i] >> lowShift) & 0x0F) | ((high[i] >> highShift) & 3) << 4
                        o[i] = dl * Float(Int32(q) - 32)
                    }
                }
            }
        }
    }
}

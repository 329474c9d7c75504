import Foundation

/// The 32-element block types (ggml's original quantizations). Each decoder reads one block at
/// `b` and writes its 32 values at `out`; the layouts are those of gguf-py's quants.py.
///
/// Nibble order: byte `i` of the packed quants holds element `i` in its low four bits and
/// element `i + 16` in its high four bits.
enum LegacyBlocks {
    /// Q8_0 (34 bytes): float16 scale d, 32 signed bytes q; value = q * d.
    @inline(__always)
    static func q8_0(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>) {
        let d = halfFloat(b, 0)
        for i in 0..<32 { out[i] = Float(Int8(bitPattern: b[2 + i])) * d }
    }

    /// Q4_0 (18 bytes): float16 d, 16 bytes of nibbles; value = d * (q - 8).
    @inline(__always)
    static func q4_0(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>) {
        let d = halfFloat(b, 0)
        for i in 0..<16 {
            let byte = b[2 + i]
            out[i] = d * Float(Int32(byte & 0x0F) - 8)
            out[i + 16] = d * Float(Int32(byte >> 4) - 8)
        }
    }

    /// Q4_1 (20 bytes): float16 d and m, 16 bytes of nibbles; value = d * q + m.
    @inline(__always)
    static func q4_1(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>) {
        let d = halfFloat(b, 0), m = halfFloat(b, 2)
        for i in 0..<16 {
            let byte = b[4 + i]
            out[i] = d * Float(byte & 0x0F) + m
            out[i + 16] = d * Float(byte >> 4) + m
        }
    }

    /// The 32 fifth bits of a Q5 block: a little-endian UInt32 whose bit i belongs to element i.
    @inline(__always)
    static func highBits(_ b: UnsafePointer<UInt8>, _ offset: Int) -> UInt32 {
        UInt32(b[offset]) | UInt32(b[offset + 1]) << 8 | UInt32(b[offset + 2]) << 16 | UInt32(b[offset + 3]) << 24
    }

    /// Q5_0 (22 bytes): float16 d, 4 bytes of fifth bits, 16 bytes of nibbles;
    /// value = d * (q - 16).
    @inline(__always)
    static func q5_0(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>) {
        let d = halfFloat(b, 0), qh = highBits(b, 2)
        for i in 0..<16 {
            let byte = UInt32(b[6 + i])
            let low = (byte & 0x0F) | ((qh >> UInt32(i)) & 1) << 4
            let high = (byte >> 4) | ((qh >> UInt32(i + 16)) & 1) << 4
            out[i] = d * Float(Int32(low) - 16)
            out[i + 16] = d * Float(Int32(high) - 16)
        }
    }

    /// Q5_1 (24 bytes): float16 d and m, 4 bytes of fifth bits, 16 bytes of nibbles;
    /// value = d * q + m.
    @inline(__always)
    static func q5_1(_ b: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>) {
        let d = halfFloat(b, 0), m = halfFloat(b, 2), qh = highBits(b, 4)
        for i in 0..<16 {
            let byte = UInt32(b[8 + i])
            let low = (byte & 0x0F) | ((qh >> UInt32(i)) & 1) << 4
            let high = (byte >> 4) | ((qh >> UInt32(i + 16)) & 1) << 4
            out[i] = d * Float(low) + m
            out[i + 16] = d * Float(high) + m
        }
    }
}

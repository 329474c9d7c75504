import Foundation

/// Turns ggml blocks into float32 values, bit for bit as gguf-py's `gguf.quants.dequantize`.
///
/// Every block is decoded on its own, so the work is split over the cores by ranges of blocks.
/// Bit-exactness needs the same float operations in the same order as the reference's numpy
/// expressions: a scale times a (small integer) quant, then minus or plus a float offset, each
/// rounded to float32 separately (Swift never fuses them into an FMA).
public enum GGMLDequantization {
    /// The types that can be decoded, in the order messages list them.
    public static let supportedTypes: [GGMLType] = [
        .f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K,
    ]

    /// Below this many elements per task a split across cores does not pay.
    static let elementsPerTask = 1 << 16

    /// Decodes `blockCount` blocks of `type` at `blocks` into `output`
    /// (`blockCount * type.blockSize` floats). `type` must be one of `supportedTypes`
    /// (`QuantizedTensor.dequantize(into:)`, the public way in, checks it).
    static func decode(_ type: GGMLType, blocks: UnsafeRawPointer, blockCount: Int,
                              into output: UnsafeMutablePointer<Float>) {
        let elements = blockCount * type.blockSize
        // More chunks than cores so a core slowed by another process does not hold the rest up.
        let chunks = max(1, min(elements / elementsPerTask, Parallel.coreCount * 8))
        let blocksPerChunk = (blockCount + chunks - 1) / chunks
        Parallel.perform(chunks) { chunk in
            let start = chunk * blocksPerChunk
            let end = min(blockCount, start + blocksPerChunk)
            if start < end { decode(type, blocks: blocks, range: start..<end, into: output) }
        }
    }

    /// Decodes the blocks in `range`.
    static func decode(_ type: GGMLType, blocks: UnsafeRawPointer, range: Range<Int>,
                       into output: UnsafeMutablePointer<Float>) {
        switch type {
        case .f32:
            (output + range.lowerBound).update(from: (blocks + range.lowerBound * 4).assumingMemoryBound(to: Float.self),
                                               count: range.count)
        case .f16: PlainBlocks.f16(blocks, range, output)
        case .bf16: PlainBlocks.bf16(blocks, range, output)
        case .q8_0: each(range, blocks, output, type, LegacyBlocks.q8_0)
        case .q4_0: each(range, blocks, output, type, LegacyBlocks.q4_0)
        case .q4_1: each(range, blocks, output, type, LegacyBlocks.q4_1)
        case .q5_0: each(range, blocks, output, type, LegacyBlocks.q5_0)
        case .q5_1: each(range, blocks, output, type, LegacyBlocks.q5_1)
        case .q2_K: each(range, blocks, output, type, KQuantBlocks.q2_K)
        case .q3_K: each(range, blocks, output, type, KQuantBlocks.q3_K)
        case .q4_K: each(range, blocks, output, type, KQuantBlocks.q4_K)
        case .q5_K: each(range, blocks, output, type, KQuantBlocks.q5_K)
        case .q6_K: each(range, blocks, output, type, KQuantBlocks.q6_K)
        default: preconditionFailure("GGMLDequantization.decode called with unsupported type \(type.name)")
        }
    }

    /// Runs one block decoder over `range` (inlined so the decoder is too).
    @inline(__always)
    static func each(_ range: Range<Int>, _ blocks: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>,
                     _ type: GGMLType, _ decodeBlock: (UnsafePointer<UInt8>, UnsafeMutablePointer<Float>) -> Void) {
        let blockBytes = type.blockByteCount, blockSize = type.blockSize
        let bytes = blocks.assumingMemoryBound(to: UInt8.self)
        for b in range { decodeBlock(bytes + b * blockBytes, output + b * blockSize) }
    }
}

/// A little-endian float16 at `p + offset`, widened exactly to float32 (as numpy's astype).
@inline(__always)
func halfFloat(_ p: UnsafePointer<UInt8>, _ offset: Int) -> Float {
    Float(Float16(bitPattern: UInt16(p[offset]) | UInt16(p[offset + 1]) << 8))
}

/// The unquantized 16-bit types.
enum PlainBlocks {
    /// IEEE half precision: widening is exact.
    static func f16(_ blocks: UnsafeRawPointer, _ range: Range<Int>, _ output: UnsafeMutablePointer<Float>) {
        let p = blocks.assumingMemoryBound(to: UInt16.self)
        for i in range { output[i] = Float(Float16(bitPattern: UInt16(littleEndian: p[i]))) }
    }

    /// bfloat16: the top half of a float32's bits.
    static func bf16(_ blocks: UnsafeRawPointer, _ range: Range<Int>, _ output: UnsafeMutablePointer<Float>) {
        let p = blocks.assumingMemoryBound(to: UInt16.self)
        for i in range { output[i] = Float(bitPattern: UInt32(UInt16(littleEndian: p[i])) << 16) }
    }
}

/// The element types a tensor can hold.
///
/// `float32` is the compute type: floating-point kernels run in float32 and half-precision
/// tensors (`float16`, `bfloat16`) are converted on the way in and out. Quantized block formats
/// (GGUF's Q4_0, Q8_0, ...) are not element types; they live in the Quantization module as
/// their own storage, so adding them never changes how a plain tensor is laid out.
public enum DType: String, CaseIterable, Sendable, CustomStringConvertible {
    case float32, float16, bfloat16, int64, int32, bool, uint8

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .float16, .bfloat16: return 2
        case .int64: return 8
        case .bool, .uint8: return 1
        }
    }

    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float16, .bfloat16: return true
        default: return false
        }
    }

    /// Integer (and bool) types: arithmetic on them stays exact.
    public var isIntegral: Bool { !isFloatingPoint }

    /// The name torch prints, e.g. `torch.float32`.
    public var torchName: String { "torch.\(rawValue)" }

    /// The safetensors header spelling (`F32`, `BF16`, `I64`, ...).
    public var safetensorsName: String {
        switch self {
        case .float32: return "F32"
        case .float16: return "F16"
        case .bfloat16: return "BF16"
        case .int64: return "I64"
        case .int32: return "I32"
        case .bool: return "BOOL"
        case .uint8: return "U8"
        }
    }

    public init?(safetensorsName: String) {
        guard let match = DType.allCases.first(where: { $0.safetensorsName == safetensorsName })
        else { return nil }
        self = match
    }

    public var description: String { torchName }

    /// The type a binary operation on `self` and `other` computes in, following torch's
    /// promotion for the types we hold: floating beats integral, wider beats narrower,
    /// bool is the weakest.
    public func promoted(with other: DType) -> DType {
        if self == other { return self }
        if isFloatingPoint || other.isFloatingPoint {
            if isFloatingPoint && other.isFloatingPoint { return .float32 }
            return isFloatingPoint ? self : other
        }
        let rank: [DType: Int] = [.bool: 0, .uint8: 1, .int32: 2, .int64: 3]
        return rank[self]! >= rank[other]! ? self : other
    }
}

// MARK: - Half-precision conversion

/// Converts a float to bfloat16 bits with round-to-nearest-even, as torch does.
@inline(__always)
public func bfloat16Bits(_ value: Float) -> UInt16 {
    let bits = value.bitPattern
    if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x40 }
    let rounding = ((bits >> 16) & 1) &+ 0x7FFF
    return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
}

@inline(__always)
public func floatFromBFloat16Bits(_ bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
}

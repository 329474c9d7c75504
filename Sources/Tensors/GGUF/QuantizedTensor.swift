import Foundation

/// A tensor as a GGUF file stores it, still in ggml blocks: its element type, its shape and
/// where its bytes are. It says what the tensor is without decoding it; `dequantized()` is the
/// separate step that makes float32 values, so a later engine can keep the blocks and compute
/// with them directly.
///
/// A row (the last dimension) is a whole number of blocks; blocks follow each other with no
/// padding, rows too.
public struct QuantizedTensor: @unchecked Sendable {
    /// The tensor's name in its file.
    public let name: String
    /// The ggml element type (the block layout).
    public let type: GGMLType
    /// The shape in PyTorch's order (outermost first).
    public let shape: [Int]
    /// The blocks, borrowed from `owner`.
    public let bytes: UnsafeRawBufferPointer
    /// Keeps `bytes` alive (the file mapping).
    public let owner: AnyObject
    /// Where the tensor came from, for messages.
    public let source: String

    /// Describes `bytes` as a tensor of `type` and `shape`; throws when they disagree (a
    /// row that is not a whole number of blocks, or the wrong number of bytes).
    public init(name: String, type: GGMLType, shape: [Int], bytes: UnsafeRawBufferPointer,
                owner: AnyObject, source: String) throws {
        let count = shape.reduce(1, *)
        let row = shape.last ?? 1
        guard row % type.blockSize == 0 else {
            throw TensorError.invalidArgument("\(source): tensor '\(name)' of type \(type.name) has rows of \(row) elements, not a multiple of its block of \(type.blockSize)")
        }
        let expected = count / type.blockSize * type.blockByteCount
        guard bytes.count == expected else {
            throw TensorError.invalidArgument("\(source): tensor '\(name)' of type \(type.name) and shape \(shape) needs \(expected) bytes, got \(bytes.count)")
        }
        self.name = name
        self.type = type
        self.shape = shape
        self.bytes = bytes
        self.owner = owner
        self.source = source
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// Number of blocks.
    public var blockCount: Int { count / type.blockSize }
    /// Bytes per row (the last dimension).
    public var rowByteCount: Int { (shape.last ?? 1) / type.blockSize * type.blockByteCount }

    /// The values as a new float32 tensor of `shape`, decoded exactly as gguf-py's
    /// `gguf.quants.dequantize` does (same bits); throws naming the tensor for a type that
    /// cannot be decoded.
    public func dequantized() throws -> Tensor {
        let out = Tensor(uninitialized: shape, dtype: .float32)
        try dequantize(into: out.floatPointer)
        return out
    }

    /// Decodes every value into `destination` (room for `count` floats).
    public func dequantize(into destination: UnsafeMutablePointer<Float>) throws {
        guard GGMLDequantization.supportedTypes.contains(type) else {
            throw TensorError.invalidArgument("\(source): tensor '\(name)' has ggml type \(type.name), which cannot be dequantized; supported types: \(GGMLDequantization.supportedTypes.map(\.name).joined(separator: ", "))")
        }
        guard let base = bytes.baseAddress, count > 0 else { return }
        GGMLDequantization.decode(type, blocks: base, blockCount: blockCount, into: destination)
    }
}

extension GGUFFile {
    /// The tensor `name` as stored (blocks undecoded), borrowing the mapping.
    public func quantizedTensor(named name: String) throws -> QuantizedTensor {
        guard let info = tensorInfo(named: name) else {
            throw TensorError.invalidArgument("\(path) has no tensor named '\(name)'")
        }
        return try QuantizedTensor(name: name, type: info.type, shape: info.shape, bytes: try data(for: name),
                                   owner: mapping, source: path)
    }
}

extension GGMLType {
    /// The type's name as ggml and gguf-py spell it (`Q4_K`, `BF16`).
    public var name: String { String(describing: self).uppercased() }
}

import Foundation

/// A GGUF file (the llama.cpp model format), memory-mapped: its metadata, its tensor table and
/// each tensor's raw bytes.
///
/// Layout (versions 2 and 3; version 1 used 32-bit counts and is refused): the magic `GGUF`, a
/// `UInt32` version, a `UInt64` tensor count, a `UInt64` metadata count; then the metadata
/// key/value pairs (a string key, a `UInt32` value type, the value); then one entry per tensor
/// (name, `UInt32` rank, `UInt64` dims innermost first, `UInt32` ggml type, `UInt64` offset);
/// then padding to `general.alignment` (32 by default) and the tensor data, which each offset
/// indexes. Everything is little-endian.
///
/// Opening reads and checks the header and the tensor table; tensor data stay on disk until a
/// caller touches `data(for:)`. Any inconsistency (wrong magic, unknown value or tensor type,
/// a length running past the end, tensors outside the data section) throws
/// `TensorError.corruptFile` naming the file, what was being read and where.
///
/// ```swift
/// let file = try GGUFFile(path: "model.Q4_1.gguf")
/// let tokens = file.metadata["tokenizer.ggml.tokens"]?.stringArray
/// let raw = try file.data(for: "token_embd.weight")
/// ```
public final class GGUFFile: @unchecked Sendable {
    /// The path the file was opened from.
    public let path: String
    /// The mapping every tensor's bytes live in.
    public let mapping: MappedFile
    /// The format version (2 or 3).
    public let version: Int
    /// The metadata keys in file order.
    public let metadataKeys: [String]
    /// The metadata, by key.
    public let metadata: [String: GGUFValue]
    /// The tensor table in file order.
    public let tensors: [GGUFTensorInfo]
    /// Alignment of the data section and of each tensor's offset (`general.alignment`, or 32).
    public let alignment: Int
    /// Byte position of the data section in the file.
    public let dataOffset: Int
    private let tensorIndex: [String: Int]

    /// Maps the file at `path` and reads its header and tensor table.
    public init(path: String) throws {
        self.path = path
        mapping = try MappedFile(path: path)
        var reader = GGUFReader(base: UnsafeRawPointer(mapping.bytes), count: mapping.byteCount, path: path)
        let magic = try reader.bytes(4, what: "the magic number")
        guard magic == Array("GGUF".utf8) else {
            let shown = magic.map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined()
            throw TensorError.corruptFile(path: path, reason: "not a GGUF file: it starts with \"\(shown)\" instead of \"GGUF\"")
        }
        let version = Int(try reader.load(UInt32.self, what: "the version"))
        guard version == 2 || version == 3 else {
            throw TensorError.corruptFile(path: path, reason: "GGUF version \(version) is not supported (only 2 and 3 are)")
        }
        self.version = version
        let tensorCount = try reader.count(what: "the tensor count")
        let metadataCount = try reader.count(what: "the metadata count")

        var keys: [String] = [], values: [String: GGUFValue] = [:]
        keys.reserveCapacity(metadataCount)
        for i in 0..<metadataCount {
            let key = try reader.string(what: "the key of metadata entry \(i)")
            let rawType = try reader.load(UInt32.self, what: "the value type of '\(key)'")
            guard let type = GGUFValueType(rawValue: rawType) else {
                throw TensorError.corruptFile(path: path, reason: "metadata '\(key)' has unknown value type \(rawType) at byte \(reader.offset - 4)")
            }
            let value = try reader.value(of: type, what: "the value of '\(key)'")
            if values.updateValue(value, forKey: key) != nil {
                throw TensorError.corruptFile(path: path, reason: "metadata key '\(key)' appears twice")
            }
            keys.append(key)
        }
        metadataKeys = keys
        metadata = values

        var alignment = 32
        if let a = values["general.alignment"] {
            guard let n = a.intValue, n > 0, n & (n - 1) == 0 else {
                throw TensorError.corruptFile(path: path, reason: "general.alignment is \(a), not a positive power of two")
            }
            alignment = n
        }
        self.alignment = alignment

        var infos: [GGUFTensorInfo] = []
        var index: [String: Int] = [:]
        infos.reserveCapacity(tensorCount)
        for i in 0..<tensorCount {
            let name = try reader.string(what: "the name of tensor \(i)")
            let rank = Int(try reader.load(UInt32.self, what: "the rank of tensor '\(name)'"))
            guard rank <= 8 else {
                throw TensorError.corruptFile(path: path, reason: "tensor '\(name)' claims \(rank) dimensions (at most 8 are possible)")
            }
            var dims: [Int] = []
            for d in 0..<rank {
                let n = try reader.load(UInt64.self, what: "dimension \(d) of tensor '\(name)'")
                guard n <= UInt64(Int32.max) * 64 else {
                    throw TensorError.corruptFile(path: path, reason: "tensor '\(name)' dimension \(d) is \(n), impossibly large")
                }
                dims.append(Int(n))
            }
            let rawType = try reader.load(UInt32.self, what: "the type of tensor '\(name)'")
            guard let type = GGMLType(rawValue: rawType) else {
                throw TensorError.corruptFile(path: path, reason: "tensor '\(name)' has unknown ggml type \(rawType)")
            }
            let offset = try reader.load(UInt64.self, what: "the data offset of tensor '\(name)'")
            guard offset < UInt64(Int.max / 2), Int(offset) % alignment == 0 else {
                throw TensorError.corruptFile(path: path, reason: "tensor '\(name)' data offset \(offset) is not a multiple of the alignment \(alignment)")
            }
            let count = dims.reduce(1, *)
            guard count % type.blockSize == 0, dims.first.map({ $0 % type.blockSize == 0 }) ?? (type.blockSize == 1) else {
                throw TensorError.corruptFile(path: path, reason: "tensor '\(name)' of type \(type) has \(dims.first ?? 1) elements per row, not a multiple of its block of \(type.blockSize)")
            }
            if index.updateValue(infos.count, forKey: name) != nil {
                throw TensorError.corruptFile(path: path, reason: "tensor name '\(name)' appears twice")
            }
            infos.append(GGUFTensorInfo(name: name, dims: dims, type: type, offset: Int(offset),
                                        byteCount: count / type.blockSize * type.blockByteCount))
        }
        tensors = infos
        tensorIndex = index

        let start = (reader.offset + alignment - 1) / alignment * alignment
        dataOffset = start
        // A file with tensors must hold all their bytes; one without may end right after its table.
        for t in infos where start + t.offset + t.byteCount > mapping.byteCount {
            throw TensorError.corruptFile(path: path, reason: "tensor '\(t.name)' needs bytes \(start + t.offset)..<\(start + t.offset + t.byteCount) but the file has \(mapping.byteCount); the file is truncated")
        }
        let sorted = infos.sorted { $0.offset < $1.offset }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.offset + a.byteCount > b.offset {
            throw TensorError.corruptFile(path: path, reason: "tensors '\(a.name)' and '\(b.name)' overlap in the data section")
        }
    }

    /// The tensor table entry named `name`, if there is one.
    public func tensorInfo(named name: String) -> GGUFTensorInfo? { tensorIndex[name].map { tensors[$0] } }

    /// The raw bytes of a tensor, borrowed from the mapping (no dequantization): valid while
    /// this file object lives.
    public func data(for name: String) throws -> UnsafeRawBufferPointer {
        guard let info = tensorInfo(named: name) else {
            throw TensorError.invalidArgument("\(path) has no tensor named '\(name)'")
        }
        return UnsafeRawBufferPointer(start: UnsafeRawPointer(mapping.bytes) + dataOffset + info.offset, count: info.byteCount)
    }

    /// A metadata string, or nil when missing or not a string.
    public func string(_ key: String) -> String? { metadata[key]?.stringValue }
    /// A metadata integer of any width, or nil.
    public func int(_ key: String) -> Int? { metadata[key]?.intValue }
    /// A metadata boolean, or nil.
    public func bool(_ key: String) -> Bool? {
        if case .bool(let b)? = metadata[key] { return b }
        return nil
    }
}

/// One entry of a GGUF tensor table.
public struct GGUFTensorInfo: Equatable, Sendable {
    public let name: String
    /// Dimensions as the file stores them: innermost (contiguous) first, the reverse of
    /// PyTorch's order.
    public let dims: [Int]
    public let type: GGMLType
    /// Offset of the tensor's bytes within the data section.
    public let offset: Int
    /// Size of the tensor's bytes.
    public let byteCount: Int

    /// The shape in PyTorch's order (outermost first).
    public var shape: [Int] { dims.reversed() }
    /// Number of elements.
    public var count: Int { dims.reduce(1, *) }
}

/// A GGUF metadata value type code.
public enum GGUFValueType: UInt32, Sendable {
    case uint8 = 0, int8, uint16, int16, uint32, int32, float32, bool, string, array, uint64, int64, float64
}

/// A GGUF metadata value.
public enum GGUFValue: Equatable, Sendable, CustomStringConvertible {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64)
    case float32(Float), float64(Double)
    case bool(Bool)
    case string(String)
    /// An array: its element type and elements (GGUF arrays hold one type, possibly arrays).
    case array(GGUFValueType, [GGUFValue])

    /// The value as an integer when it is one of the integer types (and fits).
    public var intValue: Int? {
        switch self {
        case .uint8(let v): return Int(v)
        case .int8(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint64(let v): return v <= UInt64(Int.max) ? Int(v) : nil
        case .int64(let v): return Int(v)
        default: return nil
        }
    }

    /// The value as a floating-point number when it is numeric.
    public var doubleValue: Double? {
        switch self {
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        default: return intValue.map(Double.init)
        }
    }

    /// The string, when the value is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The elements, when the value is an array.
    public var arrayValue: [GGUFValue]? {
        if case .array(_, let items) = self { return items }
        return nil
    }

    /// The elements as strings, when the value is an array of strings.
    public var stringArray: [String]? {
        guard case .array(.string, let items) = self else { return nil }
        return items.compactMap(\.stringValue)
    }

    /// The elements as integers, when the value is an array of an integer type.
    public var intArray: [Int]? {
        guard let items = arrayValue else { return nil }
        var out: [Int] = []
        out.reserveCapacity(items.count)
        for v in items { guard let i = v.intValue else { return nil }; out.append(i) }
        return out
    }

    /// The elements as floating-point numbers, when the value is a numeric array.
    public var doubleArray: [Double]? {
        guard let items = arrayValue else { return nil }
        var out: [Double] = []
        out.reserveCapacity(items.count)
        for v in items { guard let d = v.doubleValue else { return nil }; out.append(d) }
        return out
    }

    public var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .bool(let b): return b ? "true" : "false"
        case .float32(let v): return "\(v)"
        case .float64(let v): return "\(v)"
        case .array(let t, let items): return "[\(items.count) × \(t)]"
        case .uint64(let v): return String(v)
        default: return intValue.map(String.init) ?? "?"
        }
    }
}

/// The ggml tensor element types, with their block layouts (values as ggml defines them).
public enum GGMLType: UInt32, Sendable, CaseIterable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
    case iq2_xxs = 16, iq2_xs = 17, iq3_xxs = 18, iq1_s = 19, iq4_nl = 20, iq3_s = 21, iq2_s = 22, iq4_xs = 23
    case i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_m = 29, bf16 = 30
    case tq1_0 = 34, tq2_0 = 35, mxfp4 = 39

    /// Elements per block (1 for plain types).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .i8, .i16, .i32, .i64, .f64: return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_nl, .mxfp4: return 32
        default: return 256
        }
    }

    /// Bytes per block.
    public var blockByteCount: Int {
        switch self {
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8: return 1
        case .i64, .f64: return 8
        case .q4_0: return 18
        case .q4_1: return 20
        case .q5_0: return 22
        case .q5_1: return 24
        case .q8_0: return 34
        case .q8_1: return 40
        case .q2_K: return 84
        case .q3_K: return 110
        case .q4_K: return 144
        case .q5_K: return 176
        case .q6_K: return 210
        case .q8_K: return 292
        case .iq2_xxs: return 66
        case .iq2_xs: return 74
        case .iq3_xxs: return 98
        case .iq1_s: return 50
        case .iq4_nl: return 18
        case .iq3_s: return 110
        case .iq2_s: return 82
        case .iq4_xs: return 136
        case .iq1_m: return 56
        case .tq1_0: return 54
        case .tq2_0: return 66
        case .mxfp4: return 17
        }
    }
}

/// A bounds-checked little-endian cursor over the mapped header.
struct GGUFReader {
    let base: UnsafeRawPointer
    let count: Int
    let path: String
    var offset = 0

    func truncated(_ what: String, needing n: Int) -> TensorError {
        .corruptFile(path: path, reason: "the file ends while reading \(what): \(n) bytes needed at byte \(offset) of \(count); the file is truncated")
    }

    mutating func load<T: FixedWidthInteger>(_: T.Type, what: String) throws -> T {
        let n = MemoryLayout<T>.size
        guard count - offset >= n else { throw truncated(what, needing: n) }
        defer { offset += n }
        return T(littleEndian: (base + offset).loadUnaligned(as: T.self))
    }

    mutating func bytes(_ n: Int, what: String) throws -> [UInt8] {
        guard n >= 0, count - offset >= n else { throw truncated(what, needing: n) }
        defer { offset += n }
        return Array(UnsafeRawBufferPointer(start: base + offset, count: n))
    }

    /// A `UInt64` count, refused when it could not possibly fit in the rest of the file
    /// (every item takes at least one byte), so a corrupt count never allocates wildly.
    mutating func count(what: String, minimumItemSize: Int = 1) throws -> Int {
        let n = try load(UInt64.self, what: what)
        guard n <= UInt64(count - offset) / UInt64(max(1, minimumItemSize)) else {
            throw TensorError.corruptFile(path: path, reason: "\(what) is \(n), more than the \(count - offset) bytes left in the file could hold; the file is truncated or corrupt")
        }
        return Int(n)
    }

    mutating func string(what: String) throws -> String {
        let n = try count(what: "the length of \(what)")
        defer { offset += n }
        return String(decoding: UnsafeRawBufferPointer(start: base + offset, count: n), as: UTF8.self)
    }

    mutating func value(of type: GGUFValueType, what: String) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try load(UInt8.self, what: what))
        case .int8: return .int8(try load(Int8.self, what: what))
        case .uint16: return .uint16(try load(UInt16.self, what: what))
        case .int16: return .int16(try load(Int16.self, what: what))
        case .uint32: return .uint32(try load(UInt32.self, what: what))
        case .int32: return .int32(try load(Int32.self, what: what))
        case .uint64: return .uint64(try load(UInt64.self, what: what))
        case .int64: return .int64(try load(Int64.self, what: what))
        case .float32: return .float32(Float(bitPattern: try load(UInt32.self, what: what)))
        case .float64: return .float64(Double(bitPattern: try load(UInt64.self, what: what)))
        case .bool:
            let b = try load(UInt8.self, what: what)
            guard b <= 1 else {
                throw TensorError.corruptFile(path: path, reason: "\(what) is a bool stored as \(b) at byte \(offset - 1) (must be 0 or 1)")
            }
            return .bool(b == 1)
        case .string: return .string(try string(what: what))
        case .array:
            let rawType = try load(UInt32.self, what: "the element type of \(what)")
            guard let elementType = GGUFValueType(rawValue: rawType) else {
                throw TensorError.corruptFile(path: path, reason: "\(what) is an array of unknown value type \(rawType) at byte \(offset - 4)")
            }
            let n = try count(what: "the length of \(what)")
            var items: [GGUFValue] = []
            items.reserveCapacity(n)
            for i in 0..<n { items.append(try value(of: elementType, what: "element \(i) of \(what)")) }
            return .array(elementType, items)
        }
    }
}

import Foundation

/// Where one tensor lives in a safetensors file, as its header describes it.
public struct SafeTensorsInfo: Equatable, Sendable {
    /// The tensor's name in the header.
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// The tensor's bytes, relative to the start of the data buffer (after the header).
    public let dataOffsets: Range<Int>

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
}

/// A safetensors file, memory-mapped, whose tensors are views into the mapping.
///
/// The format is an 8-byte little-endian header length `N`, `N` bytes of JSON
/// (`{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}`), then the
/// data buffer that the offsets index. Opening the file reads and checks the header only;
/// `tensor(named:)` returns a tensor whose storage borrows the mapped bytes, so a large
/// checkpoint is never copied: pages are read from disk when first touched.
///
/// Every inconsistency in the header (bad length, JSON, dtype, shape against byte count,
/// offsets outside the buffer, gaps or overlaps between tensors, a truncated file) throws
/// `TensorError.corruptFile` naming the problem and the tensor involved.
///
/// ```swift
/// let file = try SafeTensorsFile(path: "model.safetensors")
/// let weight = try file.tensor(named: "embeddings.word_embeddings.weight")
/// ```
public final class SafeTensorsFile {
    /// The path the file was opened from.
    public let path: String
    /// The mapping the tensors borrow; it stays alive as long as any of them does.
    public let mapping: MappedFile
    /// The tensor names, sorted (as the Python library's `keys()` gives them).
    public let names: [String]
    /// The header's `__metadata__` (empty when it has none).
    public let metadata: [String: String]
    private let entries: [String: SafeTensorsInfo]
    /// Byte position of the data buffer in the file: 8 + header length.
    private let dataStart: Int

    /// The largest header accepted, as the reference implementation limits it, so a corrupt
    /// length never makes us parse hundreds of megabytes as JSON.
    public static let maximumHeaderLength = 100_000_000

    /// Maps the file at `path` and checks its header.
    ///
    /// By default the mapping is read-only and so are the tensors' storages (writing into one
    /// throws). With `copyOnWrite` the tensors may be written in place: a written page is
    /// privately copied by the kernel, and the file itself never changes.
    public init(path: String, copyOnWrite: Bool = false) throws {
        self.path = path
        mapping = try MappedFile(path: path, copyOnWrite: copyOnWrite)
        let fileSize = mapping.byteCount
        func corrupt(_ reason: String) -> TensorError { .corruptFile(path: path, reason: reason) }

        guard fileSize >= 8 else {
            throw corrupt("the file is \(fileSize) bytes, shorter than the 8-byte header length that starts a safetensors file")
        }
        let rawLength = UnsafeRawPointer(mapping.bytes).loadUnaligned(as: UInt64.self).littleEndian
        guard rawLength <= UInt64(fileSize - 8) else {
            throw corrupt("the header length \(rawLength) runs past the end of the file (\(fileSize) bytes); the file is truncated or not a safetensors file")
        }
        let headerLength = Int(rawLength)
        guard headerLength <= SafeTensorsFile.maximumHeaderLength else {
            throw corrupt("the header length \(headerLength) is larger than the \(SafeTensorsFile.maximumHeaderLength)-byte limit")
        }
        dataStart = 8 + headerLength
        let bufferSize = fileSize - dataStart

        let header = Data(bytes: mapping.bytes + 8, count: headerLength)
        guard header.first == UInt8(ascii: "{") else {
            throw corrupt("the header does not start with '{', so it is not a JSON object")
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: header, options: [])
        } catch {
            throw corrupt("the header is not valid JSON (\(error.localizedDescription))")
        }
        guard let object = json as? [String: Any] else {
            throw corrupt("the header is JSON but not an object of tensors")
        }

        var metadata: [String: String] = [:]
        var entries: [String: SafeTensorsInfo] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                if value is NSNull { continue }  // written by some tools for "no metadata"
                guard let pairs = value as? [String: Any] else {
                    throw corrupt("__metadata__ is not an object of strings")
                }
                for (key, item) in pairs {
                    guard let text = item as? String else {
                        throw corrupt("__metadata__ entry '\(key)' is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            entries[name] = try SafeTensorsFile.parseEntry(name: name, value, corrupt)
        }
        try SafeTensorsFile.checkCoverage(entries.values, bufferSize: bufferSize, corrupt)
        self.metadata = metadata
        self.entries = entries
        names = entries.keys.sorted()
    }

    /// Dtype, shape and byte range of the tensor called `name`, or nil if there is none.
    public func info(_ name: String) -> SafeTensorsInfo? { entries[name] }

    /// Whether the file holds a tensor called `name`.
    public func contains(_ name: String) -> Bool { entries[name] != nil }

    /// The tensor called `name`, its storage borrowing the file's mapping (no copy).
    ///
    /// One exception: a tensor whose bytes are not aligned to its element size (possible in
    /// files not written by the reference library, which aligns them) is copied into aligned
    /// memory, because typed loads from a misaligned address are undefined behaviour. Bool
    /// tensors holding bytes other than 0 and 1 are copied too, normalised to 0/1.
    public func tensor(named name: String) throws -> Tensor {
        guard let entry = entries[name] else {
            let known = names.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
            throw TensorError.invalidArgument(
                "\(path): no tensor named '\(name)' (the file has \(names.count) tensors\(names.isEmpty ? "" : ": \(known)\(names.count > 5 ? ", ..." : "")"))")
        }
        let byteCount = entry.dataOffsets.count
        let start = mapping.bytes + dataStart + entry.dataOffsets.lowerBound
        let aligned = Int(bitPattern: start) % entry.dtype.itemSize == 0
        let storage: Storage
        if aligned && !(entry.dtype == .bool && SafeTensorsFile.hasNonBooleanBytes(start, byteCount)) {
            storage = Storage(borrowing: start, byteCount: byteCount, owner: mapping,
                              readOnly: !mapping.isCopyOnWrite)
        } else {
            storage = Storage(uninitializedByteCount: byteCount)
            storage.bytes.copyMemory(from: start, byteCount: byteCount)
            if entry.dtype == .bool {
                let b = storage.bytes.assumingMemoryBound(to: UInt8.self)
                for i in 0..<byteCount where b[i] > 1 { b[i] = 1 }
            }
        }
        return Tensor(storage: storage, shape: entry.shape, dtype: entry.dtype)
    }

    /// Every tensor, by name (each borrowing the mapping, as `tensor(named:)`).
    public func tensors() throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for name in names { out[name] = try tensor(named: name) }
        return out
    }

    // MARK: Header checks

    private static func parseEntry(name: String, _ value: Any,
                                   _ corrupt: (String) -> TensorError) throws -> SafeTensorsInfo {
        guard let fields = value as? [String: Any] else {
            throw corrupt("the entry for tensor '\(name)' is not an object")
        }
        guard let dtypeName = fields["dtype"] as? String else {
            throw corrupt("tensor '\(name)' has no dtype string")
        }
        guard let dtype = DType(safetensorsName: dtypeName) else {
            let known = DType.allCases.map(\.safetensorsName).joined(separator: ", ")
            throw corrupt("tensor '\(name)' has unknown or unsupported dtype '\(dtypeName)' (supported: \(known))")
        }
        guard let shapeValues = fields["shape"] as? [Any],
              let shape = integers(shapeValues), shape.allSatisfy({ $0 >= 0 }) else {
            throw corrupt("tensor '\(name)' has a shape that is not a list of non-negative integers")
        }
        guard let offsetValues = fields["data_offsets"] as? [Any],
              let offsets = integers(offsetValues), offsets.count == 2,
              offsets[0] >= 0, offsets[1] >= offsets[0] else {
            throw corrupt("tensor '\(name)' has data_offsets that are not two increasing non-negative integers [begin, end]")
        }
        // The byte count with overflow checks: a corrupt shape must not trap.
        var needed = dtype.itemSize
        var overflow = false
        for size in shape where !overflow {
            (needed, overflow) = needed.multipliedReportingOverflow(by: size)
        }
        let span = offsets[1] - offsets[0]
        guard !overflow, needed == span else {
            throw corrupt("tensor '\(name)' of shape \(shape.shapeString) and dtype \(dtypeName) needs \(overflow ? "more than \(Int.max)" : String(needed)) bytes, but its data_offsets [\(offsets[0]), \(offsets[1])] span \(span) bytes")
        }
        return SafeTensorsInfo(name: name, dtype: dtype, shape: shape,
                               dataOffsets: offsets[0]..<offsets[1])
    }

    /// JSON numbers that are all exact integers, or nil.
    private static func integers(_ values: [Any]) -> [Int]? {
        var out: [Int] = []
        out.reserveCapacity(values.count)
        for value in values {
            // Foundation parses JSON `true` and `3.0` as NSNumbers too; sizes and offsets must
            // be written as integers, so the number's stored type ('c' bool, 'd'/'f' floating)
            // is checked before its value.
            guard let number = value as? NSNumber,
                  !"cdf".utf8.contains(UInt8(bitPattern: number.objCType.pointee)),
                  let integer = value as? Int else { return nil }
            out.append(integer)
        }
        return out
    }

    /// The tensors must tile the data buffer exactly, in some order: no gap, no overlap, no
    /// trailing bytes, as the reference implementation requires.
    private static func checkCoverage<C: Collection>(_ entries: C, bufferSize: Int,
                                                     _ corrupt: (String) -> TensorError) throws
    where C.Element == SafeTensorsInfo {
        let ordered = entries.sorted {
            ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound, $0.name)
                < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound, $1.name)
        }
        var position = 0
        var previous: SafeTensorsInfo?
        for entry in ordered {
            let range = entry.dataOffsets
            if range.upperBound > bufferSize {
                throw corrupt("tensor '\(entry.name)' has data_offsets [\(range.lowerBound), \(range.upperBound)] beyond the end of the \(bufferSize)-byte data buffer; the file is truncated")
            }
            if range.lowerBound < position, let previous {
                throw corrupt("tensors '\(previous.name)' (bytes \(previous.dataOffsets.lowerBound)..<\(previous.dataOffsets.upperBound)) and '\(entry.name)' (bytes \(range.lowerBound)..<\(range.upperBound)) overlap")
            }
            if range.lowerBound > position {
                let after = previous.map { "after tensor '\($0.name)'" } ?? "at the start of the data buffer"
                throw corrupt("bytes \(position)..<\(range.lowerBound) \(after) belong to no tensor (tensors must cover the data buffer without gaps)")
            }
            position = range.upperBound
            previous = entry
        }
        if position != bufferSize {
            throw corrupt("the data buffer has \(bufferSize) bytes but the tensors cover \(position); \(bufferSize - position) trailing bytes belong to no tensor")
        }
    }

    private static func hasNonBooleanBytes(_ start: UnsafeMutableRawPointer, _ count: Int) -> Bool {
        let bytes = start.assumingMemoryBound(to: UInt8.self)
        for i in 0..<count where bytes[i] > 1 { return true }
        return false
    }
}

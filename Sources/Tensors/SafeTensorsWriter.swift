import Foundation

/// Reading and writing whole safetensors files.
///
/// Files are written as the reference Python library writes them, byte for byte: tensors
/// ordered by dtype (widest first, so every tensor's bytes are aligned to its element size)
/// then by name, compact JSON, the header padded with spaces to a multiple of 8 bytes.
/// `__metadata__` keys are written sorted (the Python library's order there is a hash map's).
public enum SafeTensors {
    /// Writes `tensors` to `path`, replacing any file there. Non-contiguous tensors are
    /// written densely in row-major order; every dtype is accepted.
    ///
    /// The file is written next to `path` under a temporary name and renamed into place, so
    /// a failed write never leaves a half-written checkpoint where a good one was. Tensor
    /// bytes go to the file straight from their storage; only non-contiguous tensors are
    /// gathered first, one at a time.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String]? = nil,
                             to path: String) throws {
        try write(tensors.map { ($0.key, $0.value) }, metadata: metadata, to: path)
    }

    /// Writes named tensors to `path`; names must be unique. The header order is the
    /// reference library's (see `SafeTensors`), whatever order they are given in.
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String]? = nil,
                             to path: String) throws {
        let layout = try plan(tensors, metadata: metadata)
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw TensorError.io("cannot create '\(temporary)': \(String(cString: strerror(errno)))")
        }
        var closed = false
        defer {
            if !closed { close(fd); unlink(temporary) }
        }
        var lengthField = UInt64(layout.header.count).littleEndian
        try withUnsafeBytes(of: &lengthField) { try writeAll(fd, $0.baseAddress!, 8, path) }
        try layout.header.withUnsafeBytes { try writeAll(fd, $0.baseAddress!, $0.count, path) }
        for (_, tensor) in layout.ordered {
            // Dense tensors are written straight from their storage; others through one copy.
            let dense = tensor.contiguous()
            let byteCount = dense.count * dense.dtype.itemSize
            try withExtendedLifetime(dense) {
                let start = dense.storage.bytes + dense.offset * dense.dtype.itemSize
                try writeAll(fd, start, byteCount, path)
            }
        }
        // No fsync, like the reference library: the rename already guarantees readers see a
        // whole file or the old one after a crash of this process, and a sync per checkpoint
        // would cost seconds on large models.
        guard close(fd) == 0 else {
            closed = true
            unlink(temporary)
            throw TensorError.io("cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        closed = true
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TensorError.io("cannot move '\(temporary)' to '\(path)': \(reason)")
        }
    }

    /// The file's bytes in memory, exactly as `write` would put them on disk.
    public static func serialize(_ tensors: [(String, Tensor)],
                                 metadata: [String: String]? = nil) throws -> [UInt8] {
        let layout = try plan(tensors, metadata: metadata)
        var out = [UInt8]()
        let total = 8 + layout.header.count + layout.ordered.reduce(0) {
            $0 + $1.1.count * $1.1.dtype.itemSize
        }
        out.reserveCapacity(total)
        withUnsafeBytes(of: UInt64(layout.header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: layout.header)
        for (_, tensor) in layout.ordered {
            let dense = tensor.contiguous()
            withExtendedLifetime(dense) {
                let start = dense.storage.bytes + dense.offset * dense.dtype.itemSize
                out.append(contentsOf: UnsafeRawBufferPointer(
                    start: start, count: dense.count * dense.dtype.itemSize))
            }
        }
        return out
    }

    /// Every tensor of the file at `path`, by name, without copying the data.
    ///
    /// The file is mapped copy-on-write: the tensors behave like ordinary writable tensors
    /// (in-place updates work), yet only the pages actually written are copied into memory,
    /// and the file on disk never changes. The mapping stays alive while any tensor does.
    public static func load(_ path: String) throws -> [String: Tensor] {
        try SafeTensorsFile(path: path, copyOnWrite: true).tensors()
    }

    // MARK: Layout

    private struct Layout {
        var header: [UInt8]
        var ordered: [(String, Tensor)]
    }

    /// The reference library's order: descending dtype (in its enum order, which puts wider
    /// types first), then name.
    private static let dtypeRank: [DType: Int] = [
        .bool: 0, .uint8: 1, .float16: 2, .bfloat16: 3, .int32: 4, .float32: 5, .int64: 6,
    ]

    private static func plan(_ tensors: [(String, Tensor)],
                             metadata: [String: String]?) throws -> Layout {
        var seen = Set<String>()
        for (name, _) in tensors {
            guard name != "__metadata__" else {
                throw TensorError.invalidArgument("safetensors: '__metadata__' is reserved and cannot name a tensor")
            }
            guard seen.insert(name).inserted else {
                throw TensorError.invalidArgument("safetensors: the tensor name '\(name)' is given twice")
            }
        }
        let ordered = tensors.sorted { a, b in
            let (ra, rb) = (dtypeRank[a.1.dtype] ?? 0, dtypeRank[b.1.dtype] ?? 0)
            return ra != rb ? ra > rb : a.0 < b.0
        }
        var json = "{"
        var first = true
        if let metadata {
            json += "\"__metadata__\":{"
            json += metadata.keys.sorted().map { key in
                jsonString(key) + ":" + jsonString(metadata[key] ?? "")
            }.joined(separator: ",")
            json += "}"
            first = false
        }
        var position = 0
        for (name, tensor) in ordered {
            let end = position + tensor.count * tensor.dtype.itemSize
            if !first { json += "," }
            first = false
            json += jsonString(name) + ":{\"dtype\":\"\(tensor.dtype.safetensorsName)\",\"shape\":["
                + tensor.shape.map(String.init).joined(separator: ",")
                + "],\"data_offsets\":[\(position),\(end)]}"
            position = end
        }
        json += "}"
        var header = Array(json.utf8)
        // Padding keeps the data buffer 8-byte aligned in the file, hence in a mapping.
        let padded = (header.count + 7) / 8 * 8
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padded - header.count))
        return Layout(header: header, ordered: ordered)
    }

    /// A JSON string literal, escaped as serde_json escapes (so headers match the reference).
    static func jsonString(_ text: String) -> String { JSONText.quoted(text) }

    private static func writeAll(_ fd: Int32, _ start: UnsafeRawPointer, _ count: Int,
                                 _ path: String) throws {
        var done = 0
        while done < count {
            // Linux writes at most about 2 GiB per call; loop over partial writes.
            let written = Foundation.write(fd, start + done, min(count - done, 1 << 30))
            if written < 0 {
                if errno == EINTR { continue }
                throw TensorError.io("cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
            done += written
        }
    }
}

import Foundation

/// Raw bytes behind one or more tensors.
///
/// A storage either owns an aligned heap allocation or borrows bytes kept alive by an `owner`
/// (a memory-mapped file, say), so weights can be viewed in place without a copy. Views share
/// a storage; they never copy it.
public final class Storage: @unchecked Sendable {
    /// Start of the bytes.
    public let bytes: UnsafeMutableRawPointer
    public let byteCount: Int
    /// Keeps borrowed bytes alive (nil when this storage owns its allocation).
    public let owner: AnyObject?
    /// Borrowed bytes from a read-only mapping must not be written through.
    public let isReadOnly: Bool
    /// The same values as stored GGUF blocks, for few-row products (see `BlockMatrix`);
    /// attached by a GGUF loader and dropped by any write into this storage, so it never
    /// stands for values that changed.
    public var blockMatrix: BlockMatrix?
    /// The same values copied into a product's panel layout (`PanelProduct.PackedWeight`),
    /// made by the first many-row product that reads them as a weight; dropped, as
    /// `blockMatrix`, by any write into this storage.
    var packedWeight: AnyObject?

    /// Drops every other form of the values (GGUF blocks, packed panels): call before writing.
    public func valuesWillChange() {
        blockMatrix = nil
        packedWeight = nil
    }

    /// Allocates `byteCount` zeroed bytes, 64-byte aligned for SIMD loads.
    public init(byteCount: Int) {
        let size = max(byteCount, 1)
        bytes = BufferPool.allocate(byteCount: size)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        self.byteCount = byteCount
        owner = nil
        isReadOnly = false
    }

    /// Allocates without zeroing; for results every byte of which is about to be written.
    public init(uninitializedByteCount byteCount: Int) {
        bytes = BufferPool.allocate(byteCount: byteCount)
        self.byteCount = byteCount
        owner = nil
        isReadOnly = false
    }

    /// Borrows `byteCount` bytes at `bytes`, kept alive by `owner`.
    public init(borrowing bytes: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject,
                readOnly: Bool) {
        self.bytes = bytes
        self.byteCount = byteCount
        self.owner = owner
        isReadOnly = readOnly
    }

    deinit {
        if owner == nil { BufferPool.deallocate(bytes, byteCount: byteCount) }
    }
}

/// A memory mapping of a whole file; storages borrow from it.
///
/// The mapping is private: it never writes back to the file. By default it is read-only; with
/// `copyOnWrite` its pages are writable and the kernel copies a page the first time it is
/// written, so loaded weights can be changed in place while unchanged ones stay shared.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let bytes: UnsafeMutableRawPointer
    public let byteCount: Int
    /// Whether the pages may be written (each written page becomes a private copy).
    public let isCopyOnWrite: Bool

    public init(path: String, copyOnWrite: Bool = false) throws {
        self.path = path
        isCopyOnWrite = copyOnWrite
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw TensorError.io("cannot open '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw TensorError.io("cannot stat '\(path)': \(String(cString: strerror(errno)))")
        }
        byteCount = Int(info.st_size)
        if byteCount == 0 {
            bytes = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 64)
            return
        }
        let protection = copyOnWrite ? PROT_READ | PROT_WRITE : PROT_READ
        guard let base = mmap(nil, byteCount, protection, MAP_PRIVATE, fd, 0),
              base != MAP_FAILED else {
            throw TensorError.io("cannot map '\(path)': \(String(cString: strerror(errno)))")
        }
        bytes = base
    }

    deinit {
        if byteCount == 0 { bytes.deallocate() } else { munmap(bytes, byteCount) }
    }
}

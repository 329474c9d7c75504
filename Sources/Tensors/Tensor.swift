/// An n-dimensional array over a shared `Storage`, with torch's semantics.
///
/// A tensor is a view: `shape`, `strides` (in elements) and `offset` (in elements) select its
/// elements from the storage, so transpose, permute, slicing and expand never copy.
/// Operations that can fail (bad shapes, dims, dtypes) throw `TensorError`.
///
/// Raw pointers (`pointer(as:)`, `floatPointer`) are valid only while the tensor is alive, and
/// Swift may release an object right after its last use: wrap pointer loops in
/// `withExtendedLifetime(tensor) { ... }`.
///
/// Autograd: a tensor with `requiresGrad` records the operations applied to it (unless grad
/// mode is off, see `withNoGrad`), and `backward()` fills `.grad` of the leaves.
public final class Tensor: @unchecked Sendable {
    public let storage: Storage
    public let shape: [Int]
    public let strides: [Int]
    public let offset: Int
    public let dtype: DType

    /// Whether operations on this tensor are recorded for `backward()`.
    public var requiresGrad: Bool
    /// The gradient accumulated by `backward()` (leaves only, as in torch).
    public var grad: Tensor?
    /// The operation that produced this tensor, when recorded.
    public internal(set) var gradFn: GradNode?

    /// Wraps existing storage; shape and strides are trusted (internal callers check them).
    public init(storage: Storage, shape: [Int], strides: [Int]? = nil, offset: Int = 0,
                dtype: DType, requiresGrad: Bool = false) {
        self.storage = storage
        self.shape = shape
        self.strides = strides ?? Tensor.contiguousStrides(for: shape)
        self.offset = offset
        self.dtype = dtype
        self.requiresGrad = requiresGrad
    }

    /// A new zero-filled tensor.
    public convenience init(zeros shape: [Int], dtype: DType = .float32) {
        let count = shape.reduce(1, *)
        self.init(storage: Storage(byteCount: count * dtype.itemSize), shape: shape, dtype: dtype)
    }

    /// A new tensor whose bytes the caller is about to fill entirely.
    public convenience init(uninitialized shape: [Int], dtype: DType = .float32) {
        let count = shape.reduce(1, *)
        self.init(storage: Storage(uninitializedByteCount: count * dtype.itemSize),
                  shape: shape, dtype: dtype)
    }

    /// A float32 tensor from values in row-major order.
    public convenience init(_ values: [Float], shape: [Int]) throws {
        guard values.count == shape.reduce(1, *) else {
            throw TensorError.shapeMismatch(
                "tensor: \(values.count) values cannot fill shape \(shape.shapeString)")
        }
        self.init(uninitialized: shape, dtype: .float32)
        values.withUnsafeBufferPointer { source in
            floatPointer.update(from: source.baseAddress!, count: values.count)
        }
    }

    /// A float32 tensor from values in row-major order; a 1-D tensor when `shape` is omitted.
    public convenience init(_ values: [Float]) {
        try! self.init(values, shape: [values.count])
    }

    /// An int64 tensor from values in row-major order.
    public convenience init(int64 values: [Int64], shape: [Int]) throws {
        guard values.count == shape.reduce(1, *) else {
            throw TensorError.shapeMismatch(
                "tensor: \(values.count) values cannot fill shape \(shape.shapeString)")
        }
        self.init(uninitialized: shape, dtype: .int64)
        values.withUnsafeBufferPointer { source in
            pointer(as: Int64.self).update(from: source.baseAddress!, count: values.count)
        }
    }

    /// A 0-dimensional float32 tensor.
    public convenience init(scalar value: Float) {
        try! self.init([value], shape: [])
    }

    // MARK: Geometry

    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    public static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= Swift.max(shape[axis], 1)
        }
        return strides
    }

    /// True when the elements are laid out densely in row-major order.
    public var isContiguous: Bool {
        var expected = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// Normalises a possibly negative dimension, or throws naming the op.
    public func axis(_ dim: Int, op: String) throws -> Int {
        let r = Swift.max(rank, 1)
        guard dim >= -r && dim < r else { throw TensorError.invalidDimension(dim: dim, rank: rank, op: op) }
        return dim < 0 ? dim + r : dim
    }

    // MARK: Raw access

    /// Typed pointer to the first element of this view (at `offset`).
    @inline(__always)
    public func pointer<T>(as type: T.Type) -> UnsafeMutablePointer<T> {
        (storage.bytes + offset * dtype.itemSize).assumingMemoryBound(to: T.self)
    }

    /// Pointer to the first float of a float32 tensor.
    @inline(__always)
    public var floatPointer: UnsafeMutablePointer<Float> { pointer(as: Float.self) }

    /// This tensor as float32 in row-major order (converting and gathering as needed).
    public func toFloatArray() -> [Float] {
        let source = (try? to(.float32).contiguous()) ?? self
        return withExtendedLifetime(source) {
            Array(UnsafeBufferPointer(start: source.floatPointer, count: count))
        }
    }

    /// This tensor as int64 in row-major order (floats truncate toward zero, as torch does).
    public func toInt64Array() -> [Int64] {
        let source = (try? to(.int64).contiguous()) ?? self
        return withExtendedLifetime(source) {
            Array(UnsafeBufferPointer(start: source.pointer(as: Int64.self), count: count))
        }
    }

    /// The value of a one-element tensor, as a Double.
    public func item() throws -> Double {
        guard count == 1 else {
            throw TensorError.invalidArgument(
                "a Tensor with \(count) elements cannot be converted to Scalar")
        }
        if dtype.isFloatingPoint { return Double(toFloatArray()[0]) }
        return Double(toInt64Array()[0])
    }

    /// A tensor that shares nothing with the graph: same data, no gradient history.
    public func detach() -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype)
    }
}

extension Array where Element == Int {
    /// Shapes printed as torch does in messages: `[2, 3]`.
    public var shapeString: String { "[" + map(String.init).joined(separator: ", ") + "]" }
}

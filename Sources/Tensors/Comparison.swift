/// Elementwise comparisons and logical ops: broadcasting, bool results, no gradient.
///
/// Operands are compared in their promoted type: exactly in int64 when both are integral,
/// in float32 otherwise (a Double operand takes the tensor's dtype, as a Python scalar does).
extension Tensor {
    /// `self == other` elementwise (broadcasting).
    public func eq(_ other: Tensor) throws -> Tensor { try Tensor.compare(self, other, op: "eq", ElementTests.Equal.self) }
    /// `self != other` elementwise (broadcasting).
    public func ne(_ other: Tensor) throws -> Tensor { try Tensor.compare(self, other, op: "ne", ElementTests.NotEqual.self) }
    /// `self < other` elementwise (broadcasting).
    public func lt(_ other: Tensor) throws -> Tensor { try Tensor.compare(self, other, op: "lt", ElementTests.Less.self) }
    /// `self <= other` elementwise (broadcasting).
    public func le(_ other: Tensor) throws -> Tensor { try Tensor.compare(self, other, op: "le", ElementTests.LessOrEqual.self) }
    /// `self > other` elementwise (broadcasting).
    public func gt(_ other: Tensor) throws -> Tensor { try Tensor.compare(self, other, op: "gt", ElementTests.Greater.self) }
    /// `self >= other` elementwise (broadcasting).
    public func ge(_ other: Tensor) throws -> Tensor { try Tensor.compare(self, other, op: "ge", ElementTests.GreaterOrEqual.self) }

    /// `self == value` elementwise.
    public func eq(_ value: Double) throws -> Tensor { try eq(Tensor.scalar(value, like: self)) }
    /// `self != value` elementwise.
    public func ne(_ value: Double) throws -> Tensor { try ne(Tensor.scalar(value, like: self)) }
    /// `self < value` elementwise.
    public func lt(_ value: Double) throws -> Tensor { try lt(Tensor.scalar(value, like: self)) }
    /// `self <= value` elementwise.
    public func le(_ value: Double) throws -> Tensor { try le(Tensor.scalar(value, like: self)) }
    /// `self > value` elementwise.
    public func gt(_ value: Double) throws -> Tensor { try gt(Tensor.scalar(value, like: self)) }
    /// `self >= value` elementwise.
    public func ge(_ value: Double) throws -> Tensor { try ge(Tensor.scalar(value, like: self)) }

    /// True where the element is zero (false), as torch.logical_not.
    public func logicalNot() throws -> Tensor {
        try Tensor.compare(self, Tensor.full([], 0, dtype: dtype), op: "logical_not", ElementTests.Equal.self)
    }

    /// True where both elements are non-zero (broadcasting).
    public func logicalAnd(_ other: Tensor) throws -> Tensor {
        try Tensor.compare(self, other, op: "logical_and", ElementTests.BothNonZero.self)
    }

    /// True where either element is non-zero (broadcasting).
    public func logicalOr(_ other: Tensor) throws -> Tensor {
        try Tensor.compare(self, other, op: "logical_or", ElementTests.EitherNonZero.self)
    }

    /// True where exactly one element is non-zero (broadcasting).
    public func logicalXor(_ other: Tensor) throws -> Tensor {
        try Tensor.compare(self, other, op: "logical_xor", ElementTests.OneNonZero.self)
    }

    /// Applies a predicate to broadcast pairs in the promoted type, giving a bool tensor.
    /// The predicate is a type, not a closure, so each loop is compiled with it inlined.
    static func compare<P: ElementPredicate>(_ a: Tensor, _ b: Tensor, op: String, _: P.Type) throws -> Tensor {
        let outShape = try broadcastShapes(a.shape, b.shape, op: op)
        let out = Tensor(uninitialized: outShape, dtype: .bool)
        let dst = out.pointer(as: Bool.self)
        if a.dtype.promoted(with: b.dtype).isFloatingPoint {
            let x = try a.to(.float32).broadcastOperand(outShape), y = try b.to(.float32).broadcastOperand(outShape)
            withExtendedLifetime((x, y)) {
                Tensor.pairwise(x.tensor.floatPointer, x.step, y.tensor.floatPointer, y.step, dst, out.count, P.self)
            }
        } else {
            let x = try a.to(.int64).broadcastOperand(outShape), y = try b.to(.int64).broadcastOperand(outShape)
            withExtendedLifetime((x, y)) {
                Tensor.pairwise(x.tensor.pointer(as: Int64.self), x.step, y.tensor.pointer(as: Int64.self), y.step,
                                dst, out.count, P.self)
            }
        }
        return out
    }

    /// A dense operand for a broadcasting loop: a single element is read in place with step 0,
    /// anything else is expanded to `shape` and made dense (no copy when it already is).
    func broadcastOperand(_ shape: [Int]) throws -> (tensor: Tensor, step: Int) {
        if count == 1 { return (self, 0) }
        return (try withNoGrad { try expand(shape).contiguous() }, 1)
    }

    static func pairwise<T: Comparable & Numeric, P: ElementPredicate>(
        _ p: UnsafePointer<T>, _ pStep: Int, _ q: UnsafePointer<T>, _ qStep: Int,
        _ dst: UnsafeMutablePointer<Bool>, _ n: Int, _: P.Type) {
        Parallel.forEachChunk(n, costPerElement: 2) { range in
            if pStep == 1 && qStep == 1 {
                for i in range { dst[i] = P.test(p[i], q[i]) }
            } else if qStep == 0 && pStep == 1 {
                let s = q[0]
                for i in range { dst[i] = P.test(p[i], s) }
            } else if pStep == 0 && qStep == 1 {
                let s = p[0]
                for i in range { dst[i] = P.test(s, q[i]) }
            } else {
                let v = P.test(p[0], q[0])
                for i in range { dst[i] = v }
            }
        }
    }
}

/// A test on a pair of elements, as a type so generic loops specialise on it.
protocol ElementPredicate {
    static func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool
}

/// The predicates comparisons and logical ops are built from.
enum ElementTests {
    enum Equal: ElementPredicate { @inline(__always) static func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool { a == b } }
    enum NotEqual: ElementPredicate { @inline(__always) static func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool { a != b } }
    enum Less: ElementPredicate { @inline(__always) static func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool { a < b } }
    enum LessOrEqual: ElementPredicate { @inline(__always) static func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool { a <= b } }
    enum Greater: ElementPredicate { @inline(__always) static func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool { a > b } }
    enum GreaterOrEqual: ElementPredicate { @inline(__always) static func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool { a >= b } }
    enum BothNonZero: ElementPredicate { @inline(__always) static func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool { a != .zero && b != .zero } }
    enum EitherNonZero: ElementPredicate { @inline(__always) static func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool { a != .zero || b != .zero } }
    enum OneNonZero: ElementPredicate { @inline(__always) static func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool { (a != .zero) != (b != .zero) } }
}

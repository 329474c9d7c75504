import Foundation
import Tensors

/// Conversions between script values and Swift values: numbers, nested lists and tensors,
/// shapes and dtypes.
public enum Conversions {
    /// A tensor from a number, bool, tensor or nested list/tuple of them, as torch.tensor:
    /// bool when every element is a bool, int64 when every element is an integer, else float32
    /// (unless `dtype` says).
    public static func tensor(from value: Value, dtype: DType?) throws -> Tensor {
        var shape: [Int] = []
        var doubles: [Double] = []
        var sawFloat = false, sawInt = false, sawBool = false
        var tensorDType: DType? = nil
        func walk(_ v: Value, depth: Int) throws {
            switch v {
            case .bool(let b): sawBool = true; doubles.append(b ? 1 : 0)
            case .int(let i): sawInt = true; doubles.append(Double(i))
            case .float(let d): sawFloat = true; doubles.append(d)
            default:
                if let t = ScriptBridge.unwrap(v, as: Tensor.self) {
                    // Tensors inside lists contribute their elements and shape.
                    if depth == shape.count { shape.append(contentsOf: t.shape) }
                    tensorDType = tensorDType.map { $0.promoted(with: t.dtype) } ?? t.dtype
                    if t.dtype.isFloatingPoint { doubles.append(contentsOf: t.toFloatArray().map(Double.init)) }
                    else { doubles.append(contentsOf: t.toInt64Array().map(Double.init)) }
                    return
                }
                if case .str = v { throw ScriptBridge.error("TypeError", "new(): invalid data type 'str'") }
                guard case .obj(let o) = v, o is PyList || o is PyTuple || ScriptBridge.unwrap(v, as: SizeObject.self) != nil else {
                    throw ScriptBridge.error("TypeError", "Could not infer dtype of \(Interp.typeName(v))")
                }
                let items = try ScriptBridge.array(v)
                if depth == shape.count { shape.append(items.count) }
                else if depth < shape.count, shape[depth] != items.count {
                    throw ScriptBridge.error("ValueError", "expected sequence of length \(shape[depth]) at dim \(depth) (got \(items.count))")
                }
                for item in items { try walk(item, depth: depth + 1) }
            }
        }
        try walk(value, depth: 0)
        let inferred: DType = sawFloat ? .float32 : sawInt ? .int64 : sawBool ? .bool : (tensorDType ?? .float32)
        let target = dtype ?? (tensorDType.map { sawFloat && !$0.isFloatingPoint ? .float32 : $0 } ?? inferred)
        let count = shape.reduce(1, *)
        guard count == doubles.count else {
            throw ScriptBridge.error("ValueError", "expected a rectangular nested sequence of shape \(shape.shapeString)")
        }
        return try Bindings.translatingErrors {
            if target.isFloatingPoint { return try Tensor(doubles.map { Float($0) }, shape: shape).to(target) }
            // Out-of-range and NaN values saturate rather than trap.
            return try Tensor(int64: doubles.map { $0.isNaN ? 0 : Int64(clamping: $0) }, shape: shape).to(target)
        }
    }

    /// Ints from a tuple, list, torch.Size or any iterable of ints.
    public static func ints(_ v: Value) throws -> [Int] {
        if let s = ScriptBridge.unwrap(v, as: SizeObject.self) { return s.dims }
        return try ScriptBridge.array(v).map { item in
            if case .int(let i) = item { return i }
            if let t = ScriptBridge.unwrap(item, as: Tensor.self), t.count == 1, t.dtype.isIntegral { return Int(try t.item()) }
            throw ScriptBridge.error("TypeError", "expected int, got \(Interp.typeName(item))")
        }
    }

    /// The DType a script value names, if it is a `torch.dtype`.
    public static func dtype(_ v: Value) -> DType? { ScriptBridge.unwrap(v, as: DTypeObject.self)?.dtype }

    /// The script number for one element: int for integral dtypes, bool for bool, else float.
    public static func scalar(_ value: Double, dtype: DType) -> Value {
        if dtype == .bool { return .bool(value != 0) }
        if dtype.isIntegral { return .int(value.isNaN ? 0 : Int(clamping: value)) }
        return .float(value)
    }

    /// Nested lists of script numbers, as `Tensor.tolist()`.
    public static func list(_ t: Tensor) -> Value {
        let values: [Double] = t.dtype.isFloatingPoint ? t.toFloatArray().map(Double.init) : t.toInt64Array().map(Double.init)
        if t.rank == 0 { return scalar(values.first ?? 0, dtype: t.dtype) }
        var position = 0
        func build(_ axis: Int) -> Value {
            var items: [Value] = []
            items.reserveCapacity(t.shape[axis])
            for _ in 0..<t.shape[axis] {
                if axis == t.rank - 1 { items.append(scalar(values[position], dtype: t.dtype)); position += 1 }
                else { items.append(build(axis + 1)) }
            }
            return ScriptBridge.list(items)
        }
        return build(0)
    }

    /// A tensor wrapped for scripts.
    public static func value(_ t: Tensor) -> Value { ScriptBridge.wrap(t) }
    /// A tensor or None.
    public static func value(_ t: Tensor?) -> Value { t.map { ScriptBridge.wrap($0) } ?? .none }
}

extension Int64 {
    /// The nearest representable value to `value` (truncated toward zero).
    init(clamping value: Double) {
        if value >= 9.2233720368547758e18 { self = .max } else if value <= -9.2233720368547758e18 { self = .min } else { self = Int64(value) }
    }
}
extension Int {
    /// The nearest representable value to `value` (truncated toward zero).
    init(clamping value: Double) { self = Int(Int64(clamping: value)) }
}

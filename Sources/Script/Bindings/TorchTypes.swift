import Foundation
import Tensors

/// Script classes for the small torch types.
enum TorchTypes {
    static func scriptClass(_ name: String, doc: String) -> PyClass {
        let c = PyClass(name: name, base: Builtins.objectClass)
        c.module = "torch"
        c.doc = doc
        return c
    }
}

/// `torch.dtype` values: one object per DType so `is` and `==` both work.
public final class DTypeObject: NativeObject, ScriptClassProviding {
    public let dtype: DType
    nonisolated(unsafe) static let pyClass = TorchTypes.scriptClass("dtype", doc: "A tensor element type, e.g. torch.float32.")
    public var scriptClass: PyClass { DTypeObject.pyClass }
    init(_ dtype: DType) { self.dtype = dtype }
    public var typeName: String { "torch.dtype" }
    public func repr() throws -> String { dtype.torchName }
    public var doc: String? { "A tensor element type, e.g. torch.float32." }

    nonisolated(unsafe) static var cache: [DType: Value] = [:]
    /// The shared script value for `dtype`.
    public static func value(_ dtype: DType) -> Value {
        if let v = cache[dtype] { return v }
        let v = ScriptBridge.wrap(DTypeObject(dtype))
        cache[dtype] = v
        return v
    }
    public func getAttribute(_ name: String) throws -> Value? {
        switch name {
        case "is_floating_point": return .bool(dtype.isFloatingPoint)
        case "itemsize": return .int(dtype.itemSize)
        case "__eq__": return ScriptBridge.function("__eq__") { a, _ in .bool(a.first.flatMap(Conversions.dtype) == self.dtype) }
        case "__hash__": return ScriptBridge.function("__hash__") { _, _ in .int(self.dtype.hashValue) }
        default: return nil
        }
    }
}

/// `torch.Size`: a tensor's shape, printed `torch.Size([2, 3])`, behaving as a tuple of ints.
public final class SizeObject: NativeObject, ScriptClassProviding {
    public let dims: [Int]
    nonisolated(unsafe) static let pyClass = TorchTypes.scriptClass("Size", doc: "A tensor's shape: a tuple of ints.")
    public var scriptClass: PyClass { SizeObject.pyClass }
    public init(_ dims: [Int]) { self.dims = dims }
    public var typeName: String { "torch.Size" }
    public func repr() throws -> String { "torch.Size([" + dims.map(String.init).joined(separator: ", ") + "])" }
    public var doc: String? { "A tensor's shape: a tuple of ints." }
    public func getAttribute(_ name: String) throws -> Value? {
        let dims = self.dims
        switch name {
        case "__len__": return ScriptBridge.function(name) { _, _ in .int(dims.count) }
        case "__iter__": return ScriptBridge.function(name) { _, _ in try Interp.iter(.tuple(dims.map { .int($0) })) }
        case "__getitem__":
            return ScriptBridge.function(name) { a, _ in
                guard let key = a.first else { return .none }
                if case .obj(let o) = key, let sl = o as? PySlice {
                    let (start, _, step, count) = try Interp.sliceIndices(sl, dims.count)
                    return ScriptBridge.wrap(SizeObject((0..<count).map { dims[start + $0 * step] }))
                }
                return .int(dims[try Interp.index(key, dims.count, "tuple")])
            }
        case "__eq__":
            return ScriptBridge.function(name) { a, _ in
                guard let other = a.first else { return .bool(false) }
                if let s = ScriptBridge.unwrap(other, as: SizeObject.self) { return .bool(s.dims == dims) }
                if case .obj(let o) = other, o is PyTuple || o is PyList, let d = try? Conversions.ints(other) { return .bool(d == dims) }
                return .bool(false)
            }
        case "__contains__": return ScriptBridge.function(name) { a, _ in
            if case .int(let i)? = a.first { return .bool(dims.contains(i)) }; return .bool(false) }
        case "__add__": return ScriptBridge.function(name) { a, _ in
            guard let other = a.first else { return .none }
            return ScriptBridge.wrap(SizeObject(dims + (try Conversions.ints(other)))) }
        case "numel": return ScriptBridge.function(name) { _, _ in .int(dims.reduce(1, *)) }
        case "__hash__": return ScriptBridge.function(name) { _, _ in .int(dims.hashValue) }
        default: return nil
        }
    }
}

/// `torch.no_grad()`: a context manager (and decorator) that turns off recording for autograd.
final class NoGradObject: NativeObject {
    var typeName: String { "no_grad" }
    var doc: String? { "Context manager and decorator that disables gradient recording inside its block." }
    func repr() throws -> String { "<torch.autograd.grad_mode.no_grad object>" }
    func getAttribute(_ name: String) throws -> Value? {
        switch name {
        case "__enter__": return ScriptBridge.function(name) { _, _ in GradMode.beginNoGrad(); return .none }
        case "__exit__": return ScriptBridge.function(name) { _, _ in GradMode.endNoGrad(); return .bool(false) }
        default: return nil
        }
    }
    /// As a decorator: the function runs with recording off.
    func call(_ args: [Value], _ kwargs: [(String, Value)]) throws -> Value {
        guard args.count == 1, kwargs.isEmpty else { throw ScriptBridge.error("TypeError", "no_grad() takes a function to decorate") }
        let f = args[0]
        let name = (try? Interp.getAttr(f, "__name__")).flatMap { if case .str(let s) = $0 { return s }; return nil } ?? "function"
        return ScriptBridge.function(name) { a, kw in
            GradMode.beginNoGrad()
            defer { GradMode.endNoGrad() }
            return try ScriptBridge.call(f, a, kw)
        }
    }
}

/// torch's named result pairs, e.g. `torch.return_types.max(values=..., indices=...)`:
/// attributes `values` and `indices`, also unpackable as a tuple.
final class ValuesIndicesObject: NativeObject {
    let op: String
    let values: Tensor, indices: Tensor
    init(_ op: String, _ values: Tensor, _ indices: Tensor) { self.op = op; self.values = values; self.indices = indices }
    var typeName: String { "torch.return_types.\(op)" }
    func repr() throws -> String { "torch.return_types.\(op)(\nvalues=\(values.description),\nindices=\(indices.description))" }
    func getAttribute(_ name: String) throws -> Value? {
        let items = [ScriptBridge.wrap(values), ScriptBridge.wrap(indices)]
        switch name {
        case "values": return items[0]
        case "indices": return items[1]
        case "__len__": return ScriptBridge.function(name) { _, _ in .int(2) }
        case "__iter__": return ScriptBridge.function(name) { _, _ in try Interp.iter(.tuple(items)) }
        case "__getitem__": return ScriptBridge.function(name) { a, _ in items[try Interp.index(a.first ?? .none, 2, "tuple")] }
        default: return nil
        }
    }
}

/// `tensor.device`: always the CPU here.
final class DeviceObject: NativeObject {
    var typeName: String { "torch.device" }
    func repr() throws -> String { "device(type='cpu')" }
    func getAttribute(_ name: String) throws -> Value? {
        switch name {
        case "type": return .str("cpu")
        case "__str__": return ScriptBridge.function(name) { _, _ in .str("cpu") }
        case "__eq__": return ScriptBridge.function(name) { a, _ in
            if case .str(let s)? = a.first { return .bool(s == "cpu") }
            return .bool(ScriptBridge.unwrap(a.first ?? .none, as: DeviceObject.self) != nil) }
        default: return nil
        }
    }
}

/// `tensor.grad_fn`: the recorded operation, shown by its torch name.
final class GradFnObject: NativeObject {
    let node: GradNode
    init(_ node: GradNode) { self.node = node }
    var typeName: String { node.name }
    func repr() throws -> String { "<\(node.name) object>" }
    func getAttribute(_ name: String) throws -> Value? {
        if name == "name" { let n = node.name; return ScriptBridge.function(name) { _, _ in .str(n) } }
        return nil
    }
}

/// `torch.Generator()`: a random stream of its own.
final class GeneratorObject: NativeObject {
    let generator: Generator
    init(_ generator: Generator) { self.generator = generator }
    var typeName: String { "torch.Generator" }
    var doc: String? { "A seedable random generator (Philox), passed as generator= to the random functions." }
    func repr() throws -> String { "<torch._C.Generator object>" }
    func getAttribute(_ name: String) throws -> Value? {
        switch name {
        case "manual_seed":
            return ScriptBridge.function(name) { a, _ in
                guard let seed = a.first else { throw ScriptBridge.error("TypeError", "manual_seed() missing 1 required positional argument: 'seed'") }
                self.generator.manualSeed(UInt64(bitPattern: Int64(try ScriptBridge.int(seed))))
                return ScriptBridge.wrap(self)
            }
        case "initial_seed":
            return ScriptBridge.function(name) { _, _ in .int(Int(bitPattern: UInt(self.generator.initialSeed))) }
        default: return nil
        }
    }
}

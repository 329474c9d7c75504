import Foundation
import Tensors

/// Tensors are script objects themselves: attribute access goes through the `torch.Tensor`
/// binding table, repr is torch's printing.
extension Tensor: NativeObject, ScriptClassProviding {
    public var typeName: String { "Tensor" }
    public func getAttribute(_ name: String) throws -> Value? { try TensorBinding.type.attribute(name, of: self) }
    public func setAttribute(_ name: String, _ value: Value) throws -> Bool {
        try TensorBinding.type.setAttribute(name, value, of: self)
    }
    public func repr() throws -> String { description }
    public var doc: String? { TensorBinding.type.doc }
    public var attributeNames: [String] { TensorBinding.type.attributeNames }
    public var scriptClass: PyClass { TensorBinding.type.scriptClass }
}

/// The `torch.Tensor` methods, properties and operators.
enum TensorBinding {
    nonisolated(unsafe) static let type: NativeTypeBinding<Tensor> = make()

    /// A tensor for the other operand of an operator: tensors as they are, numbers as
    /// 0-d tensors of a dtype torch would promote to; nil for anything else.
    static func operand(_ v: Value, like t: Tensor) throws -> Tensor? {
        if let o = ScriptBridge.unwrap(v, as: Tensor.self) { return o }
        switch v {
        case .int(let i): return Tensor.scalar(Double(i), like: t)
        case .bool(let b): return Tensor.scalar(b ? 1 : 0, like: t)
        case .float(let d):
            // A float scalar makes an integer tensor's result float32, as in torch.
            return Tensor.scalar(d, like: t.dtype.isFloatingPoint ? t : Tensor(zeros: [], dtype: .float32))
        default: return nil
        }
    }

    static func promotedForFloat(_ t: Tensor) throws -> Tensor { t.dtype.isFloatingPoint ? t : try t.to(.float32) }

    /// Applies a binary operator, promoting an integer tensor to float32 when the other
    /// side is floating point (or the operator is true division).
    static func binary(_ a: Tensor, _ b: Tensor, _ op: (Tensor, Tensor) throws -> Tensor, alwaysFloat: Bool = false) throws -> Tensor {
        var x = a, y = b
        if alwaysFloat || x.dtype.isFloatingPoint != y.dtype.isFloatingPoint {
            if !x.dtype.isFloatingPoint { x = try x.to(y.dtype.isFloatingPoint ? y.dtype : .float32) }
            if !y.dtype.isFloatingPoint { y = try y.to(x.dtype) }
        }
        return try op(x, y)
    }

    static func wrap(_ t: Tensor) -> Value { ScriptBridge.wrap(t) }
    static let notImplemented: Value = .obj(Builtins.notImplemented)

    /// The vector p-norm of `x` over `dims` (all when empty), composed of differentiable ops.
    static func vectorNorm(_ x: Tensor, p: Double, dims: [Int], keepDim: Bool) throws -> Tensor {
        let magnitude = x.abs()
        if p.isInfinite {
            // The largest (smallest) magnitude: one dim at a time, highest first, kept until the end.
            let axes = dims.isEmpty ? Array(0..<x.rank) : try dims.map { try x.axis($0, op: "norm") }
            var out = magnitude
            for axis in Set(axes).sorted(by: >) {
                out = p > 0 ? try out.max(dim: axis, keepDim: true).values : try out.min(dim: axis, keepDim: true).values
            }
            if keepDim { return out }
            return try out.reshape(x.shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element))
        }
        if p == 0 { return try magnitude.ne(0).to(x.dtype).sum(dims: dims, keepDim: keepDim) }
        if p == 1 { return try magnitude.sum(dims: dims, keepDim: keepDim) }
        if p == 2 { return try (x * x).sum(dims: dims, keepDim: keepDim).sqrt() }
        return try magnitude.pow(p).sum(dims: dims, keepDim: keepDim).pow(1 / p)
    }

    static func inPlaceCheck(_ t: Tensor) throws {
        if t.requiresGrad && t.isLeaf && GradMode.isEnabled {
            throw ScriptBridge.error("RuntimeError", "a leaf Variable that requires grad is being used in an in-place operation.")
        }
    }

    static func make() -> NativeTypeBinding<Tensor> {
        let b = NativeTypeBinding<Tensor>(typeName: "Tensor", module: "torch",
            doc: "An n-dimensional array of float32, float16, bfloat16, int64, int32, bool or uint8 values, with autograd.")

        // Operators: forward, reflected and in-place forms.
        let ops: [(String, (Tensor, Tensor) throws -> Tensor, Bool)] = [
            ("add", { try $0 + $1 }, false), ("sub", { try $0 - $1 }, false), ("mul", { try $0 * $1 }, false),
            ("truediv", { try $0 / $1 }, true), ("matmul", { try $0.matmul($1) }, false),
            ("pow", { try $0.pow($1) }, false),
            ("mod", { try remainder($0, $1) }, false), ("floordiv", { try floorDivide($0, $1) }, false),
        ]
        for (name, op, alwaysFloat) in ops {
            b.method("__\(name)__", "other", doc: "self \(name) other") { t, a in
                guard let o = try operand(a["other"], like: t) else { return notImplemented }
                if name == "pow", o.rank == 0, t.dtype.isFloatingPoint { return wrap(try t.pow(try o.item())) }
                return wrap(try binary(t, o, op, alwaysFloat: alwaysFloat))
            }
            b.method("__r\(name)__", "other", doc: "other \(name) self") { t, a in
                guard let o = try operand(a["other"], like: t) else { return notImplemented }
                if name == "sub", ScriptBridge.unwrap(a["other"], as: Tensor.self) == nil {
                    // torch records number - tensor as its own op.
                    let out = try withNoGrad { try binary(o, t, op) }
                    return wrap(Tensor.record(out, "RsubBackward1", [t]) { g in [try g * -1.0] })
                }
                return wrap(try binary(o, t, op, alwaysFloat: alwaysFloat))
            }
            b.method("__i\(name)__", "other", doc: "self \(name)= other, in place") { t, a in
                guard let o = try operand(a["other"], like: t) else { return notImplemented }
                try inPlaceCheck(t)
                let r = try binary(t, o, op, alwaysFloat: alwaysFloat)
                if r.dtype != t.dtype && r.dtype.isFloatingPoint && !t.dtype.isFloatingPoint {
                    throw ScriptBridge.error("RuntimeError", "result type Float can't be cast to the desired output type \(t.dtype == .int64 ? "Long" : "\(t.dtype)")")
                }
                try t.copy(from: r)
                return wrap(t)
            }
        }
        let arith: [(String, String, (Tensor, Tensor) throws -> Tensor, Bool)] = [
            ("add", "Adds other to self, broadcasting.", { try $0 + $1 }, false),
            ("sub", "Subtracts other from self, broadcasting.", { try $0 - $1 }, false),
            ("mul", "Multiplies self by other, broadcasting.", { try $0 * $1 }, false),
            ("div", "Divides self by other, broadcasting (true division).", { try $0 / $1 }, true),
            ("matmul", "Matrix product of self and other, batched and broadcast.", { try $0.matmul($1) }, false),
        ]
        for (name, doc, op, alwaysFloat) in arith {
            b.method(name, "other", doc: doc) { t, a in
                guard let o = try operand(a["other"], like: t) else { throw a.mismatch("other", "Tensor") }
                return wrap(try binary(t, o, op, alwaysFloat: alwaysFloat))
            }
        }
        b.method("__neg__", "", doc: "-self") { t, _ in wrap(try negated(t)) }
        b.method("__pos__", "", doc: "+self") { t, _ in wrap(t) }
        b.method("__abs__", "", doc: "abs(self)") { t, _ in wrap(t.abs()) }
        b.method("__invert__", "", doc: "~self (logical not of a bool tensor)") { t, _ in wrap(try t.logicalNot()) }
        b.method("__and__", "other", doc: "Logical and of bool tensors.") { t, a in wrap(try t.logicalAnd(try a.tensor("other"))) }
        b.method("__or__", "other", doc: "Logical or of bool tensors.") { t, a in wrap(try t.logicalOr(try a.tensor("other"))) }

        let comparisons: [(String, String, (Tensor, Tensor) throws -> Tensor)] = [
            ("eq", "==", { try $0.eq($1) }), ("ne", "!=", { try $0.ne($1) }), ("lt", "<", { try $0.lt($1) }),
            ("le", "<=", { try $0.le($1) }), ("gt", ">", { try $0.gt($1) }), ("ge", ">=", { try $0.ge($1) }),
        ]
        for (name, symbol, op) in comparisons {
            b.method("__\(name)__", "other", doc: "self \(symbol) other, elementwise, as a bool tensor") { t, a in
                guard let o = try operand(a["other"], like: t) else { return name == "eq" ? .bool(false) : name == "ne" ? .bool(true) : notImplemented }
                return wrap(try binary(t, o, op))
            }
            b.method(name, "other", doc: "self \(symbol) other, elementwise, as a bool tensor") { t, a in
                guard let o = try operand(a["other"], like: t) else { throw a.mismatch("other", "Tensor") }
                return wrap(try binary(t, o, op))
            }
        }

        // Python protocol methods.
        b.method("__len__", "", doc: "Size of dim 0.") { t, _ in
            guard t.rank > 0 else { throw ScriptBridge.error("TypeError", "len() of a 0-d tensor") }
            return .int(t.shape[0])
        }
        b.method("__iter__", "", doc: "Iterates over dim 0.") { t, _ in
            guard t.rank > 0 else { throw ScriptBridge.error("TypeError", "iteration over a 0-d tensor") }
            var i = 0
            return .obj(PyIterator("iterator") {
                guard i < t.shape[0] else { return nil }
                i += 1
                return wrap(try t.select(0, i - 1))
            })
        }
        b.method("__bool__", "", doc: "Truth of a one-element tensor.") { t, _ in
            guard t.count == 1 else {
                throw ScriptBridge.error("RuntimeError", t.count == 0 ? "Boolean value of Tensor with no values is ambiguous" : "Boolean value of Tensor with more than one value is ambiguous")
            }
            return .bool(try t.item() != 0)
        }
        b.method("__float__", "", doc: "float(self) for one element.") { t, _ in .float(try t.item()) }
        b.method("__int__", "", doc: "int(self) for one element.") { t, _ in
            let v = try t.item()
            guard v.isFinite else { throw ScriptBridge.error(v.isNaN ? "ValueError" : "OverflowError", v.isNaN ? "cannot convert float NaN to integer" : "cannot convert float infinity to integer") }
            return .int(Int(clamping: v))
        }
        b.method("__index__", "", doc: "The index value of an integer one-element tensor.") { t, _ in
            guard t.dtype.isIntegral, t.count == 1 else {
                throw ScriptBridge.error("TypeError", "only integer tensors of a single element can be converted to an index")
            }
            return .int(Int(try t.item()))
        }
        b.method("__format__", "spec", doc: "format() of a one-element tensor formats its value.") { t, a in
            let spec = try a.string("spec")
            // torch formats a 0-d tensor as its value; anything else goes to object.__format__,
            // which gives the text for an empty spec and refuses every other spec.
            guard t.rank == 0 else {
                guard spec.isEmpty else { throw ScriptBridge.error("TypeError", "unsupported format string passed to Tensor.__format__") }
                return .str(t.description)
            }
            let v = try t.item()
            return .str(try Interp.format(Conversions.scalar(v, dtype: t.dtype), spec))
        }
        b.method("__getitem__", "key", doc: "torch indexing: ints, slices, None, ..., bool masks and index tensors.") { t, a in
            wrap(try TensorIndexing.get(t, a["key"]))
        }
        b.method("__setitem__", "key, value", doc: "Writes value (broadcast) into the indexed elements, in place.") { t, a in
            try TensorIndexing.set(t, a["key"], a["value"]); return .none
        }

        // Properties.
        b.property("shape", doc: "The shape, a torch.Size.") { t in ScriptBridge.wrap(SizeObject(t.shape)) }
        b.property("dtype", doc: "The element type.") { t in DTypeObject.value(t.dtype) }
        b.property("ndim", doc: "Number of dims.") { t in .int(t.rank) }
        b.property("T", doc: "The tensor with its dims reversed.") { t in wrap(t.T) }
        b.property("mT", doc: "The last two dims swapped.") { t in wrap(try t.transpose(-2, -1)) }
        b.property("is_leaf", doc: "Whether the tensor was created by the user rather than recorded.") { t in .bool(t.isLeaf) }
        b.property("device", doc: "Where the data lives (always the CPU).") { _ in ScriptBridge.wrap(DeviceObject()) }
        b.property("data", doc: "The same data without gradient history.") { t in wrap(t.detach()) }
        b.property("grad_fn", doc: "The operation that produced this tensor, if recorded.") { t in
            t.gradFn.map { ScriptBridge.wrap(GradFnObject($0)) } ?? .none
        }
        b.property("grad", doc: "The accumulated gradient, None until backward reaches this tensor.",
                   get: { t in Conversions.value(t.grad) },
                   set: { t, v in
                       if v.isNone { t.grad = nil; return }
                       guard let g = ScriptBridge.unwrap(v, as: Tensor.self) else { throw ScriptBridge.error("TypeError", "assigned grad expected to be a Tensor or None but got grad of type \(Interp.typeName(v))") }
                       t.grad = g
                   })
        b.property("requires_grad", doc: "Whether operations on this tensor are recorded for autograd.",
                   get: { t in .bool(t.requiresGrad) },
                   set: { t, v in
                       guard t.isLeaf else {
                           throw ScriptBridge.error("RuntimeError", "you can only change requires_grad flags of leaf variables.")
                       }
                       try t.requiringGrad(try Interp.truthy(v))
                   })

        // Shape and conversion.
        b.method("size", "dim=None", doc: "The shape, or the size of one dim.") { t, a in
            guard let d = try a.optionalInt("dim") else { return ScriptBridge.wrap(SizeObject(t.shape)) }
            return .int(t.shape[try t.axis(d, op: "size")])
        }
        b.method("dim", "", doc: "Number of dims.") { t, _ in .int(t.rank) }
        b.alias("ndimension", for: "dim")
        b.method("numel", "", doc: "Number of elements.") { t, _ in .int(t.count) }
        b.alias("nelement", for: "numel")
        b.method("item", "", doc: "The value of a one-element tensor as a Python number.") { t, _ in
            guard t.count == 1 else {
                throw ScriptBridge.error("RuntimeError", "a Tensor with \(t.count) elements cannot be converted to Scalar")
            }
            return Conversions.scalar(try t.item(), dtype: t.dtype)
        }
        b.method("tolist", "", doc: "The values as nested Python lists.") { t, _ in Conversions.list(t) }
        b.method("numpy", "", doc: "The tensor itself (arrays here are tensors); fails if it requires grad, as in torch.") { t, _ in
            if t.requiresGrad { throw ScriptBridge.error("RuntimeError", "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.") }
            return wrap(t)
        }
        let casts: [(String, DType)] = [("float", .float32), ("long", .int64), ("int", .int32), ("half", .float16),
                                        ("bfloat16", .bfloat16), ("bool", .bool), ("double", .float32)]
        for (name, dtype) in casts {
            b.method(name, "", doc: "The tensor converted to \(dtype.torchName) (itself if already).") { t, _ in wrap(try t.to(dtype)) }
        }
        b.method("to", "*args, dtype=None, device=None, copy=False", doc: "The tensor converted to a dtype; device strings other than 'cpu' are refused.") { t, a in
            var target = try a.dtype("dtype")
            for v in try ScriptBridge.array(a["args"]) {
                if let d = Conversions.dtype(v) { target = d }
                else if case .str(let s) = v, s == "cpu" { continue }
                else if ScriptBridge.unwrap(v, as: DeviceObject.self) != nil { continue }
                else if let o = ScriptBridge.unwrap(v, as: Tensor.self) { target = o.dtype }
                else { throw ScriptBridge.error("RuntimeError", "only the CPU device is available (got \(try ScriptBridge.repr(v)))") }
            }
            if case .str(let s) = a["device"], s != "cpu" { throw ScriptBridge.error("RuntimeError", "only the CPU device is available (got '\(s)')") }
            return wrap(try target.map { try t.to($0) } ?? t)
        }
        b.method("cpu", "", doc: "The tensor itself (everything is on the CPU).") { t, _ in wrap(t) }
        b.method("type", "dtype=None", doc: "The type name, or the tensor converted to dtype.") { t, a in
            guard let d = try a.dtype("dtype") else {
                let names: [DType: String] = [.float32: "Float", .float16: "Half", .bfloat16: "BFloat16", .int64: "Long", .int32: "Int", .bool: "Bool", .uint8: "Byte"]
                return .str("torch.\(names[t.dtype] ?? "Float")Tensor")
            }
            return wrap(try t.to(d))
        }
        b.method("is_floating_point", "", doc: "Whether the dtype is a float type.") { t, _ in .bool(t.dtype.isFloatingPoint) }
        b.method("is_contiguous", "", doc: "Whether the elements are dense in row-major order.") { t, _ in .bool(t.isContiguous) }
        b.method("element_size", "", doc: "Bytes per element.") { t, _ in .int(t.dtype.itemSize) }

        // Autograd.
        b.method("backward", "gradient=None, retain_graph=None, create_graph=False", doc: "Back-propagates from this tensor, accumulating into the .grad of leaves.") { t, a in
            try t.backward(gradient: try a.optionalTensor("gradient")); return .none
        }
        b.method("detach", "", doc: "The same data without gradient history.") { t, _ in wrap(t.detach()) }
        b.method("clone", "", doc: "A copy that shares no storage.") { t, _ in wrap(t.clone()) }
        b.method("requires_grad_", "requires_grad=True", doc: "Sets requires_grad in place and returns self.") { t, a in
            wrap(try t.requiringGrad(try a.bool("requires_grad")))
        }
        b.method("zero_", "", doc: "Fills with zeros in place.") { t, _ in try t.copy(from: Tensor(zeros: [], dtype: t.dtype)); return wrap(t) }
        b.method("fill_", "value", doc: "Fills with value in place.") { t, a in
            try t.copy(from: Tensor.scalar(try a.double("value"), like: t)); return wrap(t)
        }
        b.method("copy_", "src", doc: "Copies src (broadcast) into self in place.") { t, a in try t.copy(from: try a.tensor("src")); return wrap(t) }

        // Views.
        b.method("view", "*shape", doc: "The same data seen with a new shape (one dim may be -1).") { t, a in
            if case .obj(let o) = a["shape"], let tup = o as? PyTuple, tup.items.count == 1, let d = Conversions.dtype(tup.items[0]) {
                guard d == t.dtype else { throw ScriptBridge.error("RuntimeError", "view(dtype) is not supported") }
                return wrap(t)
            }
            return wrap(try t.view(try a.shape("shape")))
        }
        b.method("reshape", "*shape", doc: "The values with a new shape, a view when possible.") { t, a in wrap(try t.reshape(try a.shape("shape"))) }
        b.method("view_as", "other", doc: "view with other's shape.") { t, a in wrap(try t.view(try a.tensor("other").shape)) }
        b.method("reshape_as", "other", doc: "reshape to other's shape.") { t, a in wrap(try t.reshape(try a.tensor("other").shape)) }
        b.method("expand", "*sizes", doc: "Broadcasts size-1 dims to sizes (-1 keeps a dim).") { t, a in wrap(try t.expand(try a.shape("sizes"))) }
        b.method("expand_as", "other", doc: "expand to other's shape.") { t, a in wrap(try t.expand(try a.tensor("other").shape)) }
        b.method("permute", "*dims", doc: "The dims reordered.") { t, a in wrap(try t.permute(try a.shape("dims"))) }
        b.method("transpose", "dim0, dim1", doc: "Two dims swapped.") { t, a in wrap(try t.transpose(try a.int("dim0"), try a.int("dim1"))) }
        b.method("t", "", doc: "Transpose of a matrix (1-D and 0-D tensors unchanged).") { t, _ in
            guard t.rank <= 2 else { throw ScriptBridge.error("RuntimeError", "t() expects a tensor with <= 2 dimensions, but self is \(t.rank)D") }
            return wrap(t.rank < 2 ? t : try t.transpose(0, 1))
        }
        b.method("unsqueeze", "dim", doc: "A size-1 dim inserted at dim.") { t, a in wrap(try t.unsqueeze(try a.int("dim"))) }
        b.method("squeeze", "dim=None", doc: "Size-1 dims removed (only dim, if given).") { t, a in wrap(try t.squeeze(try a.optionalInt("dim"))) }
        b.method("flatten", "start_dim=0, end_dim=-1", doc: "Dims start_dim...end_dim merged into one.") { t, a in
            wrap(try t.flatten(try a.int("start_dim"), try a.int("end_dim")))
        }
        b.method("contiguous", "", doc: "A row-major dense tensor with the same values (itself when already dense).") { t, _ in wrap(t.contiguous()) }
        b.method("split", "split_size, dim=0", doc: "Pieces of split_size (or the listed sizes) along dim.") { t, a in
            let d = try a.int("dim")
            let parts: [Tensor]
            if case .int(let n) = a["split_size"] { parts = try t.split(size: n, dim: d) } else { parts = try t.split(sizes: try a.ints("split_size"), dim: d) }
            return .tuple(parts.map(wrap))
        }
        b.method("chunk", "chunks, dim=0", doc: "At most chunks equal pieces along dim.") { t, a in
            .tuple(try t.chunk(try a.int("chunks"), dim: try a.int("dim")).map(wrap))
        }

        // Reductions.
        func reduce(_ name: String, _ doc: String, _ f: @escaping (Tensor, [Int], Bool) throws -> Tensor) {
            b.method(name, "dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None", doc: doc + " (axis and keepdims are accepted as numpy spells them)") { t, a in
                var x = t
                if let d = try a.dtype("dtype") { x = try x.to(d) }
                let keep = a.isNone("keepdims") ? try a.bool("keepdim") : try a.bool("keepdims")
                return wrap(try f(x, try a.dims("dim") ?? a.dims("axis") ?? [], keep))
            }
        }
        reduce("sum", "Sum over dim (all dims when None).") { try $0.sum(dims: $1, keepDim: $2) }
        reduce("mean", "Mean over dim (all dims when None).") { t, d, k in
            guard t.dtype.isFloatingPoint else {
                throw ScriptBridge.error("NotImplementedError", "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: \(t.dtype == .int64 ? "Long" : "\(t.dtype)")")
            }
            // Recorded under torch's names (MeanBackward0 for all dims, MeanBackward1 over dims).
            let out = try withNoGrad { try t.mean(dims: d, keepDim: k) }
            let axes = try (d.isEmpty ? Array(0..<t.rank) : d.map { try t.axis($0, op: "mean") })
            let keptShape = t.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
            let n = Double(axes.map { t.shape[$0] }.reduce(1, *))
            return Tensor.record(out, d.isEmpty ? "MeanBackward0" : "MeanBackward1", [t]) { [shape = t.shape] g in
                [try (try g.reshape(keptShape).expand(shape) / n).contiguous()]
            }
        }
        b.method("norm", "p='fro', dim=None, keepdim=False, dtype=None",
                 doc: "The p-norm over dim (all dims when None): 'fro' or 2 (Euclidean), 1, inf, -inf, 0 (count of non-zeros) or any other number.") { t, a in
            var x = t
            if let d = try a.dtype("dtype") { x = try x.to(d) }
            guard x.dtype.isFloatingPoint else {
                throw ScriptBridge.error("NotImplementedError", "linalg.vector_norm: Expected a floating point or complex tensor as input. Got \(x.dtype == .int64 ? "Long" : "\(x.dtype)")")
            }
            let p: Double
            switch a["p"] {
            case .str(let name) where name == "fro": p = 2
            case .str(let name):
                throw ScriptBridge.error("RuntimeError", "norm: p='\(name)' is a matrix norm; only 'fro' and numbers are supported")
            default: p = try a.double("p")
            }
            return wrap(try TensorBinding.vectorNorm(x, p: p, dims: try a.dims("dim") ?? [], keepDim: try a.bool("keepdim")))
        }
        b.method("var", "dim=None, unbiased=True, keepdim=False, correction=None", doc: "Variance over dim; correction 1 (unbiased) by default.") { t, a in
            let c = try a.optionalInt("correction") ?? (try a.bool("unbiased") ? 1 : 0)
            return wrap(try t.variance(dims: try a.dims("dim") ?? [], correction: c, keepDim: try a.bool("keepdim")))
        }
        b.method("std", "dim=None, unbiased=True, keepdim=False, correction=None", doc: "Standard deviation over dim.") { t, a in
            let c = try a.optionalInt("correction") ?? (try a.bool("unbiased") ? 1 : 0)
            return wrap(try t.variance(dims: try a.dims("dim") ?? [], correction: c, keepDim: try a.bool("keepdim")).sqrt())
        }
        for (name, largest) in [("max", true), ("min", false)] {
            b.method(name, "dim=None, keepdim=False", doc: "The \(name)imum of all elements, or (values, indices) along dim.") { t, a in
                if case .obj = a["dim"], let other = ScriptBridge.unwrap(a["dim"], as: Tensor.self) {
                    let mask = largest ? try t.ge(other) : try t.le(other)
                    return wrap(try Tensor.where(mask, t, other))
                }
                guard let d = try a.optionalInt("dim") else { return wrap(largest ? try t.max() : try t.min()) }
                let r = largest ? try t.max(dim: d, keepDim: try a.bool("keepdim")) : try t.min(dim: d, keepDim: try a.bool("keepdim"))
                return ScriptBridge.wrap(ValuesIndicesObject(name, r.values, r.indices))
            }
        }
        b.method("argmax", "dim=None, keepdim=False", doc: "Index of the largest element (flattened when dim is None).") { t, a in
            wrap(try t.argmax(dim: try a.optionalInt("dim"), keepDim: try a.bool("keepdim")))
        }
        b.method("argmin", "dim=None, keepdim=False", doc: "Index of the smallest element (flattened when dim is None).") { t, a in
            wrap(try t.argmin(dim: try a.optionalInt("dim"), keepDim: try a.bool("keepdim")))
        }
        b.method("softmax", "dim", doc: "exp(x) / sum(exp(x)) along dim, computed stably.") { t, a in wrap(try t.softmax(dim: try a.int("dim"))) }
        b.method("log_softmax", "dim", doc: "log(softmax(x)) along dim, computed stably.") { t, a in wrap(try t.logSoftmax(dim: try a.int("dim"))) }
        b.method("cumsum", "dim", doc: "Running sums along dim.") { t, a in wrap(try t.cumsum(dim: try a.int("dim"))) }
        b.method("topk", "k, dim=-1, largest=True, sorted=True", doc: "The k largest (or smallest) values along dim and their indices.") { t, a in
            let r = try t.topk(k: try a.int("k"), dim: try a.int("dim"), largest: try a.bool("largest"), sorted: try a.bool("sorted"))
            return ScriptBridge.wrap(ValuesIndicesObject("topk", r.values, r.indices))
        }
        b.method("sort", "dim=-1, descending=False", doc: "Values sorted along dim and the indices they came from.") { t, a in
            let r = try t.sort(dim: try a.int("dim"), descending: try a.bool("descending"))
            return ScriptBridge.wrap(ValuesIndicesObject("sort", r.values, r.indices))
        }
        b.method("argsort", "dim=-1, descending=False", doc: "Indices that sort along dim.") { t, a in
            wrap(try t.argsort(dim: try a.int("dim"), descending: try a.bool("descending")))
        }

        // Elementwise math.
        let unary: [(String, String, (Tensor) throws -> Tensor)] = [
            ("exp", "e to the power of each element.", { $0.exp() }), ("log", "Natural logarithm of each element.", { $0.log() }),
            ("sqrt", "Square root of each element.", { $0.sqrt() }), ("rsqrt", "1 / sqrt of each element.", { $0.rsqrt() }),
            ("tanh", "Hyperbolic tangent of each element.", { $0.tanh() }), ("sigmoid", "1 / (1 + exp(-x)) of each element.", { $0.sigmoid() }),
            ("abs", "Absolute value of each element.", { $0.abs() }), ("relu", "max(x, 0) of each element.", { $0.relu() }),
            ("erf", "Error function of each element.", { $0.erf() }), ("neg", "Negation of each element.", { try negated($0) }),
            ("logical_not", "Logical not of each element.", { try $0.logicalNot() }),
        ]
        for (name, doc, f) in unary {
            b.method(name, "", doc: doc) { t, _ in
                let x = (name == "relu" || name == "abs" || name == "neg" || name == "logical_not") ? t : try promotedForFloat(t)
                return wrap(try f(x))
            }
        }
        b.method("pow", "exponent", doc: "Each element raised to exponent.") { t, a in
            if let e = ScriptBridge.unwrap(a["exponent"], as: Tensor.self) { return wrap(try t.pow(e)) }
            return wrap(try t.pow(try a.double("exponent")))
        }
        b.method("clamp", "min=None, max=None", doc: "Each element limited to [min, max].") { t, a in
            wrap(try t.clamp(min: try a.optionalDouble("min"), max: try a.optionalDouble("max")))
        }
        b.alias("clip", for: "clamp")
        b.method("masked_fill", "mask, value", doc: "value where mask is True, self elsewhere.") { t, a in
            wrap(try t.maskedFill(mask: try a.tensor("mask"), value: try a.double("value")))
        }
        b.method("gather", "dim, index", doc: "Values at index along dim.") { t, a in wrap(try t.gather(dim: try a.int("dim"), index: try a.tensor("index"))) }
        b.method("index_select", "dim, index", doc: "The slices at index along dim.") { t, a in wrap(try t.indexSelect(dim: try a.int("dim"), index: try a.tensor("index"))) }
        b.method("triu", "diagonal=0", doc: "Elements on and above the diagonal; zeros below.") { t, a in wrap(try t.triu(diagonal: try a.int("diagonal"))) }
        b.method("tril", "diagonal=0", doc: "Elements on and below the diagonal; zeros above.") { t, a in wrap(try t.tril(diagonal: try a.int("diagonal"))) }
        b.method("all", "", doc: "Whether every element is nonzero.") { t, _ in wrap(Tensor.boolScalar(!t.toFloatArray().contains(0))) }
        b.method("any", "", doc: "Whether any element is nonzero.") { t, _ in wrap(Tensor.boolScalar(t.toFloatArray().contains { $0 != 0 })) }
        b.method("equal", "other", doc: "Whether shapes and all values are equal.") { t, a in
            let o = try a.tensor("other")
            return .bool(t.shape == o.shape && t.toFloatArray() == o.toFloatArray())
        }
        b.method("allclose", "other, rtol=1e-05, atol=1e-08", doc: "Whether all values are within atol + rtol * |other|.") { t, a in
            let o = try a.tensor("other"), rtol = try a.double("rtol"), atol = try a.double("atol")
            let x = try t.expand(try Tensor.broadcastShapes(t.shape, o.shape, op: "allclose")).toFloatArray()
            let y = try o.expand(try Tensor.broadcastShapes(t.shape, o.shape, op: "allclose")).toFloatArray()
            return .bool(zip(x, y).allSatisfy { Swift.abs(Double($0) - Double($1)) <= atol + rtol * Swift.abs(Double($1)) })
        }
        return b
    }
}

/// Python's modulo (the sign of the divisor), elementwise; not differentiated.
func remainder(_ a: Tensor, _ b: Tensor) throws -> Tensor {
    if a.dtype.isIntegral && b.dtype.isIntegral {
        return try Tensor.zipInt64(a, b, op: "remainder", resultType: a.dtype.promoted(with: b.dtype)) { x, y in
            guard y != 0 else { throw ScriptBridge.error("RuntimeError", "ZeroDivisionError") }
            let r = x % y
            return r != 0 && ((r < 0) != (y < 0)) ? r + y : r
        }
    }
    return try Tensor.zipFloat(a, b, op: "remainder") { x, y in
        let r = fmodf(x, y)
        return r != 0 && ((r < 0) != (y < 0)) ? r + y : r
    }
}

/// Division rounded down, elementwise; not differentiated.
func floorDivide(_ a: Tensor, _ b: Tensor) throws -> Tensor {
    if a.dtype.isIntegral && b.dtype.isIntegral {
        return try Tensor.zipInt64(a, b, op: "floor_divide", resultType: a.dtype.promoted(with: b.dtype)) { x, y in
            guard y != 0 else { throw ScriptBridge.error("RuntimeError", "ZeroDivisionError") }
            let q = x / y
            return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q
        }
    }
    return try Tensor.zipFloat(a, b, op: "floor_divide") { x, y in (x / y).rounded(.down) }
}

/// -x, recorded as torch's NegBackward0.
func negated(_ t: Tensor) throws -> Tensor {
    let out = try withNoGrad { try t * -1.0 }
    return Tensor.record(out, "NegBackward0", [t]) { g in [try g * -1.0] }
}

extension Tensor {
    /// A 0-d bool tensor.
    static func boolScalar(_ value: Bool) -> Tensor {
        (try? Tensor(int64: [value ? 1 : 0], shape: []).to(.bool)) ?? Tensor(zeros: [], dtype: .bool)
    }
}

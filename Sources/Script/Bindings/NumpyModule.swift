import Foundation
import Tensors

/// `import numpy as np`: the handful of numpy calls documentation examples use, backed by
/// tensors. There is no float64 here: arrays of floats are float32, and whole-array
/// reductions return Python numbers.
enum NumpyModule {
    static func wrap(_ t: Tensor) -> Value { ScriptBridge.wrap(t) }

    /// The dtype a numpy dtype argument names (a string, an np.* dtype or a torch dtype).
    static func dtype(_ v: Value) throws -> DType? {
        if v.isNone { return nil }
        if let d = Conversions.dtype(v) { return d }
        if case .str(let s) = v {
            switch s {
            case "float32", "float", "float64", "f4", "f8": return .float32
            case "float16", "f2": return .float16
            case "int64", "int", "i8": return .int64
            case "int32", "i4": return .int32
            case "bool": return .bool
            case "uint8", "u1": return .uint8
            default: break
            }
        }
        throw ScriptBridge.error("TypeError", "data type \(try ScriptBridge.repr(v)) not understood")
    }

    /// An array argument: tensors as they are, lists and numbers converted.
    static func array(_ v: Value) throws -> Tensor {
        if let t = ScriptBridge.unwrap(v, as: Tensor.self) { return t }
        return try Conversions.tensor(from: v, dtype: nil)
    }

    /// A whole-array result as a Python number; a tensor otherwise. A float32 value becomes
    /// the shortest decimal that round-trips in float32, as numpy prints a float32 scalar.
    static func result(_ t: Tensor) throws -> Value {
        guard t.rank == 0 else { return wrap(t) }
        let v = try t.item()
        if t.dtype.isFloatingPoint, let shortest = Double(Float(v).description) { return .float(shortest) }
        return Conversions.scalar(v, dtype: t.dtype)
    }

    static func make() -> [String: Value] {
        var m: [String: Value] = [:]
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Arguments) throws -> Value) {
            m[name] = Bindings.function(name, signature, doc: doc, body)
        }
        m["float32"] = DTypeObject.value(.float32)
        m["float64"] = DTypeObject.value(.float32)
        m["float16"] = DTypeObject.value(.float16)
        m["int64"] = DTypeObject.value(.int64)
        m["int32"] = DTypeObject.value(.int32)
        m["uint8"] = DTypeObject.value(.uint8)
        m["bool_"] = DTypeObject.value(.bool)
        m["ndarray"] = .obj(TensorBinding.type.scriptClass)
        m["pi"] = .float(Double.pi)
        m["e"] = .float(M_E)
        m["inf"] = .float(.infinity)
        m["nan"] = .float(.nan)
        def("array", "object, dtype=None", "An array (a tensor) from nested lists; floats become float32 (there is no float64).") { a in
            let d = try dtype(a["dtype"])
            if let t = ScriptBridge.unwrap(a["object"], as: Tensor.self) { return wrap(try (d.map { try t.to($0) } ?? t).clone()) }
            return wrap(try Conversions.tensor(from: a["object"], dtype: d))
        }
        m["asarray"] = m["array"]
        def("zeros", "shape, dtype=None", "An array of zeros (float32 unless dtype says).") { a in
            wrap(Tensor.zeros(try a.newShape("shape"), dtype: try dtype(a["dtype"]) ?? .float32))
        }
        def("ones", "shape, dtype=None", "An array of ones (float32 unless dtype says).") { a in
            wrap(Tensor.ones(try a.newShape("shape"), dtype: try dtype(a["dtype"]) ?? .float32))
        }
        def("arange", "start, stop=None, step=1, dtype=None", "Evenly spaced values in [start, stop).") { a in
            var start = try a.double("start"), stop = 0.0
            if a.isNone("stop") { stop = start; start = 0 } else { stop = try a.double("stop") }
            let step = try a.double("step")
            try Arguments.checkAllocatable(step == 0 ? 0 : ((stop - start) / step).rounded(.up))
            return wrap(try Tensor.arange(start, stop, step: step, dtype: try dtype(a["dtype"])))
        }
        func reduction(_ name: String, _ doc: String, _ f: @escaping (Tensor, [Int], Bool) throws -> Tensor) {
            def(name, "a, axis=None, keepdims=False", doc) { a in
                var x = try array(a["a"])
                if name == "mean", !x.dtype.isFloatingPoint { x = try x.to(.float32) }
                return try result(try f(x, try a.dims("axis") ?? [], try a.bool("keepdims")))
            }
        }
        reduction("sum", "Sum over axis (everything when None).") { try $0.sum(dims: $1, keepDim: $2) }
        reduction("mean", "Mean over axis (everything when None).") { try $0.mean(dims: $1, keepDim: $2) }
        reduction("max", "Largest value over axis.") { t, d, k in d.isEmpty ? try t.max() : try t.max(dim: d[0], keepDim: k).values }
        reduction("min", "Smallest value over axis.") { t, d, k in d.isEmpty ? try t.min() : try t.min(dim: d[0], keepDim: k).values }
        def("argmax", "a, axis=None", "Index of the largest value (in the flattened array when axis is None).") { a in
            try result(try array(a["a"]).argmax(dim: try a.optionalInt("axis")))
        }
        def("argmin", "a, axis=None", "Index of the smallest value (in the flattened array when axis is None).") { a in
            try result(try array(a["a"]).argmin(dim: try a.optionalInt("axis")))
        }
        let unary: [(String, String, (Tensor) throws -> Tensor)] = [
            ("exp", "e to the power of each element.", { $0.exp() }), ("log", "Natural logarithm of each element.", { $0.log() }),
            ("sqrt", "Square root of each element.", { $0.sqrt() }), ("tanh", "Hyperbolic tangent of each element.", { $0.tanh() }),
            ("abs", "Absolute value of each element.", { $0.abs() }),
        ]
        for (name, doc, f) in unary {
            def(name, "x", doc) { a in
                if case .float(let d) = a["x"] {
                    switch name {
                    case "exp": return .float(Foundation.exp(d))
                    case "log": return .float(Foundation.log(d))
                    case "sqrt": return .float(Foundation.sqrt(d))
                    case "tanh": return .float(Foundation.tanh(d))
                    default: return .float(Swift.abs(d))
                    }
                }
                let x = try array(a["x"])
                return wrap(try f(name == "abs" ? x : try TensorBinding.promotedForFloat(x)))
            }
        }
        def("round", "a, decimals=0", "Values rounded half to even to the given number of decimals.") { a in
            let decimals = try a.int("decimals")
            let scale = Foundation.pow(10.0, Double(decimals))
            if case .float(let d) = a["a"] { return .float((d * scale).rounded(.toNearestOrEven) / scale) }
            let x = try array(a["a"])
            guard x.dtype.isFloatingPoint else { return wrap(x) }
            return wrap(x.mapFloat { Float((Double($0) * scale).rounded(.toNearestOrEven) / scale) })
        }
        m["around"] = m["round"]
        def("dot", "a, b", "Dot product of vectors, matrix product of matrices.") { a in
            try result(try array(a["a"]).matmul(try array(a["b"])))
        }
        m["matmul"] = m["dot"]
        def("allclose", "a, b, rtol=1e-05, atol=1e-08", "Whether all values are within atol + rtol * |b|.") { a in
            let x = try array(a["a"]), y = try array(a["b"])
            let (rtol, atol) = (try a.double("rtol"), try a.double("atol"))
            let shape = try Tensor.broadcastShapes(x.shape, y.shape, op: "allclose")
            let p = try x.expand(shape).toFloatArray(), q = try y.expand(shape).toFloatArray()
            return .bool(zip(p, q).allSatisfy { Swift.abs(Double($0) - Double($1)) <= atol + rtol * Swift.abs(Double($1)) })
        }
        return m
    }
}

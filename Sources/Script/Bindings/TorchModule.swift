import Foundation
import Tensors

/// `import torch`: tensor creation, the elementwise and reduction functions, dtypes,
/// `no_grad` and `torch.nn.functional`, all backed by the Tensors module.
enum TorchModule {
    static func wrap(_ t: Tensor) -> Value { ScriptBridge.wrap(t) }

    /// Applies `dtype=` and `requires_grad=` the way every torch factory does.
    static func finish(_ t: Tensor, _ a: Arguments) throws -> Value {
        var out = t
        if let d = try a.dtype("dtype"), d != out.dtype { out = try out.to(d) }
        if case .bool(true) = a["requires_grad"] { try out.requiringGrad(true) }
        return wrap(out)
    }

    static func make() -> [String: Value] {
        var m: [String: Value] = [:]
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Arguments) throws -> Value) {
            m[name] = Bindings.function(name, signature, doc: doc, body)
        }
        for dtype in [DType.float32, .float16, .bfloat16, .int64, .int32, .bool, .uint8] {
            m[String(dtype.torchName.dropFirst("torch.".count))] = DTypeObject.value(dtype)
        }
        m["float"] = DTypeObject.value(.float32)
        m["half"] = DTypeObject.value(.float16)
        m["long"] = DTypeObject.value(.int64)
        m["int"] = DTypeObject.value(.int32)
        m["Tensor"] = .obj(TensorBinding.type.scriptClass)
        m["dtype"] = .obj(DTypeObject.pyClass)
        m["Size"] = ScriptBridge.function("Size", doc: "torch.Size(sizes): a shape.") { a, _ in
            ScriptBridge.wrap(SizeObject(try a.first.map(Conversions.ints) ?? []))
        }
        m["__version__"] = .str("2.0.0+apus")

        // Creation.
        def("tensor", "data, *, dtype=None, device=None, requires_grad=False",
            "A tensor holding data (a number, or nested lists of numbers or tensors): bool, int64 or float32 by content unless dtype says.") { a in
            if let t = ScriptBridge.unwrap(a["data"], as: Tensor.self) { return try finish(t.detach().clone(), a) }
            return try finish(try Conversions.tensor(from: a["data"], dtype: try a.dtype("dtype")), a)
        }
        m["as_tensor"] = m["tensor"]
        def("from_numpy", "array", "The array itself (arrays here are tensors).") { a in wrap(try a.strictTensor("array")) }
        def("zeros", "*size, dtype=None, device=None, requires_grad=False", "A tensor of zeros with the given shape.") { a in
            try finish(Tensor.zeros(try a.newShape("size"), dtype: try a.dtype("dtype") ?? .float32), a)
        }
        def("ones", "*size, dtype=None, device=None, requires_grad=False", "A tensor of ones with the given shape.") { a in
            try finish(Tensor.ones(try a.newShape("size"), dtype: try a.dtype("dtype") ?? .float32), a)
        }
        def("full", "size, fill_value, *, dtype=None, device=None, requires_grad=False", "A tensor of the given shape filled with fill_value (int64 for an int value, bool for a bool).") { a in
            var dtype: DType = .float32
            if case .int = a["fill_value"] { dtype = .int64 }
            if case .bool = a["fill_value"] { dtype = .bool }
            return try finish(Tensor.full(try a.newShape("size"), try a.double("fill_value"), dtype: try a.dtype("dtype") ?? dtype), a)
        }
        def("zeros_like", "input, *, dtype=None, requires_grad=False", "Zeros with input's shape and dtype.") { a in
            let t = try a.tensor("input"); return try finish(Tensor.zeros(like: t), a)
        }
        def("ones_like", "input, *, dtype=None, requires_grad=False", "Ones with input's shape and dtype.") { a in
            let t = try a.tensor("input"); return try finish(Tensor.ones(like: t), a)
        }
        def("full_like", "input, fill_value, *, dtype=None, requires_grad=False", "fill_value with input's shape and dtype.") { a in
            let t = try a.tensor("input"); return try finish(Tensor.full(t.shape, try a.double("fill_value"), dtype: t.dtype), a)
        }
        def("arange", "start, end=None, step=1, *, dtype=None, device=None, requires_grad=False",
            "Values from start (0 when only one bound is given) up to end by step: int64 when all are ints, else float32.") { a in
            var start = try a.double("start"), end = 0.0
            if a.isNone("end") { end = start; start = 0 } else { end = try a.double("end") }
            let allInts = [a["start"], a["end"], a["step"]].allSatisfy { if case .float = $0 { return false }; return true }
            let dtype = try a.dtype("dtype") ?? (allInts ? .int64 : .float32)
            let step = try a.double("step")
            try Arguments.checkAllocatable(step == 0 ? 0 : ((end - start) / step).rounded(.up))
            return try finish(try Tensor.arange(start, end, step: step, dtype: dtype), a)
        }
        def("linspace", "start, end, steps, *, dtype=None, requires_grad=False", "steps values evenly spaced from start to end inclusive.") { a in
            let s = try a.double("start"), e = try a.double("end"), n = try a.int("steps")
            guard n >= 0 else { throw ScriptBridge.error("RuntimeError", "number of steps must be non-negative") }
            try Arguments.checkAllocatable(Double(n))
            let values = (0..<max(n, 0)).map { n == 1 ? Float(s) : Float(s + (e - s) * Double($0) / Double(n - 1)) }
            return try finish(try Tensor(values, shape: [values.count]), a)
        }
        def("eye", "n, m=None, *, dtype=None, requires_grad=False", "The n x m identity matrix.") { a in
            let n = try a.int("n"), c = try a.optionalInt("m") ?? n
            guard n >= 0, c >= 0 else { throw ScriptBridge.error("RuntimeError", "n must be greater or equal to 0, got \(min(n, c))") }
            var v = [Float](repeating: 0, count: n * c)
            for i in 0..<min(n, c) { v[i * c + i] = 1 }
            return try finish(try Tensor(v, shape: [n, c]), a)
        }
        def("manual_seed", "seed", "Reseeds the default random generator.") { a in manualSeed(try a.int("seed")); return .none }
        def("Generator", "device='cpu'", "A random generator of its own, seeded with manual_seed(seed), for the generator= argument.") { _ in
            ScriptBridge.wrap(GeneratorObject(Generator()))
        }
        def("randn", "*size, generator=None, dtype=None, device=None, requires_grad=False", "Samples from the standard normal distribution (seeded streams differ from torch's; the distribution is the same).") { a in
            try finish(try Tensor.randn(try a.newShape("size"), dtype: try a.dtype("dtype") ?? .float32, generator: try generator(a)), a)
        }
        def("rand", "*size, generator=None, dtype=None, device=None, requires_grad=False", "Samples uniformly from [0, 1).") { a in
            try finish(try Tensor.rand(try a.newShape("size"), dtype: try a.dtype("dtype") ?? .float32, generator: try generator(a)), a)
        }
        def("randint", "low, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False", "Integers uniform in [low, high) (low is 0 when only high is given).") { a in
            var low = try a.int("low"), high = 0
            var sizeName = "size"
            if case .obj = a["high"] { high = low; low = 0; sizeName = "high" }   // randint(high, size)
            else if a.isNone("high") { high = low; low = 0 } else { high = try a.int("high") }
            guard !a.isNone(sizeName) else { throw ScriptBridge.error("TypeError", "randint() missing 1 required positional arguments: \"size\"") }
            return try finish(try Tensor.randint(low: Int64(low), high: Int64(high), shape: try a.newShape(sizeName), dtype: try a.dtype("dtype") ?? .int64, generator: try generator(a)), a)
        }
        def("randperm", "n, *, dtype=None, requires_grad=False", "A random permutation of 0..<n.") { a in try finish(try Tensor.randperm(try a.int("n")), a) }

        // Joining and selection.
        def("cat", "tensors, dim=0", "Tensors joined along an existing dim.") { a in
            wrap(try Tensor.cat(try tensorList(a["tensors"], "cat"), dim: try a.int("dim")))
        }
        m["concat"] = m["cat"]; m["concatenate"] = m["cat"]
        def("stack", "tensors, dim=0", "Tensors of one shape joined along a new dim.") { a in
            wrap(try Tensor.stack(try tensorList(a["tensors"], "stack"), dim: try a.int("dim")))
        }
        def("where", "condition, input, other", "input where condition is True, other elsewhere (numbers allowed for either).") { a in
            let c = try a.tensor("condition")
            switch (ScriptBridge.unwrap(a["input"], as: Tensor.self), ScriptBridge.unwrap(a["other"], as: Tensor.self)) {
            case (let x?, let y?): return wrap(try TensorBinding.binary(x, y) { try Tensor.where(c, $0, $1) })
            case (let x?, nil): return wrap(try Tensor.where(c, x, try a.double("other")))
            case (nil, let y?): return wrap(try Tensor.where(c, try a.double("input"), y))
            case (nil, nil):
                let x = try a.tensor("input"), y = try a.tensor("other")
                return wrap(try TensorBinding.binary(x, y) { try Tensor.where(c, $0, $1) })
            }
        }
        def("is_tensor", "obj", "Whether obj is a tensor.") { a in .bool(ScriptBridge.unwrap(a["obj"], as: Tensor.self) != nil) }
        def("numel", "input", "Number of elements.") { a in .int(try a.tensor("input").count) }
        def("no_grad", "", "Context manager (and decorator) turning off gradient recording inside its block.") { _ in ScriptBridge.wrap(NoGradObject()) }
        m["inference_mode"] = m["no_grad"]
        def("is_grad_enabled", "", "Whether operations are being recorded for autograd.") { _ in .bool(GradMode.isEnabled) }
        def("set_printoptions", "precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None", "Changes how tensors print, as torch.set_printoptions.") { a in
            var o = PrintOptions.current
            if case .str(let p) = a["profile"] {
                o = PrintOptions()
                if p == "short" { o.precision = 2; o.edgeItems = 2 } else if p == "full" { o.threshold = Int.max }
            }
            if let v = try a.optionalInt("precision") { o.precision = v }
            if let v = try a.optionalInt("threshold") { o.threshold = v }
            if let v = try a.optionalInt("edgeitems") { o.edgeItems = v }
            if let v = try a.optionalInt("linewidth") { o.lineWidth = v }
            if !a.isNone("sci_mode") { o.scientific = try a.bool("sci_mode") }
            PrintOptions.current = o
            return .none
        }

        // Functions that mirror tensor methods: torch.f(input, ...) is input.f(...).
        let methodMirrors = ["sum", "mean", "max", "min", "argmax", "argmin", "softmax", "log_softmax", "exp", "log", "sqrt",
                             "rsqrt", "tanh", "sigmoid", "abs", "relu", "erf", "pow", "clamp", "clip", "matmul", "transpose",
                             "permute", "reshape", "flatten", "unsqueeze", "squeeze", "cumsum", "topk", "sort", "argsort",
                             "gather", "index_select", "masked_fill", "triu", "tril", "var", "std", "split", "chunk", "t",
                             "add", "sub", "mul", "div", "eq", "ne", "lt", "le", "gt", "ge", "neg", "logical_not", "all", "any",
                             "equal", "allclose", "numel", "clone", "detach", "norm"]
        for name in methodMirrors where m[name] == nil {
            guard let method = TensorBinding.type.methods[name] else { continue }
            let sig = "input, " + method.signature.text
            def(name, sig, method.doc) { a in
                let t = try a.tensor("input")
                let rest = method.signature.parameters.map { p -> (String, Value) in (p.name, a[p.name]) }
                let positional = rest.filter { p in method.signature.parameters.first { $0.name == p.0 }?.variadic == true }
                let args: [Value] = positional.flatMap { (try? ScriptBridge.array($0.1)) ?? [] }
                let kwargs = rest.filter { p in method.signature.parameters.first { $0.name == p.0 }?.variadic != true }
                return try method.body(t, try method.signature.bind(args, kwargs, function: name))
            }
        }
        def("bmm", "input, mat2", "Batched matrix product of two 3-D tensors.") { a in wrap(try a.tensor("input").bmm(try a.tensor("mat2"))) }
        def("outer", "input, vec2", "Outer product of two vectors.") { a in
            let x = try a.tensor("input"), y = try a.tensor("vec2")
            return wrap(try x.unsqueeze(1) * y.unsqueeze(0))
        }
        def("maximum", "input, other", "Elementwise maximum.") { a in
            let x = try a.tensor("input"), y = try a.tensor("other"); return wrap(try Tensor.where(try x.ge(y), x, y))
        }
        def("minimum", "input, other", "Elementwise minimum.") { a in
            let x = try a.tensor("input"), y = try a.tensor("other"); return wrap(try Tensor.where(try x.le(y), x, y))
        }

        let functionalAttributes = TorchFunctional.make()
        // torch has these at the top level too.
        m["cosine_similarity"] = functionalAttributes["cosine_similarity"]
        let functional = PyModule("torch.nn.functional", functionalAttributes, doc: "Functions behind the neural-network layers.")
        m["nn"] = .obj(PyModule("torch.nn", ["functional": .obj(functional)], doc: "Neural-network building blocks."))
        return m
    }

    /// The `generator=` argument: nil for the default generator.
    static func generator(_ a: Arguments) throws -> Generator? {
        if a.isNone("generator") { return nil }
        guard let g = ScriptBridge.unwrap(a["generator"], as: GeneratorObject.self) else { throw a.mismatch("generator", "torch.Generator") }
        return g.generator
    }

    /// A list or tuple of tensors.
    static func tensorList(_ v: Value, _ function: String) throws -> [Tensor] {
        guard case .obj(let o) = v, o is PyList || o is PyTuple else {
            throw ScriptBridge.error("TypeError", "\(function)(): argument 'tensors' must be tuple of Tensors, not \(Interp.typeName(v))")
        }
        return try ScriptBridge.array(v).map { item in
            guard let t = ScriptBridge.unwrap(item, as: Tensor.self) else {
                throw ScriptBridge.error("TypeError", "\(function)(): argument 'tensors' must be tuple of Tensors, not \(Interp.typeName(item))")
            }
            return t
        }
    }
}

/// The elementwise machinery every unary and binary op is built on, and the four arithmetic
/// operators with their gradients.
///
/// Floating-point work runs in float32 over dense buffers in plain loops that the compiler
/// vectorises, split across cores when large; half-precision inputs are converted on the way
/// in and the result converted back. Integer arithmetic stays exact in int64.
extension Tensor {
    // MARK: Kernels

    /// Applies `kernel` to every element of a float tensor, producing a new tensor of the same
    /// shape (and floating dtype; integral inputs give float32).
    @inline(__always)
    public func mapFloat(_ kernel: (Float) -> Float) -> Tensor {
        let source = (try? to(.float32).contiguous()) ?? self
        let n = count
        let out = Tensor(uninitialized: shape, dtype: .float32)
        withExtendedLifetime(source) {
            let src = source.floatPointer, dst = out.floatPointer
            Parallel.forEachChunk(n, costPerElement: 4) { range in
                for i in range { dst[i] = kernel(src[i]) }
            }
        }
        if dtype == .float16 || dtype == .bfloat16 { return (try? out.to(dtype)) ?? out }
        return out
    }

    /// Applies `kernel` to pairs of broadcast elements of two tensors in float32.
    /// The result has the broadcast shape and the promoted floating dtype.
    @inline(__always)
    public static func zipFloat(_ a: Tensor, _ b: Tensor, op: String,
                                _ kernel: (Float, Float) -> Float) throws -> Tensor {
        let outShape = try broadcastShapes(a.shape, b.shape, op: op)
        var resultType = a.dtype.promoted(with: b.dtype)
        if !resultType.isFloatingPoint { resultType = .float32 }
        let x = try a.to(.float32), y = try b.to(.float32)
        let out = Tensor(uninitialized: outShape, dtype: .float32)
        let n = out.count
        let dst = out.floatPointer
        // Raw pointers are used below: keep every tensor they point into alive.
        try withExtendedLifetime((x, y, out)) {
        if x.count == 1 && y.isContiguous && y.shape == outShape {
            let s = x.floatPointer[0], q = y.floatPointer
            Parallel.forEachChunk(n) { r in for i in r { dst[i] = kernel(s, q[i]) } }
        } else if y.count == 1 && x.isContiguous && x.shape == outShape {
            let p = x.floatPointer, s = y.floatPointer[0]
            Parallel.forEachChunk(n) { r in for i in r { dst[i] = kernel(p[i], s) } }
        } else if x.shape == outShape && y.shape == outShape && x.isContiguous && y.isContiguous {
            let p = x.floatPointer, q = y.floatPointer
            Parallel.forEachChunk(n) { r in for i in r { dst[i] = kernel(p[i], q[i]) } }
        } else if x.shape == outShape && x.isContiguous, y.isContiguous, y.count > 0,
                  Array(outShape.suffix(y.rank)).reduce(1, *) == y.count,
                  outShape.suffix(y.rank).elementsEqual(y.shape) {
            // b broadcasts along leading dims only (a bias over rows): no copy of b.
            let p = x.floatPointer, q = y.floatPointer, width = y.count
            Parallel.forEachChunk(n / width, costPerElement: width, alignment: 1) { rows in
                for row in rows {
                    let base = row * width
                    for j in 0..<width { dst[base + j] = kernel(p[base + j], q[j]) }
                }
            }
        } else if y.shape == outShape && y.isContiguous, x.isContiguous, x.count > 0,
                  outShape.suffix(x.rank).elementsEqual(x.shape) {
            let p = x.floatPointer, q = y.floatPointer, width = x.count
            Parallel.forEachChunk(n / width, costPerElement: width, alignment: 1) { rows in
                for row in rows {
                    let base = row * width
                    for j in 0..<width { dst[base + j] = kernel(p[j], q[base + j]) }
                }
            }
        } else {
            let xe = try x.expand(outShape).contiguous(), ye = try y.expand(outShape).contiguous()
            withExtendedLifetime((xe, ye)) {
                let p = xe.floatPointer, q = ye.floatPointer
                Parallel.forEachChunk(n) { r in for i in r { dst[i] = kernel(p[i], q[i]) } }
            }
        }
        }
        return resultType == .float32 ? out : try out.to(resultType)
    }

    /// Applies `kernel` to pairs of broadcast elements as int64 (for integral dtypes).
    @inline(__always)
    public static func zipInt64(_ a: Tensor, _ b: Tensor, op: String, resultType: DType,
                                _ kernel: (Int64, Int64) throws -> Int64) throws -> Tensor {
        let outShape = try broadcastShapes(a.shape, b.shape, op: op)
        let x = try a.to(.int64).expand(outShape).contiguous()
        let y = try b.to(.int64).expand(outShape).contiguous()
        let out = Tensor(uninitialized: outShape, dtype: .int64)
        try withExtendedLifetime((x, y)) {
            let p = x.pointer(as: Int64.self), q = y.pointer(as: Int64.self)
            let dst = out.pointer(as: Int64.self)
            for i in 0..<out.count { dst[i] = try kernel(p[i], q[i]) }
        }
        return resultType == .int64 ? out : try out.to(resultType)
    }

    /// A 0-d tensor holding a Python-style scalar next to `tensor`: it keeps the tensor's dtype
    /// unless a float meets an integral tensor (then float32), as torch's scalar promotion does.
    public static func scalar(_ value: Double, like tensor: Tensor) -> Tensor {
        let integral = value == value.rounded() && Swift.abs(value) < 9e18
        let type: DType = tensor.dtype.isFloatingPoint ? tensor.dtype
            : (integral && tensor.dtype != .bool ? tensor.dtype : (integral ? .int64 : .float32))
        return Tensor.full([], value, dtype: type)
    }

    // MARK: Arithmetic

    public static func + (a: Tensor, b: Tensor) throws -> Tensor {
        let type = a.dtype.promoted(with: b.dtype)
        if type.isIntegral && type != .bool {
            return try zipInt64(a, b, op: "add", resultType: type) { $0 &+ $1 }
        }
        let out = try zipFloat(a, b, op: "add", vectorized: Kernels.Add()) { $0 + $1 }
        return record(out, "AddBackward0", [a, b]) { g in
            [try g.sumToShape(a.shape), try g.sumToShape(b.shape)]
        }
    }

    public static func - (a: Tensor, b: Tensor) throws -> Tensor {
        let type = a.dtype.promoted(with: b.dtype)
        if type == .bool {
            throw TensorError.invalidArgument("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.")
        }
        if type.isIntegral { return try zipInt64(a, b, op: "sub", resultType: type) { $0 &- $1 } }
        let out = try zipFloat(a, b, op: "sub", vectorized: Kernels.Subtract()) { $0 - $1 }
        return record(out, "SubBackward0", [a, b]) { g in
            [try g.sumToShape(a.shape), try (-g).sumToShape(b.shape)]
        }
    }

    public static func * (a: Tensor, b: Tensor) throws -> Tensor {
        let type = a.dtype.promoted(with: b.dtype)
        if type.isIntegral && type != .bool { return try zipInt64(a, b, op: "mul", resultType: type) { $0 &* $1 } }
        if type == .bool { return try zipInt64(a, b, op: "mul", resultType: .bool) { $0 & $1 } }
        let out = try zipFloat(a, b, op: "mul", vectorized: Kernels.Multiply()) { $0 * $1 }
        return record(out, "MulBackward0", [a, b]) { g in
            [a.requiresGrad ? try (g * b.detach()).sumToShape(a.shape) : nil,
             b.requiresGrad ? try (g * a.detach()).sumToShape(b.shape) : nil]
        }
    }

    /// True division: always floating, as torch's `/`.
    public static func / (a: Tensor, b: Tensor) throws -> Tensor {
        let out = try zipFloat(a, b, op: "div", vectorized: Kernels.Divide()) { $0 / $1 }
        return record(out, "DivBackward0", [a, b]) { g in
            let bd = b.detach()
            return [a.requiresGrad ? try (g / bd).sumToShape(a.shape) : nil,
                    b.requiresGrad ? try (-(g * a.detach()) / (bd * bd)).sumToShape(b.shape) : nil]
        }
    }

    public static prefix func - (a: Tensor) -> Tensor {
        if a.dtype.isIntegral {
            let values = a.toInt64Array().map { 0 &- $0 }
            return (try? Tensor(int64: values, shape: a.shape).to(a.dtype)) ?? a
        }
        let out = a.mapVectors(cost: 1, Kernels.Negate())
        return record(out, "NegBackward0", [a]) { g in [-g] }
    }

    public static func + (a: Tensor, b: Double) throws -> Tensor { try a + scalar(b, like: a) }
    public static func + (a: Double, b: Tensor) throws -> Tensor { try scalar(a, like: b) + b }
    public static func - (a: Tensor, b: Double) throws -> Tensor { try a - scalar(b, like: a) }
    public static func - (a: Double, b: Tensor) throws -> Tensor { try scalar(a, like: b) - b }
    public static func * (a: Tensor, b: Double) throws -> Tensor { try a * scalar(b, like: a) }
    public static func * (a: Double, b: Tensor) throws -> Tensor { try scalar(a, like: b) * b }
    public static func / (a: Tensor, b: Double) throws -> Tensor { try a / scalar(b, like: a) }
    public static func / (a: Double, b: Tensor) throws -> Tensor { try scalar(a, like: b) / b }
}

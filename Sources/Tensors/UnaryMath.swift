import Foundation

/// Elementwise math: exp, log, sqrt, rsqrt, pow, tanh, erf, sigmoid, abs, clamp, each with its
/// gradient, and the vector kernels (`mapVectors`, `zipVectors`) the activations share.
///
/// Floating work runs in float32 over dense buffers, 16 lanes at a time (FastMath), split over
/// cores when large. Half-precision inputs give half-precision results; integer inputs give
/// float32 (as torch), except `abs`, `clamp` with integral bounds and `pow` with a
/// non-negative integral exponent, which stay exact in their integer type.
extension Tensor {
    // MARK: Vector kernels

    /// Self as a dense float32 tensor (self when it already is one), without recording.
    func denseFloat32() -> Tensor {
        if dtype == .float32 && isContiguous { return self }
        return withNoGrad { (try? to(.float32).contiguous()) ?? self }
    }

    /// A float32 result converted back to this tensor's dtype when it is half precision.
    func restoringPrecision(_ out: Tensor) -> Tensor {
        guard dtype == .float16 || dtype == .bfloat16 else { return out }
        return withNoGrad { (try? out.to(dtype)) ?? out }
    }

    /// Applies the vector kernel `f` to every element (float32 compute, 16 lanes at a time),
    /// split over cores when large. `cost` is a rough per-element price relative to a copy.
    @inline(__always)
    func mapVectors<K: UnaryVectorKernel>(cost: Int = 8, _ f: K) -> Tensor {
        let source = denseFloat32()
        let n = count
        let out = Tensor(uninitialized: shape, dtype: .float32)
        withExtendedLifetime((source, out)) {
            let src = source.floatPointer, dst = out.floatPointer
            // A large float32 result of a cheap (memory-bound) kernel goes straight to memory.
            // Not a half-precision one (read again at once for the conversion), nor one of a
            // compute-bound kernel like gelu: measured, streaming its 16 MB result was ~10%
            // slower than ordinary stores, which then often find the recycled buffer in cache.
            let streaming = cost <= StreamingStores.maximumCost && dtype == .float32
                && StreamingStores.worthwhile(count: n, destination: dst)
            Tensor.parallelMap(UnsafePointer(src), dst, n, cost: cost, streaming: streaming, f)
        }
        return restoringPrecision(out)
    }

    /// `map` (or `mapStreaming`) of `f` over `0..<n`, split over cores.
    ///
    /// A function of its own, never inlined, specialised per kernel: written inline in
    /// `mapVectors` (itself inlined into each op), the release build left the kernel, and
    /// helpers inside it such as `any` on a lane mask, as out-of-line calls for every vector
    /// (measured on gelu over 4M floats, two threads: ~3.5 ms against ~2.6 ms inlined).
    @inline(never)
    static func parallelMap<K: UnaryVectorKernel>(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                                                  _ n: Int, cost: Int, streaming: Bool, _ f: K) {
        // Two loops rather than a test inside one: each closure then holds fewer copies of the
        // kernel, which keeps it small enough for the optimiser to inline the kernel.
        if !streaming {
            Parallel.forEachChunk(n, costPerElement: cost) { r in
                FastMath.map(src + r.lowerBound, dst + r.lowerBound, r.count, f)
            }
            return
        }
        Parallel.forEachChunk(n, costPerElement: cost) { r in
            if StreamingStores.isAligned(dst + r.lowerBound) {
                FastMath.mapStreaming(src + r.lowerBound, dst + r.lowerBound, r.count, f)
            } else {
                FastMath.map(src + r.lowerBound, dst + r.lowerBound, r.count, f)
            }
        }
    }

    /// Applies `f` to pairs of elements of two tensors of the same shape (a gradient and a
    /// saved value, say); the result is float32 converted to `dtype`.
    @inline(__always)
    static func zipVectors<K: BinaryVectorKernel>(_ a: Tensor, _ b: Tensor, dtype: DType,
                                                  cost: Int = 4, _ f: K) -> Tensor {
        let x = a.denseFloat32(), y = b.denseFloat32()
        let n = x.count
        let out = Tensor(uninitialized: x.shape, dtype: .float32)
        withExtendedLifetime((x, y, out)) {
            let p = x.floatPointer, q = y.floatPointer, dst = out.floatPointer
            let streaming = cost <= StreamingStores.maximumCost && dtype == .float32
                && StreamingStores.worthwhile(count: n, destination: dst)
            parallelZip(UnsafePointer(p), UnsafePointer(q), dst, n, cost: cost, streaming: streaming, f)
        }
        guard dtype == .float16 || dtype == .bfloat16 else { return out }
        return withNoGrad { (try? out.to(dtype)) ?? out }
    }

    /// `zip` (or `zipStreaming`) of `f` over `0..<n`, split over cores; never inlined, for
    /// the reason `parallelMap` gives.
    @inline(never)
    static func parallelZip<K: BinaryVectorKernel>(_ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>,
                                                   _ dst: UnsafeMutablePointer<Float>, _ n: Int,
                                                   cost: Int, streaming: Bool, _ f: K) {
        if !streaming {
            Parallel.forEachChunk(n, costPerElement: cost) { r in
                FastMath.zip(p + r.lowerBound, q + r.lowerBound, dst + r.lowerBound, r.count, f)
            }
            return
        }
        Parallel.forEachChunk(n, costPerElement: cost) { r in
            if StreamingStores.isAligned(dst + r.lowerBound) {
                FastMath.zipStreaming(p + r.lowerBound, q + r.lowerBound, dst + r.lowerBound, r.count, f)
            } else {
                FastMath.zip(p + r.lowerBound, q + r.lowerBound, dst + r.lowerBound, r.count, f)
            }
        }
    }

    /// `zipFloat` with a vector form of the kernel: dense float32 operands of the same shape,
    /// a scalar on either side, or a row operand broadcast over leading dims run 16 lanes at a
    /// time; anything else falls back to the scalar `kernel`. (A closure captured across the
    /// parallel split is called once per element; a kernel type is inlined into the loop.)
    @inline(__always)
    public static func zipFloat<K: BinaryVectorKernel>(_ a: Tensor, _ b: Tensor, op: String, vectorized k: K,
                                                       _ kernel: (Float, Float) -> Float) throws -> Tensor {
        guard a.dtype == .float32, b.dtype == .float32, a.isContiguous, b.isContiguous else {
            return try zipFloat(a, b, op: op, kernel)
        }
        let outShape = try broadcastShapes(a.shape, b.shape, op: op)
        if a.shape == b.shape { return zipVectors(a, b, dtype: .float32, cost: 1, k) }
        if b.count == 1 && a.shape == outShape {
            return a.mapVectors(cost: 1, RightScalar(kernel: k, scalar: FastMath.Vector(repeating: b.floatPointer[0])))
        }
        if a.count == 1 && b.shape == outShape {
            return b.mapVectors(cost: 1, LeftScalar(kernel: k, scalar: FastMath.Vector(repeating: a.floatPointer[0])))
        }
        if a.shape == outShape, b.count > 0, outShape.suffix(b.rank).elementsEqual(b.shape), b.count >= 16 {
            // b is a row broadcast over a's leading dims (a bias): no copy of b.
            let out = Tensor(uninitialized: outShape, dtype: .float32)
            let width = b.count, n = out.count
            withExtendedLifetime((a, b, out)) {
                let p = a.floatPointer, q = b.floatPointer, dst = out.floatPointer
                Parallel.forEachChunk(n / width, costPerElement: width, alignment: 1) { rows in
                    for row in rows { FastMath.zip(p + row * width, q, dst + row * width, width, k) }
                }
            }
            return out
        }
        return try zipFloat(a, b, op: op, kernel)
    }

    /// The floating dtype a float op on self produces: self's, or float32 for integers.
    var floatResultType: DType { dtype.isFloatingPoint ? dtype : .float32 }

    // MARK: exp, log, sqrt, rsqrt

    /// e^x elementwise.
    public func exp() -> Tensor {
        let out = mapVectors(cost: 8, Kernels.Exp())
        let saved = out.detach()
        return Tensor.record(out, "ExpBackward0", [self]) { g in
            [Tensor.zipVectors(g, saved, dtype: g.dtype, Kernels.Multiply())]
        }
    }

    /// Natural logarithm elementwise (NaN below zero, -inf at zero).
    public func log() -> Tensor {
        let out = mapVectors(cost: 8, Kernels.Log())
        return Tensor.record(out, "LogBackward0", [self]) { g in
            [Tensor.zipVectors(g, self.detach(), dtype: g.dtype, Kernels.Divide())]
        }
    }

    /// Square root elementwise.
    public func sqrt() -> Tensor {
        let out = mapVectors(cost: 4, Kernels.SquareRoot())
        let saved = out.detach()
        return Tensor.record(out, "SqrtBackward0", [self]) { g in
            [Tensor.zipVectors(g, saved, dtype: g.dtype, Kernels.SquareRootSlope())]
        }
    }

    /// 1 / sqrt(x) elementwise.
    public func rsqrt() -> Tensor {
        let out = mapVectors(cost: 4, Kernels.ReciprocalSquareRoot())
        let saved = out.detach()
        return Tensor.record(out, "RsqrtBackward0", [self]) { g in
            [Tensor.zipVectors(g, saved, dtype: g.dtype, Kernels.ReciprocalSquareRootSlope())]
        }
    }

    // MARK: pow

    /// Raises every element to `exponent`. Integer tensors with a non-negative integral
    /// exponent stay integers (exact, wrapping like torch); otherwise the result is floating.
    public func pow(_ exponent: Double) throws -> Tensor {
        let integralExponent = exponent == exponent.rounded() && Swift.abs(exponent) < 1e15
        if dtype.isIntegral && integralExponent {
            guard exponent >= 0 else {
                throw TensorError.invalidArgument("Integers to negative integer powers are not allowed.")
            }
            let values = toInt64Array().map { Tensor.integerPower($0, Int64(exponent)) }
            return try Tensor(int64: values, shape: shape).to(dtype == .bool ? .int64 : dtype)
        }
        let p = Float(exponent)
        let out: Tensor
        switch exponent {
        case 0: out = Tensor.full(shape, 1, dtype: floatResultType)
        case 1: out = restoringPrecision(withNoGrad { denseFloat32().clone() })
        case 2: out = mapVectors(cost: 1, Kernels.Square())
        case 0.5: out = mapVectors(cost: 4, Kernels.SquareRoot())
        case -0.5: out = mapVectors(cost: 4, Kernels.ReciprocalSquareRoot())
        default:
            // The general case through the C library for full accuracy in every range.
            out = restoringPrecision(denseFloat32().mapFloat { Foundation.pow($0, p) })
        }
        return Tensor.record(out, "PowBackward0", [self]) { g in
            if exponent == 0 { return [Tensor.zeros(g.shape, dtype: g.dtype)] }
            let x = self.detach()
            let q = p - 1
            if q == 1 { return [Tensor.zipVectors(g, x, dtype: g.dtype, Kernels.ScaledProduct(scale: p))] }
            let power = q == 0 ? Tensor.ones(x.shape) : x.denseFloat32().mapFloat { Foundation.pow($0, q) }
            return [Tensor.zipVectors(g, power, dtype: g.dtype, Kernels.ScaledProduct(scale: p))]
        }
    }

    /// Raises every element to the matching element of `exponent` (broadcast). Two integer
    /// tensors give an exact integer result; otherwise floating.
    public func pow(_ exponent: Tensor) throws -> Tensor {
        let type = dtype.promoted(with: exponent.dtype)
        if type.isIntegral {
            if exponent.toInt64Array().contains(where: { $0 < 0 }) {
                throw TensorError.invalidArgument("Integers to negative integer powers are not allowed.")
            }
            return try Tensor.zipInt64(self, exponent, op: "pow", resultType: type == .bool ? .int64 : type) {
                Tensor.integerPower($0, $1)
            }
        }
        let out = try Tensor.zipFloat(self, exponent, op: "pow") { Foundation.pow($0, $1) }
        let saved = out.detach()
        return Tensor.record(out, "PowBackward1", [self, exponent]) { g in
            let x = self.detach(), p = exponent.detach()
            var grads: [Tensor?] = [nil, nil]
            if self.requiresGrad {
                // p * x^(p-1), with zero where p == 0 (so 0^0 has no infinite slope).
                let slope = try Tensor.zipFloat(x, p, op: "pow") { x, p in
                    p == 0 ? 0 : p * Foundation.pow(x, p - 1)
                }
                grads[0] = try (g * slope).sumToShape(self.shape)
            }
            if exponent.requiresGrad {
                // x^p log x, with zero where x == 0 and p >= 0 (torch's convention).
                let logBase = try Tensor.zipFloat(x, p, op: "pow") { x, p in
                    x == 0 && p >= 0 ? 0 : Foundation.log(x)
                }
                grads[1] = try (g * saved * logBase).sumToShape(exponent.shape)
            }
            return grads
        }
    }

    /// base^exponent for integers by squaring, wrapping on overflow as torch's int pow does.
    static func integerPower(_ base: Int64, _ exponent: Int64) -> Int64 {
        var result: Int64 = 1, b = base, e = exponent
        while e > 0 {
            if e & 1 == 1 { result = result &* b }
            b = b &* b
            e >>= 1
        }
        return result
    }

    // MARK: tanh, erf, sigmoid

    /// Hyperbolic tangent elementwise.
    public func tanh() -> Tensor {
        let out = mapVectors(cost: 12, Kernels.Tanh())
        let saved = out.detach()
        return Tensor.record(out, "TanhBackward0", [self]) { g in
            [Tensor.zipVectors(g, saved, dtype: g.dtype, Kernels.TanhSlope())]
        }
    }

    /// The error function elementwise.
    public func erf() -> Tensor {
        let out = mapVectors(cost: 16, Kernels.Erf())
        return Tensor.record(out, "ErfBackward0", [self]) { g in
            [Tensor.zipVectors(g, self.detach(), dtype: g.dtype, cost: 8, Kernels.ErfSlope())]
        }
    }

    /// The logistic function 1 / (1 + e^-x) elementwise.
    public func sigmoid() -> Tensor {
        let out = mapVectors(cost: 10, Kernels.Sigmoid())
        let saved = out.detach()
        return Tensor.record(out, "SigmoidBackward0", [self]) { g in
            [Tensor.zipVectors(g, saved, dtype: g.dtype, Kernels.SigmoidSlope())]
        }
    }

    // MARK: abs, clamp

    /// Absolute value elementwise; integer tensors stay integers. The gradient at 0 is 0.
    public func abs() -> Tensor {
        if dtype.isIntegral {
            if dtype == .bool { return self.clone() }
            let values = toInt64Array().map { $0 == Int64.min ? $0 : Swift.abs($0) }
            return (try? Tensor(int64: values, shape: shape).to(dtype)) ?? self
        }
        let out = mapVectors(cost: 1, Kernels.Absolute())
        return Tensor.record(out, "AbsBackward0", [self]) { g in
            [Tensor.zipVectors(g, self.detach(), dtype: g.dtype, Kernels.AbsoluteSlope())]
        }
    }

    /// Limits every element to `[min, max]` (either bound may be nil, not both). NaN stays
    /// NaN; with min > max every element becomes max, as torch. Integer tensors with integral
    /// bounds stay integers. The gradient passes strictly inside the bounds (min < x < max):
    /// torch 2 gives 0 at a bound, which is what the fixtures record.
    public func clamp(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        guard min != nil || max != nil else {
            throw TensorError.invalidArgument("clamp: At least one of 'min' or 'max' must not be None")
        }
        let bounds = [min, max].compactMap { $0 }
        if dtype.isIntegral && bounds.allSatisfy({ $0 == $0.rounded() && Swift.abs($0) < 9e18 }) {
            let lo = min.map { Int64($0) }, hi = max.map { Int64($0) }
            let values = toInt64Array().map { v -> Int64 in
                var r = v
                if let lo, r < lo { r = lo }
                if let hi, r > hi { r = hi }
                return r
            }
            return try Tensor(int64: values, shape: shape).to(dtype == .bool ? .int64 : dtype)
        }
        let lo = min.map { Float($0) } ?? -.infinity, hi = max.map { Float($0) } ?? .infinity
        let out = mapVectors(cost: 1, Kernels.Clamp(low: lo, high: hi))
        return Tensor.record(out, "ClampBackward1", [self]) { g in
            [Tensor.zipVectors(g, self.detach(), dtype: g.dtype, Kernels.ClampSlope(low: lo, high: hi))]
        }
    }
}

/// A binary kernel with its right operand fixed.
struct RightScalar<K: BinaryVectorKernel>: UnaryVectorKernel {
    let kernel: K, scalar: FastMath.Vector
    @inline(__always) func callAsFunction(_ x: FastMath.Vector) -> FastMath.Vector { kernel(x, scalar) }
}

/// A binary kernel with its left operand fixed.
struct LeftScalar<K: BinaryVectorKernel>: UnaryVectorKernel {
    let kernel: K, scalar: FastMath.Vector
    @inline(__always) func callAsFunction(_ x: FastMath.Vector) -> FastMath.Vector { kernel(scalar, x) }
}

/// The lane-wise kernels of the elementwise ops and their gradients (`a` is the incoming
/// gradient, `b` the saved input or output).
enum Kernels {
    typealias V = FastMath.Vector

    struct Exp: UnaryVectorKernel { @inline(__always) func callAsFunction(_ x: V) -> V { FastMath.expKernel(x) } }
    struct Log: UnaryVectorKernel { @inline(__always) func callAsFunction(_ x: V) -> V { FastMath.logKernel(x) } }
    struct Tanh: UnaryVectorKernel { @inline(__always) func callAsFunction(_ x: V) -> V { FastMath.tanhKernel(x) } }
    struct Erf: UnaryVectorKernel { @inline(__always) func callAsFunction(_ x: V) -> V { FastMath.erfKernel(x) } }
    struct Sigmoid: UnaryVectorKernel { @inline(__always) func callAsFunction(_ x: V) -> V { FastMath.sigmoidKernel(x) } }
    struct SquareRoot: UnaryVectorKernel { @inline(__always) func callAsFunction(_ x: V) -> V { x.squareRoot() } }
    struct ReciprocalSquareRoot: UnaryVectorKernel {
        @inline(__always) func callAsFunction(_ x: V) -> V { V(repeating: 1) / x.squareRoot() }
    }
    struct Square: UnaryVectorKernel { @inline(__always) func callAsFunction(_ x: V) -> V { x * x } }
    struct Absolute: UnaryVectorKernel { @inline(__always) func callAsFunction(_ x: V) -> V { FastMath.abs(x) } }
    /// NaN lanes fail both comparisons and stay NaN.
    struct Clamp: UnaryVectorKernel {
        let low: Float, high: Float
        @inline(__always) func callAsFunction(_ x: V) -> V {
            let raised = x.replacing(with: low, where: x .< V(repeating: low))
            return raised.replacing(with: high, where: raised .> V(repeating: high))
        }
    }

    struct Add: BinaryVectorKernel { @inline(__always) func callAsFunction(_ a: V, _ b: V) -> V { a + b } }
    struct Subtract: BinaryVectorKernel { @inline(__always) func callAsFunction(_ a: V, _ b: V) -> V { a - b } }
    struct Negate: UnaryVectorKernel { @inline(__always) func callAsFunction(_ x: V) -> V { -x } }
    struct Multiply: BinaryVectorKernel { @inline(__always) func callAsFunction(_ a: V, _ b: V) -> V { a * b } }
    struct Divide: BinaryVectorKernel { @inline(__always) func callAsFunction(_ a: V, _ b: V) -> V { a / b } }
    /// a * b * scale
    struct ScaledProduct: BinaryVectorKernel {
        let scale: Float
        @inline(__always) func callAsFunction(_ a: V, _ b: V) -> V { a * b * V(repeating: scale) }
    }
    /// d sqrt(x) = 1 / (2 sqrt(x)), from the saved output.
    struct SquareRootSlope: BinaryVectorKernel { @inline(__always) func callAsFunction(_ g: V, _ y: V) -> V { g / (y + y) } }
    /// d x^(-1/2) = -y^3 / 2, from the saved output.
    struct ReciprocalSquareRootSlope: BinaryVectorKernel {
        @inline(__always) func callAsFunction(_ g: V, _ y: V) -> V { V(repeating: -0.5) * g * y * y * y }
    }
    /// 1 - tanh^2, from the saved output.
    struct TanhSlope: BinaryVectorKernel {
        @inline(__always) func callAsFunction(_ g: V, _ y: V) -> V { g * (V(repeating: 1) - y * y) }
    }
    /// 2 / sqrt(pi) e^(-x^2), from the input.
    struct ErfSlope: BinaryVectorKernel {
        @inline(__always) func callAsFunction(_ g: V, _ x: V) -> V {
            g * V(repeating: 1.1283791670955126) * FastMath.expKernel(-(x * x))
        }
    }
    /// s (1 - s), from the saved output.
    struct SigmoidSlope: BinaryVectorKernel {
        @inline(__always) func callAsFunction(_ g: V, _ y: V) -> V { g * y * (V(repeating: 1) - y) }
    }
    /// sign(x), 0 at 0.
    struct AbsoluteSlope: BinaryVectorKernel {
        @inline(__always) func callAsFunction(_ g: V, _ x: V) -> V {
            let zero = V()
            let sign = V(repeating: 1).replacing(with: -1, where: x .< zero)
            return (g * sign).replacing(with: zero, where: x .== zero)
        }
    }
    /// Passes where low < x < high (zero at the bounds, as torch).
    struct ClampSlope: BinaryVectorKernel {
        let low: Float, high: Float
        @inline(__always) func callAsFunction(_ g: V, _ x: V) -> V {
            let inside = (x .> V(repeating: low)) .& (x .< V(repeating: high))
            return g.replacing(with: V(), where: .!inside)
        }
    }
}

/// Vectorised float32 elementary functions: exp, log, tanh, erf, sigmoid.
///
/// Each works on 16 lanes at once (two AVX registers) with range reduction and a short
/// polynomial, accurate to a few float32 ulps (FastMathTests states the bounds), and gets the
/// edges right: overflow to inf, gradual underflow to subnormals and zero, NaN in gives NaN out.
/// The scalar entry points run the same vector code on one lane, so a value's result never
/// depends on where in a buffer it sits.
public enum FastMath {
    /// The vector every kernel works on.
    public typealias Vector = SIMD16<Float>
    typealias Bits = SIMD16<Int32>

    @_transparent static func bits(_ v: Vector) -> Bits { unsafeBitCast(v, to: Bits.self) }
    @_transparent static func vector(_ b: Bits) -> Vector { unsafeBitCast(b, to: Vector.self) }
    @_transparent static func splat(_ s: Float) -> Vector { Vector(repeating: s) }

    /// a * b + c with one rounding (an FMA instruction on this target).
    @_transparent
    static func fma(_ a: Vector, _ b: Vector, _ c: Vector) -> Vector { c.addingProduct(a, b) }

    /// One Horner step: acc * t + c.
    @_transparent
    static func step(_ acc: Vector, _ t: Vector, _ c: Float) -> Vector { fma(acc, t, splat(c)) }

    // MARK: exp

    /// e^x per lane; max relative error under 2 ulps.
    @inline(__always)
    public static func exp(_ x: Vector) -> Vector { expKernel(x) }

    /// The body of `exp`, forced inline (mandatory inlining) into every loop that uses it,
    /// so each stays one straight vector loop (a call would pass the 16 lanes through memory).
    @_transparent
    static func expKernel(_ x: Vector) -> Vector {
        // Past these bounds the result is inf or 0 anyway; clamping keeps the scaling in range.
        let xc = clamp(x, -104, 88.8)
        let (er, n) = expReduced(xc)
        // 2^n in two factors, so that n from -150 (subnormal results, rounded once at the
        // last multiply) to 128 (overflow to inf) keeps each factor a normal float.
        let half = n &>> 1
        let scaleA = vector((half &+ 127) &<< 23)
        let scaleB = vector((n &- half &+ 127) &<< 23)
        // NaN passes the clamp's comparisons unchanged and propagates through the rest.
        return er * scaleA * scaleB
    }

    /// e^x = er * 2^n for an already clamped x: n = round(x / ln 2) and er = e^r with
    /// |r| <= ln2 / 2, which `expKernel` and `geluKernel` scale back each in their own way.
    @_transparent
    static func expReduced(_ x: Vector) -> (er: Vector, n: Bits) {
        // x = n ln2 + r. Adding 1.5 * 2^23 rounds to the nearest integer and leaves it in the
        // low mantissa bits.
        let magic = splat(12_582_912)
        let shifted = fma(x, splat(1.44269504088896341), magic)
        let n = bits(shifted) &- bits(magic)
        let nf = shifted - magic
        // ln2 split in two so that nf * high is exact.
        var r = fma(nf, splat(-0.693359375), x)
        r = fma(nf, splat(2.12194440e-4), r)
        // e^r = 1 + r + r^2 q(r) on [-ln2/2, ln2/2].
        var q = splat(1.9875691500e-4)
        q = step(q, r, 1.3981999507e-3)
        q = step(q, r, 8.3334519073e-3)
        q = step(q, r, 4.1665795894e-2)
        q = step(q, r, 1.6666665459e-1)
        q = step(q, r, 5.0000001201e-1)
        return (fma(q, r * r, r) + splat(1), n)
    }

    // MARK: log

    /// Natural logarithm per lane; max relative error under 2 ulps away from x = 1, and an
    /// absolute error under 1e-7 near it. log(0) = -inf, log(x < 0) = NaN, log(inf) = inf.
    @inline(__always)
    public static func log(_ x: Vector) -> Vector { logKernel(x) }

    /// The body of `log`, forced inline into every loop that uses it.
    @_transparent
    static func logKernel(_ x: Vector) -> Vector {
        // Subnormals: scale into the normal range first.
        let tiny = x .< splat(Float.leastNormalMagnitude)
        let xs = x.replacing(with: x * splat(8_388_608), where: tiny)
        var e = (bits(xs) &>> 23) &- 126
        e.replace(with: e &- 23, where: tiny)
        // x = 2^e * m with m in [0.5, 1); then fold m into [sqrt(1/2), sqrt(2)) - 1.
        var m = vector((bits(xs) & 0x007F_FFFF) | 0x3F00_0000)
        let low = m .< splat(0.707106781186547524)
        e.replace(with: e &- 1, where: low)
        m = m.replacing(with: m + m, where: low) - splat(1)
        // Int32 to float by the same magic-number trick (|e| is small).
        let ef = vector(e &+ bits(splat(12_582_912))) - splat(12_582_912)
        let z = m * m
        var p = splat(7.0376836292e-2)
        p = step(p, m, -1.1514610310e-1)
        p = step(p, m, 1.1676998740e-1)
        p = step(p, m, -1.2420140846e-1)
        p = step(p, m, 1.4249322787e-1)
        p = step(p, m, -1.6668057665e-1)
        p = step(p, m, 2.0000714765e-1)
        p = step(p, m, -2.4999993993e-1)
        p = step(p, m, 3.3333331174e-1)
        var y = p * m * z
        y = fma(ef, splat(-2.12194440e-4), y)
        y = fma(z, splat(-0.5), y)
        var result = fma(ef, splat(0.693359375), m + y)
        result.replace(with: splat(-.infinity), where: x .== splat(0))
        result.replace(with: splat(.infinity), where: x .== splat(.infinity))
        result.replace(with: splat(.nan), where: x .< splat(0))
        return result.replacing(with: x, where: x .!= x)
    }

    // MARK: tanh

    /// Hyperbolic tangent per lane; max relative error about 3 ulps.
    @inline(__always)
    public static func tanh(_ x: Vector) -> Vector { tanhKernel(x) }

    /// The body of `tanh`, forced inline into every loop that uses it.
    @_transparent
    static func tanhKernel(_ x: Vector) -> Vector {
        let a = abs(x)
        // Small |x|: odd polynomial, x + x^3 p(x^2).
        let z = x * x
        var p = splat(-5.70498872745e-3)
        p = step(p, z, 2.06390887954e-2)
        p = step(p, z, -5.37397155531e-2)
        p = step(p, z, 1.33314422036e-1)
        p = step(p, z, -3.33332819422e-1)
        let small = fma(p * z, a, a)
        // Larger |x|: 1 - 2 / (e^(2|x|) + 1); saturates to 1 cleanly.
        let large = splat(1) - splat(2) / (expKernel(a + a) + splat(1))
        // tanh is odd: the sign of x goes back on (so tanh(-0) is -0).
        let magnitude = large.replacing(with: small, where: a .< splat(0.625))
        return vector(bits(magnitude) | (bits(x) & Bits(repeating: Int32.min)))
    }

    // MARK: erf

    /// The error function per lane; max error about 2 ulps.
    @inline(__always)
    public static func erf(_ x: Vector) -> Vector { erfKernel(x) }

    /// The body of `erf`, forced inline into every loop that uses it.
    @_transparent
    static func erfKernel(_ x: Vector) -> Vector { erfAndGaussian(x).erf }

    /// erf(x) together with e^(-x^2), which the large-|x| branch computes anyway and the
    /// gradients of erf and gelu need.
    @_transparent
    static func erfAndGaussian(_ x: Vector) -> (erf: Vector, gaussian: Vector) {
        let a = abs(x)
        let z = a * a
        // |x| < 1: x * P(x^2), a fitted minimax form.
        var smallPoly = splat(7.85377633292228e-05)
        smallPoly = step(smallPoly, z, -0.000801017158664763)
        smallPoly = step(smallPoly, z, 0.005188325420022011)
        smallPoly = step(smallPoly, z, -0.026853810995817184)
        smallPoly = step(smallPoly, z, 0.1128358542919159)
        smallPoly = step(smallPoly, z, -0.3761262595653534)
        smallPoly = step(smallPoly, z, 1.1283791065216064)
        let small = a * smallPoly
        // |x| >= 1: 1 - e^(-x^2) Q(1/x), Q fitted to erfc(x) e^(x^2) on [0.95, 4]. Past 3.95
        // the product is under half an ulp of 1, so the result rounds to 1 (inf gives t = 0).
        let t = splat(1) / a.replacing(with: splat(1), where: a .< splat(0.5))
        var q = splat(0.023726901039481163)
        q = step(q, t, -0.1419418752193451)
        q = step(q, t, 0.3497023582458496)
        q = step(q, t, -0.4190012514591217)
        q = step(q, t, 0.1400577574968338)
        q = step(q, t, 0.2834450304508209)
        q = step(q, t, -0.3943975865840912)
        q = step(q, t, 0.02457474358379841)
        q = step(q, t, 0.561269998550415)
        q = step(q, t, 0.00014755177835468203)
        let gaussian = expKernel(-z)
        let large = splat(1) - gaussian * q.replacing(with: splat(0), where: a .> splat(3.95))
        let magnitude = large.replacing(with: small, where: a .< splat(1))
        let signed = vector(bits(magnitude) | (bits(x) & Bits(repeating: Int32.min)))
        return (signed.replacing(with: x, where: x .!= x), gaussian)
    }

    // MARK: Gaussian CDF

    /// The standard normal CDF Phi(x) and density phi(x) per lane (gelu and its gradient);
    /// Phi within about 6 ulps everywhere, including the far negative tail.
    @inline(__always)
    public static func normalCDF(_ x: Vector) -> Vector { normalCDFAndDensity(x).cdf }

    /// k * Q(t) with t = 1 / (1 + 0.4 |x| / sqrt 2), Q fitted to erfcx on [0, 10]. `k` is a
    /// literal (1, or 1/2 to fold the tail's halving in), so after inlining each coefficient is
    /// scaled at compile time; a power of two scales exactly.
    @_transparent
    static func tailPolynomial(_ x: Vector, scaledBy k: Float) -> Vector {
        let a = abs(x) * splat(0.70710678118654752)
        let t = splat(1) / fma(a, splat(0.4), splat(1))
        var q = splat(0.02869739942252636 * k)
        q = step(q, t, -0.07475759834051132 * k)
        q = step(q, t, -0.06366681307554245 * k)
        q = step(q, t, 0.27576327323913574 * k)
        q = step(q, t, -0.06854680180549622 * k)
        q = step(q, t, 0.2686272859573364 * k)
        q = step(q, t, 0.17741981148719788 * k)
        q = step(q, t, 0.23135441541671753 * k)
        q = step(q, t, 0.225082665681839 * k)
        return step(q, t, 2.6400872229714878e-05 * k)
    }

    /// x^2 split into its rounded value and rounding error (an FMA gives it exactly), so that
    /// e^(-x^2/2) keeps its relative accuracy for large |x|; the error is 0 for infinite x.
    @_transparent
    static func squareWithError(_ x: Vector) -> (square: Vector, error: Vector) {
        let square = x * x
        var error = fma(x, x, -square)
        error.replace(with: splat(0), where: error .!= error)  // inf * inf - inf
        return (square, error)
    }

    /// Phi(x) = erfc(-x / sqrt 2) / 2 and phi(x) = e^(-x^2/2) / sqrt(2 pi), from one exp.
    /// The tail 0.5 erfc(|x| / sqrt 2) = 0.5 e^(-x^2/2) Q(t) with t = 1 / (1 + 0.4 |x| / sqrt 2)
    /// and Q fitted to erfcx on [0, 10]; negative x take the tail itself, so there is no
    /// cancellation where Phi is tiny.
    @_transparent
    static func normalCDFAndDensity(_ x: Vector) -> (cdf: Vector, density: Vector) {
        let q = tailPolynomial(x, scaledBy: 1)
        let (square, error) = squareWithError(x)
        var e = expKernel(splat(-0.5) * square)
        e = fma(e, splat(-0.5) * error, e)
        let tail = splat(0.5) * e * q
        let cdf = (splat(1) - tail).replacing(with: tail, where: x .< splat(0))
        return (cdf, e * splat(0.3989422804014327))
    }

    // MARK: gelu

    /// x * Phi(x), the exact gelu, within 8 ulps everywhere (FastMathTests; torch's formula
    /// 0.5 x (1 + erf(x / sqrt 2)) loses its relative precision below x = -5). Vectors whose
    /// lanes all lie in [-3.5, 3.5] (almost all of typical activations) take the short
    /// `geluCentralKernel`; any other vector takes `geluWideKernel`, valid everywhere.
    @_transparent
    static func geluKernel(_ x: Vector) -> Vector {
        if anyLane(abs(x) .> splat(geluCentralBound)) { return geluWideKernel(x) }
        return geluCentralKernel(x)
    }

    /// Whether any lane of `mask` is set, as a few vector ORs. The standard library's `any`
    /// reduces with a generic `min()` that the release build called out of line, once per
    /// vector of the gelu loop.
    @_transparent
    static func anyLane(_ mask: SIMDMask<Bits>) -> Bool {
        let lanes = Bits(repeating: 0).replacing(with: -1, where: mask)
        let eight = lanes.lowHalf | lanes.highHalf
        let four = eight.lowHalf | eight.highHalf
        let two = four.lowHalf | four.highHalf
        return (two[0] | two[1]) != 0
    }

    /// The largest |x| `geluCentralKernel` is fitted for.
    @_transparent static var geluCentralBound: Float { 3.5 }

    /// gelu for |x| <= 3.5 with one exponential and one polynomial, no division.
    ///
    /// With a = |x|, the tail 0.5 erfc(a / sqrt 2) is e^(-x^2/2 + C(a)), where
    /// C(a) = log(erfcx(a / sqrt 2) / 2) is smooth on [0, 3.5] (from -0.69 to -2.07); C + 2 ln 2
    /// is fitted as a degree-9 polynomial of u = a / 1.75 - 1 (error 2.2e-8, evaluated in
    /// Estrin's form, whose short dependency chains keep the core's FMA pipes busy). The
    /// exponential's integer part n comes from a straight-line estimate of C, so it does not
    /// wait for the polynomial, and |r| stays within 0.48. -x^2/2 is split exactly into its
    /// rounded value and rounding error (an FMA), which keeps the tail's relative accuracy.
    /// Negative x take the tail itself (Phi is small there, so there is no cancellation);
    /// positive x take 1 - tail. About 25 FMA-pipe operations per 8 lanes against 34 and a
    /// division for the wide form.
    @_transparent
    static func geluCentralKernel(_ x: Vector) -> Vector {
        let a = abs(x)
        let h = x * splat(-0.5)
        let halfSquare = h * x                      // -x^2/2, rounded
        let squareError = fma(h, x, -halfSquare)    // and its rounding error, exactly
        // n = round((-x^2/2 + C(a) + 2 ln 2) / ln 2) from a chord of C (within 0.12 of it).
        // The magic number 1.5 * 2^23 - 2 rounds to an integer and leaves n - 2 in the low
        // mantissa bits, which is the power of two the result takes (the 2 ln 2 added to C
        // keeps the polynomial's values small, so its rounding errors stay small too).
        let magic = splat(12_582_910)
        let estimate = halfSquare + fma(a, splat(-0.44226232171058655), splat(0.5809241533279419))
        let shifted = fma(estimate, splat(1.44269504088896341), magic)
        let nf = shifted - magic
        let reduced = fma(nf, splat(-0.693147180559945), halfSquare)
        // C(a) + 2 ln 2.
        let u = fma(a, splat(0.5714285714285714), splat(-1))
        let u2 = u * u, u4 = u2 * u2
        let c01 = fma(u, splat(-0.7065585255622864), splat(-0.299853652715683))
        let c23 = fma(u, splat(-0.06268338859081268), splat(0.1997208297252655))
        let c45 = fma(u, splat(-0.004714237060397863), splat(0.018499033525586128))
        let c67 = fma(u, splat(-4.4831216655438766e-05), splat(0.0009147153468802571))
        let c89 = fma(u, splat(4.192464257357642e-05), splat(-9.278277138946578e-05))
        let c = fma(fma(c89, u4, fma(c67, u2, c45)), u4, fma(c23, u2, c01))
        // e^r = 1 + r + r^2 q(r) on [-0.5, 0.5], q of degree 5.
        let r = (reduced + squareError) + c
        let r2 = r * r
        let q01 = fma(r, splat(0.1666666567325592), splat(0.5))
        let q23 = fma(r, splat(0.008333452045917511), splat(0.04166579619050026))
        let q45 = fma(r, splat(0.00019875624275300652), splat(0.0013981997035443783))
        let q = fma(fma(q45, r2, q23), r2, q01)
        let er = fma(q, r2, r) + splat(1)
        // tail = er * 2^(n-2), by adding n - 2 to the exponent field (the tail stays normal).
        let tail = vector(bits(er) &+ (bits(shifted) &<< 23))
        // The sign bit selects (a blend on it needs no comparison); -0 takes 1 * tail(0) too.
        let cdf = (splat(1) - tail).replacing(with: tail, where: bits(x) .< Bits(repeating: 0))
        return x * cdf
    }

    /// x * Phi(x) for any x, with the same tail formula as `normalCDFAndDensity` (so the
    /// same accuracy wherever |x| <= 13) but about a fifth fewer vector operations: e^(-x^2/2)
    /// is never positive, so its exponential needs only the lower clamp (one vmaxps) and one
    /// scaling factor (past |x| = 13.19, where the clamp bites, Phi is below 1e-38 and is set
    /// to exactly 0 or 1, as torch's gelu gives); the tail's factor 1/2 is folded into the
    /// polynomial's coefficients (an exact scaling).
    @_transparent
    static func geluWideKernel(_ x: Vector) -> Vector {
        let q = tailPolynomial(x, scaledBy: 0.5)
        let (square, error) = squareWithError(x)
        // e^s for s = -x^2/2 in [-87, 0]: n = round(s / ln 2) >= -126 keeps 2^n normal.
        // max(-x^2/2, -87) as a blend (NaN stays NaN, as with pointwiseMax, which the release
        // build called out of line).
        let halfSquare = splat(-0.5) * square
        let s = halfSquare.replacing(with: splat(-87), where: halfSquare .< splat(-87))
        let (er, n) = expReduced(s)
        var e = er * vector((n &+ 127) &<< 23)
        e = fma(e, splat(-0.5) * error, e)
        var tail = e * q
        tail.replace(with: splat(0), where: s .<= splat(-87))
        let cdf = (splat(1) - tail).replacing(with: tail, where: x .< splat(0))
        return x * cdf
    }

    // MARK: sigmoid

    /// The logistic function 1 / (1 + e^-x) per lane, accurate in both tails (the negative
    /// tail as e^x / (1 + e^x), so tiny results keep their precision).
    @inline(__always)
    public static func sigmoid(_ x: Vector) -> Vector { sigmoidKernel(x) }

    /// The body of `sigmoid`, forced inline into every loop that uses it.
    @_transparent
    static func sigmoidKernel(_ x: Vector) -> Vector {
        let e = expKernel(-abs(x))
        let s = splat(1) / (splat(1) + e)
        return s.replacing(with: e * s, where: x .< splat(0))
    }

    /// Limits lanes to [lo, hi]; NaN lanes come out as lo or hi (callers restore NaN).
    @_transparent
    static func clamp(_ x: Vector, _ lo: Float, _ hi: Float) -> Vector {
        let low = x.replacing(with: splat(lo), where: x .< splat(lo))
        return low.replacing(with: splat(hi), where: low .> splat(hi))
    }

    @_transparent
    static func abs(_ x: Vector) -> Vector { vector(bits(x) & Bits(repeating: Int32.max)) }

    // MARK: Scalar entry points

    /// e^x, the same result as a lane of the vector form.
    public static func exp(_ x: Float) -> Float { exp(Vector(repeating: x))[0] }
    /// Natural logarithm, the same result as a lane of the vector form.
    public static func log(_ x: Float) -> Float { log(Vector(repeating: x))[0] }
    /// Hyperbolic tangent, the same result as a lane of the vector form.
    public static func tanh(_ x: Float) -> Float { tanh(Vector(repeating: x))[0] }
    /// The error function, the same result as a lane of the vector form.
    public static func erf(_ x: Float) -> Float { erf(Vector(repeating: x))[0] }
    /// The logistic function, the same result as a lane of the vector form.
    public static func sigmoid(_ x: Float) -> Float { sigmoid(Vector(repeating: x))[0] }

    // MARK: Buffer loops

    /// dst[i] = f(src[i]) for i in 0..<n, 16 lanes at a time; the tail goes through a padded
    /// vector so every element takes the same path. `src` and `dst` may be the same buffer.
    /// Two vectors per iteration: their independent dependency chains interleave, which
    /// keeps a long kernel (gelu's polynomials) from stalling on latency.
    @inline(__always)
    public static func map<K: UnaryVectorKernel>(_ src: UnsafePointer<Float>,
                                                  _ dst: UnsafeMutablePointer<Float>,
                                                  _ n: Int, _ f: K) {
        let input = UnsafeRawPointer(src), output = UnsafeMutableRawPointer(dst)
        var i = 0
        while i + 32 <= n {
            let v = input.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            let w = input.loadUnaligned(fromByteOffset: i * 4 + 64, as: Vector.self)
            let fv = f(v), fw = f(w)
            output.storeBytes(of: fv, toByteOffset: i * 4, as: Vector.self)
            output.storeBytes(of: fw, toByteOffset: i * 4 + 64, as: Vector.self)
            i += 32
        }
        while i + 16 <= n {
            let v = input.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            output.storeBytes(of: f(v), toByteOffset: i * 4, as: Vector.self)
            i += 16
        }
        if i < n {
            var v = Vector()
            for k in 0..<(n - i) { v[k] = src[i + k] }
            let y = f(v)
            for k in 0..<(n - i) { dst[i + k] = y[k] }
        }
    }

    /// dst[i] = f(a[i], b[i]) for i in 0..<n, 16 lanes at a time (tail padded as in `map`).
    @inline(__always)
    public static func zip<K: BinaryVectorKernel>(_ a: UnsafePointer<Float>,
                                                   _ b: UnsafePointer<Float>,
                                                   _ dst: UnsafeMutablePointer<Float>,
                                                   _ n: Int, _ f: K) {
        let pa = UnsafeRawPointer(a), pb = UnsafeRawPointer(b)
        let output = UnsafeMutableRawPointer(dst)
        var i = 0
        while i + 16 <= n {
            let u = pa.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            let v = pb.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            output.storeBytes(of: f(u, v), toByteOffset: i * 4, as: Vector.self)
            i += 16
        }
        if i < n {
            var u = Vector(), v = Vector()
            for k in 0..<(n - i) { u[k] = a[i + k]; v[k] = b[i + k] }
            let y = f(u, v)
            for k in 0..<(n - i) { dst[i + k] = y[k] }
        }
    }
}

/// A lane-wise function of one vector. Kernels are small structs rather than closures so
/// that the buffer loops are specialised for them and inlined (a closure captured across the
/// parallel split would cost an indirect call per vector).
public protocol UnaryVectorKernel {
    func callAsFunction(_ x: FastMath.Vector) -> FastMath.Vector
}

/// A lane-wise function of two vectors (a gradient and a saved value, say).
public protocol BinaryVectorKernel {
    func callAsFunction(_ a: FastMath.Vector, _ b: FastMath.Vector) -> FastMath.Vector
}

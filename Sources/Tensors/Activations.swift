/// How `gelu` evaluates the Gaussian CDF: exactly through erf, or with torch's tanh formula.
public enum GeluApproximation: String, Sendable {
    /// 0.5 x (1 + erf(x / sqrt 2)), torch's `approximate='none'`.
    case none
    /// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), torch's `approximate='tanh'`.
    case tanh
}

/// The activation functions transformer blocks use: gelu (both forms), silu, relu, each with
/// its gradient, computed as torch does in float32, 16 lanes at a time.
extension Tensor {
    /// Gaussian error linear unit, exact (`.none`) or with the tanh approximation.
    public func gelu(approximate: GeluApproximation = .none) throws -> Tensor {
        guard dtype.isFloatingPoint else {
            throw TensorError.unsupportedDType(op: "gelu", dtype: dtype)
        }
        let out = approximate == .none ? mapVectors(cost: 16, Kernels.Gelu())
                                       : mapVectors(cost: 12, Kernels.GeluTanh())
        return Tensor.record(out, "GeluBackward0", [self]) { g in
            let x = self.detach()
            return [approximate == .none
                ? Tensor.zipVectors(g, x, dtype: g.dtype, cost: 16, Kernels.GeluSlope())
                : Tensor.zipVectors(g, x, dtype: g.dtype, cost: 12, Kernels.GeluTanhSlope())]
        }
    }

    /// Sigmoid linear unit (swish): x * sigmoid(x).
    public func silu() throws -> Tensor {
        guard dtype.isFloatingPoint else {
            throw TensorError.unsupportedDType(op: "silu", dtype: dtype)
        }
        let out = mapVectors(cost: 10, Kernels.Silu())
        return Tensor.record(out, "SiluBackward0", [self]) { g in
            [Tensor.zipVectors(g, self.detach(), dtype: g.dtype, cost: 10, Kernels.SiluSlope())]
        }
    }

    /// Rectified linear unit, max(x, 0); NaN stays NaN and integer tensors stay integers.
    /// The gradient passes where the output is positive.
    public func relu() -> Tensor {
        if dtype.isIntegral {
            if dtype == .bool { return clone() }
            let values = toInt64Array().map { Swift.max($0, 0) }
            return (try? Tensor(int64: values, shape: shape).to(dtype)) ?? self
        }
        let out = mapVectors(cost: 1, Kernels.Relu())
        let saved = out.detach()
        return Tensor.record(out, "ReluBackward0", [self]) { g in
            [Tensor.zipVectors(g, saved, dtype: g.dtype, Kernels.ReluSlope())]
        }
    }
}

extension Kernels {
    /// x * Phi(x), which is torch's x * 0.5 * (1 + erf(x / sqrt 2)) without its cancellation
    /// for negative x (and about half the work of a full erf).
    struct Gelu: UnaryVectorKernel {
        @inline(__always) func callAsFunction(_ x: V) -> V {
            FastMath.geluKernel(x)
        }
    }
    /// 0.5 * x * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    struct GeluTanh: UnaryVectorKernel {
        @inline(__always) func callAsFunction(_ x: V) -> V {
            let inner = V(repeating: 0.7978845608028654) * (x + V(repeating: 0.044715) * (x * x * x))
            return V(repeating: 0.5) * x * (V(repeating: 1) + FastMath.tanhKernel(inner))
        }
    }
    /// Phi(x) + x phi(x).
    struct GeluSlope: BinaryVectorKernel {
        @inline(__always) func callAsFunction(_ g: V, _ x: V) -> V {
            let (cdf, pdf) = FastMath.normalCDFAndDensity(x)
            return g * (cdf + x * pdf)
        }
    }
    /// The derivative of the tanh form, arranged as torch's backward arranges it.
    struct GeluTanhSlope: BinaryVectorKernel {
        @inline(__always) func callAsFunction(_ g: V, _ x: V) -> V {
            let beta = V(repeating: 0.7978845608028654), kappa = V(repeating: 0.044715)
            let one = V(repeating: 1), half = V(repeating: 0.5)
            let square = x * x
            let t = FastMath.tanhKernel(beta * (x + kappa * (square * x)))
            let innerSlope = beta * (one + V(repeating: 3) * kappa * square)
            return g * (half * (one + t) + half * x * (one - t * t) * innerSlope)
        }
    }
    struct Silu: UnaryVectorKernel { @inline(__always) func callAsFunction(_ x: V) -> V { x * FastMath.sigmoidKernel(x) } }
    /// s (1 + x (1 - s)).
    struct SiluSlope: BinaryVectorKernel {
        @inline(__always) func callAsFunction(_ g: V, _ x: V) -> V {
            let s = FastMath.sigmoidKernel(x), one = V(repeating: 1)
            return g * s * (one + x * (one - s))
        }
    }
    /// NaN fails the comparison and stays NaN.
    struct Relu: UnaryVectorKernel {
        @inline(__always) func callAsFunction(_ x: V) -> V { x.replacing(with: V(), where: x .< V()) }
    }
    /// Passes where the saved output is positive.
    struct ReluSlope: BinaryVectorKernel {
        @inline(__always) func callAsFunction(_ g: V, _ y: V) -> V { g.replacing(with: V(), where: .!(y .> V())) }
    }
}

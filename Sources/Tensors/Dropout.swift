extension Tensor {
    /// Zeroes each element with probability `p` and scales the survivors by `1 / (1 - p)`, so
    /// the expected value is unchanged (`torch.nn.functional.dropout`). Outside training, or
    /// with `p == 0`, the input is returned as is.
    ///
    /// The mask is drawn from `generator` (the default generator when nil), so `manualSeed`
    /// makes it reproducible; the gradient flows through the same mask and scale.
    public func dropout(p: Double = 0.5, training: Bool = true, generator: Generator? = nil) throws -> Tensor {
        guard p >= 0 && p <= 1 else {
            throw TensorError.invalidArgument("dropout probability has to be between 0 and 1, but got \(p)")
        }
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: "dropout", dtype: dtype) }
        if !training || p == 0 { return self }

        // The mask holds the factor each element is multiplied by: 0 or 1 / (1 - p).
        let n = count
        let mask = Tensor(uninitialized: shape, dtype: .float32)
        let x = try detach().to(.float32).contiguous()
        let out = Tensor(uninitialized: shape, dtype: .float32)
        withExtendedLifetime((mask, x, out)) {
            let m = mask.floatPointer, src = x.floatPointer, dst = out.floatPointer
            (generator ?? .defaultGenerator).fillUniform(m, count: n)
            let keep = Float(1 - p), scale: Float = p == 1 ? 0 : Float(1 / (1 - p))
            Parallel.forEachChunk(n) { r in
                for i in r {
                    m[i] = m[i] < keep ? scale : 0
                    dst[i] = src[i] * m[i]
                }
            }
        }
        let result = dtype == .float32 ? out : try out.to(dtype)
        return Tensor.record(result, "NativeDropoutBackward0", [self]) { [dtype] g in
            [try (g.to(.float32) * mask).to(dtype)]
        }
    }
}

/// Linear layers with what follows them in a transformer block done in the same output buffer:
/// the activation of a feed-forward expansion, or the residual add and layer norm after a
/// sublayer. The composed ops each allocate a result and stream it through memory again
/// (25 MB for MiniLM's expansion at batch 32 x 128); here the product's output is finished in
/// place, the residual rides in on the product's `beta = 1` seed together with the bias.
///
/// When autograd records (grad mode on and an input requires grad) both fall back to the
/// composed ops, so they are always correct; only inference takes the fused path.
extension Tensor {
    /// The pointwise activations `linear(_:activation:)` can apply in place.
    public enum PointwiseActivation: Sendable {
        case gelu, geluTanh, relu, silu
    }

    /// activation(self @ weight^T + bias), as `linear` followed by the activation (nil: none).
    /// A few rows (a short sentence) are multiplied without BLAS (`SmallBatchProduct`).
    public func linear(weight: Tensor, bias: Tensor?, activation: PointwiseActivation?) throws -> Tensor {
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        if Tensor.recordsGradient(inputs) || inputs.contains(where: { $0.dtype != .float32 }) || rank < 1 || weight.rank != 2 {
            let y = try linear(weight: weight, bias: bias)
            switch activation {
            case nil: return y
            case .gelu: return try y.gelu()
            case .geluTanh: return try y.gelu(approximate: .tanh)
            case .relu: return y.relu()
            case .silu: return try y.silu()
            }
        }
        let outFeatures = weight.shape[0]
        let y = Tensor(uninitialized: Array(shape.dropLast()) + [outFeatures], dtype: .float32)
        let rows = count / Swift.max(shape[rank - 1], 1)
        if Tensor.usesPanelProduct(rows: rows, weight: weight) {
            try Tensor.checkLinearShapes(self, weight: weight, bias: bias, rows: rows)
            switch activation {
            case nil: try Tensor.panelLinear(self, weight: weight, bias: bias, into: y, rows: rows, Kernels.Identity?.none)
            case .gelu: try Tensor.panelLinear(self, weight: weight, bias: bias, into: y, rows: rows, Kernels.Gelu())
            case .geluTanh: try Tensor.panelLinear(self, weight: weight, bias: bias, into: y, rows: rows, Kernels.GeluTanh())
            case .relu: try Tensor.panelLinear(self, weight: weight, bias: bias, into: y, rows: rows, Kernels.Relu())
            case .silu: try Tensor.panelLinear(self, weight: weight, bias: bias, into: y, rows: rows, Kernels.Silu())
            }
            return y
        }
        guard let activation else {
            try Tensor.linearProduct(self, weight: weight, bias: bias, seed: nil, into: y, rows: rows)
            return y
        }
        // The bias goes in with the activation, a row at a time while the row is in L1: the
        // product writes its output once (sgemm with beta = 0) instead of reading back a
        // buffer first filled with copies of the bias (25 MB for MiniLM's expansion at batch
        // 32 x 128), and that filling pass is gone.
        if let bias, bias.count != outFeatures || bias.rank != 1 {
            throw TensorError.shapeMismatch(
                "linear: bias of shape \(bias.shape.shapeString) does not match weight of shape \(weight.shape.shapeString)")
        }
        try Tensor.linearProduct(self, weight: weight, bias: nil, seed: nil, into: y, rows: rows)
        let b = bias?.contiguous()
        withExtendedLifetime((y, b)) {
            let p = y.floatPointer, bp = b?.floatPointer
            switch activation {
            case .gelu: Tensor.finishRows(p, rows: rows, length: outFeatures, bias: bp, cost: 16, Kernels.Gelu())
            case .geluTanh: Tensor.finishRows(p, rows: rows, length: outFeatures, bias: bp, cost: 12, Kernels.GeluTanh())
            case .relu: Tensor.finishRows(p, rows: rows, length: outFeatures, bias: bp, cost: 1, Kernels.Relu())
            case .silu: Tensor.finishRows(p, rows: rows, length: outFeatures, bias: bp, cost: 10, Kernels.Silu())
            }
        }
        return y
    }

    /// rows[r] = activation(rows[r] + bias) in place for `rows` dense rows of `length` floats
    /// (without a bias, just the activation), spread over the cores by whole rows.
    @inline(__always)
    static func finishRows<K: UnaryVectorKernel>(_ p: UnsafeMutablePointer<Float>, rows: Int, length: Int,
                                                 bias: UnsafePointer<Float>?, cost: Int, _ activation: K) {
        guard let bias else {
            let n = rows * length
            Parallel.forEachChunk(n, costPerElement: cost) { r in FastMath.map(p + r.lowerBound, p + r.lowerBound, r.count, activation) }
            return
        }
        let kernel = Kernels.ActivationOfSum(activation: activation)
        Parallel.forEachChunk(rows, costPerElement: length * (cost + 1), alignment: 1) { range in
            for row in range {
                let q = p + row * length
                FastMath.zip(q, bias, q, length, kernel)
            }
        }
    }

    /// Whether a float32 product of `rows` rows with `weight` goes through `PanelProduct`
    /// (a few rows go through `SmallBatchProduct` or a GGUF weight's blocks instead).
    static func usesPanelProduct(rows: Int, weight: Tensor) -> Bool {
        PanelProduct.isEnabled && rows > SmallBatchProduct.maximumRows && weight.rank == 2 && weight.shape[1] > 0
    }

    /// Throws unless `x [..., in]`, `weight [out, in]` and `bias [out]` fit together.
    static func checkLinearShapes(_ x: Tensor, weight: Tensor, bias: Tensor?, rows: Int) throws {
        let inFeatures = x.shape[x.rank - 1], outFeatures = weight.shape[0]
        guard weight.shape[1] == inFeatures else {
            throw TensorError.shapeMismatch(
                "mat1 and mat2 shapes cannot be multiplied (\(rows)x\(inFeatures) and \(weight.shape[1])x\(outFeatures))")
        }
        if let bias, bias.count != outFeatures || bias.rank != 1 {
            throw TensorError.shapeMismatch(
                "linear: bias of shape \(bias.shape.shapeString) does not match weight of shape \(weight.shape.shapeString)")
        }
    }

    /// out = finish(x W^T + bias (+ residual)) through `PanelProduct`, each tile finished as it
    /// is stored (and each block of rows layer-normed, when `layerNorm` is given); shapes
    /// already checked.
    static func panelLinear<A: UnaryVectorKernel>(_ x: Tensor, weight: Tensor, bias: Tensor?, residual: Tensor? = nil,
                                                 into out: Tensor, rows: Int, _ activation: A?,
                                                 layerNorm: (weight: Tensor?, bias: Tensor?, eps: Float)? = nil) throws {
        let inFeatures = x.shape[x.rank - 1]
        let xd = x.contiguous(), b = bias?.contiguous(), r = residual?.contiguous()
        let nw = layerNorm?.weight?.contiguous(), nb = layerNorm?.bias?.contiguous()
        let packed = PanelProduct.packedWeight(weight)
        let biasPointer: UnsafePointer<Float>? = b.map { UnsafePointer($0.floatPointer) }
        let residualPointer: UnsafePointer<Float>? = r.map { UnsafePointer($0.floatPointer) }
        var finish = PanelProduct.Finish<A>(bias: biasPointer, residual: residualPointer, activation: activation, layerNorm: nil)
        if let layerNorm {
            let normWeight: UnsafePointer<Float>? = nw.map { UnsafePointer($0.floatPointer) }
            let normBias: UnsafePointer<Float>? = nb.map { UnsafePointer($0.floatPointer) }
            finish.layerNorm = (normWeight, normBias, layerNorm.eps)
        }
        PanelProduct.multiply(xd.floatPointer, rows: rows, inputStride: inFeatures, packed, into: out.floatPointer, finish)
        withExtendedLifetime(xd) {}
        withExtendedLifetime(b) {}
        withExtendedLifetime(r) {}
        withExtendedLifetime(nw) {}
        withExtendedLifetime(nb) {}
        withExtendedLifetime(packed) {}
    }

    /// out = seed + bias + x W^T for float32 `x [..., in]`, `weight [out, in]`, `bias [out]`
    /// (either of seed and bias may be nil) and a dense `out [rows, out]`: the product
    /// accumulates onto the seeded output. Few rows go through `SmallBatchProduct`, the rest
    /// through sgemm with `beta = 1`.
    static func linearProduct(_ x: Tensor, weight: Tensor, bias: Tensor?, seed: Tensor?, into out: Tensor, rows: Int) throws {
        try checkLinearShapes(x, weight: weight, bias: bias, rows: rows)
        let inFeatures = x.shape[x.rank - 1], outFeatures = weight.shape[0]
        let b = bias?.contiguous(), s = seed?.contiguous()
        let dst = out.floatPointer
        let seeded = b != nil || s != nil
        withExtendedLifetime((b, s)) {
            switch (s, b) {
            case let (s?, b?):
                let sp = s.floatPointer, bp = b.floatPointer
                Parallel.forEachChunk(rows, costPerElement: outFeatures * 2, alignment: 1) { range in
                    for r in range { FastMath.zip(sp + r * outFeatures, bp, dst + r * outFeatures, outFeatures, Kernels.Sum()) }
                }
            case let (s?, nil):
                dst.update(from: s.floatPointer, count: rows * outFeatures)
            case let (nil, b?):
                for r in 0..<rows { (dst + r * outFeatures).update(from: b.floatPointer, count: outFeatures) }
            case (nil, nil):
                break
            }
        }
        if rows <= BlockMatrix.maximumRows, let blocks = weight.attachedBlocks {
            // A GGUF weight kept in its blocks: a sixth of the float32 weight's memory traffic.
            let xd = x.contiguous()
            withExtendedLifetime((xd, weight)) { blocks.multiply(xd.floatPointer, rows: rows, into: dst, accumulate: seeded) }
        } else if rows <= SmallBatchProduct.maximumRows {
            let xd = x.contiguous(), wd = weight.contiguous()
            withExtendedLifetime((xd, wd)) {
                SmallBatchProduct.multiply(xd.floatPointer, rows: rows, wd.floatPointer, outputs: outFeatures, depth: inFeatures,
                                           dst, accumulate: seeded)
            }
        } else {
            let x2 = try x.detach().reshape([rows, inFeatures])
            try floatProduct(x2, weight.detach().transpose(0, 1), batch: [], into: try out.view([rows, outFeatures]),
                             beta: seeded ? 1 : 0)
        }
    }

    /// layer_norm(self @ weight^T + bias + residual) over the last dim, as BERT's output blocks
    /// compute `LayerNorm(dense(x) + residual)` (with dropout off).
    ///
    /// - Parameters:
    ///   - residual: the block's input, shaped as the product's output.
    ///   - normWeight, normBias: the layer norm's affine parameters, `[out_features]` (either may be nil).
    public func linearAddLayerNorm(weight: Tensor, bias: Tensor?, residual: Tensor, normWeight: Tensor?, normBias: Tensor?,
                                   eps: Double) throws -> Tensor {
        let outFeatures = weight.rank == 2 ? weight.shape[0] : -1
        let expected = Array(shape.dropLast()) + [outFeatures]
        let inputs = [self, weight, residual] + [bias, normWeight, normBias].compactMap { $0 }
        if Tensor.recordsGradient(inputs) || inputs.contains(where: { $0.dtype != .float32 }) || residual.shape != expected || rank < 1 {
            let y = try linear(weight: weight, bias: bias) + residual
            return try y.layerNorm(normalizedShape: [outFeatures], weight: normWeight, bias: normBias, eps: eps)
        }
        guard weight.shape[1] == shape[rank - 1] else {
            throw TensorError.shapeMismatch(
                "mat1 and mat2 shapes cannot be multiplied (\(count / Swift.max(shape[rank - 1], 1))x\(shape[rank - 1]) and \(weight.shape[1])x\(outFeatures))")
        }
        for (name, parameter) in [("bias", bias), ("layer norm weight", normWeight), ("layer norm bias", normBias)] {
            if let parameter, parameter.count != outFeatures || parameter.rank != 1 {
                throw TensorError.shapeMismatch("linear_add_layer_norm: \(name) of shape \(parameter.shape.shapeString) does not match \(outFeatures) output features")
            }
        }
        let rows = outFeatures == 0 ? 0 : residual.count / outFeatures
        let out = Tensor(uninitialized: expected, dtype: .float32)
        let w = normWeight?.contiguous(), nb = normBias?.contiguous()
        if Tensor.usesPanelProduct(rows: rows, weight: weight) {
            try Tensor.panelLinear(self, weight: weight, bias: bias, residual: residual, into: out, rows: rows,
                                   Kernels.Identity?.none, layerNorm: (normWeight, normBias, Float(eps)))
            return out
        }
        let means = Tensor(uninitialized: [rows], dtype: .float32), rstds = Tensor(uninitialized: [rows], dtype: .float32)
        try Tensor.linearProduct(self, weight: weight, bias: bias, seed: residual, into: out, rows: rows)
        withExtendedLifetime((w, nb, means, rstds)) {
            let dst = out.floatPointer
            Tensor.layerNormRows(dst, w?.floatPointer, nb?.floatPointer, dst, means.floatPointer, rstds.floatPointer,
                                 rows: rows, length: outFeatures, eps: Float(eps))
        }
        return out
    }

    /// Whether autograd would record an op on `inputs` (the fused kernels have no backward).
    /// The most cores a few-row product (`SmallBatchProduct`) spreads over.
    nonisolated(unsafe) public static var smallProductThreads = Int.max

    /// Whether the fused linears multiply many rows with `PanelProduct` (false: sgemm, then
    /// separate passes for what follows the product), for comparing the two.
    nonisolated(unsafe) public static var usesPanelProducts = true

    static func recordsGradient(_ inputs: [Tensor]) -> Bool {
        GradMode.isEnabled && inputs.contains(where: { $0.requiresGrad })
    }
}

extension Kernels {
    /// activation(a + b): a bias and the activation after it in one pass.
    struct ActivationOfSum<Activation: UnaryVectorKernel>: BinaryVectorKernel {
        let activation: Activation
        @inline(__always) func callAsFunction(_ a: FastMath.Vector, _ b: FastMath.Vector) -> FastMath.Vector { activation(a + b) }
    }

    /// a + b.
    struct Sum: BinaryVectorKernel {
        @inline(__always) func callAsFunction(_ a: FastMath.Vector, _ b: FastMath.Vector) -> FastMath.Vector { a + b }
    }
}

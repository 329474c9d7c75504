import Dispatch

/// Layer normalisation and RMS normalisation over the trailing dims, computed in float32 with
/// fused forward and backward row kernels (the backward is the analytic formula, not a
/// composition of ops), rows split over cores.
extension Tensor {
    /// torch's layer_norm: (x - mean) / sqrt(var + eps) * weight + bias, with the mean and the
    /// biased variance taken over the trailing dims `normalizedShape`. `weight` and `bias`
    /// (either may be nil) have shape `normalizedShape`.
    public func layerNorm(normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                          eps: Double = 1e-5) throws -> Tensor {
        let length = try checkNormalizedShape(normalizedShape, weight: weight, bias: bias, op: "layer_norm")
        let rows = length == 0 ? 0 : count / length
        let x = denseFloat32()
        let w = weight?.denseFloat32(), b = bias?.denseFloat32()
        let out = Tensor(uninitialized: shape, dtype: .float32)
        let mean = Tensor(uninitialized: [rows], dtype: .float32)
        let rstd = Tensor(uninitialized: [rows], dtype: .float32)
        withExtendedLifetime((x, w, b, out, mean, rstd)) {
            Tensor.layerNormRows(x.floatPointer, w?.floatPointer, b?.floatPointer, out.floatPointer,
                                 mean.floatPointer, rstd.floatPointer, rows: rows, length: length,
                                 eps: Float(eps))
        }
        let result = restoringPrecision(out)
        let inputs = [self] + [weight, bias].compactMap { $0 }
        return Tensor.record(result, "NativeLayerNormBackward0", inputs) { g in
            let (dx, dw, db) = Tensor.layerNormBackward(
                g: g.denseFloat32(), x: x, weight: w, mean: mean, rstd: rstd, rows: rows, length: length,
                wantsWeight: weight?.requiresGrad ?? false, wantsBias: bias?.requiresGrad ?? false,
                rms: false)
            var grads: [Tensor?] = [self.requiresGrad ? self.restoringPrecision(dx) : nil]
            if let weight { grads.append(try dw.map { try weight.gradientShaped($0) }) }
            if let bias { grads.append(try db.map { try bias.gradientShaped($0) }) }
            return grads
        }
    }

    /// RMS normalisation as Llama uses it: x * rsqrt(mean(x^2) + eps) * weight, the mean taken
    /// over the trailing dims `normalizedShape` (the last dim when nil), computed in float32.
    /// `eps` defaults to float32's machine epsilon, as torch's rms_norm.
    public func rmsNorm(normalizedShape: [Int]? = nil, weight: Tensor? = nil,
                        eps: Double? = nil) throws -> Tensor {
        let normalized = normalizedShape ?? (rank == 0 ? [] : [shape[rank - 1]])
        let length = try checkNormalizedShape(normalized, weight: weight, bias: nil, op: "rms_norm")
        let rows = length == 0 ? 0 : count / length
        let epsilon = Float(eps ?? Double(Float.ulpOfOne))
        let x = denseFloat32()
        let w = weight?.denseFloat32()
        let out = Tensor(uninitialized: shape, dtype: .float32)
        let rstd = Tensor(uninitialized: [rows], dtype: .float32)
        withExtendedLifetime((x, w, out, rstd)) {
            Tensor.rmsNormRows(x.floatPointer, w?.floatPointer, out.floatPointer, rstd.floatPointer,
                               rows: rows, length: length, eps: epsilon)
        }
        let result = restoringPrecision(out)
        let inputs = [self] + [weight].compactMap { $0 }
        return Tensor.record(result, "RmsNormBackward0", inputs) { g in
            let (dx, dw, _) = Tensor.layerNormBackward(
                g: g.denseFloat32(), x: x, weight: w, mean: nil, rstd: rstd, rows: rows, length: length,
                wantsWeight: weight?.requiresGrad ?? false, wantsBias: false, rms: true)
            var grads: [Tensor?] = [self.requiresGrad ? self.restoringPrecision(dx) : nil]
            if let weight { grads.append(try dw.map { try weight.gradientShaped($0) }) }
            return grads
        }
    }

    /// Checks that the trailing dims are `normalizedShape` and that weight and bias have that
    /// shape; returns the number of elements normalised together.
    func checkNormalizedShape(_ normalizedShape: [Int], weight: Tensor?, bias: Tensor?, op: String) throws -> Int {
        guard !normalizedShape.isEmpty else {
            throw TensorError.invalidArgument(
                "\(op): Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []")
        }
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: op, dtype: dtype) }
        guard rank >= normalizedShape.count, Array(shape.suffix(normalizedShape.count)) == normalizedShape else {
            throw TensorError.shapeMismatch(
                "\(op): Given normalized_shape=\(normalizedShape.shapeString), expected input with shape [*, \(normalizedShape.map(String.init).joined(separator: ", "))], but got input of size\(shape.shapeString)")
        }
        for (name, parameter) in [("weight", weight), ("bias", bias)] {
            guard let parameter else { continue }
            guard parameter.shape == normalizedShape else {
                throw TensorError.shapeMismatch(
                    "\(op): Expected \(name) to be of same shape as normalized_shape, but got \(name) of shape \(parameter.shape.shapeString) and normalized_shape = \(normalizedShape.shapeString)")
            }
        }
        return normalizedShape.reduce(1, *)
    }

    /// A float32 gradient for this parameter, in its shape and dtype.
    func gradientShaped(_ gradient: Tensor) throws -> Tensor {
        try withNoGrad { try gradient.reshape(shape).to(dtype) }
    }

    // MARK: Forward kernels

    static func layerNormRows(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>?,
                              _ b: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>,
                              _ means: UnsafeMutablePointer<Float>, _ rstds: UnsafeMutablePointer<Float>,
                              rows: Int, length n: Int, eps: Float) {
        typealias V = FastMath.Vector
        let streaming = StreamingStores.worthwhile(count: rows * n, destination: y)
        Parallel.forEachChunk(rows, costPerElement: Swift.max(n, 1) * 3, alignment: 1) { range in
            for row in range {
                let src = x + row * n, dst = y + row * n
                // A large result goes straight to memory (streaming stores).
                let stream = streaming && StreamingStores.isAligned(dst)
                // Two passes over the (cache-resident) row: the mean, then squared deviations.
                let mean = sumContiguous(src, n) / Float(n)
                let m = V(repeating: mean)
                let raw = UnsafeRawPointer(src)
                var acc0 = V(), acc1 = V()
                var i = 0
                while i + 32 <= n {
                    let d0 = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) - m
                    let d1 = raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: V.self) - m
                    acc0 = acc0.addingProduct(d0, d0)
                    acc1 = acc1.addingProduct(d1, d1)
                    i += 32
                }
                var squares = (acc0 + acc1).sum()
                while i < n { let d = src[i] - mean; squares += d * d; i += 1 }
                let rstd = 1 / (squares / Float(n) + eps).squareRoot()
                means[row] = mean
                rstds[row] = rstd
                let s = V(repeating: rstd)
                let out = UnsafeMutableRawPointer(dst)
                i = 0
                while i + 16 <= n {
                    var v = (raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) - m) * s
                    if let w { v *= UnsafeRawPointer(w).loadUnaligned(fromByteOffset: i * 4, as: V.self) }
                    if let b { v += UnsafeRawPointer(b).loadUnaligned(fromByteOffset: i * 4, as: V.self) }
                    if stream { StreamingStores.store(v, to: dst + i) }
                    else { out.storeBytes(of: v, toByteOffset: i * 4, as: V.self) }
                    i += 16
                }
                while i < n {
                    var v = (src[i] - mean) * rstd
                    if let w { v *= w[i] }
                    if let b { v += b[i] }
                    dst[i] = v
                    i += 1
                }
            }
            if streaming { StreamingStores.fence() }
        }
    }

    static func rmsNormRows(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>?,
                            _ y: UnsafeMutablePointer<Float>, _ rstds: UnsafeMutablePointer<Float>,
                            rows: Int, length n: Int, eps: Float) {
        typealias V = FastMath.Vector
        Parallel.forEachChunk(rows, costPerElement: Swift.max(n, 1) * 2, alignment: 1) { range in
            for row in range {
                let src = x + row * n, dst = y + row * n
                let rstd = 1 / (dotProduct(src, src, n) / Float(n) + eps).squareRoot()
                rstds[row] = rstd
                let s = V(repeating: rstd)
                let raw = UnsafeRawPointer(src), out = UnsafeMutableRawPointer(dst)
                var i = 0
                while i + 16 <= n {
                    var v = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) * s
                    if let w { v *= UnsafeRawPointer(w).loadUnaligned(fromByteOffset: i * 4, as: V.self) }
                    out.storeBytes(of: v, toByteOffset: i * 4, as: V.self)
                    i += 16
                }
                while i < n {
                    var v = src[i] * rstd
                    if let w { v *= w[i] }
                    dst[i] = v
                    i += 1
                }
            }
        }
    }

    // MARK: Backward kernel

    /// Gradients of layer norm (or RMS norm when `rms`, where the mean is zero) with respect
    /// to the input, weight and bias. With xhat = (x - mean) * rstd and d = g * weight:
    /// dx = rstd * (d - mean(d) - xhat * mean(d * xhat)) (no mean(d) term for RMS norm),
    /// dweight = sum over rows of g * xhat, dbias = sum over rows of g.
    static func layerNormBackward(g: Tensor, x: Tensor, weight: Tensor?, mean: Tensor?, rstd: Tensor,
                                  rows: Int, length n: Int, wantsWeight: Bool, wantsBias: Bool,
                                  rms: Bool) -> (Tensor, Tensor?, Tensor?) {
        typealias V = FastMath.Vector
        let dx = Tensor(uninitialized: x.shape, dtype: .float32)
        // Each task sums its rows' weight and bias gradients into its own buffers.
        let tasks = Swift.min(Parallel.coreCount, Swift.max(1, rows * n * 4 / Parallel.minimumElementsPerTask))
        let chunk = (rows + tasks - 1) / Swift.max(tasks, 1)
        let partials = Tensor(zeros: [tasks, 2, n], dtype: .float32)
        withExtendedLifetime((g, x, weight, mean, rstd, dx, partials)) {
            let gp = g.floatPointer, xp = x.floatPointer, wp = weight?.floatPointer
            let mp = mean?.floatPointer, rp = rstd.floatPointer, dp = dx.floatPointer
            let pp = partials.floatPointer
            Parallel.perform(tasks) { task in
                let dwAcc = pp + task * 2 * n, dbAcc = dwAcc + n
                let start = task * chunk, end = Swift.min(rows, start + chunk)
                guard start < end else { return }
                for row in start..<end {
                    let gr = UnsafeRawPointer(gp + row * n), xr = UnsafeRawPointer(xp + row * n)
                    let mu = V(repeating: mp?[row] ?? 0), s = V(repeating: rp[row])
                    var sumD = V(), sumDX = V()
                    var i = 0
                    // Pass 1: mean(d), mean(d * xhat) and the parameter gradients.
                    while i + 16 <= n {
                        let gv = gr.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                        let xh = (xr.loadUnaligned(fromByteOffset: i * 4, as: V.self) - mu) * s
                        var d = gv
                        if let wp { d *= UnsafeRawPointer(wp).loadUnaligned(fromByteOffset: i * 4, as: V.self) }
                        sumD += d
                        sumDX = sumDX.addingProduct(d, xh)
                        if wantsWeight {
                            let slot = UnsafeMutableRawPointer(dwAcc)
                            let acc = slot.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                            slot.storeBytes(of: acc.addingProduct(gv, xh), toByteOffset: i * 4, as: V.self)
                        }
                        if wantsBias {
                            let slot = UnsafeMutableRawPointer(dbAcc)
                            let acc = slot.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                            slot.storeBytes(of: acc + gv, toByteOffset: i * 4, as: V.self)
                        }
                        i += 16
                    }
                    var meanD = sumD.sum(), meanDX = sumDX.sum()
                    let g0 = gp + row * n, x0 = xp + row * n
                    let muScalar = mp?[row] ?? 0, sScalar = rp[row]
                    for j in i..<n {
                        let xh = (x0[j] - muScalar) * sScalar
                        let d = g0[j] * (wp?[j] ?? 1)
                        meanD += d
                        meanDX += d * xh
                        if wantsWeight { dwAcc[j] += g0[j] * xh }
                        if wantsBias { dbAcc[j] += g0[j] }
                    }
                    meanD /= Float(n)
                    meanDX /= Float(n)
                    if rms { meanD = 0 }
                    // Pass 2: dx.
                    let a = V(repeating: meanD), c = V(repeating: meanDX)
                    let out = UnsafeMutableRawPointer(dp + row * n)
                    i = 0
                    while i + 16 <= n {
                        let xh = (xr.loadUnaligned(fromByteOffset: i * 4, as: V.self) - mu) * s
                        var d = gr.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                        if let wp { d *= UnsafeRawPointer(wp).loadUnaligned(fromByteOffset: i * 4, as: V.self) }
                        out.storeBytes(of: s * (d - a - xh * c), toByteOffset: i * 4, as: V.self)
                        i += 16
                    }
                    for j in i..<n {
                        let xh = (x0[j] - muScalar) * sScalar
                        let d = g0[j] * (wp?[j] ?? 1)
                        dp[row * n + j] = sScalar * (d - meanD - xh * meanDX)
                    }
                }
            }
        }
        func total(_ slot: Int) -> Tensor {
            let out = Tensor(zeros: [n], dtype: .float32)
            withExtendedLifetime((out, partials)) {
                let dst = out.floatPointer, src = partials.floatPointer
                for task in 0..<tasks {
                    let base = src + (task * 2 + slot) * n
                    for j in 0..<n { dst[j] += base[j] }
                }
            }
            return out
        }
        return (dx, wantsWeight ? total(0) : nil, wantsBias ? total(1) : nil)
    }
}

import COpenBLAS

/// One-dimensional convolution (audio front-ends need it), as im2col followed by sgemm.
extension Tensor {
    /// Convolves `[N, Cin, L]` (or unbatched `[Cin, L]`) with `weight` `[Cout, Cin / groups, K]`,
    /// as `torch.nn.functional.conv1d` (a cross-correlation). `padding` zeros are added on both
    /// ends. The result is `[N, Cout, Lout]` with
    /// `Lout = (L + 2 * padding - dilation * (K - 1) - 1) / stride + 1`.
    public func conv1d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                       dilation: Int = 1, groups: Int = 1) throws -> Tensor {
        guard padding >= 0 else { throw TensorError.invalidArgument("conv1d: negative padding is not supported (got \(padding))") }
        return try convolve1d(weight: weight, bias: bias, stride: stride, padLeft: padding, padRight: padding,
                              dilation: dilation, groups: groups)
    }

    /// `conv1d` with padding named as torch names it: `"valid"` (none) or `"same"` (the output
    /// is as long as the input; stride must be 1, and an odd total goes to the right end).
    public func conv1d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: String,
                       dilation: Int = 1, groups: Int = 1) throws -> Tensor {
        switch padding {
        case "valid":
            return try convolve1d(weight: weight, bias: bias, stride: stride, padLeft: 0, padRight: 0,
                                  dilation: dilation, groups: groups)
        case "same":
            guard stride == 1 else {
                throw TensorError.invalidArgument("padding='same' is not supported for strided convolutions")
            }
            guard weight.rank == 3, dilation >= 1 else {
                return try convolve1d(weight: weight, bias: bias, stride: stride, padLeft: 0, padRight: 0,
                                      dilation: dilation, groups: groups)
            }
            let total = dilation * (weight.shape[2] - 1)
            return try convolve1d(weight: weight, bias: bias, stride: stride, padLeft: total / 2,
                                  padRight: total - total / 2, dilation: dilation, groups: groups)
        default:
            throw TensorError.invalidArgument(
                "Invalid padding string '\(padding)', should be one of {'valid', 'same'}")
        }
    }

    private func convolve1d(weight: Tensor, bias: Tensor?, stride: Int, padLeft: Int, padRight: Int,
                            dilation: Int, groups: Int) throws -> Tensor {
        guard rank == 2 || rank == 3 else {
            throw TensorError.shapeMismatch(
                "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: \(shape.shapeString)")
        }
        guard weight.rank == 3 else {
            throw TensorError.shapeMismatch(
                "conv1d: weight must be 3-D [out_channels, in_channels / groups, kernel_size], but got weight of size \(weight.shape.shapeString)")
        }
        guard stride >= 1 else { throw TensorError.invalidArgument("conv1d: non-positive stride is not supported (got \(stride))") }
        guard dilation >= 1 else { throw TensorError.invalidArgument("conv1d: dilation should be greater than zero (got \(dilation))") }
        guard groups >= 1 else { throw TensorError.invalidArgument("conv1d: non-positive groups is not supported (got \(groups))") }
        try Tensor.checkProductTypes(self, weight, op: "conv1d")
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: "conv1d", dtype: dtype) }

        let batched = rank == 3
        let n = batched ? shape[0] : 1
        let inChannels = shape[rank - 2], length = shape[rank - 1]
        let outChannels = weight.shape[0], groupChannels = weight.shape[1], kernel = weight.shape[2]
        guard outChannels % groups == 0 else {
            throw TensorError.shapeMismatch(
                "Given groups=\(groups), expected weight to be divisible by \(groups) at dimension 0, but got weight of size \(weight.shape.shapeString) instead")
        }
        guard groupChannels * groups == inChannels else {
            throw TensorError.shapeMismatch(
                "Given groups=\(groups), weight of size \(weight.shape.shapeString), expected input\(shape.shapeString) to have \(groupChannels * groups) channels, but got \(inChannels) channels instead")
        }
        if let bias {
            try Tensor.checkProductTypes(self, bias, op: "conv1d")
            guard bias.rank == 1, bias.count == outChannels else {
                throw TensorError.shapeMismatch(
                    "Given weight of size \(weight.shape.shapeString), expected bias to be 1-dimensional with \(outChannels) elements, but got bias of size \(bias.shape.shapeString) instead")
            }
        }
        let padded = length + padLeft + padRight, span = dilation * (kernel - 1) + 1
        guard padded >= span, kernel >= 1 else {
            throw TensorError.shapeMismatch(
                "conv1d: calculated padded input size per channel: (\(padded)). Kernel size: (\(span)). Kernel size can't be greater than actual input size (input \(shape.shapeString), weight \(weight.shape.shapeString))")
        }
        let geometry = Conv1dGeometry(
            batch: n, inChannels: inChannels, length: length, outChannels: outChannels,
            kernel: kernel, groups: groups, stride: stride, padLeft: padLeft, dilation: dilation,
            outLength: (padded - span) / stride + 1)

        guard [geometry.outLength, geometry.columnRows, geometry.groupOut].allSatisfy({ $0 <= Int(Int32.max) }) else {
            throw TensorError.invalidArgument(
                "conv1d: input \(shape.shapeString) with weight \(weight.shape.shapeString) exceeds BLAS's 32-bit sizes")
        }
        let x = try detach().to(.float32).contiguous()
        let w = try weight.detach().to(.float32).contiguous()
        let b = try bias.map { try $0.detach().to(.float32).contiguous() }
        let out = geometry.forward(x, w, b)
        var result = batched ? out : try out.view([outChannels, geometry.outLength])
        if dtype != .float32 { result = try result.to(dtype) }

        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return Tensor.record(result, "ConvolutionBackward0", inputs) { [shape] g in
            let grad = try g.to(.float32).reshape([n, outChannels, geometry.outLength]).contiguous()
            let (gx, gw) = geometry.backward(grad, x, w, needInput: self.requiresGrad,
                                             needWeight: weight.requiresGrad)
            var grads: [Tensor?] = [try gx?.view(shape).to(self.dtype), try gw?.to(weight.dtype)]
            if let bias {
                grads.append(bias.requiresGrad ? try grad.sum(dims: [0, 2]).to(bias.dtype) : nil)
            }
            return grads
        }
    }
}

/// The sizes of one conv1d call and its im2col / sgemm / col2im kernels, all on dense float32.
struct Conv1dGeometry {
    let batch, inChannels, length, outChannels, kernel, groups, stride, padLeft, dilation, outLength: Int

    var groupIn: Int { inChannels / groups }
    var groupOut: Int { outChannels / groups }
    /// Rows of the column matrix: one per (input channel of the group, kernel tap).
    var columnRows: Int { groupIn * kernel }

    /// Output positions `t` whose tap `k` reads inside the input (the rest read padding zeros).
    @inline(__always)
    func validRange(tap k: Int) -> Range<Int> {
        let start = k * dilation - padLeft
        let low = start >= 0 ? 0 : (-start + stride - 1) / stride
        let last = length - 1 - start
        let high = last < 0 ? 0 : min(outLength, last / stride + 1)
        return low..<max(low, high)
    }

    /// Whether the column matrix is the input itself (a pointwise convolution).
    var isPointwise: Bool { kernel == 1 && stride == 1 && padLeft == 0 && outLength == length }

    /// Fills `columns` [columnRows, outLength] for sample `n`, group `g`.
    func im2col(_ x: UnsafePointer<Float>, n: Int, g: Int, into columns: UnsafeMutablePointer<Float>) {
        Parallel.forEachChunk(columnRows, costPerElement: outLength, alignment: 1) { rows in
            for row in rows {
                let c = row / kernel, k = row % kernel
                let src = x + (n * inChannels + g * groupIn + c) * length
                let dst = columns + row * outLength
                let valid = validRange(tap: k), start = k * dilation - padLeft
                dst.update(repeating: 0, count: valid.lowerBound)
                if stride == 1 {
                    (dst + valid.lowerBound).update(from: src + start + valid.lowerBound, count: valid.count)
                } else {
                    for t in valid { dst[t] = src[start + t * stride] }
                }
                (dst + valid.upperBound).update(repeating: 0, count: outLength - valid.upperBound)
            }
        }
    }

    /// Adds `columns` back into the input gradient for sample `n`, group `g` (col2im).
    func col2im(_ columns: UnsafePointer<Float>, n: Int, g: Int, into gx: UnsafeMutablePointer<Float>) {
        // Taps of one channel overlap, so work is split by channel.
        Parallel.forEachChunk(groupIn, costPerElement: kernel * outLength, alignment: 1) { channels in
            for c in channels {
                let dst = gx + (n * inChannels + g * groupIn + c) * length
                for k in 0..<kernel {
                    let src = columns + (c * kernel + k) * outLength
                    let start = k * dilation - padLeft
                    for t in validRange(tap: k) { dst[start + t * stride] += src[t] }
                }
            }
        }
    }

    func forward(_ x: Tensor, _ w: Tensor, _ bias: Tensor?) -> Tensor {
        let out = Tensor(uninitialized: [batch, outChannels, outLength], dtype: .float32)
        let columns = Tensor(uninitialized: isPointwise ? [0] : [columnRows, outLength], dtype: .float32)
        withExtendedLifetime((x, w, bias, out, columns)) {
            let px = x.floatPointer, pw = w.floatPointer, po = out.floatPointer, pcol = columns.floatPointer
            if columnRows == 0 && bias == nil { po.update(repeating: 0, count: out.count) }
            if let bias {
                let pb = bias.floatPointer
                for row in 0..<(batch * outChannels) {
                    (po + row * outLength).update(repeating: pb[row % outChannels], count: outLength)
                }
            }
            for n in 0..<batch where columnRows > 0 {
                for g in 0..<groups {
                    let cols: UnsafePointer<Float>
                    if isPointwise {
                        cols = UnsafePointer(px + (n * inChannels + g * groupIn) * length)
                    } else {
                        im2col(px, n: n, g: g, into: pcol)
                        cols = UnsafePointer(pcol)
                    }
                    // out[n, group rows] = W_g [groupOut, columnRows] @ columns [columnRows, outLength]
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                                Int32(groupOut), Int32(outLength), Int32(columnRows), 1,
                                pw + g * groupOut * columnRows, Int32(columnRows),
                                cols, Int32(outLength), bias == nil ? 0 : 1,
                                po + (n * outChannels + g * groupOut) * outLength, Int32(outLength))
                }
            }
        }
        return out
    }

    /// Gradients for the input `[N, Cin, L]` and the weight `[Cout, Cin/groups, K]` from the
    /// dense output gradient `[N, Cout, Lout]`.
    func backward(_ grad: Tensor, _ x: Tensor, _ w: Tensor, needInput: Bool,
                  needWeight: Bool) -> (Tensor?, Tensor?) {
        let gx = needInput ? Tensor(zeros: [batch, inChannels, length]) : nil
        let gw = needWeight ? Tensor(zeros: [outChannels, groupIn, kernel]) : nil
        let columns = Tensor(uninitialized: [columnRows, outLength], dtype: .float32)
        withExtendedLifetime((grad, x, w, gx, gw, columns)) {
            let pg = grad.floatPointer, px = x.floatPointer, pw = w.floatPointer
            let pcol = columns.floatPointer
            for n in 0..<batch where columnRows > 0 {
                for g in 0..<groups {
                    let gradRows = pg + (n * outChannels + g * groupOut) * outLength
                    if let gw {
                        let cols: UnsafePointer<Float>
                        if isPointwise {
                            cols = UnsafePointer(px + (n * inChannels + g * groupIn) * length)
                        } else {
                            im2col(px, n: n, g: g, into: pcol)
                            cols = UnsafePointer(pcol)
                        }
                        // gW_g += grad_ng [groupOut, Lout] @ columns^T [Lout, columnRows]
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                                    Int32(groupOut), Int32(columnRows), Int32(outLength), 1,
                                    gradRows, Int32(outLength), cols, Int32(outLength), 1,
                                    gw.floatPointer + g * groupOut * columnRows, Int32(columnRows))
                    }
                    if let gx {
                        // columns = W_g^T [columnRows, groupOut] @ grad_ng [groupOut, Lout]
                        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans,
                                    Int32(columnRows), Int32(outLength), Int32(groupOut), 1,
                                    pw + g * groupOut * columnRows, Int32(columnRows),
                                    gradRows, Int32(outLength), 0, pcol, Int32(outLength))
                        col2im(pcol, n: n, g: g, into: gx.floatPointer)
                    }
                }
            }
        }
        return (gx, gw)
    }
}

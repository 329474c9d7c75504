/// Softmax and log-softmax over one dim, numerically stable (the row maximum is subtracted
/// before exponentiating), with their gradients.
///
/// The work happens on dense float32 rows: the dim is moved last when it is not already
/// (a transposed copy), then each row takes one pass for the maximum, one vectorised pass for
/// exp and its sum, and one pass to scale; rows are split over cores.
extension Tensor {
    /// exp(x - max) / sum(exp(x - max)) along `dim`. A row that is all -inf gives NaN, as torch.
    public func softmax(dim: Int) throws -> Tensor {
        let axis = try self.axis(dim, op: "softmax")
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: "softmax", dtype: dtype) }
        let out = try rowwise(axis: axis) { x, y, rows, length in
            Tensor.softmaxRows(x, y, rows: rows, length: length, logarithm: false)
        }
        let saved = out.detach()
        return Tensor.record(out, "SoftmaxBackward0", [self]) { g in
            // dx = y * (g - sum(g * y))
            [try Tensor.rowwise(g, saved, axis: axis, dtype: g.dtype) { g, y, dx, rows, length in
                Tensor.softmaxBackwardRows(g, y, dx, rows: rows, length: length)
            }]
        }
    }

    /// x - max - log(sum(exp(x - max))) along `dim`.
    public func logSoftmax(dim: Int) throws -> Tensor {
        let axis = try self.axis(dim, op: "log_softmax")
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: "log_softmax", dtype: dtype) }
        let out = try rowwise(axis: axis) { x, y, rows, length in
            Tensor.softmaxRows(x, y, rows: rows, length: length, logarithm: true)
        }
        let saved = out.detach()
        return Tensor.record(out, "LogSoftmaxBackward0", [self]) { g in
            // dx = g - exp(y) * sum(g)
            [try Tensor.rowwise(g, saved, axis: axis, dtype: g.dtype) { g, y, dx, rows, length in
                Tensor.logSoftmaxBackwardRows(g, y, dx, rows: rows, length: length)
            }]
        }
    }

    // MARK: Layout

    /// Self as dense float32 rows along `axis` (the axis moved last when needed).
    func denseRows(axis: Int) throws -> Tensor {
        let last = Swift.max(rank - 1, 0)
        if axis == last { return denseFloat32() }
        return try withNoGrad { try transpose(axis, last).denseFloat32() }
    }

    /// Runs `kernel(source, destination, rows, length)` on self's rows along `axis` and
    /// returns the result in self's shape and dtype.
    func rowwise(axis: Int, _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int) -> Void) throws -> Tensor {
        let x = try denseRows(axis: axis)
        let length = rank == 0 ? 1 : shape[axis]
        let rows = length == 0 ? 0 : count / length
        let out = Tensor(uninitialized: x.shape, dtype: .float32)
        withExtendedLifetime((x, out)) { kernel(x.floatPointer, out.floatPointer, rows, length) }
        return try restoringPrecision(Tensor.movingBack(out, axis: axis, rank: rank))
    }

    /// As `rowwise` for two same-shaped operands (a gradient and a saved output).
    static func rowwise(_ a: Tensor, _ b: Tensor, axis: Int, dtype: DType,
                        _ kernel: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int) -> Void) throws -> Tensor {
        let x = try a.denseRows(axis: axis), y = try b.denseRows(axis: axis)
        let length = a.rank == 0 ? 1 : a.shape[axis]
        let rows = length == 0 ? 0 : a.count / length
        let out = Tensor(uninitialized: x.shape, dtype: .float32)
        withExtendedLifetime((x, y, out)) {
            kernel(x.floatPointer, y.floatPointer, out.floatPointer, rows, length)
        }
        let result = try movingBack(out, axis: axis, rank: a.rank)
        guard dtype == .float16 || dtype == .bfloat16 else { return result }
        return try withNoGrad { try result.to(dtype) }
    }

    /// Undoes `denseRows`' transpose, giving a dense tensor again.
    static func movingBack(_ rows: Tensor, axis: Int, rank: Int) throws -> Tensor {
        let last = Swift.max(rank - 1, 0)
        if axis == last { return rows }
        return try withNoGrad { try rows.transpose(axis, last).contiguous() }
    }

    // MARK: Row kernels

    /// The largest element of a row (-inf for an empty row).
    @inline(__always)
    static func rowMaximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        typealias V = FastMath.Vector
        let raw = UnsafeRawPointer(x)
        var m0 = V(repeating: -.infinity), m1 = m0
        var i = 0
        while i + 32 <= n {
            let a = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            let b = raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: V.self)
            m0 = m0.replacing(with: a, where: a .> m0)
            m1 = m1.replacing(with: b, where: b .> m1)
            i += 32
        }
        m0 = m0.replacing(with: m1, where: m1 .> m0)
        var m = horizontalMaximum(m0)
        while i < n { if x[i] > m { m = x[i] }; i += 1 }
        return m
    }

    /// The largest lane, folding halves with vector compares (the standard library's `max()`
    /// walks the 16 lanes one by one through memory, with NaN checks: longer than the row's
    /// vector work for short rows). NaN lanes are skipped, as in `rowMaximum`.
    @inline(__always)
    static func horizontalMaximum(_ v: FastMath.Vector) -> Float {
        var eight = v.lowHalf
        eight = eight.replacing(with: v.highHalf, where: v.highHalf .> eight)
        var four = eight.lowHalf
        four = four.replacing(with: eight.highHalf, where: eight.highHalf .> four)
        var two = four.lowHalf
        two = two.replacing(with: four.highHalf, where: four.highHalf .> two)
        return two[1] > two[0] ? two[1] : two[0]
    }

    /// The sum of the lanes as a tree of vector adds (halves, then quarters...), a short
    /// dependency chain where the standard library's `sum()` adds the lanes one after another.
    @inline(__always)
    static func horizontalSum(_ v: FastMath.Vector) -> Float {
        let eight = v.lowHalf + v.highHalf
        let four = eight.lowHalf + eight.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }

    /// softmax (or log-softmax) of each contiguous row, rows split over cores.
    static func softmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                            rows: Int, length n: Int, logarithm: Bool) {
        typealias V = FastMath.Vector
        // A large result is written with streaming stores: the exponentials go to a scratch
        // row in the cache, and only the scaled result goes out, straight to memory.
        let streaming = StreamingStores.worthwhile(count: rows * n, destination: y)
        Parallel.forEachChunk(rows, costPerElement: Swift.max(n, 1) * 4, alignment: 1) { range in
            let scratch: UnsafeMutablePointer<Float>? = streaming && !logarithm ? .allocate(capacity: n) : nil
            defer { scratch?.deallocate() }
            for row in range {
                let src = x + row * n, result = y + row * n
                let stream = streaming && StreamingStores.isAligned(result)
                let dst = stream ? (scratch ?? result) : result
                let m = rowMaximum(src, n)
                let shift = V(repeating: m)
                let input = UnsafeRawPointer(src), output = UnsafeMutableRawPointer(dst)
                // exp(x - max) and its sum; the padded tail lanes are -inf, so exp gives 0.
                var sum = V()
                var i = 0
                while i + 16 <= n {
                    let e = FastMath.expKernel(input.loadUnaligned(fromByteOffset: i * 4, as: V.self) - shift)
                    if !logarithm { output.storeBytes(of: e, toByteOffset: i * 4, as: V.self) }
                    sum += e
                    i += 16
                }
                if i < n {
                    var v = V(repeating: -.infinity)
                    for k in 0..<(n - i) { v[k] = src[i + k] }
                    let e = FastMath.expKernel(v - shift).replacing(with: 0, where: v .== V(repeating: -.infinity))
                    if !logarithm { for k in 0..<(n - i) { dst[i + k] = e[k] } }
                    sum += e
                }
                let total = horizontalSum(sum)
                if logarithm {
                    let offset = Kernels.Shift(amount: V(repeating: m + FastMath.log(total)))
                    if stream { FastMath.mapStreamingUnfenced(src, result, n, offset) }
                    else { FastMath.map(src, result, n, offset) }
                } else {
                    let scale = Kernels.Scale(factor: V(repeating: 1 / total))
                    if stream { FastMath.mapStreamingUnfenced(dst, result, n, scale) }
                    else { FastMath.map(dst, result, n, scale) }
                }
            }
            if streaming { StreamingStores.fence() }
        }
    }

    /// dx = y * (g - sum(g * y)) per row.
    static func softmaxBackwardRows(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                    _ dx: UnsafeMutablePointer<Float>, rows: Int, length n: Int) {
        Parallel.forEachChunk(rows, costPerElement: Swift.max(n, 1) * 2, alignment: 1) { range in
            for row in range {
                let gr = g + row * n, yr = y + row * n
                let dot = dotProduct(gr, yr, n)
                FastMath.zip(gr, yr, dx + row * n, n, Kernels.SoftmaxSlope(dot: FastMath.Vector(repeating: dot)))
            }
        }
    }

    /// dx = g - exp(y) * sum(g) per row.
    static func logSoftmaxBackwardRows(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                       _ dx: UnsafeMutablePointer<Float>, rows: Int, length n: Int) {
        Parallel.forEachChunk(rows, costPerElement: Swift.max(n, 1) * 4, alignment: 1) { range in
            for row in range {
                let gr = g + row * n, yr = y + row * n
                let total = sumContiguous(gr, n)
                FastMath.zip(gr, yr, dx + row * n, n, Kernels.LogSoftmaxSlope(total: FastMath.Vector(repeating: total)))
            }
        }
    }

    /// sum(a[i] * b[i]) over n contiguous floats, two vector accumulators.
    @inline(__always)
    static func dotProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        typealias V = FastMath.Vector
        let pa = UnsafeRawPointer(a), pb = UnsafeRawPointer(b)
        var acc0 = V(), acc1 = V()
        var i = 0
        while i + 32 <= n {
            acc0 = acc0.addingProduct(pa.loadUnaligned(fromByteOffset: i * 4, as: V.self),
                                      pb.loadUnaligned(fromByteOffset: i * 4, as: V.self))
            acc1 = acc1.addingProduct(pa.loadUnaligned(fromByteOffset: (i + 16) * 4, as: V.self),
                                      pb.loadUnaligned(fromByteOffset: (i + 16) * 4, as: V.self))
            i += 32
        }
        var total = (acc0 + acc1).sum()
        while i < n { total += a[i] * b[i]; i += 1 }
        return total
    }
}

extension Kernels {
    /// x - amount.
    struct Shift: UnaryVectorKernel {
        let amount: FastMath.Vector
        @inline(__always) func callAsFunction(_ x: FastMath.Vector) -> FastMath.Vector { x - amount }
    }

    /// x * factor.
    struct Scale: UnaryVectorKernel {
        let factor: FastMath.Vector
        @inline(__always) func callAsFunction(_ x: FastMath.Vector) -> FastMath.Vector { x * factor }
    }

    /// y * (g - dot), the softmax gradient of one row.
    struct SoftmaxSlope: BinaryVectorKernel {
        let dot: FastMath.Vector
        @inline(__always)
        func callAsFunction(_ g: FastMath.Vector, _ y: FastMath.Vector) -> FastMath.Vector { y * (g - dot) }
    }

    /// g - exp(y) * total, the log-softmax gradient of one row.
    struct LogSoftmaxSlope: BinaryVectorKernel {
        let total: FastMath.Vector
        @inline(__always)
        func callAsFunction(_ g: FastMath.Vector, _ y: FastMath.Vector) -> FastMath.Vector {
            g - FastMath.expKernel(y) * total
        }
    }
}

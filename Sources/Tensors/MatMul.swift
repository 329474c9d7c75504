import COpenBLAS
import Dispatch
import Foundation

/// Counters that let tests see how matrix products reached OpenBLAS.
///
/// A transposed view (`w.T`, `k.transpose(-1, -2)`) is handed to sgemm as `CblasTrans` with its
/// own leading dimension; only layouts sgemm cannot express (a stride-0 or gappy inner dim)
/// are copied first, and each such copy is counted here. The counters are plain globals, only
/// exact when matrix products do not run on several threads at once.
public enum MatMulDiagnostics {
    /// Operands copied to a dense layout because BLAS could not read them in place.
    nonisolated(unsafe) public static var operandCopies = 0
    /// BLAS calls made (sgemm, sgemv or sdot), one per matrix product in a batch.
    nonisolated(unsafe) public static var blasCalls = 0
}

/// OpenBLAS's thread count is one global setting; batches of small products lower it to one
/// while each core runs its own products, then restore it. The lock keeps two such batches from
/// restoring each other's value.
enum BLASThreads {
    private static let lock = NSLock()

    static func withSingleThreadedBLAS(_ body: () -> Void) {
        lock.lock(); defer { lock.unlock() }
        let previous = openblas_get_num_threads()
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(previous) }
        body()
    }
}

/// How one matrix operand is read by BLAS: row-major as stored, or as the transpose of a
/// row-major matrix, with the distance between stored rows.
struct BLASLayout {
    let transposed: Bool
    let leading: Int

    /// The layout for a `rows x cols` matrix with the given element strides, or nil when
    /// BLAS cannot read it in place. Size-1 dims place no constraint on their stride.
    init?(rows: Int, cols: Int, rowStride: Int, colStride: Int) {
        if cols <= 1 || colStride == 1 {
            let ld = rows <= 1 ? max(cols, 1) : rowStride
            if ld >= max(cols, 1) && ld <= Int(Int32.max) { transposed = false; leading = ld; return }
        }
        if rows <= 1 || rowStride == 1 {
            let ld = cols <= 1 ? max(rows, 1) : colStride
            if ld >= max(rows, 1) && ld <= Int(Int32.max) { transposed = true; leading = ld; return }
        }
        return nil
    }

    /// The layout of a dense row-major matrix with `cols` columns.
    init(denseColumns cols: Int) {
        transposed = false
        leading = max(cols, 1)
    }

    var blasTranspose: CBLAS_TRANSPOSE { transposed ? CblasTrans : CblasNoTrans }
}

extension Tensor {
    // MARK: Public products

    /// The matrix product of two tensors with `torch.matmul`'s rules.
    ///
    /// - 1-D · 1-D: the dot product (a 0-d tensor).
    /// - 2-D × 2-D: the matrix product.
    /// - 1-D operands are promoted to a matrix (a row on the left, a column on the right) and the
    ///   added dim is removed from the result.
    /// - N-D: a batch of matrix products over the last two dims; the batch dims broadcast.
    ///
    /// Float operands run through OpenBLAS (half precision is computed in float32 and converted
    /// back); transposed views are read in place, not copied. Integer operands are multiplied
    /// exactly in int64. Mismatched dtypes or inner dims throw, naming both shapes.
    public func matmul(_ other: Tensor) throws -> Tensor {
        let a = self, b = other
        guard a.rank >= 1, b.rank >= 1 else {
            throw TensorError.invalidArgument(
                "both arguments to matmul need to be at least 1D, but they are \(a.rank)D and \(b.rank)D")
        }
        try Tensor.checkProductTypes(a, b, op: "matmul")
        // Work on promoted, detached views; the backward below undoes the promotion.
        let a2 = a.rank == 1 ? try a.detach().unsqueeze(0) : a.detach()
        let b2 = b.rank == 1 ? try b.detach().unsqueeze(-1) : b.detach()
        let n = a2.shape[a2.rank - 2], m = a2.shape[a2.rank - 1]
        let m2 = b2.shape[b2.rank - 2], p = b2.shape[b2.rank - 1]
        guard m == m2 else {
            throw TensorError.shapeMismatch(
                "mat1 and mat2 shapes cannot be multiplied (\(Tensor.dimsString(a2.shape)) and \(Tensor.dimsString(b2.shape)))")
        }
        let batch = try Tensor.productBatchShape(a2.shape, b2.shape, op: "matmul")
        var outShape = batch
        if a.rank > 1 { outShape.append(n) }
        if b.rank > 1 { outShape.append(p) }

        if a.dtype.isIntegral {
            return try Tensor.integerProduct(a2, b2, batch: batch).view(outShape)
        }
        let full = try Tensor.floatProduct(a2.to(.float32), b2.to(.float32), batch: batch)
        var result = try full.view(outShape)
        if a.dtype != .float32 { result = try result.to(a.dtype) }

        let name = a.rank == 1 && b.rank == 1 ? "DotBackward0"
            : a.rank == 2 && b.rank == 2 ? "MmBackward0"
            : a.rank == 2 && b.rank == 1 ? "MvBackward0" : "BmmBackward0"
        return Tensor.record(result, name, [a, b]) { g in
            let grad = try g.to(.float32).reshape(batch + [n, p])
            let x = try a2.to(.float32), y = try b2.to(.float32)
            var gradA: Tensor?, gradB: Tensor?
            if a.requiresGrad {
                let full = try Tensor.floatProduct(grad, y.transpose(-1, -2))
                gradA = try full.sumToShape(a2.shape).reshape(a.shape).to(a.dtype)
            }
            if b.requiresGrad {
                let full: Tensor
                if y.rank == 2 && x.rank > 2 {
                    // A shared right matrix: fold the batch into rows, one product, no sum.
                    let rows = try x.reshape([-1, m]), gradRows = try grad.reshape([-1, p])
                    full = try Tensor.floatProduct(rows.transpose(0, 1), gradRows)
                } else {
                    full = try Tensor.floatProduct(x.transpose(-1, -2), grad)
                }
                gradB = try full.sumToShape(b2.shape).reshape(b.shape).to(b.dtype)
            }
            return [gradA, gradB]
        }
    }

    /// The batched matrix product of `[B, n, m]` and `[B, m, p]` (no broadcasting), as `torch.bmm`.
    public func bmm(_ other: Tensor) throws -> Tensor {
        guard rank == 3 else { throw TensorError.invalidArgument("batch1 must be a 3D tensor (got shape \(shape.shapeString))") }
        guard other.rank == 3 else { throw TensorError.invalidArgument("batch2 must be a 3D tensor (got shape \(other.shape.shapeString))") }
        guard other.shape[0] == shape[0], other.shape[1] == shape[2] else {
            throw TensorError.shapeMismatch(
                "Expected size for first two dimensions of batch2 tensor to be: [\(shape[0]), \(shape[2])] but got: [\(other.shape[0]), \(other.shape[1])] (shapes \(shape.shapeString) and \(other.shape.shapeString))")
        }
        return try matmul(other)
    }

    /// `x @ weight^T + bias` over the last dim of `x` (any leading dims), as
    /// `torch.nn.functional.linear`. `weight` is `[out, in]`, `bias` is `[out]`.
    ///
    /// The weight is read transposed in place and the bias is added by the same sgemm call
    /// (it seeds the output), so a layer costs one BLAS call.
    public func linear(weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        guard rank >= 1 else {
            throw TensorError.invalidArgument("linear: input must be at least 1-D (got a 0-D tensor)")
        }
        guard weight.rank == 2 else {
            throw TensorError.invalidArgument(
                "linear: weight must be 2-D [out_features, in_features] (got shape \(weight.shape.shapeString))")
        }
        try Tensor.checkProductTypes(self, weight, op: "linear")
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: "linear", dtype: dtype) }
        let inFeatures = shape[rank - 1], outFeatures = weight.shape[0]
        let rows = shape.dropLast().reduce(1, *)
        guard weight.shape[1] == inFeatures else {
            throw TensorError.shapeMismatch(
                "mat1 and mat2 shapes cannot be multiplied (\(rows)x\(inFeatures) and \(weight.shape[1])x\(outFeatures))")
        }
        if let bias {
            try Tensor.checkProductTypes(self, bias, op: "linear")
            guard bias.count == outFeatures, bias.rank <= 1 else {
                throw TensorError.shapeMismatch(
                    "linear: bias of shape \(bias.shape.shapeString) does not match weight of shape \(weight.shape.shapeString)")
            }
        }
        let x = try detach().to(.float32).reshape([rows, inFeatures])
        let w = try weight.detach().to(.float32)
        let out = Tensor(uninitialized: [rows, outFeatures], dtype: .float32)
        let b = try bias?.detach().to(.float32).contiguous()
        if Tensor.usesPanelProduct(rows: rows, weight: w) {
            // Many rows (a training batch): the weight's panels are kept with it, the bias is
            // added as each tile is stored.
            try Tensor.panelLinear(x, weight: w, bias: b, into: out, rows: rows, Kernels.Identity?.none)
        } else {
            var beta: Float = 0
            if let b {
                withExtendedLifetime(b) {
                    let src = b.floatPointer, dst = out.floatPointer
                    for r in 0..<rows { (dst + r * outFeatures).update(from: src, count: outFeatures) }
                }
                beta = 1
            }
            try Tensor.floatProduct(x, w.transpose(0, 1), batch: [], into: out, beta: beta)
        }
        var result = try out.view(Array(shape.dropLast()) + [outFeatures])
        if dtype != .float32 { result = try result.to(dtype) }

        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return Tensor.record(result, "AddmmBackward0", inputs) { [shape] g in
            let grad = try g.to(.float32).reshape([rows, outFeatures])
            var grads: [Tensor?] = []
            grads.append(self.requiresGrad
                ? try Tensor.productWithTransposed(grad, w.transpose(0, 1)).view(shape).to(self.dtype) : nil)
            grads.append(weight.requiresGrad
                ? try Tensor.productWithTransposed(grad.transpose(0, 1), x.transpose(0, 1)).to(weight.dtype) : nil)
            if let bias {
                grads.append(bias.requiresGrad
                    ? try grad.sum(dims: [0]).reshape(bias.shape).to(bias.dtype) : nil)
            }
            return grads
        }
    }

    /// `a [m, k] @ b [n, k]^T` (a new dense `[m, n]`) for float32 matrices of any strides, as
    /// the gradients of a linear layer need them. Many rows and enough depth go through
    /// `PanelProduct` with `b` packed for this product only (gradients and activations change
    /// every step, so nothing is kept); the rest through sgemm.
    public static func productWithTransposed(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.rank == 2, b.rank == 2, a.dtype == .float32, b.dtype == .float32, a.shape[1] == b.shape[1] else {
            throw TensorError.shapeMismatch(
                "productWithTransposed: needs float32 matrices [m, k] and [n, k] (got \(a.dtype) \(a.shape.shapeString) and \(b.dtype) \(b.shape.shapeString))")
        }
        let m = a.shape[0], k = a.shape[1], n = b.shape[0]
        guard PanelProduct.isEnabled, m > SmallBatchProduct.maximumRows, k >= PanelProduct.minimumDepth, n > 0 else {
            return try floatProduct(a, b.transpose(0, 1))
        }
        let out = Tensor(uninitialized: [m, n], dtype: .float32)
        let packed = withExtendedLifetime(b) {
            PanelProduct.PackedWeight(b.floatPointer, outputs: n, depth: k, outputStride: b.strides[0], depthStride: b.strides[1])
        }
        withExtendedLifetime((a, out, packed)) {
            PanelProduct.multiply(a.floatPointer, rows: m, inputStride: a.strides[0], inputDepthStride: a.strides[1], packed,
                                  into: out.floatPointer, PanelProduct.Finish<Kernels.Identity>())
        }
        return out
    }

    // MARK: Checks and shapes

    /// Matrix products need one dtype on both sides (torch does not promote here).
    static func checkProductTypes(_ a: Tensor, _ b: Tensor, op: String) throws {
        guard a.dtype == b.dtype else {
            throw TensorError.invalidArgument(
                "\(op): expected both operands to have the same dtype, but got \(a.dtype) != \(b.dtype) (shapes \(a.shape.shapeString) and \(b.shape.shapeString))")
        }
        guard a.dtype != .bool else { throw TensorError.unsupportedDType(op: op, dtype: .bool) }
    }

    /// Shapes as torch prints them in product errors: `2x3`.
    static func dimsString(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }

    /// The broadcast batch dims of two operands of rank >= 2.
    static func productBatchShape(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        do {
            return try broadcastShapes(Array(a.dropLast(2)), Array(b.dropLast(2)), op: op)
        } catch {
            throw TensorError.shapeMismatch(
                "\(op): batch dimensions of shapes \(a.shapeString) and \(b.shapeString) cannot be broadcast")
        }
    }

    // MARK: Kernels

    /// `a @ b` for float32 operands of rank >= 2 whose batch dims broadcast: a new dense tensor
    /// of shape `batch + [n, p]`.
    static func floatProduct(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let batch = try productBatchShape(a.shape, b.shape, op: "matmul")
        return try floatProduct(a, b, batch: batch)
    }

    static func floatProduct(_ a: Tensor, _ b: Tensor, batch: [Int]) throws -> Tensor {
        let n = a.shape[a.rank - 2], p = b.shape[b.rank - 1]
        let out = Tensor(uninitialized: batch + [n, p], dtype: .float32)
        try floatProduct(a, b, batch: batch, into: out, beta: 0)
        return out
    }

    /// `out = a @ b + beta * out` over the broadcast batch, with `out` dense `batch + [n, p]`.
    ///
    /// Each operand keeps its own strides: batch dims are walked by pointer offsets (stride 0
    /// where an operand is broadcast, so a shared matrix is reused, never copied), and the
    /// matrix dims are described to BLAS as transposed or not with their leading dimension.
    static func floatProduct(_ a: Tensor, _ b: Tensor, batch: [Int], into out: Tensor, beta: Float) throws {
        let n = a.shape[a.rank - 2], m = a.shape[a.rank - 1], p = b.shape[b.rank - 1]
        let batchCount = batch.reduce(1, *)
        guard [n, m, p, batchCount * n, batchCount * p].allSatisfy({ $0 <= Int(Int32.max) }) else {
            throw TensorError.invalidArgument(
                "matmul: shapes \(a.shape.shapeString) and \(b.shape.shapeString) exceed BLAS's 32-bit sizes")
        }
        if n == 0 || p == 0 || batchCount == 0 { return }
        if m == 0 {
            if beta == 0 { out.floatPointer.update(repeating: 0, count: out.count) }
            return
        }

        // One tall product when the right matrix is shared and the left one's batch and row
        // dims merge into a single strided dim (x[B, T, d] @ W): fewer, bigger BLAS calls.
        if b.rank == 2, a.rank > 2, batchCount > 1, a.count == batchCount * n * m,
           let merged = viewStrides(a.shape, a.strides, [batchCount * n, m]),
           let la = BLASLayout(rows: batchCount * n, cols: m, rowStride: merged[0], colStride: merged[1]),
           let lb = BLASLayout(rows: m, cols: p, rowStride: b.strides[0], colStride: b.strides[1]) {
            MatMulDiagnostics.blasCalls += 1
            withExtendedLifetime((a, b, out)) {
                onBLASThreads(forVolume: batchCount * n * m * p) {
                    gemm(a.floatPointer, la, rowStrideA: merged[0], colStrideA: merged[1],
                         b.floatPointer, lb, rowStrideB: b.strides[0], colStrideB: b.strides[1],
                         out.floatPointer, n: batchCount * n, m: m, p: p, beta: beta)
                }
            }
            return
        }

        let (x, la) = blasReadable(a)
        let (y, lb) = blasReadable(b)
        let xs = x.strides, ys = y.strides
        let stridesA = batchStrides(x, batch), stridesB = batchStrides(y, batch)
        // Pointer offsets of each product's operands, walking the batch index like an odometer.
        var offsets = [(Int, Int)](repeating: (0, 0), count: batchCount)
        var index = [Int](repeating: 0, count: batch.count)
        var offA = 0, offB = 0
        for item in 0..<batchCount {
            offsets[item] = (offA, offB)
            var axis = batch.count - 1
            while axis >= 0 {
                index[axis] += 1
                offA += stridesA[axis]; offB += stridesB[axis]
                if index[axis] < batch[axis] { break }
                offA -= index[axis] * stridesA[axis]; offB -= index[axis] * stridesB[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        MatMulDiagnostics.blasCalls += batchCount
        withExtendedLifetime((x, y, out)) {
            let pa = x.floatPointer, pb = y.floatPointer, pc = out.floatPointer
            let run = { (items: Range<Int>) in
                for item in items {
                    gemm(pa + offsets[item].0, la, rowStrideA: xs[xs.count - 2], colStrideA: xs[xs.count - 1],
                         pb + offsets[item].1, lb, rowStrideB: ys[ys.count - 2], colStrideB: ys[ys.count - 1],
                         pc + item * n * p, n: n, m: m, p: p, beta: beta)
                }
            }
            // Small products (attention heads) gain little from OpenBLAS splitting each one and
            // pay a thread hand-off per call; giving each core whole products is faster.
            let cores = Parallel.coreCount
            if batchCount >= 2 && cores > 1 && n * m * p <= smallProductVolume {
                BLASThreads.withSingleThreadedBLAS {
                    // Several tasks per core, handed out dynamically: a core slowed by other
                    // work takes fewer products instead of holding up the whole batch.
                    let tasks = Swift.min(batchCount, 4 * cores), chunk = (batchCount + tasks - 1) / tasks
                    Parallel.perform((batchCount + chunk - 1) / chunk) { task in
                        run(task * chunk..<Swift.min(batchCount, (task + 1) * chunk))
                    }
                }
            } else {
                onBLASThreads(forVolume: batchCount * n * m * p) { run(0..<batchCount) }
            }
        }
    }

    /// Multiply-adds per product below which a batch is split across cores by whole products.
    static let smallProductVolume = 1 << 22

    /// Runs BLAS work of `volume` multiply-adds: on the calling thread alone when it is small.
    /// OpenBLAS hands a product of a few million multiply-adds to its second thread for a gain
    /// of tens of microseconds, and that thread then spins for a long while waiting for more
    /// work, taking a core from the workers of the ops that follow (a fifth of both cores'
    /// time in a training step of a small MLP, whose big products run on those workers).
    @inline(__always)
    static func onBLASThreads(forVolume volume: Int, _ body: () -> Void) {
        if volume <= smallProductVolume && Parallel.coreCount > 1 {
            BLASThreads.withSingleThreadedBLAS(body)
        } else {
            body()
        }
    }

    /// The operand itself when BLAS can read its matrix dims in place, else a dense copy.
    private static func blasReadable(_ t: Tensor) -> (Tensor, BLASLayout) {
        let r = t.rank
        if let layout = BLASLayout(rows: t.shape[r - 2], cols: t.shape[r - 1],
                                   rowStride: t.strides[r - 2], colStride: t.strides[r - 1]) {
            return (t, layout)
        }
        MatMulDiagnostics.operandCopies += 1
        // Copy the operand at its own (unbroadcast) size: expanded batch dims stay stride 0.
        let dense = withNoGrad { t.detach().contiguous() }
        return (dense, BLASLayout(denseColumns: t.shape[r - 1]))
    }

    /// An operand's element strides along the output's batch dims (0 where it broadcasts).
    private static func batchStrides(_ t: Tensor, _ batch: [Int]) -> [Int] {
        let own = t.rank - 2, lead = batch.count - own
        return (0..<batch.count).map { i in
            let d = i - lead
            return d >= 0 && t.shape[d] != 1 ? t.strides[d] : 0
        }
    }

    /// One product `c[n, p] = a[n, m] @ b[m, p] + beta * c` with dense `c`, through sdot,
    /// sgemv or sgemm depending on which dims are 1.
    @inline(__always)
    private static func gemm(_ a: UnsafePointer<Float>, _ la: BLASLayout, rowStrideA: Int, colStrideA: Int,
                             _ b: UnsafePointer<Float>, _ lb: BLASLayout, rowStrideB: Int, colStrideB: Int,
                             _ c: UnsafeMutablePointer<Float>, n: Int, m: Int, p: Int, beta: Float) {
        // A valid layout guarantees a positive stride along any dim longer than 1.
        let incA = Int32(m > 1 ? colStrideA : 1), incB = Int32(m > 1 ? rowStrideB : 1)
        if n == 1 && p == 1 {
            c[0] = cblas_sdot(Int32(m), a, incA, b, incB) + (beta == 0 ? 0 : beta * c[0])
        } else if n == 1 {
            // A row vector times b: y[p] = b^T x.
            if lb.transposed {
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(p), Int32(m), 1, b, Int32(lb.leading),
                            a, incA, beta, c, 1)
            } else {
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(p), 1, b, Int32(lb.leading),
                            a, incA, beta, c, 1)
            }
        } else if p == 1 {
            // a times a column vector: y[n] = a x.
            if la.transposed {
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(n), 1, a, Int32(la.leading),
                            b, incB, beta, c, 1)
            } else {
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(m), 1, a, Int32(la.leading),
                            b, incB, beta, c, 1)
            }
        } else {
            cblas_sgemm(CblasRowMajor, la.blasTranspose, lb.blasTranspose, Int32(n), Int32(p), Int32(m),
                        1, a, Int32(la.leading), b, Int32(lb.leading), beta, c, Int32(p))
        }
    }

    /// Exact integer products in int64 (BLAS has none); the result keeps the operands' dtype.
    static func integerProduct(_ a: Tensor, _ b: Tensor, batch: [Int]) throws -> Tensor {
        let n = a.shape[a.rank - 2], m = a.shape[a.rank - 1], p = b.shape[b.rank - 1]
        let x = try a.to(.int64).expand(batch + [n, m]).contiguous()
        let y = try b.to(.int64).expand(batch + [m, p]).contiguous()
        let out = Tensor(zeros: batch + [n, p], dtype: .int64)
        let batchCount = batch.reduce(1, *)
        withExtendedLifetime((x, y)) {
            let px = x.pointer(as: Int64.self), py = y.pointer(as: Int64.self)
            let pc = out.pointer(as: Int64.self)
            for item in 0..<batchCount {
                let xa = px + item * n * m, yb = py + item * m * p, cc = pc + item * n * p
                for i in 0..<n {
                    for k in 0..<m {
                        let s = xa[i * m + k]
                        if s == 0 { continue }
                        for j in 0..<p { cc[i * p + j] &+= s &* yb[k * p + j] }
                    }
                }
            }
        }
        return try out.to(a.dtype)
    }
}

import Foundation

/// How a loss combines its per-element values: torch's `reduction` argument.
public enum LossReduction: String, Sendable {
    /// One loss per element, in the targets' shape.
    case none
    /// The mean (over non-ignored targets for the class-index losses).
    case mean
    /// The sum.
    case sum
}

/// The losses language models train with: cross entropy (class indices or class
/// probabilities, with ignore_index and label smoothing), negative log-likelihood, and mean
/// squared error, as torch.nn.functional computes them, with gradients.
extension Tensor {
    /// torch's cross_entropy. `logits` is [C], [N, C] or [N, C, d1, ...]; `targets` holds
    /// class indices (integers) of shape [], [N] or [N, d1, ...], or class probabilities
    /// (floats) of the logits' shape. Targets equal to `ignoreIndex` contribute nothing and
    /// are left out of the mean. `labelSmoothing` mixes the target with a uniform
    /// distribution over the C classes.
    public static func crossEntropy(_ logits: Tensor, _ targets: Tensor, ignoreIndex: Int = -100,
                                    reduction: LossReduction = .mean,
                                    labelSmoothing: Double = 0) throws -> Tensor {
        guard logits.dtype.isFloatingPoint else {
            throw TensorError.unsupportedDType(op: "cross_entropy", dtype: logits.dtype)
        }
        guard (0...1).contains(labelSmoothing) else {
            throw TensorError.invalidArgument(
                "cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: \(labelSmoothing)")
        }
        if targets.dtype.isFloatingPoint {
            guard targets.shape == logits.shape else {
                throw TensorError.invalidArgument(
                    "cross_entropy: expected target of dtype torch.int64 (class indices) of shape \(classIndexShape(logits).shapeString), or class probabilities of the input's shape \(logits.shape.shapeString), but got target of dtype \(targets.dtype) and shape \(targets.shape.shapeString)")
            }
            return try crossEntropyWithProbabilities(logits, targets, reduction: reduction,
                                                     labelSmoothing: labelSmoothing)
        }
        let (rowsTensor, classes) = try classRows(logits, targets, op: "cross_entropy")
        let rows = targets.count
        let labels = targets.toInt64Array()
        try checkLabels(labels, classes: classes, ignoreIndex: ignoreIndex)
        let smoothing = Float(labelSmoothing)

        // Per row: the loss and log-sum-exp (kept for the gradient).
        var losses = [Float](repeating: 0, count: rows)
        var logSumExp = [Float](repeating: 0, count: rows)
        withExtendedLifetime(rowsTensor) {
            let x = rowsTensor.floatPointer
            losses.withUnsafeMutableBufferPointer { lossOut in
                logSumExp.withUnsafeMutableBufferPointer { lseOut in
                    let lossPointer = lossOut.baseAddress!, lsePointer = lseOut.baseAddress!
                    Parallel.forEachChunk(rows, costPerElement: Swift.max(classes, 1) * 2, alignment: 1) { range in
                        for row in range {
                            let label = labels[row]
                            if label == Int64(ignoreIndex) { continue }
                            let src = x + row * classes
                            let lse = logSumExpRow(src, classes)
                            lsePointer[row] = lse
                            var loss = lse - src[Int(label)]
                            if smoothing > 0 {
                                // Uniform part: mean over classes of -log p = lse - mean(x).
                                let uniform = lse - sumContiguous(src, classes) / Float(classes)
                                loss = (1 - smoothing) * loss + smoothing * uniform
                            }
                            lossPointer[row] = loss
                        }
                    }
                }
            }
        }
        let kept = labels.reduce(0) { $0 + ($1 == Int64(ignoreIndex) ? 0 : 1) }
        let out = try reduceLosses(losses, shape: targets.shape, reduction: reduction, count: kept)
        let result = logits.dtype == .float32 ? out : try withNoGrad { try out.to(logits.dtype) }
        let savedLogSumExp = logSumExp
        return record(result, "NllLossBackward0", [logits]) { g in
            // d loss / d x_c = (softmax_c - (1 - s) [c == t] - s / C) * scale_row.
            let scales = try rowScales(g, rows: rows, reduction: reduction, count: kept)
            let grad = Tensor(uninitialized: rowsTensor.shape, dtype: .float32)
            withExtendedLifetime((rowsTensor, grad)) {
                let x = rowsTensor.floatPointer, dst = grad.floatPointer
                Parallel.forEachChunk(rows, costPerElement: Swift.max(classes, 1) * 2, alignment: 1) { range in
                    for row in range {
                        let out = dst + row * classes
                        let label = labels[row]
                        if label == Int64(ignoreIndex) || scales[row] == 0 {
                            out.update(repeating: 0, count: classes)
                            continue
                        }
                        let scale = scales[row]
                        FastMath.map(x + row * classes, out, classes,
                                     Kernels.SmoothedSoftmaxSlope(shift: FastMath.Vector(repeating: savedLogSumExp[row]),
                                                          scale: FastMath.Vector(repeating: scale),
                                                          uniform: FastMath.Vector(repeating: smoothing / Float(classes))))
                        out[Int(label)] -= (1 - smoothing) * scale
                    }
                }
            }
            return [try movingClassesBack(grad, like: logits)]
        }
    }

    /// torch's nll_loss: the negated entry at each target class of `input` (log
    /// probabilities, [C], [N, C] or [N, C, d1, ...]), with ignore_index and reduction.
    public static func nllLoss(_ input: Tensor, _ targets: Tensor, ignoreIndex: Int = -100,
                               reduction: LossReduction = .mean) throws -> Tensor {
        guard input.dtype.isFloatingPoint else {
            throw TensorError.unsupportedDType(op: "nll_loss", dtype: input.dtype)
        }
        guard !targets.dtype.isFloatingPoint else {
            throw TensorError.unsupportedDType(op: "nll_loss (target)", dtype: targets.dtype)
        }
        let (rowsTensor, classes) = try classRows(input, targets, op: "nll_loss")
        let rows = targets.count
        let labels = targets.toInt64Array()
        try checkLabels(labels, classes: classes, ignoreIndex: ignoreIndex)
        var losses = [Float](repeating: 0, count: rows)
        withExtendedLifetime(rowsTensor) {
            let x = rowsTensor.floatPointer
            for row in 0..<rows where labels[row] != Int64(ignoreIndex) {
                losses[row] = -x[row * classes + Int(labels[row])]
            }
        }
        let kept = labels.reduce(0) { $0 + ($1 == Int64(ignoreIndex) ? 0 : 1) }
        let out = try reduceLosses(losses, shape: targets.shape, reduction: reduction, count: kept)
        let result = input.dtype == .float32 ? out : try withNoGrad { try out.to(input.dtype) }
        return record(result, "NllLossBackward0", [input]) { g in
            let scales = try rowScales(g, rows: rows, reduction: reduction, count: kept)
            let grad = Tensor(zeros: rowsTensor.shape, dtype: .float32)
            withExtendedLifetime(grad) {
                let dst = grad.floatPointer
                for row in 0..<rows where labels[row] != Int64(ignoreIndex) {
                    dst[row * classes + Int(labels[row])] = -scales[row]
                }
            }
            return [try movingClassesBack(grad, like: input)]
        }
    }

    /// torch's mse_loss: (input - target)^2, reduced; the two broadcast against each other.
    public static func mseLoss(_ input: Tensor, _ target: Tensor,
                               reduction: LossReduction = .mean) throws -> Tensor {
        let difference = try input - target
        let squares = try difference * difference
        switch reduction {
        case .none: return squares
        case .sum: return try squares.sum()
        case .mean: return try squares.sum() / Double(Swift.max(squares.count, 0))
        }
    }

    // MARK: Helpers

    /// Cross entropy against class probabilities: -sum_c p_c log softmax(x)_c per sample,
    /// built from differentiable ops (its gradient reaches the probabilities too).
    static func crossEntropyWithProbabilities(_ logits: Tensor, _ targets: Tensor,
                                              reduction: LossReduction,
                                              labelSmoothing: Double) throws -> Tensor {
        let classAxis = logits.rank == 1 ? 0 : 1
        let classes = logits.shape[classAxis]
        var probabilities = targets
        if labelSmoothing > 0 {
            probabilities = try targets * (1 - labelSmoothing) + labelSmoothing / Double(classes)
        }
        let logp = try logits.logSoftmax(dim: classAxis)
        let perSample = try -(probabilities * logp).sum(dims: [classAxis])
        switch reduction {
        case .none: return perSample
        case .sum: return try perSample.sum()
        case .mean:
            // torch divides by the batch size (elements of the per-sample loss).
            return try perSample.sum() / Double(perSample.count)
        }
    }

    /// The shape class-index targets must have for these logits.
    static func classIndexShape(_ logits: Tensor) -> [Int] {
        logits.rank <= 1 ? [] : [logits.shape[0]] + Array(logits.shape.dropFirst(2))
    }

    /// Checks logits/targets shapes and returns the logits as dense float32 rows of C classes,
    /// one row per target in the targets' order (the class dim moved last).
    static func classRows(_ logits: Tensor, _ targets: Tensor, op: String) throws -> (Tensor, Int) {
        guard logits.rank >= 1 else {
            throw TensorError.invalidArgument("\(op): input must have at least 1 dimension (got a 0-d tensor)")
        }
        let expected = classIndexShape(logits)
        if logits.rank >= 2, targets.rank >= 1, targets.shape[0] != logits.shape[0] {
            throw TensorError.shapeMismatch(
                "\(op): Expected input batch_size (\(logits.shape[0])) to match target batch_size (\(targets.shape[0])).")
        }
        guard targets.shape == expected else {
            throw TensorError.shapeMismatch(
                "\(op): Expected target size \(expected.shapeString), got \(targets.shape.shapeString) (input of shape \(logits.shape.shapeString))")
        }
        let classes = logits.rank == 1 ? logits.shape[0] : logits.shape[1]
        if logits.rank <= 2 { return (logits.denseFloat32(), classes) }
        let order = [0] + Array(2..<logits.rank) + [1]
        return (try withNoGrad { try logits.permute(order).denseFloat32() }, classes)
    }

    /// A gradient laid out as `classRows` lays out the logits, back in the logits' layout.
    static func movingClassesBack(_ grad: Tensor, like logits: Tensor) throws -> Tensor {
        try withNoGrad {
            var result = grad
            if logits.rank > 2 {
                let moved = [logits.shape[0]] + Array(logits.shape.dropFirst(2)) + [logits.shape[1]]
                let inverse = [0, logits.rank - 1] + Array(1..<(logits.rank - 1))
                result = try grad.reshape(moved).permute(inverse).contiguous()
            }
            return try result.reshape(logits.shape).to(logits.dtype)
        }
    }

    /// Every label must be a class or the ignore index.
    static func checkLabels(_ labels: [Int64], classes: Int, ignoreIndex: Int) throws {
        for label in labels where label != Int64(ignoreIndex) && (label < 0 || label >= Int64(classes)) {
            throw TensorError.indexOutOfRange("Target \(label) is out of bounds (the input has \(classes) classes).")
        }
    }

    /// The per-row losses as a tensor, reduced as asked (mean over `count` kept rows).
    static func reduceLosses(_ losses: [Float], shape: [Int], reduction: LossReduction,
                             count: Int) throws -> Tensor {
        switch reduction {
        case .none: return try Tensor(losses, shape: shape)
        case .sum: return Tensor(scalar: Float(losses.reduce(0.0) { $0 + Double($1) }))
        case .mean:
            let total = losses.reduce(0.0) { $0 + Double($1) }
            return Tensor(scalar: Float(total / Double(count)))  // 0 / 0 gives NaN, as torch
        }
    }

    /// How much of the incoming gradient each row's loss receives.
    static func rowScales(_ g: Tensor, rows: Int, reduction: LossReduction, count: Int) throws -> [Float] {
        let values = g.toFloatArray()
        switch reduction {
        case .none: return values
        case .sum: return [Float](repeating: values.first ?? 0, count: rows)
        case .mean: return [Float](repeating: (values.first ?? 0) / Float(count), count: rows)
        }
    }

    /// log(sum(exp(x))) of a contiguous row, stable.
    static func logSumExpRow(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        typealias V = FastMath.Vector
        let m = rowMaximum(x, n)
        if m == -.infinity || m == .infinity { return m }
        let shift = V(repeating: m)
        let raw = UnsafeRawPointer(x)
        var sum = V()
        var i = 0
        while i + 16 <= n {
            sum += FastMath.expKernel(raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) - shift)
            i += 16
        }
        var total = sum.sum()
        while i < n { total += FastMath.exp(x[i] - m); i += 1 }
        return m + FastMath.log(total)
    }
}

extension Kernels {
    /// (exp(x - lse) - uniform) * scale: the softmax part of the cross-entropy gradient.
    struct SmoothedSoftmaxSlope: UnaryVectorKernel {
        let shift: FastMath.Vector, scale: FastMath.Vector, uniform: FastMath.Vector
        @inline(__always)
        func callAsFunction(_ x: FastMath.Vector) -> FastMath.Vector {
            (FastMath.expKernel(x - shift) - uniform) * scale
        }
    }
}

/// How `pad` fills the new border, as torch.nn.functional.pad's `mode`.
public enum PaddingMode: String, Sendable {
    /// A constant value (`value:`).
    case constant
    /// The mirror image of the edge, the edge itself not repeated.
    case reflect
    /// Copies of the edge element.
    case replicate
    /// Wraps around: the far side's elements.
    case circular
}

/// Padding (and, with negative amounts, cropping) of trailing dims.
///
/// Every output element reads one input position or the fill value; each dim gets a table
/// mapping output coordinate to input coordinate (-1 for fill), which covers all modes and
/// negative pads in one loop, and the gradient adds back through the same tables.
extension Tensor {
    /// Pads with `pads` ordered as torch.nn.functional.pad: `[lastBefore, lastAfter,
    /// secondLastBefore, secondLastAfter, ...]`. Negative amounts crop.
    public func pad(_ pads: [Int], mode: PaddingMode = .constant, value: Double = 0) throws -> Tensor {
        guard pads.count % 2 == 0 else {
            throw TensorError.invalidArgument("pad: Padding length must be divisible by 2 (got \(pads.shapeString))")
        }
        guard pads.count / 2 <= rank else {
            throw TensorError.invalidArgument(
                "pad: Padding length should be less than or equal to two times the input dimension but got padding length \(pads.count) and input of dimension \(rank) (shape \(shape.shapeString))")
        }
        var maps: [[Int]] = shape.map { Array(0..<$0) }
        var outShape = shape
        for i in 0..<(pads.count / 2) {
            let d = rank - 1 - i, n = shape[d]
            let before = pads[2 * i], after = pads[2 * i + 1]
            let size = n + before + after
            guard size >= 0 else {
                throw TensorError.invalidArgument(
                    "pad: The input size \(n), plus negative padding \(before) and \(after) resulted in a negative output size, which is invalid. Check dimension \(d) of your input (shape \(shape.shapeString)).")
            }
            switch mode {
            case .constant: break
            case .reflect where before >= n || after >= n:
                throw TensorError.invalidArgument(
                    "pad: Padding size should be less than the corresponding input dimension, but got: padding (\(before), \(after)) at dimension \(d) of input \(shape.shapeString)")
            case .replicate where n == 0 && size > 0, .circular where before > n || after > n:
                throw TensorError.invalidArgument(
                    "pad: padding (\(before), \(after)) at dimension \(d) is too large for input \(shape.shapeString) in \(mode) mode")
            default: break
            }
            outShape[d] = size
            maps[d] = (0..<size).map { o in
                let j = o - before
                switch mode {
                case .constant: return j >= 0 && j < n ? j : -1
                case .reflect: return n == 1 ? 0 : (j < 0 ? -j : (j >= n ? 2 * (n - 1) - j : j))
                case .replicate: return Swift.min(Swift.max(j, 0), n - 1)
                case .circular:
                    // torch crops first, then wraps within what is left.
                    let low = Swift.max(0, -before), width = n - low - Swift.max(0, -after)
                    return width <= 0 ? -1 : low + (((j - low) % width) + width) % width
                }
            }
        }
        let out = Tensor(uninitialized: outShape, dtype: dtype)
        let fill = Tensor.full([], value, dtype: dtype)
        let columns = outShape.last ?? 1
        let rowBases = Tensor.paddedRowBases(maps, strides)
        let lastMap = maps.last ?? [0], lastStride = strides.last ?? 0
        withExtendedLifetime((self, fill)) {
            func copy<T>(_: T.Type) {
                let src = pointer(as: T.self), dst = out.pointer(as: T.self), filler = fill.pointer(as: T.self)[0]
                Parallel.forEachChunk(rowBases.count, costPerElement: Swift.max(columns, 1), alignment: 1) { rows in
                    for r in rows {
                        let row = dst + r * columns, base = rowBases[r]
                        if base < 0 { row.update(repeating: filler, count: columns); continue }
                        for c in 0..<columns {
                            let j = lastMap[c]
                            row[c] = j < 0 ? filler : src[base + j * lastStride]
                        }
                    }
                }
            }
            switch dtype.itemSize {
            case 1: copy(UInt8.self)
            case 2: copy(UInt16.self)
            case 4: copy(UInt32.self)
            default: copy(UInt64.self)
            }
        }
        return Tensor.record(out, "PadBackward0", [self]) { [shape] g in
            // Sum each output gradient into the input position it was read from.
            let grad = Tensor.zeros(shape, dtype: .float32)
            let gd = try g.to(.float32).contiguous()
            let bases = Tensor.paddedRowBases(maps, grad.strides)
            withExtendedLifetime(gd) {
                let src = gd.floatPointer, dst = grad.floatPointer
                for (r, base) in bases.enumerated() where base >= 0 {
                    for c in 0..<columns where lastMap[c] >= 0 { dst[base + lastMap[c]] += src[r * columns + c] }
                }
            }
            return [try grad.to(g.dtype)]
        }
    }

    /// For each output row (all dims but the last), the input offset of its row under
    /// `strides`, or -1 when the row lies in constant fill.
    static func paddedRowBases(_ maps: [[Int]], _ strides: [Int]) -> [Int] {
        let outer = maps.dropLast().map(\.count)
        let rows = outer.reduce(1, *)
        var bases = [Int](repeating: 0, count: rows)
        guard rows > 0, !outer.isEmpty else { return bases }
        var index = [Int](repeating: 0, count: outer.count)
        for r in 0..<rows {
            var base = 0
            for (k, i) in index.enumerated() {
                let j = maps[k][i]
                if j < 0 { base = -1; break }
                base += j * strides[k]
            }
            bases[r] = base
            var axis = outer.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < outer[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return bases
    }
}

import Foundation

/// `x @ w^T` for many rows (a batch of sequences through a linear layer), with what follows
/// the product in a transformer block (bias, activation, residual, layer norm) applied to each
/// tile of the result while it is still in registers or in the core's own cache.
///
/// Through sgemm a linear layer writes its whole product (25 MB for MiniLM's expansion at
/// batch 32 x 128) and a second pass reads it back for the bias and the activation, and for a
/// residual output block a pass first fills the output with the residual. Here each core takes
/// blocks of rows and computes them to the end: the rows' inputs are packed once into
/// six-row strips (in L2), the weight is read as 16-column panels (one panel, a few dozen KB,
/// stays in L1 while every strip of the block passes over it), each 6 x 16 tile is finished
/// and stored once, and a layer norm runs over the block's rows while they are in L2.
///
/// The micro-kernel is the usual one for 16 AVX registers: twelve 8-lane accumulators for
/// 6 rows x 16 columns, two weight vectors and one broadcast input per step.
enum PanelProduct {
    /// Rows of the micro-tile and columns of a weight panel.
    static let rowTile = 6, columnTile = 16
    /// Most depth handled per pass (the depth is split in equal passes no longer than this):
    /// a panel of `depthBlock x 16` floats stays in L1 while the strips stream past it.
    static var depthBlock: Int { PanelProductTuning.depthBlock }
    /// Most rows one core computes as a block (inputs packed in L2, weight panels reused).
    static var maximumBlockRows: Int { PanelProductTuning.maximumBlockRows }

    static var isEnabled: Bool { Tensor.usesPanelProducts }
    /// Least depth worth a product through panels when the weight is packed for one product
    /// only (shallower products are mostly packing and tile stores).
    static let minimumDepth = 32

    typealias V8 = SIMD8<Float>
    typealias V16 = FastMath.Vector

    /// A weight `[outputs, depth]` copied into the panel layout: for each depth block, for each
    /// 16-column panel, the block's rows of 16 weights (zero past the last output).
    final class PackedWeight: @unchecked Sendable {
        let outputs, depth, panels: Int
        /// Depth of each pass (the last may be shorter).
        let depthStep: Int
        let values: UnsafeMutablePointer<Float>
        /// Which view of its storage the weight was: offset and (output, depth) strides.
        var source = (offset: 0, outputStride: 0, depthStride: 0)

        /// Packs `w[n, k]` read at `w + n * outputStride + k * depthStride`.
        init(_ w: UnsafePointer<Float>, outputs: Int, depth: Int, outputStride: Int, depthStride: Int) {
            self.outputs = outputs
            self.depth = depth
            panels = (outputs + PanelProduct.columnTile - 1) / PanelProduct.columnTile
            depthStep = PanelProduct.depthStep(for: depth)
            let depthStep = self.depthStep
            let count = Swift.max(panels * PanelProduct.columnTile * depth, 1)
            values = UnsafeMutableRawPointer(BufferPool.allocate(byteCount: count * 4)).bindMemory(to: Float.self, capacity: count)
            let panels = self.panels, values = self.values
            Parallel.forEachChunk(panels, costPerElement: depth * PanelProduct.columnTile, alignment: 1) { range in
                for panel in range {
                    var k0 = 0
                    while k0 < depth {
                        let length = Swift.min(depthStep, depth - k0)
                        let dst = values + k0 * panels * PanelProduct.columnTile + panel * length * PanelProduct.columnTile
                        let n0 = panel * PanelProduct.columnTile
                        let width = Swift.min(PanelProduct.columnTile, outputs - n0)
                        if width == PanelProduct.columnTile && outputStride == 1 {
                            // A transposed view: each depth step's 16 weights are adjacent.
                            for k in 0..<length {
                                UnsafeMutableRawPointer(dst + k * PanelProduct.columnTile)
                                    .storeBytes(of: UnsafeRawPointer(w + n0 + (k0 + k) * depthStride).loadUnaligned(as: V16.self), as: V16.self)
                            }
                            k0 += length
                            continue
                        }
                        for c in 0..<PanelProduct.columnTile {
                            if c < width {
                                let src = w + (n0 + c) * outputStride + k0 * depthStride
                                for k in 0..<length { dst[k * PanelProduct.columnTile + c] = src[k * depthStride] }
                            } else {
                                for k in 0..<length { dst[k * PanelProduct.columnTile + c] = 0 }
                            }
                        }
                        k0 += length
                    }
                }
            }
        }

        /// The panel for depth block starting at `k0` (of `length` rows) and output panel `panel`.
        @inline(__always)
        func panel(_ panel: Int, depthStart k0: Int, length: Int) -> UnsafePointer<Float> {
            UnsafePointer(values + k0 * panels * PanelProduct.columnTile + panel * length * PanelProduct.columnTile)
        }

        deinit {
            BufferPool.deallocate(UnsafeMutableRawPointer(values), byteCount: Swift.max(panels * PanelProduct.columnTile * depth, 1) * 4)
        }
    }

    private static let cacheLock = NSLock()

    /// The depth of each pass: `depth` split into equal passes of at most `depthBlock`.
    static func depthStep(for depth: Int) -> Int {
        let passes = Swift.max(1, (depth + depthBlock - 1) / depthBlock)
        return Swift.max(1, (depth + passes - 1) / passes)
    }

    /// `weight [outputs, depth]` (float32, any strides) in the panel layout: packed once and
    /// kept with the weight's storage, which drops it on any write (`valuesWillChange`), so it
    /// never stands for values that changed. Only one view per storage is kept (a storage
    /// holding several weights, as BERT's packed query/key/value, is used as one).
    static func packedWeight(_ weight: Tensor) -> PackedWeight {
        let outputs = weight.shape[0], depth = weight.shape[1]
        let source = (offset: weight.offset, outputStride: weight.strides[0], depthStride: weight.strides[1])
        cacheLock.lock()
        let cached = weight.storage.packedWeight as? PackedWeight
        cacheLock.unlock()
        if let cached, cached.outputs == outputs, cached.depth == depth, cached.source == source,
           cached.depthStep == depthStep(for: depth) {
            return cached
        }
        let packed = withExtendedLifetime(weight) {
            PackedWeight(weight.floatPointer, outputs: outputs, depth: depth, outputStride: source.outputStride, depthStride: source.depthStride)
        }
        packed.source = source
        cacheLock.lock()
        weight.storage.packedWeight = packed
        cacheLock.unlock()
        return packed
    }

    /// What is done to each finished value, and to each finished block of rows.
    struct Finish<Activation: UnaryVectorKernel> {
        /// `[outputs]`, or nil.
        var bias: UnsafePointer<Float>?
        /// Dense `[rows, outputs]` added to the product (a residual), or nil.
        var residual: UnsafePointer<Float>?
        /// Applied last to every value, or nil for none.
        var activation: Activation?
        /// Layer norm over each finished row: (weight, bias, eps), either pointer may be nil.
        var layerNorm: (weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, eps: Float)?
    }

    /// out[m, n] = finish(sum_k x[m, k] w[n, k]) for `x [rows, depth]` read at
    /// `x + m * inputStride + k * inputDepthStride` (rows of a dense matrix, or the columns of
    /// one when `inputStride` is 1) and dense `out [rows, outputs]`.
    static func multiply<A: UnaryVectorKernel>(_ x: UnsafePointer<Float>, rows: Int, inputStride: Int, inputDepthStride: Int = 1,
                                              _ w: PackedWeight, into out: UnsafeMutablePointer<Float>, _ finish: Finish<A>) {
        let outputs = w.outputs, depth = w.depth
        if rows == 0 || outputs == 0 { return }
        // Bias padded to whole panels, so every tile loads 16 lanes of it.
        let paddedOutputs = w.panels * columnTile
        let bias = UnsafeMutablePointer<Float>.allocate(capacity: paddedOutputs)
        bias.initialize(repeating: 0, count: paddedOutputs)
        if let b = finish.bias { bias.update(from: b, count: outputs) }
        defer { bias.deallocate() }
        // Work is cut into items of (a block of rows, a range of panels). Each core packs an
        // item's rows (at most `maximumBlockRows`, kept in L2) and runs every panel of its range
        // over them. With many rows, items are row blocks over all panels, enough of them to
        // balance two cores that other work slows unevenly. With few rows (a training batch of
        // a few hundred), the panels are shared out instead: cutting the rows finer would make
        // every block stream the whole weight from L3 for a few strips each. A layer norm needs
        // whole rows, so it always takes all the panels.
        let cores = Parallel.coreCount
        let work = rows * outputs * depth
        let parallel = cores > 1 && work >= 1 << 20
        let wanted = parallel ? 4 * cores : 1
        var blockRows = Swift.min(maximumBlockRows, (rows + rowTile - 1) / rowTile * rowTile)
        var panelGroups = 1
        if parallel {
            if finish.layerNorm != nil || (rows + blockRows - 1) / blockRows >= wanted {
                blockRows = (rows + 2 * wanted - 1) / (2 * wanted)
                blockRows = Swift.min(maximumBlockRows, Swift.max(4 * rowTile, (blockRows + rowTile - 1) / rowTile * rowTile))
            } else {
                // Blocks of about equal size, then enough panel ranges for `wanted` items.
                let rowBlocks = (rows + blockRows - 1) / blockRows
                blockRows = ((rows + rowBlocks - 1) / rowBlocks + rowTile - 1) / rowTile * rowTile
                panelGroups = Swift.min(w.panels, (wanted + rowBlocks - 1) / rowBlocks)
            }
        }
        let rowBlocks = (rows + blockRows - 1) / blockRows
        let panelsPerGroup = (w.panels + panelGroups - 1) / panelGroups
        panelGroups = (w.panels + panelsPerGroup - 1) / panelsPerGroup
        let stripCapacity = blockRows * Swift.min(depth, w.depthStep)
        let run = { (item: Int) in
            let block = item / panelGroups, group = item % panelGroups
            let r0 = block * blockRows, count = Swift.min(blockRows, rows - r0)
            let panels = group * panelsPerGroup ..< Swift.min(w.panels, (group + 1) * panelsPerGroup)
            let bytes = Swift.max(stripCapacity, 1) * 4
            let raw = BufferPool.allocate(byteCount: bytes)
            let strips = raw.bindMemory(to: Float.self, capacity: stripCapacity)
            computeBlock(x + r0 * inputStride, rows: count, firstRow: r0, inputStride: inputStride, inputDepthStride: inputDepthStride,
                         w, panels: panels, strips: strips, bias: UnsafePointer(bias), out: out, finish)
            BufferPool.deallocate(raw, byteCount: bytes)
        }
        let items = rowBlocks * panelGroups
        if parallel && items > 1 {
            Parallel.perform(items, run)
        } else {
            for item in 0..<items { run(item) }
        }
    }

    /// Rows `firstRow ..< firstRow + rows` of the product in the columns of `panels`, finished
    /// (a layer norm only runs when `panels` is all of them).
    @inline(__always)
    private static func computeBlock<A: UnaryVectorKernel>(_ x: UnsafePointer<Float>, rows: Int, firstRow: Int, inputStride: Int,
                                                          inputDepthStride: Int, _ w: PackedWeight, panels: Range<Int>,
                                                          strips: UnsafeMutablePointer<Float>,
                                                          bias: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                                          _ finish: Finish<A>) {
        let outputs = w.outputs, depth = w.depth
        let stripCount = (rows + rowTile - 1) / rowTile
        var k0 = 0
        while k0 < depth {
            let length = Swift.min(w.depthStep, depth - k0)
            let first = k0 == 0, last = k0 + length == depth
            packStrips(x + k0 * inputDepthStride, rows: rows, stride: inputStride, depthStride: inputDepthStride,
                       length: length, into: strips)
            for panel in panels {
                let b = w.panel(panel, depthStart: k0, length: length)
                let n0 = panel * columnTile
                let columns = Swift.min(columnTile, outputs - n0)
                let biasVector = UnsafeRawPointer(bias + n0).loadUnaligned(as: V16.self)
                for strip in 0..<stripCount {
                    let m0 = strip * rowTile
                    let tile = multiplyTile(strips + strip * rowTile * length, b, length)
                    store(tile, rows: Swift.min(rowTile, rows - m0), columns: columns, row: firstRow + m0, column: n0,
                          outputs: outputs, out: out, accumulate: !first, finishing: last, bias: biasVector, finish)
                }
            }
            k0 += length
        }
        if let norm = finish.layerNorm {
            let means = UnsafeMutablePointer<Float>.allocate(capacity: rows * 2)
            defer { means.deallocate() }
            let block = out + firstRow * outputs
            Tensor.layerNormRows(block, norm.weight, norm.bias, block, means, means + rows, rows: rows, length: outputs, eps: norm.eps)
        }
    }

    /// Copies `x[0 ..< rows, 0 ..< length]` (element (m, k) at `x + m * stride + k * depthStride`)
    /// into strips of six rows, each `length` steps of six values (zero past the last row).
    @inline(__always)
    private static func packStrips(_ x: UnsafePointer<Float>, rows: Int, stride: Int, depthStride: Int, length: Int,
                                   into strips: UnsafeMutablePointer<Float>) {
        if depthStride != 1 && stride == 1 {
            // Columns of a row-major matrix (a transposed view): read a step's values for every
            // strip along one source row (reading down the source's columns one strip at a time
            // would touch a line per step, 4 KB apart, all in one cache set).
            packTransposedStrips(x, rows: rows, depthStride: depthStride, length: length, into: strips)
            return
        }
        var m0 = 0
        while m0 < rows {
            let dst = strips + m0 * length
            let valid = Swift.min(rowTile, rows - m0)
            if depthStride != 1 {
                for k in 0..<length {
                    let src = x + k * depthStride + m0 * stride
                    for r in 0..<rowTile { dst[k * rowTile + r] = r < valid ? src[r * stride] : 0 }
                }
            } else if valid == rowTile {
                let s0 = x + m0 * stride, s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride, s4 = s3 + stride, s5 = s4 + stride
                for k in 0..<length {
                    let d = dst + k * rowTile
                    d[0] = s0[k]; d[1] = s1[k]; d[2] = s2[k]; d[3] = s3[k]; d[4] = s4[k]; d[5] = s5[k]
                }
            } else {
                for k in 0..<length {
                    for r in 0..<rowTile { dst[k * rowTile + r] = r < valid ? x[(m0 + r) * stride + k] : 0 }
                }
            }
            m0 += rowTile
        }
    }

    /// `packStrips` for `x[m, k]` at `x + k * depthStride + m`: source rows are steps.
    private static func packTransposedStrips(_ x: UnsafePointer<Float>, rows: Int, depthStride: Int, length: Int,
                                             into strips: UnsafeMutablePointer<Float>) {
        let full = rows / rowTile, stripLength = rowTile * length
        for k in 0..<length {
            let src = x + k * depthStride
            var dst = strips + k * rowTile
            for strip in 0..<full {
                let s = src + strip * rowTile
                dst[0] = s[0]; dst[1] = s[1]; dst[2] = s[2]; dst[3] = s[3]; dst[4] = s[4]; dst[5] = s[5]
                dst += stripLength
            }
            let valid = rows - full * rowTile
            if valid > 0 {
                for r in 0..<rowTile { dst[r] = r < valid ? src[full * rowTile + r] : 0 }
            }
        }
    }

    /// The twelve accumulators of one 6 x 16 tile, row by row (low and high 8 columns).
    struct Tile {
        var c00 = V8(), c01 = V8(), c10 = V8(), c11 = V8(), c20 = V8(), c21 = V8()
        var c30 = V8(), c31 = V8(), c40 = V8(), c41 = V8(), c50 = V8(), c51 = V8()

        @inline(__always)
        func row(_ r: Int) -> V16 {
            switch r {
            case 0: return V16(lowHalf: c00, highHalf: c01)
            case 1: return V16(lowHalf: c10, highHalf: c11)
            case 2: return V16(lowHalf: c20, highHalf: c21)
            case 3: return V16(lowHalf: c30, highHalf: c31)
            case 4: return V16(lowHalf: c40, highHalf: c41)
            default: return V16(lowHalf: c50, highHalf: c51)
            }
        }
    }

    /// strip[6 rows, length] times panel[length, 16].
    ///
    /// Kept out of line: inlined into `multiply`, its register allocation depended on the
    /// finishing code around it, and with gelu's kernel there one of the twelve accumulators
    /// went to the stack on every step (the intermediate product ran at half speed).
    @inline(never)
    static func multiplyTile(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ length: Int) -> Tile {
        var t = Tile()
        let br = UnsafeRawPointer(b)
        var ap = a
        for p in 0..<length {
            let b0 = br.load(fromByteOffset: p * 64, as: V8.self)
            let b1 = br.load(fromByteOffset: p * 64 + 32, as: V8.self)
            var s = V8(repeating: ap[0]); t.c00 = t.c00.addingProduct(s, b0); t.c01 = t.c01.addingProduct(s, b1)
            s = V8(repeating: ap[1]); t.c10 = t.c10.addingProduct(s, b0); t.c11 = t.c11.addingProduct(s, b1)
            s = V8(repeating: ap[2]); t.c20 = t.c20.addingProduct(s, b0); t.c21 = t.c21.addingProduct(s, b1)
            s = V8(repeating: ap[3]); t.c30 = t.c30.addingProduct(s, b0); t.c31 = t.c31.addingProduct(s, b1)
            s = V8(repeating: ap[4]); t.c40 = t.c40.addingProduct(s, b0); t.c41 = t.c41.addingProduct(s, b1)
            s = V8(repeating: ap[5]); t.c50 = t.c50.addingProduct(s, b0); t.c51 = t.c51.addingProduct(s, b1)
            ap += rowTile
        }
        return t
    }

    /// Writes a tile's `rows x columns` values at (row, column) of `out`: added to what is
    /// there unless this is the first depth block, and finished when it is the last.
    @inline(__always)
    private static func store<A: UnaryVectorKernel>(_ tile: Tile, rows: Int, columns: Int, row: Int, column: Int, outputs: Int,
                                                    out: UnsafeMutablePointer<Float>, accumulate: Bool, finishing: Bool,
                                                    bias: V16, _ finish: Finish<A>) {
        for r in 0..<rows {
            let offset = (row + r) * outputs + column
            let dst = out + offset
            var v = tile.row(r)
            if columns == columnTile {
                let raw = UnsafeMutableRawPointer(dst)
                if accumulate { v += raw.loadUnaligned(as: V16.self) }
                if finishing {
                    v += bias
                    if let residual = finish.residual { v += UnsafeRawPointer(residual + offset).loadUnaligned(as: V16.self) }
                    if let activation = finish.activation { v = activation(v) }
                }
                raw.storeBytes(of: v, as: V16.self)
            } else {
                if accumulate { for c in 0..<columns { v[c] += dst[c] } }
                if finishing {
                    v += bias
                    if let residual = finish.residual { for c in 0..<columns { v[c] += residual[offset + c] } }
                    if let activation = finish.activation { v = activation(v) }
                }
                for c in 0..<columns { dst[c] = v[c] }
            }
        }
    }
}

extension Kernels {
    /// x itself: the finish of a product without an activation.
    struct Identity: UnaryVectorKernel {
        @inline(__always) func callAsFunction(_ x: FastMath.Vector) -> FastMath.Vector { x }
    }
}

/// The panel product's block sizes, settable so that a benchmark can compare them in one run.
public enum PanelProductTuning {
    /// Most depth per pass over a weight panel (floats): 384 (a 24 KB panel) did better than
    /// 128, 192 and 256 on MiniLM's layers (`apus-bench --models --breakdown`).
    nonisolated(unsafe) public static var depthBlock = 384
    /// Most rows per block a core computes to the end.
    nonisolated(unsafe) public static var maximumBlockRows = 192
}

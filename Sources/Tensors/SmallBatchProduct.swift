import COpenBLAS

/// `x @ w^T` for a few rows of `x` (one short sentence's tokens) straight from the row-major
/// weight, without BLAS.
///
/// With a dozen rows a linear layer is a stream over its weight: each weight element is used
/// once per row, so the cost is reading the weight, not the arithmetic. sgemm first copies
/// (packs) the whole weight into its blocked layout, which for a 12-row product is more
/// traffic than the product itself, and then splits a product this small unevenly over its
/// threads. Here each core takes a share of the output features and reads its weight rows once,
/// as dot products against the rows of `x` (which stay in L1): blocks of 3 rows x 4 features,
/// twelve 8-lane accumulators, summed across lanes once per block.
///
/// At a dozen rows the product is as fast as the weight arrives from memory (MiniLM's layers
/// are 42 MB, more than the last-level cache), so each block asks for the block after next
/// while it computes, instead of each block's first pass waiting on its lines.
enum SmallBatchProduct {
    /// Row counts up to this use `multiply`; more rows amortise sgemm's packing.
    static let maximumRows = 32

    typealias V8 = SIMD8<Float>

    /// How many cores a few-row product over `weights` weight elements spreads across: enough
    /// weight per task (64K elements) to pay for waking a worker.
    static func taskCount(weights: Int) -> Int {
        Swift.min(Parallel.coreCount, Swift.max(1, weights / 65_536), Tensor.smallProductThreads)
    }

    /// out[m, n] = (accumulate ? out[m, n] : 0) + sum_k x[m, k] * w[n, k] for dense row-major
    /// `x [rows, depth]`, `w [outputs, depth]` and `out [rows, outputs]`.
    static func multiply(_ x: UnsafePointer<Float>, rows: Int, _ w: UnsafePointer<Float>, outputs: Int, depth: Int,
                         _ out: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let blocks = (outputs + 3) / 4
        let tasks = Swift.min(taskCount(weights: outputs * depth), blocks)
        let run = { (range: Range<Int>) in
            var n = range.lowerBound * 4
            let end = Swift.min(outputs, range.upperBound * 4)
            while n < end {
                let width = Swift.min(4, end - n)
                // Weight rows n+8 ..< n+12 (the block after next) are fetched while this block
                // computes: pass p over three rows of x asks for row p, a cache line every
                // other step, and whatever the passes leave is asked for after them. Spread
                // out, the requests never queue up behind each other as a burst of a whole
                // block's lines would.
                let prefetching = n + 12 <= end
                let ahead = UnsafeRawPointer(w + (n + 8) * depth)
                var m = 0, pass = 0
                if width == 4 {
                    while m + 3 <= rows {
                        // Without a row to fetch, the hint points at x (already in L1).
                        let target = prefetching && pass < 4 ? ahead + pass * depth * 4 : UnsafeRawPointer(x)
                        block3x4(x + m * depth, w + n * depth, depth, out + m * outputs + n, outputs, accumulate, prefetch: target)
                        m += 3
                        pass += 1
                    }
                }
                if prefetching && pass < 4 {
                    var line = pass * depth * 4
                    while line < 16 * depth { apus_prefetch(ahead + line); line += 64 }
                }
                if width == 4 {
                    while m < rows {
                        block1x4(x + m * depth, w + n * depth, depth, out + m * outputs + n, accumulate)
                        m += 1
                    }
                }
                for row in m..<rows {
                    for column in n..<(n + width) {
                        let value = dot(x + row * depth, w + column * depth, depth)
                        out[row * outputs + column] = accumulate ? out[row * outputs + column] + value : value
                    }
                }
                n += width
            }
        }
        if tasks <= 1 {
            run(0..<blocks)
        } else {
            let chunk = (blocks + tasks - 1) / tasks
            Parallel.perform(tasks) { task in
                let start = task * chunk
                if start < blocks { run(start..<Swift.min(blocks, start + chunk)) }
            }
        }
    }

    /// Three rows of `x` against four rows of `w`: twelve dot products of length `depth`;
    /// meanwhile the `depth` floats at `prefetch` are asked into cache.
    @inline(__always)
    private static func block3x4(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ depth: Int,
                                 _ out: UnsafeMutablePointer<Float>, _ stride: Int, _ accumulate: Bool,
                                 prefetch: UnsafeRawPointer) {
        let xr = UnsafeRawPointer(x), wr = UnsafeRawPointer(w)
        let rowBytes = depth * 4
        var a00 = V8(), a01 = V8(), a02 = V8(), a03 = V8()
        var a10 = V8(), a11 = V8(), a12 = V8(), a13 = V8()
        var a20 = V8(), a21 = V8(), a22 = V8(), a23 = V8()
        var k = 0
        // The three x vectors first, then one weight vector at a time: 12 accumulators + 3 + 1
        // is all 16 vector registers, so none spills (loading the four weight vectors first
        // needs 17, and the spilled accumulator's store and reload sit on its add chain).
        while k + 8 <= depth {
            let o = k * 4
            let x0 = xr.loadUnaligned(fromByteOffset: o, as: V8.self)
            let x1 = xr.loadUnaligned(fromByteOffset: o + rowBytes, as: V8.self)
            let x2 = xr.loadUnaligned(fromByteOffset: o + 2 * rowBytes, as: V8.self)
            let w0 = wr.loadUnaligned(fromByteOffset: o, as: V8.self)
            a00 = a00.addingProduct(x0, w0); a10 = a10.addingProduct(x1, w0); a20 = a20.addingProduct(x2, w0)
            let w1 = wr.loadUnaligned(fromByteOffset: o + rowBytes, as: V8.self)
            a01 = a01.addingProduct(x0, w1); a11 = a11.addingProduct(x1, w1); a21 = a21.addingProduct(x2, w1)
            let w2 = wr.loadUnaligned(fromByteOffset: o + 2 * rowBytes, as: V8.self)
            a02 = a02.addingProduct(x0, w2); a12 = a12.addingProduct(x1, w2); a22 = a22.addingProduct(x2, w2)
            let w3 = wr.loadUnaligned(fromByteOffset: o + 3 * rowBytes, as: V8.self)
            a03 = a03.addingProduct(x0, w3); a13 = a13.addingProduct(x1, w3); a23 = a23.addingProduct(x2, w3)
            if k & 8 == 0 { apus_prefetch(prefetch + o) }  // a 64-byte line per two 32-byte steps
            k += 8
        }
        // Lanes 0-11 hold the twelve sums (a vector, not an array: no allocation per block).
        var sums = SIMD16<Float>(a00.sum(), a01.sum(), a02.sum(), a03.sum(),
                                 a10.sum(), a11.sum(), a12.sum(), a13.sum(),
                                 a20.sum(), a21.sum(), a22.sum(), a23.sum(), 0, 0, 0, 0)
        while k < depth {
            for r in 0..<3 {
                let xv = x[r * depth + k]
                for c in 0..<4 { sums[r * 4 + c] += xv * w[c * depth + k] }
            }
            k += 1
        }
        for r in 0..<3 {
            for c in 0..<4 {
                let value = sums[r * 4 + c]
                out[r * stride + c] = accumulate ? out[r * stride + c] + value : value
            }
        }
    }

    /// One row of `x` against four rows of `w` (a single token, as in generation).
    @inline(__always)
    private static func block1x4(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ depth: Int,
                                 _ out: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
        let xr = UnsafeRawPointer(x), wr = UnsafeRawPointer(w)
        let rowBytes = depth * 4
        var a0 = V8(), a1 = V8(), a2 = V8(), a3 = V8()
        var k = 0
        while k + 8 <= depth {
            let o = k * 4
            let x0 = xr.loadUnaligned(fromByteOffset: o, as: V8.self)
            a0 = a0.addingProduct(x0, wr.loadUnaligned(fromByteOffset: o, as: V8.self))
            a1 = a1.addingProduct(x0, wr.loadUnaligned(fromByteOffset: o + rowBytes, as: V8.self))
            a2 = a2.addingProduct(x0, wr.loadUnaligned(fromByteOffset: o + 2 * rowBytes, as: V8.self))
            a3 = a3.addingProduct(x0, wr.loadUnaligned(fromByteOffset: o + 3 * rowBytes, as: V8.self))
            k += 8
        }
        var sums = SIMD4<Float>(a0.sum(), a1.sum(), a2.sum(), a3.sum())
        while k < depth {
            for c in 0..<4 { sums[c] += x[k] * w[c * depth + k] }
            k += 1
        }
        for c in 0..<4 { out[c] = accumulate ? out[c] + sums[c] : sums[c] }
    }

    /// One dot product of length `depth`.
    @inline(__always)
    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ depth: Int) -> Float {
        let ar = UnsafeRawPointer(a), br = UnsafeRawPointer(b)
        var acc = V8()
        var k = 0
        while k + 8 <= depth {
            acc = acc.addingProduct(ar.loadUnaligned(fromByteOffset: k * 4, as: V8.self), br.loadUnaligned(fromByteOffset: k * 4, as: V8.self))
            k += 8
        }
        var total = acc.sum()
        while k < depth { total += a[k] * b[k]; k += 1 }
        return total
    }
}

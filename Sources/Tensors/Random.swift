import Foundation

/// A seedable source of random numbers: the counter-based Philox4x32-10 generator
/// (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011).
///
/// The seed is Philox's 64-bit key; every draw takes the next blocks of a 64-bit counter, and
/// each block gives four 32-bit words. Because a block depends only on (seed, counter), large
/// tensors are filled on both cores and still get exactly the values a single thread would.
///
/// Same seed, same values, on every machine and thread count. The streams are NOT torch's:
/// `manualSeed(0)` followed by `randn` gives different numbers here than in PyTorch (whose CPU
/// generator is mt19937 with its own transforms), with the same distributions.
public final class Generator: @unchecked Sendable {
    /// torch's default seed, used until `manualSeed` is called.
    public static let defaultSeed: UInt64 = 67_280_421_310_721

    /// The generator behind every random op that is not given one (torch's default generator).
    public static let defaultGenerator = Generator()

    /// A snapshot of a generator's position, for saving and restoring (`torch.get_rng_state`).
    public struct State: Equatable, Sendable {
        public var seed: UInt64
        public var offset: UInt64
    }

    private let lock = NSLock()
    private var key: UInt64
    private var counter: UInt64 = 0

    /// A generator seeded with `seed`.
    public init(seed: UInt64 = Generator.defaultSeed) {
        key = seed
    }

    /// Restarts the stream from `seed` (torch's `Generator.manual_seed`).
    public func manualSeed(_ seed: UInt64) {
        lock.lock(); defer { lock.unlock() }
        key = seed
        counter = 0
    }

    /// The seed the current stream started from (torch's `initial_seed`).
    public var initialSeed: UInt64 {
        lock.lock(); defer { lock.unlock() }
        return key
    }

    /// The seed and position in the stream.
    public var state: State {
        get { lock.lock(); defer { lock.unlock() }; return State(seed: key, offset: counter) }
        set { lock.lock(); defer { lock.unlock() }; key = newValue.seed; counter = newValue.offset }
    }

    /// Claims `blocks` consecutive counter values; returns the key and the first counter.
    func reserve(blocks: Int) -> (key: UInt64, first: UInt64) {
        lock.lock(); defer { lock.unlock() }
        let first = counter
        counter &+= UInt64(blocks)
        return (key, first)
    }

    // MARK: Philox4x32-10

    /// The four 32-bit words of block `counter` under `key`. (A tuple, not a SIMD4: the
    /// compiler keeps a tuple in registers, which makes this loop several times faster.)
    @inline(__always)
    static func philox(key: UInt64, counter: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        var c0 = UInt32(truncatingIfNeeded: counter), c1 = UInt32(truncatingIfNeeded: counter >> 32)
        var c2: UInt32 = 0, c3: UInt32 = 0
        var k0 = UInt32(truncatingIfNeeded: key), k1 = UInt32(truncatingIfNeeded: key >> 32)
        for round in 0..<10 {
            if round > 0 { k0 &+= 0x9E37_79B9; k1 &+= 0xBB67_AE85 }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            c0 = UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0
            c1 = UInt32(truncatingIfNeeded: p1)
            c2 = UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1
            c3 = UInt32(truncatingIfNeeded: p0)
        }
        return (c0, c1, c2, c3)
    }

    /// Fills `count` 64-bit words, two per block (each the block's 32-bit words in
    /// little-endian order); blocks are split across cores when there are many.
    func fillWords64(_ p: UnsafeMutablePointer<UInt64>, count: Int) {
        let blocks = (count + 1) / 2
        if blocks == 0 { return }
        let (key, first) = reserve(blocks: blocks)
        let words = UnsafeMutableRawPointer(p).assumingMemoryBound(to: UInt32.self)
        let whole = count / 2
        Parallel.forEachChunk(whole, costPerElement: 16, alignment: 1) { range in
            Generator.philoxWords(key: key, counter: first &+ UInt64(range.lowerBound), blocks: range.count,
                                  into: words + 4 * range.lowerBound)
        }
        if whole < blocks {
            // An odd count: the last block has room for only one of its two 64-bit words.
            let tail = Generator.philox(key: key, counter: first &+ UInt64(whole))
            words[4 * whole] = tail.0
            words[4 * whole + 1] = tail.1
        }
    }

    /// The words of `blocks` consecutive blocks from `counter`, written to `p`.
    @inline(__always)
    static func philoxWords(key: UInt64, counter: UInt64, blocks: Int, into p: UnsafeMutablePointer<UInt32>) {
        for block in 0..<blocks {
            let words = philox(key: key, counter: counter &+ UInt64(block))
            p[4 * block] = words.0; p[4 * block + 1] = words.1
            p[4 * block + 2] = words.2; p[4 * block + 3] = words.3
        }
    }

    /// Fills `count` floats in fixed groups of `width` values, each made from `width` words
    /// (group i always uses the same counters, so the values do not depend on how the work is
    /// split across cores). `transform` reads a group's words and writes its values.
    @inline(__always)
    private func fillGroups(_ p: UnsafeMutablePointer<Float>, count: Int, width: Int,
                            _ transform: (UnsafeRawPointer, UnsafeMutableRawPointer) -> Void) {
        let blocksPerGroup = width / 4
        let groups = (count + width - 1) / width
        if groups == 0 { return }
        let (key, first) = reserve(blocks: groups * blocksPerGroup)
        Parallel.forEachChunk(groups, costPerElement: 8 * width, alignment: 1) { range in
            let words = UnsafeMutablePointer<UInt32>.allocate(capacity: width)
            let values = UnsafeMutablePointer<Float>.allocate(capacity: width)
            defer { words.deallocate(); values.deallocate() }
            for group in range {
                Generator.philoxWords(key: key, counter: first &+ UInt64(group * blocksPerGroup),
                                      blocks: blocksPerGroup, into: words)
                let start = group * width
                if start + width <= count {
                    transform(UnsafeRawPointer(words), UnsafeMutableRawPointer(p + start))
                } else {
                    transform(UnsafeRawPointer(words), UnsafeMutableRawPointer(values))
                    (p + start).update(from: values, count: count - start)
                }
            }
        }
    }

    /// Uniform floats in [0, 1): the top 23 bits of each word over 2^23 (so 1 is never reached).
    func fillUniform(_ p: UnsafeMutablePointer<Float>, count: Int) {
        fillGroups(p, count: count, width: 16) { words, out in
            let w = words.assumingMemoryBound(to: UInt32.self), o = out.assumingMemoryBound(to: Float.self)
            for i in 0..<16 { o[i] = Generator.unitFloat(w[i] >> 9) }
        }
    }

    /// Standard normal floats by the Box-Muller transform, in fixed tiles of 2048 values
    /// (512 blocks): the tile's first 1024 words give the radii and the last 1024 the angles;
    /// cosines fill the first half of the tile and sines the second. Tile t always uses the same
    /// counters, so values do not depend on the tensor size or on how cores split the work.
    func fillNormal(_ p: UnsafeMutablePointer<Float>, count: Int) {
        let half = 1024, tile = 2 * half, blocksPerTile = tile / 4
        let tiles = (count + tile - 1) / tile
        if tiles == 0 { return }
        let (key, first) = reserve(blocks: tiles * blocksPerTile)
        Parallel.forEachChunk(tiles, costPerElement: 8 * tile, alignment: 1) { range in
            let words = UnsafeMutablePointer<UInt32>.allocate(capacity: tile)
            let values = UnsafeMutablePointer<Float>.allocate(capacity: tile)
            defer { words.deallocate(); values.deallocate() }
            for t in range {
                let start = t * tile, needed = min(tile, count - start)
                Generator.philoxWords(key: key, counter: first &+ UInt64(t * blocksPerTile),
                                      blocks: blocksPerTile, into: words)
                let pairs = min(half, needed)
                // Plain passes over branch-free math, so the compiler vectorises them; the
                // square root goes through SIMD so no errno check splits the loop.
                let radii = values + half
                for i in 0..<pairs {
                    // u1 in (0, 1] keeps the log finite (and the log at most 0).
                    radii[i] = -2 * Generator.logarithm(Generator.unitFloat((words[i] >> 9) + 1))
                }
                let raw = UnsafeMutableRawPointer(radii)
                var i = 0
                while i + 8 <= pairs {
                    let r = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                    raw.storeBytes(of: r.squareRoot(), toByteOffset: 4 * i, as: SIMD8<Float>.self)
                    i += 8
                }
                while i < pairs { radii[i] = max(radii[i], 0).squareRoot(); i += 1 }
                for i in 0..<pairs {
                    let (cosine, sine) = Generator.cosineAndSine(turns24: words[half + i] >> 8)
                    let radius = radii[i]
                    values[i] = radius * cosine
                    radii[i] = radius * sine
                }
                (p + start).update(from: values, count: needed)
            }
        }
    }

    /// `n / 2^23` for `n` in 0...2^23, through the exponent trick (no int-to-float conversion).
    @inline(__always)
    static func unitFloat(_ n: UInt32) -> Float {
        (Float(bitPattern: n &+ 0x4B00_0000) - 8_388_608) * (1.0 / 8_388_608)
    }

    /// Natural log of a positive normal float, branch-free: split off the exponent so the
    /// mantissa lies in [sqrt(1/2), sqrt(2)), then Cephes' logf polynomial (within 1e-6 of libm,
    /// far below the 2^-23 resolution of the inputs it is used on).
    @inline(__always)
    static func logarithm(_ x: Float) -> Float {
        let bits = x.bitPattern &+ (0x3F80_0000 &- 0x3F35_04F3)
        // The exponent as a float by the 1.5 * 2^23 trick (it may be negative).
        let k = Float(bitPattern: (bits >> 23) &+ (0x4B40_0000 &- 0x7F)) - 12_582_912
        let f = Float(bitPattern: (bits & 0x007F_FFFF) &+ 0x3F35_04F3) - 1
        let z = f * f
        var y: Float = 7.037_683_629_2e-2
        y = y * f - 1.151_461_031_0e-1
        y = y * f + 1.167_699_874_0e-1
        y = y * f - 1.242_014_084_6e-1
        y = y * f + 1.424_932_278_7e-1
        y = y * f - 1.666_805_766_5e-1
        y = y * f + 2.000_071_476_5e-1
        y = y * f - 2.499_999_399_3e-1
        y = y * f + 3.333_333_117_4e-1
        y = y * f * z
        y += -2.121_944_40e-4 * k
        y += -0.5 * z
        return f + y + 0.693_359_375 * k
    }

    /// cos and sin of `2 pi v / 2^24` for a 24-bit integer `v`, branch-free: the nearest
    /// quarter turn comes from the top bits, the remainder (within pi/4) goes through Cephes'
    /// sinf/cosf polynomials, and the quadrant swaps and negates them with bit operations.
    @inline(__always)
    static func cosineAndSine(turns24 v: UInt32) -> (Float, Float) {
        let nearest = (v &+ (1 << 21)) >> 22                      // 0...4 quarter turns
        let offset = v &- (nearest << 22)                          // in [-2^21, 2^21), two's complement
        let r = (Float(bitPattern: offset &+ 0x4B40_0000) - 12_582_912) * (2 * Float.pi / 16_777_216)
        let q = nearest & 3
        let z = r * r
        var s: Float = -1.951_529_589_1e-4
        s = (s * z + 8.332_160_873_6e-3) * z - 1.666_665_461_1e-1
        s = s * z * r + r
        var c: Float = 2.443_315_711_809_948e-5
        c = (c * z - 1.388_731_625_493_765e-3) * z + 4.166_664_568_298_827e-2
        c = c * z * z - 0.5 * z + 1
        let odd = 0 &- (q & 1)
        let cBits = c.bitPattern, sBits = s.bitPattern
        let cosSign = (((q &+ 1) >> 1) & 1) << 31, sinSign = (q >> 1) << 31
        let cosine = Float(bitPattern: ((sBits & odd) | (cBits & ~odd)) ^ cosSign)
        let sine = Float(bitPattern: ((cBits & odd) | (sBits & ~odd)) ^ sinSign)
        return (cosine, sine)
    }

    /// 64-bit words reduced to `0..<range` by a multiply-high (Lemire's method; the bias is
    /// below range / 2^64).
    func fillBelow(_ range: UInt64, _ p: UnsafeMutablePointer<UInt64>, count: Int) {
        fillWords64(p, count: count)
        Parallel.forEachChunk(count, costPerElement: 2) { r in
            for i in r { p[i] = p[i].multipliedFullWidth(by: range).high }
        }
    }
}

/// Reseeds the default generator, as `torch.manual_seed`.
public func manualSeed(_ seed: UInt64) {
    Generator.defaultGenerator.manualSeed(seed)
}

/// Reseeds the default generator; negative seeds wrap to 64 bits as in torch.
public func manualSeed(_ seed: Int) {
    Generator.defaultGenerator.manualSeed(UInt64(bitPattern: Int64(seed)))
}

extension Tensor {
    /// Samples from the standard normal distribution (`torch.randn`).
    public static func randn(_ shape: [Int], dtype: DType = .float32,
                             generator: Generator? = nil) throws -> Tensor {
        try normal(shape, mean: 0, std: 1, dtype: dtype, generator: generator)
    }

    /// Samples uniformly from [0, 1) (`torch.rand`).
    public static func rand(_ shape: [Int], dtype: DType = .float32,
                            generator: Generator? = nil) throws -> Tensor {
        try uniform(shape, low: 0, high: 1, dtype: dtype, generator: generator)
    }

    /// Samples from N(mean, std²): parameter initialisation (`torch.nn.init.normal_`).
    public static func normal(_ shape: [Int], mean: Double = 0, std: Double = 1, dtype: DType = .float32,
                              generator: Generator? = nil) throws -> Tensor {
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: "normal", dtype: dtype) }
        guard std >= 0 else { throw TensorError.invalidArgument("normal expects std >= 0.0, but found std \(std)") }
        let out = Tensor(uninitialized: shape, dtype: .float32)
        let p = out.floatPointer, n = out.count
        (generator ?? .defaultGenerator).fillNormal(p, count: n)
        if mean != 0 || std != 1 {
            let m = Float(mean), s = Float(std)
            Parallel.forEachChunk(n) { r in for i in r { p[i] = p[i] * s + m } }
        }
        return dtype == .float32 ? out : try out.to(dtype)
    }

    /// Samples uniformly from [low, high) (`torch.nn.init.uniform_`).
    public static func uniform(_ shape: [Int], low: Double = 0, high: Double = 1, dtype: DType = .float32,
                               generator: Generator? = nil) throws -> Tensor {
        guard dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: "uniform", dtype: dtype) }
        guard low <= high else {
            throw TensorError.invalidArgument("uniform_ expects to return a [from, to) range, but found from=\(low) > to=\(high)")
        }
        let out = Tensor(uninitialized: shape, dtype: .float32)
        let p = out.floatPointer, n = out.count
        (generator ?? .defaultGenerator).fillUniform(p, count: n)
        if low != 0 || high != 1 {
            let a = Float(low), w = Float(high - low)
            Parallel.forEachChunk(n) { r in for i in r { p[i] = a + p[i] * w } }
        }
        return dtype == .float32 ? out : try out.to(dtype)
    }

    /// Integers drawn uniformly from `low..<high` (`torch.randint`), int64 unless `dtype` says.
    public static func randint(low: Int64 = 0, high: Int64, shape: [Int], dtype: DType = .int64,
                               generator: Generator? = nil) throws -> Tensor {
        guard low < high else {
            throw TensorError.invalidArgument("random_ expects 'from' to be less than 'to', but got from=\(low) >= to=\(high)")
        }
        let out = Tensor(uninitialized: shape, dtype: .int64)
        let range = UInt64(bitPattern: high &- low)
        let p = out.pointer(as: Int64.self), n = out.count
        p.withMemoryRebound(to: UInt64.self, capacity: n) { raw in
            (generator ?? .defaultGenerator).fillBelow(range, raw, count: n)
        }
        Parallel.forEachChunk(n) { r in for i in r { p[i] = low &+ p[i] } }
        return dtype == .int64 ? out : try out.to(dtype)
    }

    /// A random permutation of `0..<n` as int64 (`torch.randperm`), by Fisher-Yates.
    public static func randperm(_ n: Int, generator: Generator? = nil) throws -> Tensor {
        guard n >= 0 else { throw TensorError.invalidArgument("n must be non-negative, got \(n)") }
        var draws = [UInt64](repeating: 0, count: n)
        draws.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            (generator ?? .defaultGenerator).fillWords64(base, count: n)
        }
        var values = (0..<n).map { Int64($0) }
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = Int(draws[i].multipliedFullWidth(by: UInt64(i + 1)).high)
                values.swapAt(i, j)
            }
        }
        return try Tensor(int64: values, shape: [n])
    }

    /// Overwrites this tensor's elements (any view) with samples from N(mean, std²) and returns
    /// it (torch's in-place `normal_`). Not recorded by autograd.
    @discardableResult
    public func fillNormal(mean: Double = 0, std: Double = 1, generator: Generator? = nil) throws -> Tensor {
        try copy(from: Tensor.normal(shape, mean: mean, std: std, generator: generator))
        return self
    }

    /// Overwrites this tensor's elements (any view) with samples from U[low, high) and returns
    /// it (torch's in-place `uniform_`). Not recorded by autograd.
    @discardableResult
    public func fillUniform(low: Double = 0, high: Double = 1, generator: Generator? = nil) throws -> Tensor {
        try copy(from: Tensor.uniform(shape, low: low, high: high, generator: generator))
        return self
    }
}

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

    /// The four 32-bit words of block `counter` under `key`.
    @inline(__always)
    static func philox(key: UInt64, counter: UInt64) -> SIMD4<UInt32> {
        var c0 = UInt32(truncatingIfNeeded: counter), c1 = UInt32(truncatingIfNeeded: counter >> 32)
        var c2: UInt32 = 0, c3: UInt32 = 0
        var k0 = UInt32(truncatingIfNeeded: key), k1 = UInt32(truncatingIfNeeded: key >> 32)
        for round in 0..<10 {
            if round > 0 { k0 &+= 0x9E37_79B9; k1 &+= 0xBB67_AE85 }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            c0 = hi1 ^ c1 ^ k0
            c1 = lo1
            c2 = hi0 ^ c3 ^ k1
            c3 = lo0
        }
        return SIMD4(c0, c1, c2, c3)
    }

    /// Fills `count` values, four per block, calling `fill(block words, destination index)`;
    /// blocks are split across cores when there are many.
    func fillBlocks(_ count: Int, _ fill: (SIMD4<UInt32>, Int) -> Void) {
        let blocks = (count + 3) / 4
        if blocks == 0 { return }
        let (key, first) = reserve(blocks: blocks)
        Parallel.forEachChunk(blocks, costPerElement: 16, alignment: 1) { range in
            for block in range {
                fill(Generator.philox(key: key, counter: first &+ UInt64(block)), block * 4)
            }
        }
    }

    /// The words of `blocks` consecutive blocks from `counter`, written to `p`.
    @inline(__always)
    static func philoxWords(key: UInt64, counter: UInt64, blocks: Int, into p: UnsafeMutablePointer<UInt32>) {
        for block in 0..<blocks {
            let words = philox(key: key, counter: counter &+ UInt64(block))
            for lane in 0..<4 { p[4 * block + lane] = words[lane] }
        }
    }

    /// Fills `count` floats in groups of `Group` values made from `Group` words; `transform`
    /// turns one group's words into values. Groups are fixed (group i always uses the same
    /// counters), so the values do not depend on how the work is split across cores.
    @inline(__always)
    private func fillGroups<Group: SIMD>(_ p: UnsafeMutablePointer<Float>, count: Int, _: Group.Type,
                                         _ transform: (Group) -> Group)
        where Group.Scalar == UInt32 {
        let width = Group.scalarCount, blocksPerGroup = width / 4
        let groups = (count + width - 1) / width
        if groups == 0 { return }
        let (key, first) = reserve(blocks: groups * blocksPerGroup)
        Parallel.forEachChunk(groups, costPerElement: 8 * width, alignment: 1) { range in
            var words = Group()
            for group in range {
                withUnsafeMutableBytes(of: &words) { raw in
                    Generator.philoxWords(key: key, counter: first &+ UInt64(group * blocksPerGroup),
                                          blocks: blocksPerGroup, into: raw.baseAddress!.assumingMemoryBound(to: UInt32.self))
                }
                let values = transform(words)
                let start = group * width, n = min(width, count - start)
                withUnsafeBytes(of: values) { raw in
                    (p + start).update(from: raw.baseAddress!.assumingMemoryBound(to: Float.self), count: n)
                }
            }
        }
    }

    /// Uniform floats in [0, 1) from the top 24 bits of each word (every value is a multiple
    /// of 2^-24, so 1 is never reached).
    func fillUniform(_ p: UnsafeMutablePointer<Float>, count: Int) {
        fillGroups(p, count: count, SIMD16<UInt32>.self) { words in
            let values = SIMD16<Float>(words &>> 8) * (1.0 / 16_777_216)
            return unsafeBitCast(values, to: SIMD16<UInt32>.self)
        }
    }

    /// Standard normal floats by the Box-Muller transform: in each group of 32, the first 16
    /// words give the radii and the last 16 the angles; cosines fill the first half of the
    /// group and sines the second.
    func fillNormal(_ p: UnsafeMutablePointer<Float>, count: Int) {
        fillGroups(p, count: count, SIMD32<UInt32>.self) { words in
            let scale: Float = 1.0 / 16_777_216
            // u1 in (0, 1] keeps the log finite.
            let u1 = SIMD16<Float>(words.lowHalf &>> 8 &+ 1) * scale
            let u2 = SIMD16<Float>(words.highHalf &>> 8) * scale
            let radius = (-2 * Generator.logarithm(u1)).squareRoot()
            let (cosine, sine) = Generator.cosineAndSine(turns: u2)
            let values = SIMD32<Float>(lowHalf: radius * cosine, highHalf: radius * sine)
            return unsafeBitCast(values, to: SIMD32<UInt32>.self)
        }
    }

    /// Natural log of positive normal floats, vectorised (Cephes' logf polynomial; about
    /// 1 ulp, which is far below the resolution of the 24-bit inputs it is used on).
    @inline(__always)
    static func logarithm(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self)
        var exponent = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: bits &>> 23) &- 126)
        // Mantissa in [0.5, 1).
        var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F00_0000, to: SIMD16<Float>.self)
        let small = m .< 0.707_106_781_186_547_524
        exponent = exponent.replacing(with: exponent - 1, where: small)
        m = m.replacing(with: m + m, where: small) - 1
        let z = m * m
        var y: SIMD16<Float> = SIMD16(repeating: 7.037_683_629_2e-2)
        y = y * m - 1.151_461_031_0e-1
        y = y * m + 1.167_699_874_0e-1
        y = y * m - 1.242_014_084_6e-1
        y = y * m + 1.424_932_278_7e-1
        y = y * m - 1.666_805_766_5e-1
        y = y * m + 2.000_071_476_5e-1
        y = y * m - 2.499_999_399_3e-1
        y = y * m + 3.333_333_117_4e-1
        y = y * m * z
        y += -2.121_944_40e-4 * exponent
        y += -0.5 * z
        return m + y + 0.693_359_375 * exponent
    }

    /// cos and sin of `2 pi * turns` for turns in [0, 1), vectorised: reduce to a quarter turn
    /// around the nearest multiple of pi/2, then Cephes' sinf/cosf polynomials on [-pi/4, pi/4].
    @inline(__always)
    static func cosineAndSine(turns: SIMD16<Float>) -> (SIMD16<Float>, SIMD16<Float>) {
        let quarters = turns * 4
        let nearest = quarters.rounded(.toNearestOrEven)
        let r = (quarters - nearest) * (Float.pi / 2)
        let quadrant = SIMD16<Int32>(nearest, rounding: .towardZero) & 3
        let z = r * r
        var s: SIMD16<Float> = SIMD16(repeating: -1.951_529_589_1e-4)
        s = (s * z + 8.332_160_873_6e-3) * z - 1.666_665_461_1e-1
        s = s * z * r + r
        var c: SIMD16<Float> = SIMD16(repeating: 2.443_315_711_809_948e-5)
        c = (c * z - 1.388_731_625_493_765e-3) * z + 4.166_664_568_298_827e-2
        c = c * z * z - 0.5 * z + 1
        let odd = (quadrant & 1) .== 1
        var cosine = c.replacing(with: s, where: odd)
        var sine = s.replacing(with: c, where: odd)
        cosine = cosine.replacing(with: -cosine, where: (quadrant .== 1) .| (quadrant .== 2))
        sine = sine.replacing(with: -sine, where: quadrant .>= 2)
        return (cosine, sine)
    }

    /// 64-bit words, two per block, reduced to `0..<range` by a multiply-high (Lemire's
    /// method; the bias is below range / 2^64).
    func fillBelow(_ range: UInt64, _ p: UnsafeMutablePointer<UInt64>, count: Int) {
        let blocks = (count + 1) / 2
        fillBlocks(blocks * 4) { words, start in
            let first = start / 2
            for half in 0..<min(2, count - first) {
                let word = UInt64(words[2 * half]) << 32 | UInt64(words[2 * half + 1])
                p[first + half] = word.multipliedFullWidth(by: range).high
            }
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
        for i in 0..<n { p[i] = low &+ p[i] }
        return dtype == .int64 ? out : try out.to(dtype)
    }

    /// A random permutation of `0..<n` as int64 (`torch.randperm`), by Fisher-Yates.
    public static func randperm(_ n: Int, generator: Generator? = nil) throws -> Tensor {
        guard n >= 0 else { throw TensorError.invalidArgument("n must be non-negative, got \(n)") }
        var draws = [UInt64](repeating: 0, count: n)
        draws.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            (generator ?? .defaultGenerator).fillBlocks(((n + 1) / 2) * 4) { words, start in
                let first = start / 2
                for half in 0..<min(2, n - first) {
                    base[first + half] = UInt64(words[2 * half]) << 32 | UInt64(words[2 * half + 1])
                }
            }
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

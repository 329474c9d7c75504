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

    /// Uniform floats in [0, 1) from the top 24 bits of each word (every value is a multiple
    /// of 2^-24, so 1 is never reached).
    func fillUniform(_ p: UnsafeMutablePointer<Float>, count: Int) {
        let scale: Float = 1.0 / 16_777_216
        fillBlocks(count) { words, start in
            for lane in 0..<min(4, count - start) { p[start + lane] = Float(words[lane] >> 8) * scale }
        }
    }

    /// Standard normal floats by the Box-Muller transform, two per pair of words.
    func fillNormal(_ p: UnsafeMutablePointer<Float>, count: Int) {
        let scale: Float = 1.0 / 16_777_216
        fillBlocks(count) { words, start in
            var values = SIMD4<Float>()
            for pair in 0..<2 {
                // u1 in (0, 1] keeps the log finite.
                let u1 = Float((words[2 * pair] >> 8) + 1) * scale
                let angle = 2 * Float.pi * Float(words[2 * pair + 1] >> 8) * scale
                let radius = (-2 * log(u1)).squareRoot()
                values[2 * pair] = radius * cos(angle)
                values[2 * pair + 1] = radius * sin(angle)
            }
            for lane in 0..<min(4, count - start) { p[start + lane] = values[lane] }
        }
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

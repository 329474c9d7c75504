import XCTest
@testable import Tensors

final class RandomTests: XCTestCase {
    private let sampleCount = 100_000

    /// The largest gap between the empirical CDF of `values` and `cdf` (Kolmogorov-Smirnov).
    private func ksStatistic(_ values: [Float], _ cdf: (Double) -> Double) -> Double {
        let sorted = values.sorted()
        let n = Double(sorted.count)
        var worst = 0.0
        for (i, v) in sorted.enumerated() {
            let f = cdf(Double(v))
            worst = max(worst, abs(f - Double(i) / n), abs(Double(i + 1) / n - f))
        }
        return worst
    }

    /// The 1% critical value of the one-sample KS test.
    private var ksCritical: Double { 1.63 / Double(sampleCount).squareRoot() }

    private func meanAndVariance(_ values: [Float]) -> (Double, Double) {
        let n = Double(values.count)
        let mean = values.reduce(0.0) { $0 + Double($1) } / n
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / (n - 1)
        return (mean, variance)
    }

    func testSameSeedGivesSameValues() throws {
        let a = try Tensor.randn([1000], generator: Generator(seed: 42)).toFloatArray()
        let b = try Tensor.randn([1000], generator: Generator(seed: 42)).toFloatArray()
        let c = try Tensor.randn([1000], generator: Generator(seed: 43)).toFloatArray()
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testManualSeedResetsTheDefaultGenerator() throws {
        manualSeed(7)
        let first = try Tensor.rand([50]).toFloatArray()
        let second = try Tensor.rand([50]).toFloatArray()
        manualSeed(7)
        XCTAssertEqual(try Tensor.rand([50]).toFloatArray(), first)
        XCTAssertEqual(try Tensor.rand([50]).toFloatArray(), second)
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(Generator.defaultGenerator.initialSeed, 7)
    }

    func testParallelFillGivesTheSameStreamAsASmallOne() throws {
        // A large tensor is filled on several cores; its prefix is still the small tensor's values.
        let large = try Tensor.randn([200_003], generator: Generator(seed: 9)).toFloatArray()
        let small = try Tensor.randn([1001], generator: Generator(seed: 9)).toFloatArray()
        XCTAssertEqual(Array(large.prefix(1001)), small)
    }

    func testSavedStateReplaysTheStream() throws {
        let generator = Generator(seed: 3)
        _ = try Tensor.rand([10], generator: generator)
        let saved = generator.state
        let next = try Tensor.randn([20], generator: generator).toFloatArray()
        generator.state = saved
        XCTAssertEqual(try Tensor.randn([20], generator: generator).toFloatArray(), next)
    }

    func testRandnIsStandardNormal() throws {
        let values = try Tensor.randn([sampleCount], generator: Generator(seed: 11)).toFloatArray()
        let (mean, variance) = meanAndVariance(values)
        XCTAssertEqual(mean, 0, accuracy: 0.015)
        XCTAssertEqual(variance, 1, accuracy: 0.02)
        let ks = ksStatistic(values) { 0.5 * (1 + erf($0 / 2.0.squareRoot())) }
        XCTAssertLessThan(ks, ksCritical)
    }

    func testRandIsUniformOnTheHalfOpenUnitInterval() throws {
        let values = try Tensor.rand([sampleCount], generator: Generator(seed: 12)).toFloatArray()
        XCTAssertTrue(values.allSatisfy { $0 >= 0 && $0 < 1 })
        let (mean, variance) = meanAndVariance(values)
        XCTAssertEqual(mean, 0.5, accuracy: 0.005)
        XCTAssertEqual(variance, 1.0 / 12, accuracy: 0.002)
        XCTAssertLessThan(ksStatistic(values) { min(max($0, 0), 1) }, ksCritical)
    }

    func testNormalAndUniformInitialisersUseTheirParameters() throws {
        let normal = try Tensor.normal([sampleCount], mean: 3, std: 0.5, generator: Generator(seed: 13)).toFloatArray()
        let (m, v) = meanAndVariance(normal)
        XCTAssertEqual(m, 3, accuracy: 0.01)
        XCTAssertEqual(v, 0.25, accuracy: 0.005)
        let uniform = try Tensor.uniform([sampleCount], low: -2, high: 4, generator: Generator(seed: 14)).toFloatArray()
        XCTAssertTrue(uniform.allSatisfy { $0 >= -2 && $0 < 4 })
        let (um, uv) = meanAndVariance(uniform)
        XCTAssertEqual(um, 1, accuracy: 0.03)
        XCTAssertEqual(uv, 3, accuracy: 0.06)
        XCTAssertEqual(try Tensor.randn([2, 3], dtype: .bfloat16).dtype, .bfloat16)
    }

    func testRandintStaysInBoundsAndHitsEveryValueEvenly() throws {
        let t = try Tensor.randint(low: -3, high: 7, shape: [sampleCount], generator: Generator(seed: 15))
        XCTAssertEqual(t.dtype, .int64)
        var counts = [Int](repeating: 0, count: 10)
        for v in t.toInt64Array() {
            guard v >= -3 && v < 7 else { return XCTFail("out of bounds: \(v)") }
            counts[Int(v + 3)] += 1
        }
        // Each bucket expects 10000 with a standard deviation of about 95.
        for c in counts { XCTAssertEqual(Double(c), 10_000, accuracy: 500) }
    }

    func testRandintHandlesTheFullInt64Range() throws {
        let values = try Tensor.randint(low: Int64.min, high: Int64.max, shape: [1000],
                                        generator: Generator(seed: 16)).toInt64Array()
        XCTAssertTrue(values.contains { $0 < 0 } && values.contains { $0 > 0 })
        XCTAssertFalse(values.contains(Int64.max))
    }

    func testRandpermIsAReproduciblePermutation() throws {
        let p = try Tensor.randperm(1000, generator: Generator(seed: 17)).toInt64Array()
        XCTAssertEqual(p.sorted(), (0..<1000).map(Int64.init))
        XCTAssertNotEqual(p, (0..<1000).map(Int64.init))
        XCTAssertEqual(try Tensor.randperm(1000, generator: Generator(seed: 17)).toInt64Array(), p)
        XCTAssertEqual(try Tensor.randperm(0).count, 0)
    }

    func testInPlaceFillWritesOnlyTheView() throws {
        let t = Tensor.zeros([4, 6])
        try t.slice(1, start: 0, end: 6, step: 2).fillNormal(mean: 10, std: 1, generator: Generator(seed: 18))
        let values = t.toFloatArray()
        for i in 0..<4 {
            for j in 0..<6 {
                if j % 2 == 0 { XCTAssertGreaterThan(values[i * 6 + j], 4) } else { XCTAssertEqual(values[i * 6 + j], 0) }
            }
        }
        try t.fillUniform(low: 5, high: 6)
        XCTAssertTrue(t.toFloatArray().allSatisfy { $0 >= 5 && $0 < 6 })
    }

    func testBadParametersThrow() {
        XCTAssertThrowsError(try Tensor.randint(low: 5, high: 5, shape: [2]))
        XCTAssertThrowsError(try Tensor.normal([2], std: -1))
        XCTAssertThrowsError(try Tensor.uniform([2], low: 1, high: 0))
        XCTAssertThrowsError(try Tensor.randn([2], dtype: .int64))
        XCTAssertThrowsError(try Tensor.randperm(-1))
    }
}

final class RandomTransformTests: XCTestCase {
    func testBranchFreeLogarithmMatchesFoundation() {
        for n in stride(from: 1, through: 8_388_608, by: 997) {
            let x = Generator.unitFloat(UInt32(n))
            XCTAssertEqual(Generator.logarithm(x), log(x), accuracy: 1e-6 * max(1, abs(log(x))), "\(x)")
        }
    }

    func testBranchFreeCosineAndSineMatchFoundation() {
        for v in stride(from: 0, to: 16_777_216, by: 4093) {
            let (c, s) = Generator.cosineAndSine(turns24: UInt32(v))
            let angle = 2 * Double.pi * Double(v) / 16_777_216
            XCTAssertEqual(Double(c), cos(angle), accuracy: 1e-6)
            XCTAssertEqual(Double(s), sin(angle), accuracy: 1e-6)
        }
    }
}

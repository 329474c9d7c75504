import XCTest
@testable import Tensors

/// Results of at least `StreamingStores.minimumBytes` are written with streaming stores; they
/// must be bit for bit what the ordinary path gives for the same values (checked on small
/// copies of a few windows, which take the ordinary path), tails and odd lengths included.
final class StreamingStoresTests: XCTestCase {
    /// Enough floats that the whole result streams, and not a multiple of 32.
    let large = StreamingStores.minimumBytes / 4 + 1_001

    func values(_ count: Int, seed: UInt64) throws -> [Float] {
        manualSeed(seed)
        return try Tensor.randn([count]).toFloatArray()
    }

    /// Windows at the start, in the middle (across the two cores' chunks) and at the end.
    func windows(_ count: Int, width: Int) -> [Range<Int>] {
        [0..<width, (count / 2 - width / 2)..<(count / 2 + width / 2), (count - width)..<count]
    }

    func testLargeUnaryAndBinaryResultsMatchTheOrdinaryPath() throws {
        let x = try values(large, seed: 1), y = try values(large, seed: 2)
        let tx = Tensor(x), ty = Tensor(y)
        let relu = tx.relu().toFloatArray(), exp = tx.exp().toFloatArray()
        let sum = try (tx + ty).toFloatArray()
        for window in windows(large, width: 1_000) {
            let sx = Tensor(Array(x[window])), sy = Tensor(Array(y[window]))
            XCTAssertEqual(Array(relu[window]), sx.relu().toFloatArray(), "relu \(window)")
            XCTAssertEqual(Array(exp[window]), sx.exp().toFloatArray(), "exp \(window)")
            XCTAssertEqual(Array(sum[window]), try (sx + sy).toFloatArray(), "add \(window)")
        }
    }

    func testLargeGeluAndTanhMatchSmallPiecesBitForBit() throws {
        // A large input runs as several pieces per core (each its own specialised loop); a
        // small window of it runs on one thread: the values must not depend on the split.
        // NaN, infinities and wide values are planted so both gelu kernels and the lane test
        // that picks between them are crossed at the windows.
        var x = try values(large, seed: 7)
        for (k, special) in [Float.nan, .infinity, -.infinity, 9, -9, 3.5, -3.5000002].enumerated() {
            x[k * 3] = special
            x[large / 2 + k * 5] = special
            x[large - 1 - k * 7] = special
        }
        let t = Tensor(x)
        let gelu = try t.gelu().toFloatArray(), tanh = t.tanh().toFloatArray()
        // gelu picks its kernel per 16 lanes, so the windows start where the large run's
        // vectors start (pieces begin at multiples of 16); the last one runs to the end.
        let middle = large / 2 / 16 * 16 - 496, last = (large - 999) / 16 * 16
        for window in [0..<992, middle..<(middle + 992), last..<large] {
            let small = Tensor(Array(x[window]))
            let expected = try small.gelu().toFloatArray()
            for (i, value) in Array(gelu[window]).enumerated() {
                XCTAssertEqual(value.bitPattern, expected[i].bitPattern, "gelu \(window) at \(i)")
            }
            XCTAssertEqual(Array(tanh[window]).map(\.bitPattern), small.tanh().toFloatArray().map(\.bitPattern),
                           "tanh \(window)")
        }
    }

    func testLargeSoftmaxAndLogSoftmaxMatchTheOrdinaryPath() throws {
        for length in [128, 100] {  // aligned rows, and rows whose starts are not all aligned
            let rows = large / length + 1
            let x = try values(rows * length, seed: 3)
            let t = try Tensor(x, shape: [rows, length])
            let softmax = try t.softmax(dim: -1).toFloatArray()
            let logSoftmax = try t.logSoftmax(dim: -1).toFloatArray()
            for window in windows(rows, width: 10) {
                let elements = (window.lowerBound * length)..<(window.upperBound * length)
                let small = try Tensor(Array(x[elements]), shape: [window.count, length])
                XCTAssertEqual(Array(softmax[elements]), try small.softmax(dim: -1).toFloatArray(), "softmax \(length) \(window)")
                XCTAssertEqual(Array(logSoftmax[elements]), try small.logSoftmax(dim: -1).toFloatArray(), "log_softmax \(length) \(window)")
            }
        }
    }

    func testLargeLayerNormMatchesTheOrdinaryPath() throws {
        for length in [768, 100] {
            let rows = large / length + 1
            let x = try values(rows * length, seed: 4), w = try values(length, seed: 5), b = try values(length, seed: 6)
            let weight = Tensor(w), bias = Tensor(b)
            let t = try Tensor(x, shape: [rows, length])
            let out = try t.layerNorm(normalizedShape: [length], weight: weight, bias: bias).toFloatArray()
            for window in windows(rows, width: 10) {
                let elements = (window.lowerBound * length)..<(window.upperBound * length)
                let small = try Tensor(Array(x[elements]), shape: [window.count, length])
                XCTAssertEqual(Array(out[elements]),
                               try small.layerNorm(normalizedShape: [length], weight: weight, bias: bias).toFloatArray(),
                               "layer_norm \(length) \(window)")
            }
        }
    }
}

import Foundation
import Models
import Tensors
import XCTest

/// The cache's buffer management: appends, growth past capacity, crop and reorder keep the
/// positions a plain concatenation would hold.
final class KeyValueCacheTests: XCTestCase {
    func testAppendsAcrossGrowthEqualConcatenation() throws {
        let cache = KeyValueCache(layers: 1)
        var expected: [Tensor] = []
        for step in 0..<40 {
            let new = step == 0 ? 5 : 1
            let key = try Tensor.normal([2, 3, new, 4]), value = try Tensor.normal([2, 3, new, 4])
            expected.append(key)
            let (keys, values) = try cache.update(layer: 0, key: key, value: value)
            XCTAssertEqual(keys.shape, [2, 3, cache.sequenceLength, 4])
            XCTAssertEqual(values.shape, keys.shape)
        }
        XCTAssertEqual(cache.sequenceLength, 44)
        XCTAssertGreaterThanOrEqual(cache.capacity(layer: 0), 44)
        let all = try Tensor.cat(expected, dim: 2)
        XCTAssertEqual(try XCTUnwrap(cache.keys[0]).contiguous().toFloatArray(), all.toFloatArray())
    }

    func testCropAndReorder() throws {
        let cache = KeyValueCache(layers: 2)
        let key = try Tensor((0..<24).map(Float.init), shape: [2, 1, 3, 4])
        for layer in 0..<2 { _ = try cache.update(layer: layer, key: key, value: key) }
        try cache.crop(to: 2)
        XCTAssertEqual(cache.sequenceLength, 2)
        try cache.reorder(rows: Tensor(int64: [1, 0], shape: [2]))
        let first = try XCTUnwrap(cache.keys[1]).select(0, 0).contiguous().toFloatArray()
        XCTAssertEqual(first, Array((12..<20).map(Float.init)))
    }

    func testMismatchedKeysAreErrors() throws {
        let cache = KeyValueCache(layers: 1)
        _ = try cache.update(layer: 0, key: Tensor.zeros([1, 2, 3, 4]), value: Tensor.zeros([1, 2, 3, 4]))
        XCTAssertThrowsError(try cache.update(layer: 0, key: Tensor.zeros([1, 3, 1, 4]), value: Tensor.zeros([1, 3, 1, 4]))) { error in
            XCTAssertTrue(message(error).contains("past_key_values layer 0 holds keys [1, 2, 3, 4]"), message(error))
        }
        XCTAssertThrowsError(try cache.update(layer: 1, key: Tensor.zeros([1, 2, 1, 4]), value: Tensor.zeros([1, 2, 1, 4])))
    }
}

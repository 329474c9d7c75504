import Foundation
import Synchronization
import XCTest
@testable import Tensors

final class ParallelTests: XCTestCase {
    func testPerformRunsEveryIterationExactlyOnce() {
        for iterations in [2, 3, 7, 64, 1000] {
            let hits = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: iterations)
            for i in 0..<iterations { (hits + i).initialize(to: Atomic(0)) }
            Parallel.perform(iterations) { i in hits[i].add(1, ordering: .relaxed) }
            for i in 0..<iterations {
                XCTAssertEqual(hits[i].load(ordering: .relaxed), 1, "iteration \(i) of \(iterations)")
            }
            hits.deallocate()
        }
    }

    func testManySmallLoopsInARowAllComplete() {
        // Workers alternate between polling and sleeping; no loop may be lost in between.
        let total = Atomic<Int>(0)
        for round in 0..<20_000 {
            Parallel.perform(2) { i in total.add(i + 1, ordering: .relaxed) }
            if round % 5000 == 0 { usleep(1000) }  // let the workers fall asleep now and then
        }
        XCTAssertEqual(total.load(ordering: .relaxed), 20_000 * 3)
    }

    func testNestedLoopRunsOnTheCallingThreadWithoutDeadlock() {
        let total = Atomic<Int>(0)
        Parallel.perform(4) { _ in
            Parallel.perform(3) { j in total.add(j, ordering: .relaxed) }
        }
        XCTAssertEqual(total.load(ordering: .relaxed), 4 * 3)
    }

    func testLoopsFromSeveralThreadsAtOnceAllComplete() {
        let total = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<2000 {
                Parallel.perform(3) { j in total.add(j + 1, ordering: .relaxed) }
            }
        }
        XCTAssertEqual(total.load(ordering: .relaxed), 4 * 2000 * 6)
    }

    func testLargeLoopsAreCutIntoSeveralPiecesPerCoreAndSmallOnesAreNot() {
        XCTAssertEqual(Parallel.chunkCount(Parallel.minimumElementsPerTask - 1), 1)
        let large = Parallel.chunkCount(1 << 22, costPerElement: 16)
        XCTAssertEqual(large, Parallel.coreCount == 1 ? 1 : Parallel.coreCount * Parallel.chunksPerCore)
        // Just enough work for two tasks: one piece per core, never an odd share.
        let two = Parallel.chunkCount(2 * Parallel.minimumElementsPerTask)
        XCTAssertEqual(two % Swift.min(Parallel.coreCount, 2), 0)
        XCTAssertLessThanOrEqual(two, 2)
    }

    func testForEachChunkCoversTheRangeWithCoarseAlignment() {
        // Alignment larger than an even share leaves fewer, whole-aligned chunks.
        for count in [100_003, 1 << 20, 3 * 4096 + 5] {
            let seen = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
            seen.initialize(repeating: 0, count: count)
            Parallel.forEachChunk(count, costPerElement: 8, alignment: 4096) { range in
                XCTAssertEqual(range.lowerBound % 4096, 0)
                for i in range { seen[i] &+= 1 }
            }
            XCTAssertTrue((0..<count).allSatisfy { seen[$0] == 1 }, "count \(count)")
            seen.deallocate()
        }
    }

    func testFullSumOfALargeTensorIsTheSameEveryTimeAndClose() throws {
        // The partial sums are indexed by piece and added in order, so whichever core takes
        // which piece, the result is the same float.
        manualSeed(11)
        let n = 4 * Parallel.minimumElementsPerTask * 8 + 77
        let x = try Tensor.randn([n])
        let first = try x.sum().item()
        for _ in 0..<20 { XCTAssertEqual(try x.sum().item(), first) }
        let exact = x.toFloatArray().reduce(0.0) { $0 + Double($1) }
        XCTAssertEqual(Double(first), exact, accuracy: 1e-5 * Double(n).squareRoot() * 4)
    }

    func testForEachChunkCoversTheRangeInDisjointAlignedChunks() {
        let count = 1_000_003
        let seen = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
        seen.initialize(repeating: 0, count: count)
        Parallel.forEachChunk(count, costPerElement: 4) { range in
            XCTAssertEqual(range.lowerBound % 16, 0)
            for i in range { seen[i] &+= 1 }
        }
        XCTAssertTrue((0..<count).allSatisfy { seen[$0] == 1 })
        seen.deallocate()
    }
}

final class BufferPoolTests: XCTestCase {
    func testAFreedLargeBufferIsReusedForTheSameSize() {
        let bytes = 3 * BufferPool.minimumBytes + 100
        let first = BufferPool.allocate(byteCount: bytes)
        BufferPool.deallocate(first, byteCount: bytes)
        let second = BufferPool.allocate(byteCount: bytes)
        XCTAssertEqual(first, second)
        BufferPool.deallocate(second, byteCount: bytes)
    }

    func testVeryLargeBuffersStartOnAHugePageAndAreReused() {
        let bytes = BufferPool.hugePageMinimumBytes + 12_345
        let first = BufferPool.allocate(byteCount: bytes)
        XCTAssertEqual(Int(bitPattern: first) % BufferPool.hugePageBytes, 0)
        first.storeBytes(of: 1.5, toByteOffset: bytes - 4, as: Float.self)  // writable to the end
        BufferPool.deallocate(first, byteCount: bytes)
        let second = BufferPool.allocate(byteCount: bytes)
        XCTAssertEqual(first, second)
        BufferPool.deallocate(second, byteCount: bytes)
    }

    func testLargeBuffersAreSixtyFourByteAlignedAndWholePages() {
        let bytes = BufferPool.minimumBytes + 1
        XCTAssertEqual(BufferPool.roundedSize(bytes) % 4096, 0)
        let p = BufferPool.allocate(byteCount: bytes)
        XCTAssertEqual(Int(bitPattern: p) % 64, 0)
        BufferPool.deallocate(p, byteCount: bytes)
    }

    func testReleaseCachedEmptiesThePool() {
        let t = Tensor.zeros([BufferPool.minimumBytes])  // 4 bytes each: above the threshold
        XCTAssertEqual(t.count, BufferPool.minimumBytes)
        _ = t  // dropped at the end of scope below
        BufferPool.releaseCached()
        XCTAssertEqual(BufferPool.bytesCached, 0)
    }

    func testAReusedBufferStillGivesZeroedTensors() {
        let n = BufferPool.minimumBytes
        do {
            let dirty = Tensor.full([n], 7)
            XCTAssertEqual(dirty.toFloatArray()[n - 1], 7)
        }
        let clean = Tensor.zeros([n])
        XCTAssertTrue(clean.toFloatArray().allSatisfy { $0 == 0 })
    }
}

import Dispatch
import Foundation

/// Splits loops across the machine's cores when the work is large enough to pay for it.
public enum Parallel {
    /// Cores to use (the machine has 2; more never helps memory-bound loops here).
    public static let coreCount = max(1, min(ProcessInfoCores.count, 8))

    /// Below this many elements a loop runs on the calling thread.
    public static let minimumElementsPerTask = 32_768

    /// Pieces per core that a large loop is cut into (`APUS_CHUNKS_PER_CORE` sets it).
    ///
    /// The pieces are claimed one at a time, so when one core starts late (a worker waking
    /// from sleep) or is interrupted (another process on the machine), the other core takes
    /// over its remaining pieces instead of waiting for a fixed half to finish. Each piece
    /// is at least 64 tasks' worth (`minimumElementsPerTask`): only long loops are cut, and a
    /// loop over data that stays in the caches (an MLP's 1 MB activations) keeps one piece
    /// per core, which each core usually claims in the same order from op to op, so the next
    /// op tends to find its half in the same core's L2 (with those cut too, the MLP
    /// benchmark came out no faster, slower in some runs; the difference was within noise).
    public static let chunksPerCore: Int = {
        if let text = ProcessInfo.processInfo.environment["APUS_CHUNKS_PER_CORE"],
           let value = Int(text), value >= 1 { return min(value, 64) }
        return 4
    }()

    /// The number of pieces `forEachChunk` cuts a loop of `count` elements at
    /// `costPerElement` into (1: it runs on the calling thread).
    @inline(__always)
    public static func chunkCount(_ count: Int, costPerElement: Int = 1) -> Int {
        let units = count * costPerElement / minimumElementsPerTask
        let cores = min(coreCount, max(1, units))
        if cores <= 1 { return 1 }
        return cores * max(1, min(chunksPerCore, units / cores / 64))
    }

    /// Calls `body(range)` over disjoint chunks covering `0..<count`, in parallel when
    /// `count * costPerElement` is large (see `chunksPerCore`). Chunks are multiples of
    /// `alignment` where possible (so SIMD loops see whole vectors).
    @inline(__always)
    public static func forEachChunk(_ count: Int, costPerElement: Int = 1, alignment: Int = 16,
                                    _ body: (Range<Int>) -> Void) {
        let pieces = chunkCount(count, costPerElement: costPerElement)
        if pieces <= 1 {
            body(0..<count)
            return
        }
        var chunk = (count + pieces - 1) / pieces
        chunk = (chunk + alignment - 1) / alignment * alignment
        perform((count + chunk - 1) / chunk) { task in
            let start = task * chunk
            let end = min(count, start + chunk)
            if start < end { body(start..<end) }
        }
    }

    /// Calls `body(i)` for every i in `0..<iterations`, spread over the cores: the calling
    /// thread and the pool's workers claim iterations one at a time until none are left.
    /// A call made while the pool is busy (from inside another parallel loop, or from a
    /// second thread) runs its iterations on the calling thread.
    public static func perform(_ iterations: Int, _ body: (Int) -> Void) {
        if iterations <= 1 || coreCount <= 1 || iterations > WorkerPool.maximumIterations
            || !WorkerPool.shared.run(iterations, body) {
            for i in 0..<iterations { body(i) }
        }
    }
}

enum ProcessInfoCores {
    static let count = ProcessInfo.processInfo.activeProcessorCount
}

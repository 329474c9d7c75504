import Dispatch
import Foundation

/// Splits loops across the machine's cores when the work is large enough to pay for it.
public enum Parallel {
    /// Cores to use (the machine has 2; more never helps memory-bound loops here).
    public static let coreCount = max(1, min(ProcessInfoCores.count, 8))

    /// Below this many elements a loop runs on the calling thread.
    public static let minimumElementsPerTask = 32_768

    /// Calls `body(range)` over disjoint chunks covering `0..<count`, in parallel when
    /// `count * costPerElement` is large. Chunks are multiples of `alignment` where possible
    /// (so SIMD loops see whole vectors).
    @inline(__always)
    public static func forEachChunk(_ count: Int, costPerElement: Int = 1, alignment: Int = 16,
                                    _ body: (Range<Int>) -> Void) {
        let tasks = min(coreCount, max(1, count * costPerElement / minimumElementsPerTask))
        if tasks <= 1 {
            body(0..<count)
            return
        }
        var chunk = (count + tasks - 1) / tasks
        chunk = (chunk + alignment - 1) / alignment * alignment
        perform(tasks) { task in
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

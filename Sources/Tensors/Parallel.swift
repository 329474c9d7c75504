import Dispatch

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
        DispatchQueue.concurrentPerform(iterations: tasks) { task in
            let start = task * chunk
            let end = min(count, start + chunk)
            if start < end { body(start..<end) }
        }
    }
}

import Foundation

enum ProcessInfoCores {
    static let count = ProcessInfo.processInfo.activeProcessorCount
}

import Foundation
import Synchronization

/// Worker threads that stay ready between parallel loops.
///
/// Handing a loop to a sleeping thread costs a futex wake-up, tens of microseconds on this
/// machine, which is as long as a whole `sum` over 4M floats takes per core. So after a loop
/// each worker keeps polling for the next one for a short while (as OpenMP runtimes do) and
/// only then sleeps on a condition variable.
///
/// One word of state announces a loop: its generation (which loop), its iteration count and
/// the next unclaimed iteration. A thread claims an iteration with a compare-and-swap on that
/// word, so a late worker can never claim an iteration of a loop that has already moved on,
/// and the caller returns only when every claimed iteration has finished.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(workers: Parallel.coreCount - 1)

    /// Iteration counts fit in 16 bits of the state word.
    static let maximumIterations = 0xFFFF
    /// How long an idle worker polls before it sleeps (`APUS_WORKER_SPIN_US` sets it).
    static let spinNanoseconds: UInt64 = {
        if let text = ProcessInfo.processInfo.environment["APUS_WORKER_SPIN_US"],
           let value = UInt64(text) { return value * 1000 }
        return 200_000
    }()

    /// generation << 32 | iterations << 16 | next iteration.
    private let state = Atomic<UInt64>(0)
    /// Iterations of the current loop that have finished.
    private let finished = Atomic<Int>(0)
    /// Workers inside a claim loop (they may hold the loop body).
    private let active = Atomic<Int>(0)
    /// Workers asleep (or about to be) on `condition`.
    private let sleepers = Atomic<Int>(0)
    /// Set while a caller owns the pool.
    private let busy = Atomic<Bool>(false)
    /// The current loop's body, valid while its generation is current and unfinished.
    private var body: ((Int) -> Void)?

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private let workerCount: Int

    init(workers: Int) {
        workerCount = max(0, workers)
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        for index in 0..<workerCount {
            let thread = Thread { [unowned self] in self.workerLoop() }
            thread.name = "apus-worker-\(index)"
            thread.start()
        }
    }

    /// Runs `body` over `0..<iterations` with the workers; false when the pool is already in use.
    func run(_ iterations: Int, _ body: (Int) -> Void) -> Bool {
        guard workerCount > 0,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        withoutActuallyEscaping(body) { escaping in
            self.body = escaping
            finished.store(0, ordering: .relaxed)
            let generation = (state.load(ordering: .relaxed) >> 32) &+ 1
            let announced = (generation << 32) | UInt64(iterations) << 16
            state.store(announced, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(condition)
                pthread_mutex_unlock(mutex)
            }
            claimIterations(generation: generation)
            // Wait for iterations the workers claimed, then for every worker to let go of the body.
            var polls = 0
            while finished.load(ordering: .acquiring) < iterations || active.load(ordering: .acquiring) > 0 {
                polls += 1
                if polls > 4096 { sched_yield() }
            }
            self.body = nil
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    /// Claims and runs iterations of loop `generation` until none are left.
    @inline(never)
    private func claimIterations(generation: UInt64) {
        var current = state.load(ordering: .acquiring)
        while current >> 32 == generation {
            let next = current & 0xFFFF, count = (current >> 16) & 0xFFFF
            if next >= count { return }
            let (exchanged, original) = state.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged {
                body?(Int(next))
                finished.add(1, ordering: .releasing)
                current = state.load(ordering: .acquiring)
            } else {
                current = original
            }
        }
    }

    private func workerLoop() {
        var seen: UInt64 = 0
        while true {
            // Poll for a new loop for a short while, then sleep until one is announced.
            let deadline = DispatchTime.now().uptimeNanoseconds + WorkerPool.spinNanoseconds
            var polls = 0
            var current = state.load(ordering: .acquiring)
            while current >> 32 == seen {
                polls += 1
                if polls & 255 == 0 && DispatchTime.now().uptimeNanoseconds > deadline {
                    pthread_mutex_lock(mutex)
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while state.load(ordering: .sequentiallyConsistent) >> 32 == seen {
                        pthread_cond_wait(condition, mutex)
                    }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    pthread_mutex_unlock(mutex)
                }
                current = state.load(ordering: .acquiring)
            }
            seen = current >> 32
            active.add(1, ordering: .acquiring)
            claimIterations(generation: seen)
            active.subtract(1, ordering: .releasing)
        }
    }
}

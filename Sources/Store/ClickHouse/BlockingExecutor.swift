import Foundation

/// Runs blocking closures (libcurl transfers) on a few dedicated threads, never on the Swift cooperative pool.
///
/// Threads start on demand, up to `maxThreads`, and exit after `idleTimeout` without work, so an unused client holds
/// no threads. Jobs beyond `maxThreads` wait in a FIFO queue.
///
/// - Note: `@unchecked Sendable` because every mutable field is read and written only while `condition` is locked.
final class BlockingExecutor: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var threadCount = 0
    private var idleCount = 0
    private let maxThreads: Int
    private let idleTimeout: TimeInterval
    private let name: String

    /// - Parameters:
    ///   - maxThreads: Most threads alive at once (at least 1).
    ///   - idleTimeout: How long a thread waits for work before it exits.
    ///   - name: Thread name prefix (for debuggers and `top -H`).
    init(maxThreads: Int, idleTimeout: Duration = .seconds(10), name: String) {
        self.maxThreads = max(1, maxThreads)
        self.idleTimeout = idleTimeout.inSeconds
        self.name = name
    }

    /// Runs `work` on an executor thread and returns its result to the calling task.
    func run<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result, Never>) in
            submit { continuation.resume(returning: work()) }
        }
    }

    private func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        var spawn = false
        if jobs.count <= idleCount {
            condition.signal()
        } else if threadCount < maxThreads {
            threadCount += 1
            spawn = true
        }
        condition.unlock()
        if spawn {
            let thread = Thread { [self] in workerLoop() }
            thread.name = name
            thread.start()
        }
    }

    private func workerLoop() {
        condition.lock()
        while true {
            while jobs.isEmpty {
                idleCount += 1
                let signalled = condition.wait(until: Date(timeIntervalSinceNow: idleTimeout))
                idleCount -= 1
                if !signalled, jobs.isEmpty {
                    threadCount -= 1
                    condition.unlock()
                    return
                }
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
            condition.lock()
        }
    }
}

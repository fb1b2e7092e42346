import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// A task executor with one thread of its own, for the API's heavy work off the request threads: refreshing cached reads
/// (decoding and sorting what ClickHouse returns; ``refreshes``, at a lower CPU priority) and rendering answers again
/// (``renderings``).
///
/// Request handlers run on Swift's shared cooperative pool, which has one thread per core: on a 2-core machine a single
/// 50 ms rendering of a 1.5 MB service overview there would hold half the threads every request needs. Work started with
/// an executor as its preference (`Task(executorPreference:)`, `withTaskExecutorPreference`) runs on its thread instead;
/// a thread with a positive ``niceness`` yields to the request threads when the cores are busy (on Linux a nice value is
/// per thread). Jobs run one at a time, in the order they were enqueued.
package final class BackgroundExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: `jobs` is only touched with `condition` locked.

    /// Where cached reads are refreshed in the background (nobody waits for them): below the request threads.
    package static let refreshes = BackgroundExecutor(name: "census-refresh", niceness: 5)
    /// Where answers are rendered again (one request waits for each): at normal priority, and never queued behind a
    /// refresh.
    package static let renderings = BackgroundExecutor(name: "census-render", niceness: 0)

    /// The thread's nice value (0 is normal; higher gets less CPU under contention).
    package let niceness: Int32
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    package init(name: String, niceness: Int32) {
        self.niceness = niceness
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        #if canImport(Glibc)
            // Linux: `who = 0` with PRIO_PROCESS sets the calling thread's nice value only.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        #endif
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}

import Foundation
import Store

/// Runs async work from a thread that must block for its result (the poll thread inside a librdkafka callback).
///
/// - Important: Never call from the cooperative thread pool: the calling thread blocks until the work finishes
///   or `timeout` passes.
enum BlockingWait {
    struct TimedOut: Error, CustomStringConvertible {
        var description: String { "timed out" }
    }

    private final class Box<T>: @unchecked Sendable {
        // Written once by the task before it signals the semaphore, read after the wait: ordered by the semaphore.
        var result: Result<T, any Error> = .failure(TimedOut())
    }

    static func run<T: Sendable>(timeout: Duration, _ work: @escaping @Sendable () async throws -> T) throws -> T {
        let semaphore = DispatchSemaphore(value: 0)
        let box = Box<T>()
        let task = Task {
            do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            semaphore.signal()
        }
        guard semaphore.wait(timeout: .now() + timeout.inSeconds) == .success else {
            task.cancel()
            throw TimedOut()
        }
        return try box.result.get()
    }
}

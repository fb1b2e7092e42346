import Synchronization

/// Hands "clear everything" requests from API tasks to the ingest poll thread, which owns the window.
///
/// While the poll loop runs (``open()`` … ``close()``) a request waits until the poll thread has served it; when no
/// loop runs, ``submit(_:)`` answers `false` and the caller clears directly (nothing is buffered then).
final class ClearMailbox: Sendable {
    /// One pending request: the store's delete, and the task waiting for the outcome.
    struct Request: Sendable {
        var clearStore: @Sendable () async throws -> Void
        /// Resumes the waiting task with the outcome.
        var complete: @Sendable (Result<Void, any Error>) -> Void
    }

    /// The poll loop stopped before serving a request.
    struct Stopped: Error, CustomStringConvertible {
        var description: String { "the ingest pipeline stopped before the clear ran" }
    }

    private let state = Mutex<(open: Bool, requests: [Request])>((false, []))

    /// Queues `clearStore` for the poll thread and waits for it; `false` (nothing queued) when no poll loop runs.
    func submit(_ clearStore: @escaping @Sendable () async throws -> Void) async throws -> Bool {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
            let queued = state.withLock { state -> Bool in
                guard state.open else { return false }
                state.requests.append(Request(clearStore: clearStore, complete: { continuation.resume(with: $0.map { true }) }))
                return true
            }
            if !queued { continuation.resume(returning: false) }
        }
    }

    /// Whether a request is waiting (cheap; checked by the poll loop every round).
    var hasRequests: Bool { state.withLock { !$0.requests.isEmpty } }

    /// Takes every waiting request.
    func take() -> [Request] {
        state.withLock { state in
            defer { state.requests = [] }
            return state.requests
        }
    }

    /// The poll loop started.
    func open() { state.withLock { $0.open = true } }

    /// The poll loop stopped: later submissions clear directly; waiting ones fail with ``Stopped``.
    func close() {
        let waiting = state.withLock { state in
            state.open = false
            defer { state.requests = [] }
            return state.requests
        }
        for request in waiting { request.complete(.failure(Stopped())) }
    }
}

import Synchronization

/// Lets at most `permits` callers in at once; the rest wait in arrival order, each for at most `maxWait`.
///
/// Used in front of the API's reading ``ClickHouseClient`` so that a burst of reads cannot queue without bound: a
/// caller that is not let in within `maxWait` is turned away (the API answers 503 with `Retry-After`).
package final class AdmissionGate: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>
    /// Longest time a caller waits for a permit.
    package let maxWait: Duration

    /// - Parameters:
    ///   - permits: Most callers inside at once (at least 1).
    ///   - maxWait: Longest wait for a permit; zero turns away every caller that cannot enter at once.
    package init(permits: Int, maxWait: Duration) {
        self.state = Mutex(State(available: max(1, permits)))
        self.maxWait = max(.zero, maxWait)
    }

    /// Runs `body` holding a permit.
    /// - Returns: `nil` when no permit was free within ``maxWait`` (or the task was cancelled while waiting); `body`
    ///   did not run then.
    package func withPermit<Result>(_ body: () async throws(ClickHouseError) -> Result) async throws(ClickHouseError) -> Result? {
        guard await acquire() else { return nil }
        defer { release() }
        return try await body()
    }

    /// Waits for a permit; `false` when none came within ``maxWait``.
    func acquire() async -> Bool {
        let id: UInt64? = state.withLock { state in
            if state.available > 0, state.waiters.isEmpty {
                state.available -= 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return true }
        guard maxWait > .zero else { return false }
        let maxWait = self.maxWait
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let admitted = state.withLock { state -> Bool in
                    // A permit may have come back between the check above and now.
                    if state.available > 0, state.waiters.isEmpty {
                        state.available -= 1
                        return true
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return false
                }
                if admitted {
                    continuation.resume(returning: true)
                    return
                }
                Task { [self] in
                    try? await Task.sleep(for: maxWait)
                    giveUp(id)
                }
            }
        } onCancel: {
            giveUp(id)
        }
    }

    /// Callers waiting for a permit now.
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    /// Returns a permit: the longest waiter gets it, else it becomes free.
    func release() {
        let next = state.withLock { state -> Waiter? in
            guard !state.waiters.isEmpty else {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume(returning: true)
    }

    /// Ends waiter `id`'s wait without a permit, unless it already got one.
    private func giveUp(_ id: UInt64) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: false)
    }
}

import Synchronization

/// Lets at most `permits` callers in at once; the rest wait, each for at most `maxWait`.
///
/// Used in front of the API's reading ``ClickHouseClient`` so that a burst of reads cannot queue without bound: a
/// caller that is not let in within `maxWait` is turned away (the API answers 503 with `Retry-After`).
///
/// Work comes in two priorities (``ReadPriority``). A request somebody waits for (``ReadPriority/caller``) is let in
/// before any background refresh of a cached answer (``ReadPriority/refresh``), whatever their arrival order, and
/// refreshes never hold more than `permits - 1` permits together (when there are two or more): a cache that has many
/// stale answers to refresh fills the idle capacity, never the slot a waiting request needs. Within a priority,
/// waiters are let in in arrival order.
package final class AdmissionGate: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var available: Int
        /// Permits held by refreshes now.
        var refreshesInside = 0
        var callers: [Waiter] = []
        var refreshes: [Waiter] = []
        var nextID: UInt64 = 0

        /// Whether a newcomer of `priority` may take a free permit now (nobody it must let go first is waiting).
        func admits(_ priority: ReadPriority, refreshLimit: Int) -> Bool {
            guard available > 0, callers.isEmpty else { return false }
            switch priority {
            case .caller: return true
            case .refresh: return refreshes.isEmpty && refreshesInside < refreshLimit
            }
        }

        mutating func take(_ priority: ReadPriority) {
            available -= 1
            if priority == .refresh { refreshesInside += 1 }
        }
    }

    private let state: Mutex<State>
    /// Longest time a caller waits for a permit.
    package let maxWait: Duration
    /// The most permits refreshes hold at once.
    package let refreshLimit: Int

    /// - Parameters:
    ///   - permits: Most callers inside at once (at least 1).
    ///   - maxWait: Longest wait for a permit; zero turns away every caller that cannot enter at once.
    package init(permits: Int, maxWait: Duration) {
        let permits = max(1, permits)
        self.state = Mutex(State(available: permits))
        self.maxWait = max(.zero, maxWait)
        self.refreshLimit = max(1, permits - 1)
    }

    /// Runs `body` holding a permit, at the priority of the running task (``ReadPriority/current``).
    /// - Returns: `nil` when no permit was free within ``maxWait`` (or the task was cancelled while waiting); `body`
    ///   did not run then.
    package func withPermit<Result>(_ body: () async throws(ClickHouseError) -> Result) async throws(ClickHouseError) -> Result? {
        let priority = ReadPriority.current
        guard await acquire(priority) else { return nil }
        defer { release(priority) }
        return try await body()
    }

    /// Waits for a permit; `false` when none came within ``maxWait``.
    func acquire(_ priority: ReadPriority = .caller) async -> Bool {
        let refreshLimit = self.refreshLimit
        let id: UInt64? = state.withLock { state in
            if state.admits(priority, refreshLimit: refreshLimit) {
                state.take(priority)
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
                    if state.admits(priority, refreshLimit: refreshLimit) {
                        state.take(priority)
                        return true
                    }
                    switch priority {
                    case .caller: state.callers.append(Waiter(id: id, continuation: continuation))
                    case .refresh: state.refreshes.append(Waiter(id: id, continuation: continuation))
                    }
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

    /// Callers (of either priority) waiting for a permit now.
    var waitingCount: Int { state.withLock { $0.callers.count + $0.refreshes.count } }

    /// Returns a permit taken at `priority`: the longest-waiting caller gets it, else the longest-waiting refresh (if
    /// refreshes are below their limit), else it becomes free.
    func release(_ priority: ReadPriority = .caller) {
        let refreshLimit = self.refreshLimit
        let next = state.withLock { state -> Waiter? in
            if priority == .refresh { state.refreshesInside -= 1 }
            if !state.callers.isEmpty { return state.callers.removeFirst() }
            if !state.refreshes.isEmpty, state.refreshesInside < refreshLimit {
                state.refreshesInside += 1
                return state.refreshes.removeFirst()
            }
            state.available += 1
            return nil
        }
        next?.continuation.resume(returning: true)
    }

    /// Ends waiter `id`'s wait without a permit, unless it already got one.
    private func giveUp(_ id: UInt64) {
        let waiter = state.withLock { state -> Waiter? in
            if let index = state.callers.firstIndex(where: { $0.id == id }) { return state.callers.remove(at: index) }
            if let index = state.refreshes.firstIndex(where: { $0.id == id }) { return state.refreshes.remove(at: index) }
            return nil
        }
        waiter?.continuation.resume(returning: false)
    }
}

import Synchronization

/// The ClickHouse servers one client talks to (replicas of one shard, `CENSUS_CLICKHOUSE_URL=a,b,c`) and which of them
/// to use for the next attempt.
///
/// - Sticky (writers): every call goes to the *current* replica; a failure that another replica may not have
///   (``ClickHouseError/shouldTryAnotherReplica``) marks it down for ``downFor`` and makes the next healthy one current.
///   So one writer's INSERTs, progress reads and running-query checks go to one server while it works.
/// - Spread (API reads): calls rotate over the replicas not marked down.
/// When every replica is marked down the calls go to them anyway, in turn (a mark is a hint, not a verdict).
/// With one URL it always answers that URL.
package final class ReplicaSet: Sendable {
    /// The base URLs, in configured order.
    package let urls: [String]
    /// Rotate calls over the healthy replicas instead of staying on one.
    package let spread: Bool
    /// How long a failed replica is skipped.
    package let downFor: Duration

    private struct State {
        var current = 0
        var next = 0
        var downUntil: [ContinuousClock.Instant?]
    }

    private let state: Mutex<State>

    package init(urls: [String], spread: Bool, downFor: Duration = .seconds(5)) {
        precondition(!urls.isEmpty, "a replica set needs at least one URL")
        self.urls = urls
        self.spread = spread
        self.downFor = downFor
        self.state = Mutex(State(downUntil: Array(repeating: nil, count: urls.count)))
    }

    /// The replica for the next attempt.
    package func choose() -> Int {
        guard urls.count > 1 else { return 0 }
        let now = ContinuousClock.now
        return state.withLock { state in
            let downUntil = state.downUntil
            let healthy = { (index: Int) in downUntil[index].map { $0 <= now } ?? true }
            if !spread, healthy(state.current) { return state.current }
            let start = spread ? state.next : state.current
            for step in 0..<urls.count {
                let index = (start + step) % urls.count
                if healthy(index) {
                    if spread { state.next = (index + 1) % urls.count } else { state.current = index }
                    return index
                }
            }
            // All marked down: try them in turn.
            let index = (start + 1) % urls.count
            if spread { state.next = (index + 1) % urls.count } else { state.current = index }
            return index
        }
    }

    /// Records the outcome of an attempt on replica `index`.
    package func record(_ index: Int, failed: Bool) {
        guard urls.count > 1 else { return }
        state.withLock { state in
            state.downUntil[index] = failed ? ContinuousClock.now + downFor : nil
        }
    }

    /// Whether replica `index` is marked down now.
    package func isMarkedDown(_ index: Int) -> Bool {
        let now = ContinuousClock.now
        return state.withLock { $0.downUntil[index].map { $0 > now } ?? false }
    }
}

import Synchronization

/// How long this member may still write for the partitions it owns: its ownership lease.
///
/// A consumer-group member learns that it lost its partitions only after the fact (a heartbeat answered "unknown
/// member", a SIGSTOP that ended, a VM that resumed), while the group may already have given them to another member.
/// So ownership is used as a lease with positive confirmation: an offset commit that the group coordinator accepted
/// proves that the member was part of the current generation when it sent the commit. The coordinator cannot give the
/// member's partitions away before `session.timeout.ms` has passed without a heartbeat, and the member's heartbeats were
/// running when the commit was sent (at worst one `heartbeat.interval.ms` old). Hence, from a commit sent at `t`, the
/// member certainly still owns its partitions until `t + session.timeout − heartbeat.interval`; the lease ends
/// ``margin`` before that.
///
/// Every INSERT carries a write fence no later than the lease's end (``Flusher``), checked by ClickHouse on its own
/// clock, so an INSERT of a paused member that arrives after its lease is refused whole — and a new owner, which gets
/// the partitions only after the lease ended, never competes with it. Writes after a lapse wait for a new confirmation.
///
/// librdkafka also leaves the group by itself when the application did not poll for `max.poll.interval.ms`, without the
/// session timeout; the lease therefore also ends `max.poll.interval − session.timeout` after the last poll.
package final class OwnershipLease: Sendable {
    /// Lease length after a confirmation: `session.timeout − heartbeat.interval − margin`.
    package let length: Duration
    /// How long after the last poll the lease ends at the latest.
    package let pollBound: Duration
    private let state = Mutex(State())

    private struct State {
        var confirmedUntil: ContinuousClock.Instant? = nil
        var lastPoll: ContinuousClock.Instant = .now
    }

    /// Safety margin under the coordinator's earliest expiry (clock rates, scheduling).
    package static let margin: Duration = .milliseconds(500)

    package init(sessionTimeout: Duration, heartbeatInterval: Duration, maxPollInterval: Duration) {
        length = max(.zero, sessionTimeout - heartbeatInterval - Self.margin)
        pollBound = max(.zero, maxPollInterval - sessionTimeout)
    }

    /// From librdkafka properties (`session.timeout.ms`, `heartbeat.interval.ms`, `max.poll.interval.ms`).
    package convenience init(properties: [(String, String)]) {
        func milliseconds(_ key: String, _ fallback: Int64) -> Duration {
            .milliseconds(properties.last { $0.0 == key }.flatMap { Int64($0.1) } ?? fallback)
        }
        self.init(
            sessionTimeout: milliseconds("session.timeout.ms", 45_000), heartbeatInterval: milliseconds("heartbeat.interval.ms", 3_000),
            maxPollInterval: milliseconds("max.poll.interval.ms", 300_000))
    }

    /// A commit sent at `sentAt` was accepted by the coordinator.
    package func confirmed(sentAt: ContinuousClock.Instant) {
        state.withLock { state in
            let until = sentAt + length
            state.confirmedUntil = max(state.confirmedUntil ?? until, until)
        }
    }

    /// The poll thread polled (librdkafka's `max.poll.interval.ms` timer restarted).
    package func polled(at instant: ContinuousClock.Instant = .now) {
        state.withLock { $0.lastPoll = instant }
    }

    /// Ownership ended or may have ended (partitions revoked or lost, a commit refused): no write until confirmed again.
    package func lapse() {
        state.withLock { $0.confirmedUntil = nil }
    }

    /// When the lease ends, or `nil` when it is not held.
    package var expiry: ContinuousClock.Instant? {
        state.withLock { state in
            guard let until = state.confirmedUntil else { return nil }
            return min(until, state.lastPoll + pollBound)
        }
    }

    /// Whether the lease is held for at least `duration` more.
    package func holds(for duration: Duration, now: ContinuousClock.Instant = .now) -> Bool {
        guard let expiry else { return false }
        return expiry - now >= duration
    }
}

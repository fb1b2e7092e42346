import Foundation
import Kafka
import Logging

/// The one place offsets are committed to the consumer group, and the ownership lease confirmed (``OwnershipLease``).
///
/// The poll thread commits what the store acknowledged; the ``Flusher`` may ask for a confirmation before it writes (a
/// lease that ran out while ClickHouse was slow or down). A confirmation commits the offsets already committed again —
/// no change for the group, but a round trip to the coordinator that only a current member passes. Both go through one
/// lock, so a confirmation never commits an older offset over a newer one.
///
/// - Note: `@unchecked Sendable`: the mutable state is touched only while `lock` is held; librdkafka's commit is thread-safe.
package final class GroupCommitter: @unchecked Sendable {
    private let consumer: KafkaConsumer
    package let lease: OwnershipLease
    private let logger: Logger
    private let lock = NSLock()
    /// Per owned partition: the offset committed last (or where this member started reading it, when the group has no
    /// commit yet — committing it says nothing new: every record before it was read by someone else or never).
    private var base: [TopicPartition: Int64] = [:]

    package init(consumer: KafkaConsumer, lease: OwnershipLease, logger: Logger) {
        self.consumer = consumer
        self.lease = lease
        self.logger = logger
    }

    /// Commits `offsets` (next offset to read per partition) and confirms the lease. Throws what librdkafka said.
    package func commit(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        lock.lock()
        defer { lock.unlock() }
        var merged = offsets
        for (tp, offset) in offsets { merged[tp] = max(offset, base[tp] ?? offset) }
        let sentAt = ContinuousClock.now
        do {
            try consumer.commit(merged)
        } catch {
            settle(error, sentAt: sentAt)
            throw error
        }
        lease.confirmed(sentAt: sentAt)
        base.merge(merged) { max($0, $1) }
    }

    /// A refused commit still confirms membership when the coordinator refused it only because a rebalance is under
    /// way: it answers so after checking member id and generation (Kafka's `REBALANCE_IN_PROGRESS`; librdkafka's mock
    /// cluster answers so during every rebalance, Kafka while the group completes one). Anything else: the lease lapses.
    private func settle(_ error: KafkaError, sentAt: ContinuousClock.Instant) {
        if error.confirmsMembership {
            lease.confirmed(sentAt: sentAt)
        } else {
            lease.lapse()
        }
    }

    /// Re-commits the committed offsets to prove membership. Returns whether the lease is confirmed.
    package func confirm() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !base.isEmpty else { return false }
        let sentAt = ContinuousClock.now
        do {
            try consumer.commit(base)
        } catch {
            settle(error, sentAt: sentAt)
            guard error.confirmsMembership else {
                logger.warning("group membership not confirmed; writes wait", metadata: ["error": "\(error)"])
                return false
            }
        }
        lease.confirmed(sentAt: sentAt)
        return true
    }

    /// This member owns `tp` and will read it from `offset` (its committed offset, or its first record's).
    package func owns(_ tp: TopicPartition, from offset: Int64) {
        lock.lock()
        defer { lock.unlock() }
        if base[tp] == nil { base[tp] = offset }
    }

    /// The partitions are going (revoked or lost): never commit them again, and let the lease lapse.
    package func disown(_ partitions: some Sequence<TopicPartition>) {
        lock.lock()
        defer { lock.unlock() }
        for tp in partitions { base[tp] = nil }
        lease.lapse()
    }
}

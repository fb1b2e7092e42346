import Foundation
import Kafka
import Logging
import Store
import Synchronization

/// Makes sure at most one `census replay` writes into a store at a time.
///
/// Two replays of one range would both read the applied offsets once at their start and then both apply what neither
/// had found, counting it twice. The lock is a consumer group of its own (``ReplayPlan/lockGroup``) that every replay
/// joins, subscribed to the replayed topics: Kafka's group coordinator gives every partition to exactly one member, and
/// a replay writes only while it holds every partition it replays and its membership is confirmed (the ownership lease,
/// ``OwnershipLease``, fenced in ClickHouse like the live group's writes).
///
/// - A replay that sees a live holder before joining refuses to start: the holder commits the epoch milliseconds of its
///   last confirmation as the lock group's offsets (a heartbeat readable without joining; set to 0 on release).
/// - Two replays that start at the same moment split the partitions: whichever does not get all of them stops.
/// - A holder that loses a partition (it was paused past its session and another replay took over) stops too; whatever it
///   had sent is refused by the fence.
/// Every stop says why; replays are idempotent, so running one again later is always safe.
package final class ReplayLock: KafkaRebalanceHandler, @unchecked Sendable {
    // @unchecked Sendable: `held`/`lostAny` are written by the poll thread's callbacks and read under `lock`.
    private let consumer: KafkaConsumer
    private let group: String
    private let needed: Set<TopicPartition>
    private let topics: [String]
    let lease: OwnershipLease
    private let logger: Logger
    private let lock = NSLock()
    private var held: Set<TopicPartition> = []
    private var lostAny = false
    private var paused: Set<TopicPartition> = []
    /// When the heartbeat was last committed (poll thread only).
    private var lastHeartbeat: ContinuousClock.Instant?

    /// Why a replay cannot take or keep the lock.
    package struct Contended: Error, CustomStringConvertible {
        package var description: String
    }

    init(kafka: KafkaConfiguration, group: String, topics: [String], needed: Set<TopicPartition>, lease: OwnershipLease, logger: Logger)
        throws(KafkaError)
    {
        var configuration = kafka
        configuration.group = group
        configuration.properties["enable.partition.eof"] = "false"
        consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        self.group = group
        self.topics = topics
        self.needed = needed
        self.lease = lease
        self.logger = logger
        consumer.setRebalanceHandler(self)
    }

    /// Whether a replay holds the lock group `group` for any of `partitions` now (its heartbeat is fresh), asked without
    /// joining the group. Unreadable: `false` (nothing to wait for).
    static func isHeld(kafka: KafkaConfiguration, group: String, partitions: [TopicPartition], lease: Duration, logger: Logger) -> Bool {
        var configuration = kafka
        configuration.group = group
        guard let probe = try? KafkaConsumer(configuration: configuration, logger: logger) else { return false }
        defer { probe.close() }
        let heartbeat = (try? probe.committed(partitions))?.values.max() ?? 0
        return heartbeat > 0 && Int64(Date().timeIntervalSince1970 * 1000) - heartbeat < Int64(lease.inMilliseconds) + 3_000
    }

    /// Refuses when another replay holds the lock, then joins and waits (at most `timeout`) until this replay holds every
    /// partition it needs.
    func acquire(timeout: Duration = .seconds(60)) throws {
        let all = Array(needed).sorted()
        let heartbeat = (try? consumer.committed(all))?.values.max() ?? 0
        let age = Int64(Date().timeIntervalSince1970 * 1000) - heartbeat
        if heartbeat > 0, age < Int64(lease.length.inMilliseconds) + 3_000 {
            throw Contended(
                description: "another census replay into this store is running (lock group \(group), last heartbeat \(age) ms ago); "
                    + "wait for it to finish or stop it, then run this replay again")
        }
        try consumer.subscribe(topics: topics)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            service(waitMilliseconds: 100)
            let state = lock.withLock { (held, lostAny) }
            if state.0.isSuperset(of: needed) {
                guard confirm() else { break }
                logger.info("replay lock taken", metadata: ["lock_group": "\(group)", "partitions": "\(needed.count)"])
                return
            }
            if !state.0.isEmpty || state.1 {
                throw Contended(
                    description: "another census replay started at the same time (lock group \(group) split the partitions); "
                        + "run this replay again once the other one finished")
            }
        }
        throw Contended(description: "could not take the replay lock (lock group \(group)) within \(timeout)")
    }

    /// Serves the lock group (rebalances, its `max.poll.interval.ms`); call from the replay's poll loop. Newly assigned
    /// partitions are paused: the lock consumer never reads (records fetched before the pause are dropped unread).
    func service(waitMilliseconds: Int32 = 0) {
        var wait = waitMilliseconds
        while let record = try? consumer.pollRecord(timeoutMilliseconds: wait) {
            _ = record
            wait = 0
        }
        lease.polled()
        // The heartbeat other replays and new live members read: renewed every second while the lock is held, whether
        // or not the replay is writing.
        if let last = lock.withLock({ lastHeartbeat }), ContinuousClock.now - last >= .seconds(1), !isLost { _ = confirm() }
        let unpaused = lock.withLock { () -> [TopicPartition] in
            defer { paused = held }
            return Array(held.subtracting(paused))
        }
        consumer.pause(unpaused)
    }

    /// Whether the lock was lost since it was taken.
    var isLost: Bool { lock.withLock { lostAny || !held.isSuperset(of: needed) } }

    /// Proves membership with a heartbeat commit; confirms the lease only while every needed partition is held.
    @Sendable func confirm() -> Bool {
        let partitions = lock.withLock { held.isSuperset(of: needed) && !lostAny ? Array(held) : [] }
        guard !partitions.isEmpty else {
            lease.lapse()
            return false
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let sentAt = ContinuousClock.now
        do {
            try consumer.commit(Dictionary(uniqueKeysWithValues: partitions.map { ($0, now) }))
        } catch {
            lease.lapse()
            logger.warning("replay lock not confirmed; writes wait", metadata: ["error": "\(error)"])
            return false
        }
        lease.confirmed(sentAt: sentAt)
        lock.withLock { lastHeartbeat = sentAt }
        return true
    }

    /// Clears the heartbeat and leaves the lock group.
    func release() {
        let partitions = lock.withLock { Array(held) }
        if !partitions.isEmpty, !isLost { try? consumer.commit(Dictionary(uniqueKeysWithValues: partitions.map { ($0, 0) })) }
        consumer.close()
    }

    // MARK: - KafkaRebalanceHandler (the lock consumer never reads: its partitions are paused once assigned)

    package func partitionsAssigned(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        lock.withLock { held.formUnion(partitions) }
        return [:]
    }

    package func partitionsRevoking(_ partitions: [TopicPartition], lost: Bool) {
        lease.lapse()
        lock.withLock {
            held.subtract(partitions)
            if !needed.isDisjoint(with: partitions) { lostAny = true }
        }
    }
}

/// Where the replay's lock will be once taken, for the flusher's confirmations (created before the lock exists).
final class ReplayLockSlot: Sendable {
    private let value = Mutex<ReplayLock?>(nil)

    func set(_ lock: ReplayLock?) { value.withLock { $0 = lock } }

    /// Confirms the lock's lease; `false` without a lock.
    @Sendable func confirm() -> Bool {
        guard let lock = value.withLock({ $0 }) else { return false }
        return lock.confirm()
    }
}

import Foundation
import Kafka
import Logging
import Synchronization
import Testing
@testable import Consumer
import Store

/// A store with its own manual clock that enforces write fences like ClickHouse does (``Schema/fenceDeadlineColumn``), and
/// can hold an attempt "in its socket" — received but not yet run — and lose its answer, as a frozen server does.
final class FencedStore: MetadataSink, @unchecked Sendable {
    private let lock = NSLock()
    private var serverNow: UInt32 = 1_000_000
    private var applied: [Int32: AppliedOffsets] = [:]
    private var queued: [(batch: MetadataBatch, fence: WriteFence)] = []
    private var holdNext: Int
    private(set) var attempts = 0
    private(set) var applications = 0
    private(set) var refused = 0
    private(set) var fenceChecks = 0
    private(set) var fences: [WriteFence] = []

    /// - Parameter holdNext: How many attempts to queue in the socket (their answers lost) before running them directly.
    init(holdNext: Int = 0) { self.holdNext = holdNext }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    var counts: (attempts: Int, applications: Int, refused: Int, fenceChecks: Int, queued: Int) {
        locked { (attempts, applications, refused, fenceChecks, queued.count) }
    }

    var recordedFences: [WriteFence] { locked { fences } }

    /// Advances the server's clock.
    func advance(seconds: UInt32) { locked { serverNow += seconds } }

    /// The server runs the attempts waiting in its socket now, each refused if its fence has passed.
    func runQueued() {
        locked {
            for attempt in queued { run(attempt.batch, fence: attempt.fence) }
            queued = []
        }
    }

    private func run(_ batch: MetadataBatch, fence: WriteFence) {
        guard serverNow <= fence.serverSeconds else {
            refused += 1
            return
        }
        applications += 1
        for row in batch.progress { applied[row.partition, default: AppliedOffsets()].add(.init(start: row.segmentStart, last: row.lastOffset)) }
    }

    func fence(until deadline: ContinuousClock.Instant) async throws -> WriteFence {
        let seconds = Double((deadline - .now).components.seconds)
        return locked { WriteFence(serverSeconds: UInt32(max(0, Double(serverNow) + seconds - 1))) }
    }

    func write(_ batch: MetadataBatch, queryID: String, fence: WriteFence) async throws {
        try locked {
            attempts += 1
            fences.append(fence)
            if holdNext > 0 {
                holdNext -= 1
                queued.append((batch, fence))
                throw SinkWriteError(.mayHaveBeenApplied, "timed out (the server is frozen)")
            }
            guard serverNow <= fence.serverSeconds else {
                refused += 1
                throw SinkWriteError(.fenced, "fenced")
            }
            run(batch, fence: fence)
        }
    }

    func hasPassed(_ fence: WriteFence) async throws -> Bool {
        locked {
            fenceChecks += 1
            return serverNow > fence.serverSeconds
        }
    }

    func appliedOffsets(topic: String) async throws -> [Int32: AppliedOffsets] { locked { applied } }
    func watchCoverage(keys: [String], topic: String, incarnations: [Int32: UInt32]) async throws -> [String: [Int32: AppliedOffsets]] { [:] }
    func isRunning(queryID: String) async throws -> Bool { false }
    func runningWrites() async throws -> Set<String> { [] }
}

@Suite("Flusher: write fences and ownership leases")
struct FlusherFenceTests {
    static let logger = Logger(label: "test.flusher")
    let tp = TopicPartition(topic: "t", partition: 0)

    var batch: MetadataBatch {
        MetadataBatch(progress: [PartitionProgress(topic: "t", partition: 0, lastOffset: 9, segmentStart: 0)])
    }

    @Test("an attempt wants the lease to hold twice the last attempt's duration, within minimumLease...length - margin")
    func wantedLease() {
        let length = Duration.seconds(5)
        #expect(Flusher.wantedLease(lastAttempt: nil, leaseLength: length) == Flusher.minimumLease)
        #expect(Flusher.wantedLease(lastAttempt: .milliseconds(300), leaseLength: length) == Flusher.minimumLease)
        #expect(Flusher.wantedLease(lastAttempt: .milliseconds(1_500), leaseLength: length) == .seconds(3))
        #expect(Flusher.wantedLease(lastAttempt: .seconds(4), leaseLength: length) == length - OwnershipLease.margin)
        // A lease shorter than the minimum wants no more than before (a fresh confirmation must satisfy it).
        #expect(Flusher.wantedLease(lastAttempt: .seconds(4), leaseLength: .milliseconds(800)) == Flusher.minimumLease)
    }

    /// Polls `condition` every 20 ms for at most 30 s.
    static func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<1_500 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test(
        "an attempt still queued in the server's socket is not competed with: no resend before the server's clock passes its fence; it is then refused and the resend applies once"
    )
    func queuedAttemptRefusedAfterFence() async throws {
        let store = FencedStore(holdNext: 1)
        let flusher = Flusher(sink: store, logger: Self.logger)
        flusher.submit(batch, offsets: [tp: 10])
        // The flusher checks the fence again and again; as long as the server's clock has not passed it, it never resends.
        #expect(await Self.eventually { store.counts.fenceChecks >= 3 })
        #expect(store.counts.attempts == 1)
        store.advance(seconds: 60)
        store.runQueued()  // the frozen server wakes up and runs the queued attempt: too late, refused
        #expect(await Self.eventually { !flusher.isBusy })
        #expect(flusher.takeCompleted() == [tp: 10])
        let counts = store.counts
        #expect((counts.attempts, counts.applications, counts.refused) == (2, 1, 1))
    }

    @Test("a queued attempt that ran before its fence passed is found applied, not sent again")
    func queuedAttemptAppliedInTime() async throws {
        let store = FencedStore(holdNext: 1)
        let flusher = Flusher(sink: store, logger: Self.logger)
        flusher.submit(batch, offsets: [tp: 10])
        #expect(await Self.eventually { store.counts.fenceChecks >= 1 })
        store.runQueued()
        store.advance(seconds: 60)
        #expect(await Self.eventually { !flusher.isBusy })
        #expect(flusher.takeCompleted() == [tp: 10])
        #expect(flusher.appliedDespiteFailure == 1)
        let counts = store.counts
        #expect((counts.attempts, counts.applications) == (1, 1))
    }

    @Test("no attempt is sent while ownership cannot be confirmed; once confirmed, the fence ends with the lease")
    func ownershipGatesWrites() async throws {
        let store = FencedStore()
        let lease = OwnershipLease(sessionTimeout: .seconds(6), heartbeatInterval: .seconds(1), maxPollInterval: .seconds(300))
        let member = Atomic<Bool>(false)
        let confirmations = Atomic<Int>(0)
        let flusher = Flusher(
            sink: store, logger: Self.logger,
            ownership: .init(
                lease: lease,
                confirm: {
                    confirmations.add(1, ordering: .relaxed)
                    guard member.load(ordering: .relaxed) else { return false }
                    lease.confirmed(sentAt: .now)
                    return true
                }))
        flusher.submit(batch, offsets: [tp: 10])
        #expect(await Self.eventually { confirmations.load(ordering: .relaxed) >= 3 })
        #expect(store.counts.attempts == 0, "an attempt was sent without a confirmed lease")
        member.store(true, ordering: .relaxed)
        #expect(await Self.eventually { !flusher.isBusy })
        #expect(store.counts.applications == 1)
        // The fence is at most the lease's length (4.5 s) ahead of the server's clock, not the 20 s attempt limit.
        let fence = try #require(store.recordedFences.first)
        #expect(fence.serverSeconds <= 1_000_000 + 5)
    }

    @Test("abandon() says until when an attempt already sent may still land")
    func abandonReportsDeadline() async throws {
        let store = FencedStore(holdNext: 100)
        let flusher = Flusher(sink: store, logger: Self.logger)
        let before = ContinuousClock.now
        flusher.submit(batch, offsets: [tp: 10])
        #expect(await Self.eventually { store.counts.attempts == 1 })
        let until = try #require(flusher.abandon())
        #expect(until > before && until <= ContinuousClock.now + Flusher.attemptTimeLimit)
        #expect(flusher.abandon() == nil, "nothing is in flight any more")
        #expect(flusher.takeCompleted() == nil)
    }
}

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
    private(set) var preparations = 0
    private let preparationSeconds: UInt32
    private let sendingSeconds: UInt32

    /// - Parameters:
    ///   - holdNext: How many attempts to queue in the socket (their answers lost) before running them directly.
    ///   - preparationSeconds: How far the server's clock moves while a batch is prepared (a batch that takes that long to
    ///     encode and compress).
    ///   - sendingSeconds: How far it moves while an attempt travels to the INSERT pipeline (a slow store).
    init(holdNext: Int = 0, preparationSeconds: UInt32 = 0, sendingSeconds: UInt32 = 0) {
        self.holdNext = holdNext
        self.preparationSeconds = preparationSeconds
        self.sendingSeconds = sendingSeconds
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    var counts: (attempts: Int, applications: Int, refused: Int, fenceChecks: Int, queued: Int) {
        locked { (attempts, applications, refused, fenceChecks, queued.count) }
    }

    var preparedBatches: Int { locked { preparations } }

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

    func prepare(_ batch: MetadataBatch) throws -> PreparedInsert {
        try locked {
            preparations += 1
            serverNow += preparationSeconds
            return try PreparedInsert(encoding: batch)
        }
    }

    func write(_ prepared: PreparedInsert, queryID: String, fence: WriteFence) async throws {
        let batch = prepared.batch
        try locked {
            attempts += 1
            fences.append(fence)
            if holdNext > 0 {
                holdNext -= 1
                queued.append((batch, fence))
                throw SinkWriteError(.mayHaveBeenApplied, "timed out (the server is frozen)")
            }
            serverNow += sendingSeconds
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
        flusher.submit(batch, bytes: 0, offsets: [tp: 10])
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
        flusher.submit(batch, bytes: 0, offsets: [tp: 10])
        #expect(await Self.eventually { store.counts.fenceChecks >= 1 })
        store.runQueued()
        store.advance(seconds: 60)
        #expect(await Self.eventually { !flusher.isBusy })
        #expect(flusher.takeCompleted() == [tp: 10])
        #expect(flusher.appliedDespiteFailure == 1)
        let counts = store.counts
        #expect((counts.attempts, counts.applications) == (1, 1))
    }

    @Test(
        "a batch is encoded once, before its first fence is taken: encoding that outlasts an attempt's time limit does not fence every attempt out, and a resend does not encode again"
    )
    func preparedOnceBeforeTheFence() async throws {
        // Encoding this batch takes 30 s of the server's clock, more than an attempt may take (20 s).
        let store = FencedStore(preparationSeconds: 30)
        let flusher = Flusher(sink: store, logger: Self.logger)
        flusher.submit(batch, bytes: 0, offsets: [tp: 10])
        #expect(await Self.eventually { !flusher.isBusy })
        #expect(flusher.takeCompleted() == [tp: 10])
        var counts = store.counts
        #expect((counts.attempts, counts.applications, counts.refused, store.preparedBatches) == (1, 1, 0, 1))
        #expect(try #require(store.recordedFences.first).serverSeconds >= 1_000_030, "the fence was taken before the encoding")

        // An attempt whose answer was lost, refused once the frozen server runs it, then resent: still one encoding.
        let retried = FencedStore(holdNext: 1, preparationSeconds: 30)
        let second = Flusher(sink: retried, logger: Self.logger)
        second.submit(batch, bytes: 0, offsets: [tp: 10])
        #expect(await Self.eventually { retried.counts.fenceChecks >= 1 })
        retried.advance(seconds: 60)
        retried.runQueued()
        #expect(await Self.eventually { !second.isBusy })
        #expect(second.takeCompleted() == [tp: 10])
        counts = retried.counts
        #expect((counts.attempts, counts.applications, counts.refused, retried.preparedBatches) == (2, 1, 1, 1))
    }

    /// Keeps the messages of error-level log lines.
    final class Lines: Sendable {
        let all = Mutex<[(message: String, metadata: Logger.Metadata)]>([])
    }
    struct ErrorCapture: LogHandler {
        let lines: Lines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            guard event.level >= .error else { return }
            lines.all.withLock { $0.append(("\(event.message)", event.metadata ?? [:])) }
        }
    }

    @Test("a store slower than the lease (every attempt fenced) is an error after three attempts in a row, not only a warning per attempt")
    func fencedAgainAndAgainIsAnError() async throws {
        let store = FencedStore(sendingSeconds: 30)
        let lines = Lines()
        let logger = Logger(label: "test.flusher") { _ in ErrorCapture(lines: lines) }
        let flusher = Flusher(sink: store, logger: logger)
        flusher.submit(batch, bytes: 0, offsets: [tp: 10])
        #expect(await Self.eventually { store.counts.attempts >= 4 })
        flusher.abandon()
        #expect(store.counts.applications == 0)
        let errors = lines.all.withLock { $0 }.filter { $0.message.hasPrefix("every INSERT of this batch reaches the store after its write fence") }
        #expect(errors.first?.metadata["fenced_attempts"] == "3")
        #expect(flusher.fencedAttempts >= 3)
    }

    @Test("a batch the sink can never take (refused while preparing) is given up uncommitted, with the reason, and nothing is sent")
    func unpreparableBatchIsGivenUp() async throws {
        struct TooLarge: MetadataSink {
            let inner = FencedStore()
            func prepare(_ batch: MetadataBatch) throws -> PreparedInsert {
                throw SinkWriteError(.refusedForever, "1000001 rows exceed the 1000000-row limit of one INSERT")
            }
            func fence(until deadline: ContinuousClock.Instant) async throws -> WriteFence { try await inner.fence(until: deadline) }
            func write(_ prepared: PreparedInsert, queryID: String, fence: WriteFence) async throws {
                try await inner.write(prepared, queryID: queryID, fence: fence)
            }
            func hasPassed(_ fence: WriteFence) async throws -> Bool { try await inner.hasPassed(fence) }
            func appliedOffsets(topic: String) async throws -> [Int32: AppliedOffsets] { try await inner.appliedOffsets(topic: topic) }
            func watchCoverage(keys: [String], topic: String, incarnations: [Int32: UInt32]) async throws -> [String: [Int32: AppliedOffsets]] {
                [:]
            }
            func isRunning(queryID: String) async throws -> Bool { false }
            func runningWrites() async throws -> Set<String> { [] }
        }
        let sink = TooLarge()
        let flusher = Flusher(sink: sink, logger: Self.logger)
        flusher.submit(batch, bytes: 0, offsets: [tp: 10])
        #expect(await Self.eventually { !flusher.isBusy })
        #expect(flusher.takeCompleted() == nil)
        #expect(flusher.unwritable?.contains("row limit of one INSERT") == true)
        #expect(sink.inner.counts.attempts == 0)
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
        flusher.submit(batch, bytes: 0, offsets: [tp: 10])
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
        flusher.submit(batch, bytes: 0, offsets: [tp: 10])
        #expect(await Self.eventually { store.counts.attempts == 1 })
        let until = try #require(flusher.abandon())
        #expect(until > before && until <= ContinuousClock.now + Flusher.attemptTimeLimit)
        #expect(flusher.abandon() == nil, "nothing is in flight any more")
        #expect(flusher.takeCompleted() == nil)
    }
}

import Foundation
import Kafka
import Logging
import Synchronization
import Testing
@testable import Consumer
import Store

/// A store whose encoding and sending each wait until the test lets them go. Encoding is synchronous, so a waiting
/// `prepare` blocks one thread of the cooperative pool: the suite runs its tests one at a time.
final class GatedSink: MetadataSink, @unchecked Sendable {
    private let preparing = DispatchSemaphore(value: 0)
    let prepareStarted = Atomic<Bool>(false)
    let writeStarted = Atomic<Bool>(false)
    let writeMayFinish = Atomic<Bool>(false)
    private let lock = NSLock()
    private var prepared: PreparedInsert?

    /// The prepared insert the flusher got (once it was encoded).
    var lastPrepared: PreparedInsert? { lock.withLock { prepared } }

    func letPrepare() { preparing.signal() }

    func prepare(_ batch: MetadataBatch) throws -> PreparedInsert {
        prepareStarted.store(true, ordering: .sequentiallyConsistent)
        _ = preparing.wait(timeout: .now() + 60)  // a test that never lets it go fails instead of hanging
        let result = try PreparedInsert(encoding: batch)
        lock.withLock { prepared = result }
        return result
    }

    func write(_ prepared: PreparedInsert, queryID: String, fence: WriteFence) async throws {
        writeStarted.store(true, ordering: .sequentiallyConsistent)
        for _ in 0..<3_000 where !writeMayFinish.load(ordering: .sequentiallyConsistent) {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func fence(until deadline: ContinuousClock.Instant) async throws -> WriteFence { WriteFence(serverSeconds: .max) }
    func hasPassed(_ fence: WriteFence) async throws -> Bool { false }
    func appliedOffsets(topic: String) async throws -> [Int32: AppliedOffsets] { [:] }
    func watchCoverage(keys: [String], topic: String, incarnations: [Int32: UInt32]) async throws -> [String: [Int32: AppliedOffsets]] { [:] }
    func isRunning(queryID: String) async throws -> Bool { false }
    func runningWrites() async throws -> Set<String> { [] }
}

@Suite("Flusher: what a flush in flight holds", .serialized)
struct FlusherHeldBytesTests {
    static let logger = Logger(label: "test.flusher.held")

    var batch: MetadataBatch {
        MetadataBatch(progress: [PartitionProgress(topic: "t", partition: 0, lastOffset: 9, segmentStart: 0)])
    }

    /// Runs `body` on a thread of its own (it blocks) and returns its result.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }

    @Test(
        "a flush holds its window's bytes until it is encoded, then its prepared INSERT; a poll thread waiting for room wakes when it releases the window"
    )
    func heldBytesFollowTheFlush() async throws {
        let sink = GatedSink()
        let flusher = Flusher(sink: sink, logger: Self.logger)
        #expect(flusher.heldBytes == nil)
        flusher.submit(batch, bytes: 5_000_000, offsets: [TopicPartition(topic: "t", partition: 0): 10])
        #expect(await FlusherFenceTests.eventually { sink.prepareStarted.load(ordering: .sequentiallyConsistent) })
        #expect(flusher.heldBytes == 5_000_000)
        // Not ready while the window is held: the wait gives up at its timeout and says so.
        #expect(!flusher.wait(timeout: .milliseconds(20)) { ($0 ?? 0) < 1_000_000 })

        // A waiter on its own thread, as the poll thread waits; it wakes once the encoded batch released its window.
        let waiter = Task { await Self.onThread { flusher.wait(timeout: .seconds(30)) { ($0 ?? 0) < 1_000_000 } } }
        sink.letPrepare()
        #expect(await waiter.value)
        #expect(await FlusherFenceTests.eventually { sink.writeStarted.load(ordering: .sequentiallyConsistent) })
        let prepared = try #require(sink.lastPrepared)
        #expect(flusher.isBusy)
        #expect(flusher.heldBytes == prepared.heldBytes)
        #expect(prepared.heldBytes > 0 && prepared.heldBytes < 1_000_000)

        sink.writeMayFinish.store(true, ordering: .sequentiallyConsistent)
        #expect(await Self.onThread { flusher.waitUntilIdle(timeout: .seconds(30)) })
        #expect(flusher.heldBytes == nil)
        #expect(flusher.takeCompleted() == [TopicPartition(topic: "t", partition: 0): 10])
    }

    @Test("an abandoned flush holds nothing")
    func abandonedHoldsNothing() async throws {
        let sink = GatedSink()
        let flusher = Flusher(sink: sink, logger: Self.logger)
        flusher.submit(batch, bytes: 123, offsets: [:])
        #expect(await FlusherFenceTests.eventually { sink.prepareStarted.load(ordering: .sequentiallyConsistent) })
        #expect(flusher.heldBytes == 123)
        flusher.abandon()
        #expect(flusher.heldBytes == nil)
        #expect(!flusher.isBusy)
        sink.writeMayFinish.store(true, ordering: .sequentiallyConsistent)
        sink.letPrepare()
    }

    @Test("what a prepared INSERT holds: its body's buffers and the rows every attempt sends")
    func preparedHeldBytes() throws {
        var quarantined = batch
        quarantined.quarantined = [
            QuarantinedRecord(topic: "t", partition: 0, offset: 3, timestamp: 0, size: 9, error: "bad", firstBytes: Array(repeating: 1, count: 200))
        ]
        let plain = try PreparedInsert(encoding: batch)
        let withRow = try PreparedInsert(encoding: quarantined)
        #expect(plain.heldBytes > 0)
        #expect(withRow.heldBytes - plain.heldBytes >= quarantined.quarantined[0].approximateBytes)
    }
}

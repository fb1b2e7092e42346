import Foundation
import Kafka
import Logging
import Testing
@testable import Consumer
import Store

@Suite("ProgressLoader: where assigned partitions start")
struct ProgressLoaderTests {
    struct Directory: PartitionDirectory {
        var marks: [TopicPartition: (low: Int64, high: Int64)]
        var committed: [TopicPartition: Int64]
        func lowAndHigh(_ tp: TopicPartition) throws -> (low: Int64, high: Int64) { marks[tp] ?? (0, 0) }
        func committedOffsets(_ partitions: [TopicPartition]) throws -> [TopicPartition: Int64] { committed.filter { partitions.contains($0.key) } }
    }

    let tp = TopicPartition(topic: "t", partition: 0)

    /// `prepare` blocks its thread (it runs on the poll thread in production): run it on a thread of its own.
    func prepared(_ loader: ProgressLoader, _ ledger: inout PartitionLedger) async -> ProgressLoader.Outcome? {
        let box = LedgerBox(ledger)
        let tp = self.tp
        let outcome = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var ledger = box.ledger
                let outcome = loader.prepare([tp], replayStarts: nil, ledger: &ledger)
                box.ledger = ledger
                continuation.resume(returning: OutcomeBox(outcome))
            }
        }
        ledger = box.ledger
        return outcome.value
    }

    final class LedgerBox: @unchecked Sendable {
        var ledger: PartitionLedger
        init(_ ledger: PartitionLedger) { self.ledger = ledger }
    }

    struct OutcomeBox: @unchecked Sendable {
        var value: ProgressLoader.Outcome?
        init(_ value: ProgressLoader.Outcome?) { self.value = value }
    }

    func loader(stored: [PartitionProgress], marks: (Int64, Int64), committed: Int64?, action: OffsetRegressionAction = .fail) async throws
        -> ProgressLoader
    {
        let store = FencedStore()
        if !stored.isEmpty { try await store.write(store.prepare(MetadataBatch(progress: stored)), queryID: "seed", fence: .never) }
        return ProgressLoader(
            sink: store, directory: Directory(marks: [tp: marks], committed: committed.map { [tp: $0] } ?? [:]), action: action,
            logger: Logger(label: "test.loader"))
    }

    @Test("a flush that landed without its commit is not read again: start after the stored progress")
    func afterStored() async throws {
        let loader = try await loader(
            stored: [PartitionProgress(topic: "t", partition: 0, lastOffset: 149, segmentStart: 0)], marks: (0, 300), committed: 100)
        var ledger = PartitionLedger()
        let outcome = try #require(await prepared(loader, &ledger))
        #expect(outcome.starts == [tp: 150])
        #expect(ledger.takeAppliedNotCommitted() == [tp: 150])
        #expect(ledger.admit(tp, offset: 149) == .alreadyApplied)
    }

    @Test("never below the committed offset, even when the store lacks what lies below it (that is a replay's to fill)")
    func neverBelowCommitted() async throws {
        // A replay filled 0...49 after a clear; the group had committed 500 before the clear.
        let loader = try await loader(
            stored: [PartitionProgress(topic: "t", partition: 0, lastOffset: 49, segmentStart: 0)], marks: (0, 600), committed: 500)
        var ledger = PartitionLedger()
        let outcome = try #require(await prepared(loader, &ledger))
        #expect(outcome.starts.isEmpty, "starts at its committed offset 500, not at 50")
    }

    @Test("without a commit: after the applied prefix from the low watermark")
    func noCommit() async throws {
        let loader = try await loader(
            stored: [PartitionProgress(topic: "t", partition: 0, lastOffset: 49, segmentStart: 0)], marks: (0, 600), committed: nil)
        var ledger = PartitionLedger()
        #expect(try #require(await prepared(loader, &ledger)).starts == [tp: 50])
    }

    @Test("stored progress beyond the end: fail stops the partition, reset starts a new incarnation at the low watermark")
    func regressions() async throws {
        let stored = [PartitionProgress(topic: "t", partition: 0, lastOffset: 999, segmentStart: 0)]
        var ledger = PartitionLedger()
        let failing = try #require(await prepared(try await loader(stored: stored, marks: (0, 10), committed: 5), &ledger))
        #expect(failing.failedRegressions.count == 1 && failing.regressions == 1)
        #expect(ledger.regressed == [tp] && ledger.admit(tp, offset: 0) == .ignore)

        var resetLedger = PartitionLedger()
        let reset = try #require(await prepared(try await loader(stored: stored, marks: (0, 10), committed: 5, action: .reset), &resetLedger))
        #expect(reset.failedRegressions.isEmpty && reset.starts == [tp: 0])
        #expect(resetLedger.admit(tp, offset: 0) == .analyze)
        #expect(resetLedger.progressRows().first?.incarnation == 1)
    }
}

import Consumer
import Foundation
import Kafka
import Store
import Testing

/// A record that fails analysis must not keep its payload (its librdkafka message) until the next drain: only the
/// quarantine's prefix stays, and what stays counts toward the window's bytes.
@Suite("Failed records release their payload")
struct FailedRecordMemoryTests {
    static let garbage: [UInt8] = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }

    /// Enqueues one 1 MiB garbage record and waits (bounded) until its owner is gone.
    static func failOne(on analyzer: ParallelAnalyzer) -> Bool {
        weak var released: ParallelAnalyzerTests.OwnedPayload?
        do {
            let owned = ParallelAnalyzerTests.OwnedPayload(id: 1, bytes: garbage)
            released = owned
            analyzer.enqueue(
                owned.payload, signal: .metric, timestamp: 1_767_225_600, owner: owned,
                id: KafkaRecord.ID(topic: "t", partition: 3, offset: 42))
        }
        for _ in 0..<500 where released != nil { Thread.sleep(forTimeInterval: 0.01) }
        return released == nil
    }

    @Test("released as soon as it failed, with one lane or several; the failure keeps its place, size and prefix", arguments: [1, 2])
    func releasedEarly(lanes: Int) throws {
        let analyzer = ParallelAnalyzer(lanes: lanes, releasesFailedPayloads: true)
        #expect(Self.failOne(on: analyzer), "the failed record's payload is still held before finishQueued()")
        #expect(analyzer.approximateBytes < 64 << 10, "\(analyzer.approximateBytes) bytes held for one failed record")
        let outcome = analyzer.finishQueued()
        let failure = try #require(outcome.failures.first)
        #expect(outcome.failures.count == 1 && failure.owner == nil)
        #expect(failure.id == KafkaRecord.ID(topic: "t", partition: 3, offset: 42))
        #expect(failure.size == 1 << 20 && failure.firstBytes == Array(Self.garbage.prefix(QuarantinedRecord.maxStoredBytes)))
        #expect(analyzer.approximateBytes < 64 << 10)
    }

    @Test("kept (for a dead-letter topic), a failed payload counts toward the window's bytes with its full size")
    func keptIsCounted() {
        let analyzer = ParallelAnalyzer(lanes: 2, releasesFailedPayloads: false)
        let owned = ParallelAnalyzerTests.OwnedPayload(id: 1, bytes: Self.garbage)
        let before = analyzer.approximateBytes
        analyzer.enqueue(owned.payload, signal: .metric, timestamp: 1_767_225_600, owner: owned)
        for _ in 0..<500 where analyzer.approximateBytes - before < 1 << 20 { Thread.sleep(forTimeInterval: 0.01) }
        #expect(analyzer.approximateBytes - before >= 1 << 20)
        _ = analyzer.finishQueued()
        #expect(analyzer.approximateBytes == before)
    }
}

import Kafka
import Testing
@testable import Consumer
import Store

@Suite("PartitionLedger: booking, skipping, segments, clears")
struct PartitionLedgerTests {
    let tp = TopicPartition(topic: "otlp_metrics", partition: 3)

    @Test("records already in the store are booked but skipped; the window's progress row extends the stored segment")
    func skipsAndExtends() {
        var ledger = PartitionLedger()
        ledger.assign([tp])
        ledger.loaded(tp, AppliedOffsets(segments: [.init(start: 0, last: 9)]))
        #expect(ledger.admit(tp, offset: 8) == .alreadyApplied)
        #expect(ledger.admit(tp, offset: 9) == .alreadyApplied)
        #expect(ledger.admit(tp, offset: 10) == .analyze)
        #expect(ledger.progressRows() == [PartitionProgress(topic: tp.topic, partition: tp.partition, lastOffset: 10, segmentStart: 0)])
        #expect(ledger.takePending() == [tp: 11])
        ledger.acknowledged([tp: 11])
        #expect(ledger.appliedOffsets(tp)?.ranges == [0...10])
        #expect(ledger.pending.isEmpty)
    }

    @Test("after a clear, progress rows claim only what is applied after it (a replay then fills in everything before)")
    func clearStartsNewSegments() {
        var ledger = PartitionLedger()
        ledger.assign([tp])
        ledger.loaded(tp, AppliedOffsets(incarnation: 2, segments: [.init(start: 0, last: 99)]))
        #expect(ledger.admit(tp, offset: 100) == .analyze)
        ledger.storeCleared()
        // The discarded window's offsets are committed as they are; nothing is applied any more.
        #expect(ledger.takeAppliedNotCommitted() == [tp: 101])
        #expect(ledger.pending.isEmpty)
        #expect(ledger.admit(tp, offset: 50) == .analyze, "a record from before the clear is not applied any more")
        #expect(ledger.admit(tp, offset: 101) == .analyze)
        // One segment starting at the first record after the clear, in incarnation 0 (the clear removed every marker).
        #expect(
            ledger.progressRows() == [PartitionProgress(topic: tp.topic, partition: tp.partition, lastOffset: 101, segmentStart: 50, incarnation: 0)])
    }

    @Test("a cleared store's first record starts a segment at its own offset, not at the segment that was cleared")
    func clearDoesNotExtendOldSegment() {
        var ledger = PartitionLedger()
        ledger.assign([tp])
        ledger.loaded(tp, AppliedOffsets(segments: [.init(start: 0, last: 99)]))
        _ = ledger.admit(tp, offset: 100)
        ledger.storeCleared()
        _ = ledger.admit(tp, offset: 120)
        #expect(ledger.progressRows().map(\.segmentStart) == [120])
    }

    @Test("partitions waiting for their progress, or regressed, ignore records; a revoke forgets everything")
    func waitingRegressedRevoked() {
        var ledger = PartitionLedger()
        let other = TopicPartition(topic: "otlp_logs", partition: 0)
        ledger.assign([tp, other])
        ledger.awaitReload([tp])
        ledger.markRegressed(other)
        #expect(ledger.admit(tp, offset: 1) == .ignore)
        #expect(ledger.admit(other, offset: 1) == .ignore)
        #expect(ledger.pending.isEmpty)
        ledger.loaded(tp, AppliedOffsets())
        #expect(ledger.admit(tp, offset: 1) == .analyze)
        ledger.revoke([tp, other])
        #expect(ledger.assigned.isEmpty && ledger.pending.isEmpty && ledger.regressed.isEmpty && ledger.awaitingReload.isEmpty)
        #expect(ledger.appliedOffsets(tp) == nil)
    }

    @Test("a reset starts a new incarnation read from the start")
    func resetIncarnation() {
        var ledger = PartitionLedger()
        ledger.assign([tp])
        ledger.loaded(tp, AppliedOffsets(segments: [.init(start: 0, last: 999)]))
        ledger.reset(tp, incarnation: 1)
        #expect(ledger.admit(tp, offset: 0) == .analyze)
        #expect(
            ledger.progressRows() == [PartitionProgress(topic: tp.topic, partition: tp.partition, lastOffset: 0, segmentStart: 0, incarnation: 1)])
    }
}

@Suite("OwnershipLease: confirmed by commits, bounded by the session and by polling")
struct OwnershipLeaseTests {
    @Test("a confirmation holds for session timeout − heartbeat interval − margin; a lapse ends it")
    func lengthAndLapse() {
        let lease = OwnershipLease(sessionTimeout: .seconds(10), heartbeatInterval: .seconds(3), maxPollInterval: .seconds(300))
        #expect(lease.length == .seconds(7) - OwnershipLease.margin)
        #expect(lease.expiry == nil && !lease.holds(for: .zero))
        let sent = ContinuousClock.now
        lease.confirmed(sentAt: sent)
        #expect(lease.expiry == sent + lease.length)
        #expect(lease.holds(for: .seconds(1), now: sent))
        #expect(!lease.holds(for: .seconds(1), now: sent + lease.length))
        // An older confirmation never shortens a newer one.
        lease.confirmed(sentAt: sent - .seconds(5))
        #expect(lease.expiry == sent + lease.length)
        lease.lapse()
        #expect(lease.expiry == nil)
    }

    @Test("without polls the lease ends max.poll.interval − session timeout after the last one")
    func pollBound() {
        let lease = OwnershipLease(sessionTimeout: .seconds(10), heartbeatInterval: .seconds(3), maxPollInterval: .seconds(12))
        let polled = ContinuousClock.now
        lease.polled(at: polled)
        lease.confirmed(sentAt: polled + .seconds(30))
        #expect(lease.expiry == polled + .seconds(2))
    }

    @Test("properties are read from librdkafka's settings")
    func fromProperties() {
        let lease = OwnershipLease(properties: [
            ("session.timeout.ms", "6000"), ("heartbeat.interval.ms", "1000"), ("max.poll.interval.ms", "300000"),
        ])
        #expect(lease.length == .seconds(5) - OwnershipLease.margin)
    }
}

import Kafka
import Testing
@testable import Consumer
import Store

/// Deep-watch coverage in the ledger (``WatchCoverage``): which offsets a window's watched values cover, per key and
/// partition, and what a fill (`census replay --fill-watched`) reads. These rules make a fill exact: a live window
/// claims exactly the records it analyzed with the key collected, and a fill reads exactly the applied records nobody
/// claimed, claiming them in its own INSERT.
@Suite("PartitionLedger: deep-watch coverage and fills")
struct WatchCoverageLedgerTests {
    let tp = TopicPartition(topic: "otlp_metrics", partition: 3)
    let other = TopicPartition(topic: "otlp_metrics", partition: 4)

    func row(_ key: String, _ tp: TopicPartition, _ start: Int64, _ last: Int64, incarnation: UInt32 = 0) -> WatchCoverage {
        WatchCoverage(key: key, topic: tp.topic, partition: tp.partition, incarnation: incarnation, segmentStart: start, lastOffset: last)
    }

    @Test("a live window covers its analyzed runs for every pinned key; runs go on across windows and end at a skipped record")
    func liveRuns() {
        var ledger = PartitionLedger()
        ledger.assign([tp, other])
        ledger.loaded(tp, AppliedOffsets(incarnation: 1, segments: [.init(start: 0, last: 9), .init(start: 15, last: 16)]))
        ledger.loaded(other, AppliedOffsets())
        #expect(ledger.takeCoverage().isEmpty, "nothing watched, nothing claimed")
        ledger.setWatchKeys(["a", "b"])
        #expect(ledger.admit(tp, offset: 9) == .alreadyApplied)
        #expect(ledger.admit(tp, offset: 10) == .analyze && ledger.watchMask == 0b11)
        #expect(ledger.admit(tp, offset: 12) == .analyze)  // offsets 11 has no record (compacted): the run goes on
        #expect(ledger.admit(other, offset: 0) == .analyze)
        #expect(
            ledger.takeCoverage() == [
                row("a", tp, 10, 12, incarnation: 1), row("a", other, 0, 0), row("b", tp, 10, 12, incarnation: 1), row("b", other, 0, 0),
            ])
        _ = ledger.takePending()
        // The next window extends the same segments; a skipped record ends the run, the next one starts another.
        #expect(ledger.admit(tp, offset: 13) == .analyze)
        #expect(ledger.admit(tp, offset: 14) == .analyze)
        #expect(ledger.admit(tp, offset: 15) == .alreadyApplied)
        #expect(ledger.admit(tp, offset: 16) == .alreadyApplied)
        #expect(ledger.admit(tp, offset: 17) == .analyze)
        #expect(
            ledger.takeCoverage() == [
                row("a", tp, 10, 14, incarnation: 1), row("a", tp, 17, 17, incarnation: 1),
                row("b", tp, 10, 14, incarnation: 1), row("b", tp, 17, 17, incarnation: 1),
            ])
        _ = ledger.takePending()
        // A new list between windows: new runs, the dropped key claims nothing.
        ledger.setWatchKeys(["b"])
        #expect(ledger.admit(tp, offset: 18) == .analyze && ledger.watchMask == 0b1)
        #expect(ledger.takeCoverage() == [row("b", tp, 18, 18, incarnation: 1)])
        _ = ledger.takePending()
        // A dropped window claims nothing and no run continues past it; nor past a reload.
        #expect(ledger.admit(tp, offset: 19) == .analyze)
        ledger.dropCoverage()
        _ = ledger.takePending()
        #expect(ledger.admit(tp, offset: 19) == .analyze)
        #expect(ledger.takeCoverage() == [row("b", tp, 19, 19, incarnation: 1)])
        ledger.loaded(tp, AppliedOffsets(incarnation: 1, segments: [.init(start: 0, last: 19)]))
        #expect(ledger.admit(tp, offset: 20) == .analyze)
        #expect(ledger.takeCoverage() == [row("b", tp, 20, 20, incarnation: 1)])
        // A revoked partition's claims go with it.
        #expect(ledger.admit(other, offset: 1) == .analyze)
        ledger.revoke([other])
        #expect(ledger.takeCoverage().isEmpty)
        // A clear drops the window's claims.
        #expect(ledger.admit(tp, offset: 21) == .analyze)
        ledger.storeCleared()
        #expect(ledger.takeCoverage().isEmpty)
    }

    @Test("a fill reads only applied records, each for the keys not covered yet, and claims what it read")
    func fill() {
        var ledger = PartitionLedger()
        ledger.assign([tp])
        ledger.loaded(tp, AppliedOffsets(segments: [.init(start: 0, last: 9), .init(start: 20, last: 29)]))
        // "a" was collected live from offset 5 (and 20...22 were filled earlier); "b" is covered nowhere.
        let coveredA = AppliedOffsets(segments: [.init(start: 5, last: 9), .init(start: 20, last: 22)])
        ledger.startFill(keys: ["a", "b"], covered: [tp: [coveredA, AppliedOffsets()]])
        #expect(ledger.isFill)
        var masks: [Int64: UInt64] = [:]
        var admissions: [Int64: PartitionLedger.Admission] = [:]
        for offset: Int64 in 0..<32 {
            let admission = ledger.admit(tp, offset: offset)
            admissions[offset] = admission
            if admission == .analyze { masks[offset] = ledger.watchMask }
        }
        for offset: Int64 in 0..<5 { #expect(masks[offset] == 0b11, "offset \(offset): both keys") }
        for offset: Int64 in 5..<10 { #expect(masks[offset] == 0b10, "offset \(offset): only b") }
        for offset: Int64 in 10..<20 { #expect(admissions[offset] == .ignore, "offset \(offset): not applied") }
        for offset: Int64 in 20..<23 { #expect(masks[offset] == 0b10) }
        for offset: Int64 in 23..<30 { #expect(masks[offset] == 0b11) }
        for offset: Int64 in 30..<32 { #expect(admissions[offset] == .ignore, "offset \(offset): applied after the fill started") }
        #expect(ledger.progressRows().isEmpty, "a fill claims no progress")
        #expect(ledger.takeCoverage() == [row("a", tp, 0, 4), row("a", tp, 23, 29), row("b", tp, 0, 9), row("b", tp, 20, 29)])
        // Everything covered: a second pass skips every applied record.
        var again = PartitionLedger()
        again.assign([tp])
        again.loaded(tp, AppliedOffsets(segments: [.init(start: 0, last: 9)]))
        again.startFill(keys: ["a"], covered: [tp: [AppliedOffsets(segments: [.init(start: 0, last: 4), .init(start: 5, last: 9)])]])
        for offset: Int64 in 0..<10 { #expect(again.admit(tp, offset: offset) == .alreadyApplied) }
        #expect(again.takeCoverage().isEmpty)
    }
}

/// A window pinned to a watch list keeps it across drains (whatever the registry says) and collects each record only
/// for the keys of its mask; the parallel analyzer pins every lane alike.
@Suite("MetadataWindow: pinned watch lists and record masks")
struct PinnedWatchTests {
    func values(_ batch: MetadataBatch) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        for value in batch.watchedValues { out["\(value.key)=\(value.value ?? "<overflow>")", default: 0] += value.count }
        return out
    }

    let request = TestOTLP.sumRequest(resources: [[("service.name", .string("api")), ("region", .string("eu"))]], points: 2) { _, p in
        [("user", .string(p == 0 ? "alice" : "bob"))]
    }

    @Test("pinned: the list stays across drains; masks select keys per record")
    func pinnedWindow() throws {
        // The registry admits the values (it knows both keys); the window collects only its pinned list.
        let registry = WatchRegistry()
        registry.update(keys: ["region", "user"], stored: [:])
        var window = MetadataWindow(watch: registry)
        window.pinWatch(keys: ["region", "user"])
        #expect(window.watchedKeys == ["region", "user"])
        try request.withUnsafeBytes { bytes in
            _ = try window.ingest(bytes, signal: .metric, encoding: .proto, context: RecordContext(timestamp: 1_767_229_200, watchMask: 0b10))
        }
        #expect(values(window.drain()) == ["user=alice": 1, "user=bob": 1])
        #expect(window.watchedKeys == ["region", "user"], "kept across the drain")
        try request.withUnsafeBytes { bytes in
            _ = try window.ingest(bytes, signal: .metric, encoding: .proto, context: RecordContext(timestamp: 1_767_229_200, watchMask: 0b01))
            _ = try window.ingest(bytes, signal: .metric, encoding: .proto, context: RecordContext(timestamp: 1_767_229_200))
        }
        #expect(values(window.drain()) == ["region=eu": 4, "user=alice": 1, "user=bob": 1])
    }

    @Test("every lane of a parallel analyzer takes the pinned list (not the registry's)", arguments: [1, 3])
    func lanes(lanes: Int) {
        let registry = WatchRegistry()
        let analyzer = ParallelAnalyzer(lanes: lanes, watch: registry)
        #expect(analyzer.pinnedKeys == nil)
        registry.update(keys: ["region", "user"], stored: [:])
        analyzer.pinWatch(keys: ["user"])
        var owners: [ParallelAnalyzerTests.OwnedPayload] = []
        for i in 0..<6 {
            let owned = ParallelAnalyzerTests.OwnedPayload(id: i, bytes: request)
            owners.append(owned)
            analyzer.enqueue(owned.payload, signal: .metric, timestamp: 1_767_229_200, owner: owned, watchMask: i == 5 ? 0 : .max)
        }
        #expect(analyzer.finishQueued().failures.isEmpty)
        #expect(values(analyzer.drain()) == ["user=alice": 5, "user=bob": 5])
        #expect(analyzer.pinnedKeys == ["user"])
    }
}

/// A fill's batch has no progress rows: after a lost answer, whether it landed is read from the coverage.
@Suite("Flusher: a fill's lost answer is checked against the coverage")
struct FillAppliedCheckTests {
    struct CoverageSink: MetadataSink {
        var stored: [String: [Int32: AppliedOffsets]]
        func fence(until deadline: ContinuousClock.Instant) async throws -> WriteFence { .never }
        func prepare(_ batch: MetadataBatch) throws -> PreparedInsert { try PreparedInsert(encoding: batch) }
        func write(_ batch: PreparedInsert, queryID: String, fence: WriteFence) async throws {}
        func hasPassed(_ fence: WriteFence) async throws -> Bool { true }
        func appliedOffsets(topic: String) async throws -> [Int32: AppliedOffsets] { [:] }
        func watchCoverage(keys: [String], topic: String, incarnations: [Int32: UInt32]) async throws -> [String: [Int32: AppliedOffsets]] {
            stored.filter { keys.contains($0.key) }.mapValues { $0.filter { $0.value.incarnation == (incarnations[$0.key] ?? 0) } }
        }
        func isRunning(queryID: String) async throws -> Bool { false }
        func runningWrites() async throws -> Set<String> { [] }
    }

    @Test("landed when every coverage row's last offset is covered (same incarnation); an empty batch never counts as landed")
    func check() async throws {
        var batch = MetadataBatch()
        batch.watchCoverage = [
            WatchCoverage(key: "a", topic: "t", partition: 0, incarnation: 1, segmentStart: 10, lastOffset: 20),
            WatchCoverage(key: "b", topic: "t", partition: 1, incarnation: 0, segmentStart: 0, lastOffset: 5),
        ]
        let landed = CoverageSink(stored: [
            "a": [0: AppliedOffsets(incarnation: 1, segments: [.init(start: 10, last: 20)])],
            "b": [1: AppliedOffsets(segments: [.init(start: 0, last: 7)])],
        ])
        #expect(try await Flusher.isApplied(batch, sink: landed))
        let earlier = CoverageSink(stored: [
            "a": [0: AppliedOffsets(incarnation: 1, segments: [.init(start: 10, last: 19)])],
            "b": [1: AppliedOffsets(segments: [.init(start: 0, last: 7)])],
        ])
        #expect(try await !Flusher.isApplied(batch, sink: earlier), "only an earlier window of the run landed")
        let otherIncarnation = CoverageSink(stored: [
            "a": [0: AppliedOffsets(incarnation: 0, segments: [.init(start: 10, last: 20)])],
            "b": [1: AppliedOffsets(segments: [.init(start: 0, last: 7)])],
        ])
        #expect(try await !Flusher.isApplied(batch, sink: otherIncarnation))
        #expect(try await !Flusher.isApplied(MetadataBatch(), sink: landed))
    }
}

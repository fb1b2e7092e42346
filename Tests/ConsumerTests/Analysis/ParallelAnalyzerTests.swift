import Consumer
import Store
import Testing

/// The same records through one window and through several lanes must give the same metadata once the lanes' rows
/// are merged the way ClickHouse merges them (counts add up, first/last seen are the min/max, value hashes unite).
@Suite("ParallelAnalyzer")
struct ParallelAnalyzerTests {
    /// A payload that owns its bytes (freed when the analyzer lets go of it).
    final class OwnedPayload {
        let id: Int
        let buffer: UnsafeMutableRawBufferPointer
        init(id: Int, bytes: [UInt8]) {
            self.id = id
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
            self.buffer = buffer
            count = bytes.count
        }
        let count: Int
        var payload: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[..<count]) }
        deinit { buffer.deallocate() }
    }

    struct Record {
        var bytes: [UInt8]
        var signal: Signal
        var timestamp: EpochSeconds
    }

    /// Fixtures of every signal in both encodings, generated sums, and mutated copies (some of them invalid), on two days.
    static func records(count: Int) throws -> [Record] {
        var rng = MetadataWindowFuzzTests.Xorshift(state: 0x5EED)
        let corpus: [([UInt8], Signal)] =
            [
                (try TestOTLP.fixture("metrics.pb"), .metric), (try TestOTLP.fixture("traces.pb"), .span), (try TestOTLP.fixture("logs.pb"), .log),
                (try TestOTLP.fixture("metrics.json"), .metric), (try TestOTLP.fixture("traces.json"), .span),
                (try TestOTLP.fixture("logs.json"), .log),
            ] + (0..<4).map { (ThroughputTests.record($0), Signal.metric) }
        let fuzz = MetadataWindowFuzzTests()
        return (0..<count).map { i in
            let (bytes, signal) = corpus[i % corpus.count]
            let payload = i % 7 == 3 ? fuzz.mutate(bytes, using: &rng) : bytes
            return Record(bytes: payload, signal: signal, timestamp: 1_767_225_600 + EpochSeconds(i % 2) * 86_400 + EpochSeconds(i))
        }
    }

    /// Rows merged per aggregate identity, as the materialized view and the table's merges do.
    struct Merged: Equatable {
        var signals: [String: [UInt64]] = [:]
        var keys: [String: [UInt64]] = [:]
        var hashes: [String: Set<UInt64>] = [:]
        var templates: [String: [UInt64]] = [:]

        init(_ batch: MetadataBatch) {
            for s in batch.signals {
                let id = "\(s.signal)|\(s.name)|\(s.service)|\(s.day)"
                signals[id] = Self.merge(signals[id], count: s.count, first: s.firstSeen, last: s.lastSeen)
            }
            for k in batch.keys {
                let id = "\(k.signal)|\(k.name)|\(k.service)|\(k.scope)|\(k.eventName)|\(k.key)|\(k.day)"
                keys[id] = Self.merge(keys[id], count: k.count, first: k.firstSeen, last: k.lastSeen)
                hashes[id, default: []].formUnion(k.valueHashes)
            }
            for t in batch.templates {
                let id = "\(t.severity)|\(t.service)|\(t.template)|\(t.day)"
                templates[id] = Self.merge(templates[id], count: t.count, first: t.firstSeen, last: t.lastSeen)
            }
        }

        static func merge(_ held: [UInt64]?, count: UInt64, first: EpochSeconds, last: EpochSeconds) -> [UInt64] {
            guard let held else { return [count, UInt64(first), UInt64(last)] }
            return [held[0] + count, min(held[1], UInt64(first)), max(held[2], UInt64(last))]
        }
    }

    @Test("several lanes give what one window gives; failures come back in order with their owners", arguments: [1, 2, 3])
    func sameAsOneWindow(lanes: Int) throws {
        let records = try Self.records(count: 240)
        var reference = MetadataWindow()
        var referenceItems = 0
        var referenceFailures: [Int] = []
        for (i, record) in records.enumerated() {
            do {
                referenceItems += try reference.ingest(record.bytes, signal: record.signal, timestamp: record.timestamp)
            } catch {
                referenceFailures.append(i)
            }
        }
        #expect(!referenceFailures.isEmpty)  // the corpus has invalid records

        let analyzer = ParallelAnalyzer(lanes: lanes)
        var items = 0
        var failures: [Int] = []
        var batches: [MetadataBatch] = []
        // Two windows' worth: drained half way, as a flush would.
        for (i, record) in records.enumerated() {
            let owned = OwnedPayload(id: i, bytes: record.bytes)
            analyzer.enqueue(owned.payload, signal: record.signal, timestamp: record.timestamp, owner: owned)
            if i == records.count / 2 || i == records.count - 1 {
                let outcome = analyzer.finishQueued()
                items += outcome.items
                failures += outcome.failures.map { ($0.owner as! OwnedPayload).id }
                #expect(outcome.failures.allSatisfy { $0.timestamp == records[($0.owner as! OwnedPayload).id].timestamp })
                batches.append(analyzer.drain())
                #expect(analyzer.rowCount == 0)
            }
        }
        #expect(items == referenceItems)
        #expect(failures == referenceFailures)
        var combined = MetadataBatch()
        for batch in batches {
            combined.signals += batch.signals
            combined.keys += batch.keys
            combined.templates += batch.templates
        }
        #expect(Merged(combined) == Merged(reference.drain()))
    }

    @Test("what the window limits drop is summed over the lanes and reported per drain", arguments: [1, 3])
    func overflowPerDrain(lanes: Int) throws {
        // Per record: key d on both points and the resource key service.name on both points exceed 3 keys per aggregate.
        let request = TestOTLP.sumRequest(resources: [[("service.name", .string("s"))]], points: 2) { _, _ in
            [("a", .int(1)), ("b", .int(1)), ("c", .int(1)), ("d", .int(1))]
        }
        let analyzer = ParallelAnalyzer(
            lanes: lanes, limits: WindowLimits(maxKeysPerAggregate: 3, maxEventNamesPerAggregate: 1, maxTemplatesPerAggregate: 2))
        var owners: [OwnedPayload] = []
        for round in 0..<2 {
            for i in 0..<6 {
                let owned = OwnedPayload(id: round * 6 + i, bytes: request)
                owners.append(owned)
                analyzer.enqueue(owned.payload, signal: .metric, timestamp: 1_000, owner: owned)
            }
            _ = analyzer.finishQueued()
            let batch = analyzer.drain()
            #expect(batch.keys.map(\.key).allSatisfy { ["a", "b", "c"].contains($0) }, "\(batch.keys.map(\.key))")
            #expect(analyzer.lastDrainOverflow.droppedKeyObservations == 6 * 4, "round \(round)")
            #expect(analyzer.lastDrainOverflow.droppedEventNames == 0 && analyzer.lastDrainOverflow.droppedTemplateObservations == 0)
        }
        _ = analyzer.drain()
        #expect(analyzer.lastDrainOverflow.isEmpty)
    }

    @Test("sizes bound the drained rows once the queue is finished, and an analyzer can be dropped with records queued")
    func sizesAndTeardown() throws {
        let records = try Self.records(count: 40).filter { $0.signal == .metric }
        let analyzer = ParallelAnalyzer(lanes: 2)
        for (i, record) in records.enumerated() {
            let owned = OwnedPayload(id: i, bytes: record.bytes)
            analyzer.enqueue(owned.payload, signal: record.signal, timestamp: record.timestamp, owner: owned)
        }
        _ = analyzer.finishQueued()
        let rows = analyzer.rowCount
        #expect(rows > 0 && analyzer.approximateBytes > 0)
        // Two lanes hold some aggregates both: their key rows are merged in the drain, so the rows counted while
        // analyzing (each lane's own) are an upper bound.
        let drained = analyzer.drain()
        #expect(drained.rowCount > 0 && drained.rowCount <= rows)
        #expect(Set(drained.keys.map(\.identity)).count == drained.keys.count, "one key row per key aggregate")

        var dropped: ParallelAnalyzer? = ParallelAnalyzer(lanes: 3)
        for (i, record) in records.enumerated() {
            let owned = OwnedPayload(id: i, bytes: record.bytes)
            dropped?.enqueue(owned.payload, signal: record.signal, timestamp: record.timestamp, owner: owned)
        }
        dropped = nil  // the lanes finish their queues and end
        #expect(dropped == nil)
    }
}

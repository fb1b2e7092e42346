import Foundation
import Synchronization
import Testing
@testable import Consumer
import Store

/// `IngestService.clearBuffered`: the admin clear on a running pipeline (mock broker + ClickHouse 18.16).
@Suite(
    "Ingest pipeline: admin clear drops buffered data", .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["CENSUS_TEST_CLICKHOUSE_URL"] != nil))
struct AdminClearPipelineTests {
    typealias H = PipelineTests

    func clearStore(_ h: H.Harness) -> @Sendable () async throws -> Void {
        let admin = StoreAdmin(client: h.client, schema: h.schema, logger: H.logger)
        return { try await admin.clearAll(keepProgress: false) }
    }

    @Test("the window is discarded and its offsets committed; later records still flow")
    func discardsWindow() async throws {
        let h = try await H.Harness()
        let sink = H.SwitchableSink(writer: h.writer)
        // A long max age: nothing is flushed unless something asks for it.
        let service = try h.service(sink: sink, maxAge: .seconds(600))
        let running = Task { try await service.run() }
        try h.produce(count: 8, points: 3)
        #expect(try await H.waitUntil { service.statistics.records == 8 })
        #expect((try? h.committedTotal()) == 0)

        try await service.clearBuffered(then: clearStore(h))
        #expect((try? h.committedTotal()) == 8, "the cleared records are committed, not read again after a restart")

        try h.produce(count: 2, points: 3, startAt: 8)
        #expect(try await H.waitUntil { service.statistics.records == 10 })
        service.requestStop()
        try await running.value
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 6, "only the records after the clear")
        #expect((try? h.committedTotal()) == 10)
        await h.drop()
    }

    @Test("a flush in flight lands before the delete; while it cannot land nothing is cleared")
    func waitsOutFlushInFlight() async throws {
        let h = try await H.Harness()
        let sink = H.SwitchableSink(writer: h.writer)
        let service = try h.service(sink: sink, maxAge: .milliseconds(100))
        let running = Task { try await service.run() }
        try h.produce(count: 4, points: 2)
        #expect(try await H.waitUntil { service.statistics.records == 4 })
        // Store down: the flush keeps retrying, the clear waits the drain timeout (5 s) and gives up.
        sink.available.store(false, ordering: .relaxed)
        try h.produce(count: 4, points: 2, startAt: 4)
        #expect(try await H.waitUntil { sink.attempts.load(ordering: .relaxed) >= 2 && service.statistics.records == 8 })
        let cleared = Atomic<Int>(0)
        await #expect(throws: IngestService.FlushStillRunning.self) {
            try await service.clearBuffered { cleared.add(1, ordering: .relaxed) }
        }
        #expect(cleared.load(ordering: .relaxed) == 0)

        // Store back: the pending flush lands, then the clear deletes it together with its progress rows.
        sink.available.store(true, ordering: .relaxed)
        try await service.clearBuffered(then: clearStore(h))
        #expect(try await h.reader.metric(named: "orders_total") == nil)
        #expect(try await h.writer.appliedOffsets(topic: "otlp_metrics").compactMapValues(\.highest).isEmpty)
        #expect((try? h.committedTotal()) == 8)
        service.requestStop()
        try await running.value
        #expect(try await h.reader.metric(named: "orders_total") == nil, "nothing consumed before the clear lands after it")
        await h.drop()
    }

    @Test("without a running poll loop the store is cleared directly")
    func notRunning() async throws {
        let h = try await H.Harness()
        try await h.writer.write(MetadataBatch(progress: [PartitionProgress(topic: "otlp_metrics", partition: 0, lastOffset: 3)]))
        let service = try h.service(sink: H.SwitchableSink(writer: h.writer))
        try await service.clearBuffered(then: clearStore(h))
        #expect(try await h.writer.appliedOffsets(topic: "otlp_metrics").compactMapValues(\.highest).isEmpty)
        await h.drop()
    }
}

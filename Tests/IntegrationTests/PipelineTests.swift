import Foundation
import Logging
import Synchronization
import Testing
@testable import Consumer
import Store

/// The ingest pipeline on real parts: librdkafka's mock cluster (a Kafka-protocol broker on 127.0.0.1) and the
/// ClickHouse server named by `CENSUS_TEST_CLICKHOUSE_URL`.
@Suite("Ingest pipeline: Kafka → ClickHouse, commit after flush", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["CENSUS_TEST_CLICKHOUSE_URL"] != nil))
struct PipelineTests {
    static let url = ProcessInfo.processInfo.environment["CENSUS_TEST_CLICKHOUSE_URL"] ?? ""

    static var logger: Logger {
        var logger = Logger(label: "test.pipeline")
        logger.logLevel = .warning
        return logger
    }

    /// A sink that refuses writes while `available` is false (like a ClickHouse that is down), then writes for real.
    final class SwitchableSink: MetadataSink {
        let writer: MetadataWriter
        let available = Atomic<Bool>(true)
        let attempts = Atomic<Int>(0)
        init(writer: MetadataWriter) { self.writer = writer }
        struct Down: Error {}
        func write(_ batch: MetadataBatch) async throws {
            attempts.add(1, ordering: .relaxed)
            guard available.load(ordering: .relaxed) else { throw Down() }
            try await writer.write(batch)
        }
        func storedProgress(topic: String) async throws -> [Int32: Int64] {
            guard available.load(ordering: .relaxed) else { throw Down() }
            return try await writer.storedProgress(topic: topic)
        }
    }

    struct Harness {
        let cluster: MockCluster
        let client: ClickHouseClient
        let schema: Schema
        let writer: MetadataWriter
        let reader: ClickHouseMetadataReader
        let producer: KafkaProducer
        let group: String

        init(partitions: Int32 = 4) async throws {
            cluster = try MockCluster()
            try cluster.createTopic("otlp_metrics", partitions: partitions)
            let database = "census_it_\(UInt32.random(in: 0...UInt32.max))"
            schema = try Schema(database: database)
            client = try ClickHouseClient(configuration: .init(url: PipelineTests.url), logger: PipelineTests.logger)
            _ = try await Migrator(client: client, schema: schema, logger: PipelineTests.logger).migrate()
            writer = MetadataWriter(client: client, schema: schema, logger: PipelineTests.logger)
            reader = ClickHouseMetadataReader(client: client, schema: schema, logger: PipelineTests.logger)
            producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers, group: ""))
            group = "it-\(database)"
        }

        func drop() async {
            _ = try? await client.execute("DROP DATABASE IF EXISTS \(schema.database)")
        }

        func service(sink: any MetadataSink, maxAge: Duration = .milliseconds(200), maxRows: Int = 10_000) throws -> IngestService {
            try IngestService(configuration: .init(kafka: KafkaConfiguration(brokers: cluster.bootstrapServers, group: group),
                                                   topics: ["otlp_metrics"], policy: BatchPolicy(maxRows: maxRows, maxAge: maxAge, drainTimeout: .seconds(5))),
                              sink: sink, logger: PipelineTests.logger)
        }

        /// The group's committed offsets summed over partitions, asked by a member that never joins.
        func committedTotal() throws -> Int64 {
            let probe = try KafkaConsumer(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers, group: group), logger: PipelineTests.logger)
            let partitions = (0..<4).map { TopicPartition(topic: "otlp_metrics", partition: Int32($0)) }
            return try probe.committed(partitions).values.reduce(0, +)
        }

        /// Sends `count` metrics requests, each with `points` Sum points of metric `name`, `user.id` distinct per point.
        func produce(count: Int, points: Int, name: String = "orders_total", startAt: Int = 0) throws {
            for index in startAt..<(startAt + count) {
                try producer.send(topic: "otlp_metrics", partition: Int32(index % 4), payload: PipelineTests.metricsRequest(name: name, points: points, firstUser: index * points))
            }
            try producer.flush()
        }
    }

    /// An ExportMetricsServiceRequest built with the protobuf field numbers of the OTLP spec.
    static func metricsRequest(name: String, points: Int, firstUser: Int) -> [UInt8] {
        func keyValue(_ w: inout ProtoWriter, field: UInt32, key: String, value: String) {
            w.message(field) { kv in
                kv.string(1, key)
                kv.message(2) { any in any.string(1, value) }
            }
        }
        var w = ProtoWriter()
        w.message(1) { rm in                                   // resource_metrics
            rm.message(1) { resource in keyValue(&resource, field: 1, key: "service.name", value: "checkout") }
            rm.message(2) { sm in                              // scope_metrics
                sm.message(1) { scope in scope.string(1, "it.scope"); scope.string(2, "1.0") }
                sm.message(2) { metric in                      // metrics
                    metric.string(1, name)
                    metric.string(3, "1")
                    metric.message(7) { sum in                 // sum
                        for i in 0..<points {
                            sum.message(1) { dp in             // data_points
                                dp.fixed64(3, 1_700_000_000_000_000_000)
                                dp.double(4, Double(i))
                                keyValue(&dp, field: 7, key: "user.id", value: "u\(firstUser + i)")
                                keyValue(&dp, field: 7, key: "region", value: i % 2 == 0 ? "eu" : "us")
                            }
                        }
                        sum.varint(2, 2)
                        sum.bool(3, true)
                    }
                }
            }
        }
        return w.bytes
    }

    static func waitUntil(_ seconds: Double = 30, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test("offsets are committed only after ClickHouse acknowledged the data")
    func commitAfterFlush() async throws {
        let h = try await Harness()
        let sink = SwitchableSink(writer: h.writer)
        sink.available.store(false, ordering: .relaxed)
        let service = try h.service(sink: sink)
        let running = Task { try await service.run() }

        try h.produce(count: 10, points: 5)
        // The store is down: flushes are attempted and fail, nothing is committed.
        #expect(try await Self.waitUntil(20) { sink.attempts.load(ordering: .relaxed) >= 3 })
        #expect((try? h.committedTotal()) == 0)
        #expect(try await h.reader.metric(named: "orders_total") == nil)

        // The store comes back: the data lands, then the offsets are committed.
        sink.available.store(true, ordering: .relaxed)
        #expect(try await Self.waitUntil { try h.committedTotal() == 10 })
        let metric = try #require(try await h.reader.metric(named: "orders_total"))
        #expect(metric.sampleCount == 50)
        #expect(metric.type == .sum)
        #expect(metric.labelKeys.first { $0.key == "user.id" }?.estimatedCardinality == 50)
        #expect(metric.labelKeys.first { $0.key == "region" }?.estimatedCardinality == 2)

        service.requestStop()
        try await running.value
        await h.drop()
    }

    @Test("a graceful stop flushes and commits everything consumed; a restart adds nothing twice")
    func gracefulStop() async throws {
        let h = try await Harness()
        let sink = SwitchableSink(writer: h.writer)
        // A long max age: only the stop makes it flush.
        let service = try h.service(sink: sink, maxAge: .seconds(600))
        let running = Task { try await service.run() }
        try h.produce(count: 8, points: 3)
        #expect(try await Self.waitUntil { service.statistics.records == 8 })
        #expect((try? h.committedTotal()) == 0)
        service.requestStop()
        try await running.value
        #expect((try? h.committedTotal()) == 8)
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 24)

        // A new member continues from the commit: the old records are not counted again.
        try h.produce(count: 2, points: 3, startAt: 8)
        let second = try h.service(sink: sink)
        let again = Task { try await second.run() }
        #expect(try await Self.waitUntil { try h.committedTotal() == 10 })
        second.requestStop()
        try await again.value
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 30)
        await h.drop()
    }

    @Test("invalid records are counted and skipped; the rest keeps flowing and is committed")
    func invalidRecords() async throws {
        let h = try await Harness()
        let service = try h.service(sink: SwitchableSink(writer: h.writer))
        let running = Task { try await service.run() }
        try h.producer.send(topic: "otlp_metrics", partition: 0, payload: [0xFF, 0xFF, 0xFF, 0x01])
        try h.producer.send(topic: "otlp_metrics", partition: 1, payload: Array(Self.metricsRequest(name: "cut", points: 3, firstUser: 0).dropLast(5)))
        try h.producer.send(topic: "otlp_metrics", partition: 0, payload: Array("{\"resourceMetrics\": [".utf8))
        try h.produce(count: 4, points: 2)
        #expect(try await Self.waitUntil { try h.committedTotal() == 7 })
        #expect(service.statistics.invalidRecords == 3)
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 8)
        #expect(try await h.reader.metric(named: "cut") == nil)
        service.requestStop()
        try await running.value
        await h.drop()
    }

    @Test("a full window while the store is down pauses fetching; it resumes and catches up when the store returns")
    func backpressure() async throws {
        let h = try await Harness()
        let sink = SwitchableSink(writer: h.writer)
        sink.available.store(false, ordering: .relaxed)
        // Every record alone fills a window: the second window cannot be flushed while the first is stuck.
        let service = try h.service(sink: sink, maxRows: 1)
        let running = Task { try await service.run() }
        try h.produce(count: 12, points: 2)
        #expect(try await Self.waitUntil { service.statistics.paused })
        let consumedWhilePaused = service.statistics.records
        try await Task.sleep(for: .seconds(1))
        // Paused: at most what librdkafka had already fetched arrives, and nothing is committed.
        #expect(service.statistics.records <= 12)
        #expect(service.statistics.pauses >= 1)
        #expect((try? h.committedTotal()) == 0)
        sink.available.store(true, ordering: .relaxed)
        #expect(try await Self.waitUntil { try h.committedTotal() == 12 })
        #expect(service.statistics.paused == false)
        #expect(service.statistics.records == 12)
        #expect(consumedWhilePaused >= 1)
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 24)
        service.requestStop()
        try await running.value
        await h.drop()
    }

    @Test("a member joining mid-stream: the revoked partitions' data is flushed and committed first, so nothing counts twice")
    func rebalance() async throws {
        let h = try await Harness()
        let first = try h.service(sink: SwitchableSink(writer: h.writer), maxAge: .seconds(600))
        let firstRun = Task { try await first.run() }
        try h.produce(count: 20, points: 2)
        // The first member consumed records that sit in its window, uncommitted (max age 600 s).
        #expect(try await Self.waitUntil { first.statistics.records == 20 })
        #expect((try? h.committedTotal()) == 0)
        let second = try h.service(sink: SwitchableSink(writer: h.writer))
        let secondRun = Task { try await second.run() }
        // The join revokes the first member's partitions: it must flush and commit before giving them up.
        #expect(try await Self.waitUntil { try h.committedTotal() == 20 })
        #expect(first.statistics.flushes >= 1)
        try h.produce(count: 20, points: 2, startAt: 20)
        #expect(try await Self.waitUntil { first.statistics.records + second.statistics.records == 40 })
        // The first member (600 s windows) leaves: its window is flushed and committed on the way out.
        first.requestStop()
        try await firstRun.value
        #expect(try await Self.waitUntil(40) { try h.committedTotal() == 40 })
        second.requestStop()
        try await secondRun.value
        #expect(first.statistics.records + second.statistics.records == 40)
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 80)
        #expect(try await h.reader.metric(named: "orders_total")?.labelKeys.first { $0.key == "user.id" }?.estimatedCardinality == 80)
        await h.drop()
    }
}

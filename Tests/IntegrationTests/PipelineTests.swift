import Foundation
import Kafka
import Logging
import Synchronization
import Testing
@testable import Consumer
import Store

/// The ingest pipeline on real parts: librdkafka's mock cluster (a Kafka-protocol broker on 127.0.0.1) and the
/// ClickHouse server named by `CENSUS_TEST_CLICKHOUSE_URL`.
@Suite(
    "Ingest pipeline: Kafka → ClickHouse, commit after flush", .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["CENSUS_TEST_CLICKHOUSE_URL"] != nil))
struct PipelineTests {
    static let url = ProcessInfo.processInfo.environment["CENSUS_TEST_CLICKHOUSE_URL"] ?? ""

    static var logger: Logger {
        var logger = Logger(label: "test.pipeline")
        logger.logLevel = .warning
        return logger
    }

    /// A sink that refuses writes while `available` is false (like a ClickHouse that refuses INSERTs: too many parts,
    /// a read-only table, a full disk), then writes for real. Progress reads work throughout unless `readable` is false.
    final class SwitchableSink: MetadataSink {
        let writer: MetadataWriter
        let available = Atomic<Bool>(true)
        let readable = Atomic<Bool>(true)
        let attempts = Atomic<Int>(0)
        /// Milliseconds every write takes before it is sent (a slow but working ClickHouse).
        let delayMilliseconds = Atomic<Int>(0)
        /// While false, encoding a batch waits (a flush that holds its window until the test lets it through; at most 60 s).
        let encodes = Atomic<Bool>(true)
        let clock: ServerClock
        init(writer: MetadataWriter) {
            self.writer = writer
            clock = ServerClock(client: writer.client, logger: PipelineTests.logger)
        }
        /// What a ClickHouse that is down answers: connection refused, so nothing was sent (not ambiguous).
        static let down = ClickHouseError(kind: .transport, message: "Connection refused (simulated)", curlCode: 7)
        func fence(until deadline: ContinuousClock.Instant) async throws -> WriteFence {
            guard readable.load(ordering: .relaxed) else { throw Self.down }
            return try await clock.fence(until: deadline)
        }
        func hasPassed(_ fence: WriteFence) async throws -> Bool {
            guard readable.load(ordering: .relaxed) else { throw Self.down }
            return try await clock.hasPassed(fence)
        }
        func prepare(_ batch: MetadataBatch) throws -> PreparedInsert {
            let deadline = ContinuousClock.now + .seconds(60)
            while !encodes.load(ordering: .relaxed), ContinuousClock.now < deadline { usleep(5_000) }
            return try writer.prepare(batch)
        }
        func write(_ batch: PreparedInsert, queryID: String, fence: WriteFence) async throws {
            attempts.add(1, ordering: .relaxed)
            guard available.load(ordering: .relaxed) else { throw SinkWriteError(Self.down.insertOutcome, "\(Self.down)") }
            let delay = delayMilliseconds.load(ordering: .relaxed)
            if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
            try await PipelineTests.writeMapped(writer, batch, queryID: queryID, fence: fence)
        }
        func appliedOffsets(topic: String) async throws -> [Int32: AppliedOffsets] {
            guard readable.load(ordering: .relaxed) else { throw Self.down }
            return try await writer.appliedOffsets(topic: topic)
        }
        func watchCoverage(keys: [String], topic: String, incarnations: [Int32: UInt32]) async throws -> [String: [Int32: AppliedOffsets]] {
            guard readable.load(ordering: .relaxed) else { throw Self.down }
            return try await writer.watchCoverage(keys: keys, topic: topic, incarnations: incarnations)
        }
        func isRunning(queryID: String) async throws -> Bool {
            guard readable.load(ordering: .relaxed) else { throw Self.down }
            return try await writer.isRunning(queryID: queryID)
        }
        func runningWrites() async throws -> Set<String> {
            guard readable.load(ordering: .relaxed) else { throw Self.down }
            return try await writer.runningWrites()
        }
    }

    /// A sink whose INSERTs lose their answer: every `every`-th attempt is written for real and then reported as a
    /// timeout (`applyBeforeFailing`), or fails with the same ambiguous error without writing anything.
    final class LostAnswerSink: MetadataSink {
        let writer: MetadataWriter
        let applyBeforeFailing: Bool
        let attempts = Atomic<Int>(0)
        let clock: ServerClock
        init(writer: MetadataWriter, applyBeforeFailing: Bool) {
            self.writer = writer
            self.applyBeforeFailing = applyBeforeFailing
            clock = ServerClock(client: writer.client, logger: PipelineTests.logger)
        }
        func fence(until deadline: ContinuousClock.Instant) async throws -> WriteFence {
            try await clock.fence(until: deadline)
        }
        func hasPassed(_ fence: WriteFence) async throws -> Bool {
            try await clock.hasPassed(fence)
        }
        func prepare(_ batch: MetadataBatch) throws -> PreparedInsert { try writer.prepare(batch) }
        func write(_ batch: PreparedInsert, queryID: String, fence: WriteFence) async throws {
            let attempt = attempts.add(1, ordering: .relaxed).newValue
            guard attempt % 2 == 1 else { return try await PipelineTests.writeMapped(writer, batch, queryID: queryID, fence: fence) }
            if applyBeforeFailing { try await PipelineTests.writeMapped(writer, batch, queryID: queryID, fence: fence) }
            throw SinkWriteError(.mayHaveBeenApplied, "Operation timed out (simulated lost answer)")
        }
        func appliedOffsets(topic: String) async throws -> [Int32: AppliedOffsets] {
            try await writer.appliedOffsets(topic: topic)
        }
        func watchCoverage(keys: [String], topic: String, incarnations: [Int32: UInt32]) async throws -> [String: [Int32: AppliedOffsets]] {
            try await writer.watchCoverage(keys: keys, topic: topic, incarnations: incarnations)
        }
        func isRunning(queryID: String) async throws -> Bool {
            try await writer.isRunning(queryID: queryID)
        }
        func runningWrites() async throws -> Set<String> {
            try await writer.runningWrites()
        }
    }

    /// Writes like production's sink: ClickHouse's failures become the pipeline's ``SinkWriteError``.
    static func writeMapped(_ writer: MetadataWriter, _ batch: PreparedInsert, queryID: String, fence: WriteFence) async throws {
        do {
            try await writer.write(batch, queryID: queryID, fence: fence, retryPolicy: .noRetry)
        } catch {
            throw SinkWriteError(error.insertOutcome, "\(error)")
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

        /// Every window, the first after the assignment included, is due after `maxAge` (a test that waits for records
        /// to sit uncommitted in a 600 s window must not see the 0.1 s first window commit them).
        func service(
            sink: any MetadataSink, maxAge: Duration = .milliseconds(200), maxRows: Int = 10_000, maxBytes: Int = 64 << 20,
            analyzerLanes: Int = ParallelAnalyzer.defaultLanes, kafkaProperties: [String: String] = [:]
        ) throws -> IngestService {
            try IngestService(
                configuration: .init(
                    kafka: KafkaConfiguration(brokers: cluster.bootstrapServers, group: group, properties: kafkaProperties),
                    topics: ["otlp_metrics"],
                    policy: BatchPolicy(maxRows: maxRows, maxBytes: maxBytes, maxAge: maxAge, firstMaxAge: maxAge, drainTimeout: .seconds(5)),
                    analyzerLanes: analyzerLanes),
                sink: sink, logger: PipelineTests.logger)
        }

        /// The group's committed offsets summed over partitions, asked by a member that never joins.
        func committedTotal() throws -> Int64 {
            let probe = try KafkaConsumer(
                configuration: KafkaConfiguration(brokers: cluster.bootstrapServers, group: group), logger: PipelineTests.logger)
            let partitions = (0..<4).map { TopicPartition(topic: "otlp_metrics", partition: Int32($0)) }
            return try probe.committed(partitions).values.reduce(0, +)
        }

        /// Sends `count` metrics requests, each with `points` Sum points of metric `name`, `user.id` distinct per point.
        func produce(count: Int, points: Int, name: String = "orders_total", startAt: Int = 0) throws {
            for index in startAt..<(startAt + count) {
                try producer.send(
                    topic: "otlp_metrics", partition: Int32(index % 4),
                    payload: PipelineTests.metricsRequest(name: name, points: points, firstUser: index * points))
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
        w.message(1) { rm in  // resource_metrics
            rm.message(1) { resource in keyValue(&resource, field: 1, key: "service.name", value: "checkout") }
            rm.message(2) { sm in  // scope_metrics
                sm.message(1) { scope in
                    scope.string(1, "it.scope"); scope.string(2, "1.0")
                }
                sm.message(2) { metric in  // metrics
                    metric.string(1, name)
                    metric.string(3, "1")
                    metric.message(7) { sum in  // sum
                        for i in 0..<points {
                            sum.message(1) { dp in  // data_points
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
        try h.producer.send(
            topic: "otlp_metrics", partition: 1, payload: Array(Self.metricsRequest(name: "cut", points: 3, firstUser: 0).dropLast(5)))
        try h.producer.send(topic: "otlp_metrics", partition: 0, payload: Array("{\"resourceMetrics\": [".utf8))
        try h.produce(count: 4, points: 2)
        #expect(try await Self.waitUntil { try h.committedTotal() == 7 })
        #expect(service.statistics.invalidRecords == 3)
        #expect(service.statistics.quarantinedRecords == 3)
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 8)
        #expect(try await h.reader.metric(named: "cut") == nil)
        let quarantined = try await ClickHouseQuarantineReader(client: h.client, schema: h.schema, logger: Self.logger).quarantined(
            limit: 10, offset: 0)
        #expect(quarantined.total == 3)
        #expect(quarantined.items.map(\.firstBytes).contains([0xFF, 0xFF, 0xFF, 0x01]))
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

    @Test(
        "while a flush cannot be written, the next window fills past --flush-bytes into what that flush leaves of two windows, then fetching pauses; nothing is lost"
    )
    func windowFillsWithinTheBudget() async throws {
        let h = try await Harness()
        let sink = SwitchableSink(writer: h.writer)
        sink.available.store(false, ordering: .relaxed)
        // 300 records of 100 points over 50 metrics (each point a new user.id): ~1 MiB of windows in steps of a few KiB.
        for index in 0..<300 {
            try h.producer.send(
                topic: "otlp_metrics", partition: Int32(index % 4),
                payload: Self.metricsRequest(name: String(format: "m%02d", index % 50), points: 100, firstUser: index * 100))
        }
        try h.producer.flush()
        let maxBytes = 128 << 10
        // One lane: the poll thread analyzes each record before it looks at the window again, so the window is at most
        // one record past its limit.
        let service = try h.service(sink: sink, maxBytes: maxBytes, analyzerLanes: 1)
        let policy = BatchPolicy(maxBytes: maxBytes)
        let running = Task { try await service.run() }
        #expect(try await Self.waitUntil { service.statistics.paused })
        let stuck = service.statistics
        // The first window is stuck as its INSERT body, which holds less than the window did; the second filled into the
        // rest of two windows. Each window may end one record (< 16 KiB) past its limit: until the first was encoded it
        // counted as its window's bytes (at most maxBytes + a record) and the second filled to maxBytes + a record.
        #expect(stuck.flushBytes > 0 && stuck.flushBytes < maxBytes)
        #expect(stuck.peakWindowBytes > maxBytes)
        #expect(stuck.peakWindowBytes >= policy.windowBudget - stuck.flushBytes - 16 << 10)
        #expect(stuck.peakWindowAndFlushBytes <= policy.windowBudget + 32 << 10)
        #expect(stuck.peakWindowAndFlushBytes >= policy.windowBudget - 16 << 10)
        #expect(stuck.records < 300)
        #expect((try? h.committedTotal()) == 0)
        sink.available.store(true, ordering: .relaxed)
        #expect(try await Self.waitUntil { try h.committedTotal() == 300 })
        #expect(service.statistics.paused == false)
        for name in ["m00", "m17", "m49"] { #expect(try await h.reader.metric(named: name)?.sampleCount == 600) }
        // Afterwards the overfilled window is encoded while the next one fills to maxBytes: the general bound.
        #expect(service.statistics.peakWindowAndFlushBytes <= policy.windowBudget + maxBytes + 16 << 10)
        service.requestStop()
        try await running.value
        await h.drop()
    }

    @Test("a full window while a flush is merely slow waits for it: fetching is not paused (pausing drops what was prefetched)")
    func slowFlushDoesNotPause() async throws {
        let h = try await Harness()
        let sink = SwitchableSink(writer: h.writer)
        sink.delayMilliseconds.store(300, ordering: .relaxed)  // well under IngestService.fullWindowWait
        let service = try h.service(sink: sink, maxRows: 1)
        let running = Task { try await service.run() }
        try h.produce(count: 8, points: 2)
        #expect(try await Self.waitUntil { try h.committedTotal() == 8 })
        // Pausing on every full window would pause about 7 times here; a loaded CI machine may stretch one flush past the
        // wait.
        #expect(service.statistics.pauses <= 1)
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 16)
        service.requestStop()
        try await running.value
        await h.drop()
    }

    /// Calls `onMessage` with every message logged at `.info` or above (and prints nothing).
    struct ObservingLogHandler: LogHandler {
        let onMessage: @Sendable (Logger.Message, Logger.Metadata?) -> Void
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { onMessage(event.message, event.metadata) }
    }

    @Test(
        "cooperative rebalancing: partitions handed to a member whose fetching is paused do not leave its own partitions paused"
    )
    func cooperativeAssignmentWhilePaused() async throws {
        let h = try await Harness()
        let cooperative = KafkaConfiguration(
            brokers: h.cluster.bootstrapServers, group: h.group, properties: ["partition.assignment.strategy": "cooperative-sticky"])
        let sinkA = SwitchableSink(writer: h.writer)
        // Once armed, the next assignment A logs lets its stuck flush through, on A's poll thread, right after the
        // rebalance: A has room again within moments, before it would decide to pause anew.
        let armed = Atomic<Bool>(false)
        let loggerA = Logger(label: "test.pipeline.a") { _ in
            ObservingLogHandler { message, metadata in
                guard "\(message)" == "partitions assigned", armed.load(ordering: .relaxed),
                    metadata?["partitions"].map({ "\($0)" })?.isEmpty == false
                else { return }
                sinkA.encodes.store(true, ordering: .relaxed)
            }
        }
        let policy = BatchPolicy(maxRows: 1, maxAge: .milliseconds(200), firstMaxAge: .milliseconds(200), drainTimeout: .seconds(5))
        let a = try IngestService(
            configuration: .init(kafka: cooperative, topics: ["otlp_metrics"], policy: policy, analyzerLanes: 1), sink: sinkA, logger: loggerA)
        let aRun = Task { try await a.run() }
        #expect(try await Self.waitUntil { a.statistics.assignedPartitions == 4 })
        let b = try IngestService(
            configuration: .init(kafka: cooperative, topics: ["otlp_metrics"], policy: BatchPolicy(maxAge: .milliseconds(200))),
            sink: SwitchableSink(writer: h.writer), logger: Self.logger)
        let bRun = Task { try await b.run() }
        #expect(try await Self.waitUntil { a.statistics.assignedPartitions == 2 && b.statistics.assignedPartitions == 2 })
        // A's flush holds its window: every record fills a window, so the next one cannot go and A's fetching pauses.
        sinkA.encodes.store(false, ordering: .relaxed)
        try h.produce(count: 40, points: 2)
        #expect(try await Self.waitUntil { a.statistics.paused })
        #expect(try await Self.waitUntil { b.statistics.committed.values.reduce(0, +) == 20 })
        #expect(a.statistics.records < 20)
        // B leaves: its partitions (fully committed) are added to A's while A's fetching is paused.
        armed.store(true, ordering: .relaxed)
        b.requestStop()
        try await bRun.value
        #expect(try await Self.waitUntil { a.statistics.assignedPartitions == 4 })
        // A's own partitions must fetch again although they were paused before the assignment.
        #expect(try await Self.waitUntil { try h.committedTotal() == 40 })
        #expect(a.statistics.records + b.statistics.records == 40)
        a.requestStop()
        try await aRun.value
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 80)
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

    @Test(
        "an INSERT whose answer is lost is checked against the stored progress, never applied twice",
        arguments: [true, false])
    func lostAnswers(applyBeforeFailing: Bool) async throws {
        let h = try await Harness()
        let sink = LostAnswerSink(writer: h.writer, applyBeforeFailing: applyBeforeFailing)
        let service = try h.service(sink: sink)
        let running = Task { try await service.run() }
        try h.produce(count: 12, points: 3)
        #expect(try await Self.waitUntil { try h.committedTotal() == 12 })
        service.requestStop()
        try await running.value
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 36)
        #expect(service.statistics.flushFailures >= 1)
        // Applied-then-failed attempts are recognised (not resent); failed-before-applying ones are resent.
        #expect((service.statistics.appliedDespiteFailure > 0) == applyBeforeFailing)
        await h.drop()
    }

    func replay(_ h: Harness, from: ReplayPlan.Position, until: ReplayPlan.Position = .now) async throws -> IngestStatistics {
        let service = try IngestService(
            configuration: .init(
                kafka: KafkaConfiguration(brokers: h.cluster.bootstrapServers, group: "replay-\(UUID())"),
                topics: ["otlp_metrics"], policy: BatchPolicy(maxRows: 7, maxAge: .milliseconds(100)),
                replay: ReplayPlan(topics: ["otlp_metrics"], from: from, until: until)),
            sink: SwitchableSink(writer: h.writer), logger: Self.logger)
        try await service.run()
        return service.statistics
    }

    @Test("replays are idempotent: whole topic into a populated store, partial ranges in any order into a cleared store")
    func replayIsIdempotent() async throws {
        let h = try await Harness()
        try h.produce(count: 24, points: 2)
        let live = try h.service(sink: SwitchableSink(writer: h.writer))
        let running = Task { try await live.run() }
        #expect(try await Self.waitUntil { try h.committedTotal() == 24 })
        live.requestStop()
        try await running.value
        let committedBefore = try h.committedTotal()
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 48)

        // The whole topic again: every record is already applied.
        let whole = try await replay(h, from: .earliest)
        #expect(whole.records == 24 && whole.skippedRecords == 24 && whole.replayTotal == 24)
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 48)
        #expect(try h.committedTotal() == committedBefore, "a replay commits nothing to the live group")

        // Cleared store (data and progress): replay the tail first, then everything, then a middle range again.
        _ = try await h.client.execute("TRUNCATE TABLE \(h.schema.metadataTable)")
        let tail = try await replay(h, from: .offsets([0: 3, 1: 4, 2: 2, 3: 5]))
        #expect(tail.skippedRecords == 0)
        let partial = try #require(try await h.reader.metric(named: "orders_total")?.sampleCount)
        #expect(partial > 0 && partial < 48)
        let all = try await replay(h, from: .earliest)
        #expect(all.skippedRecords == tail.records)
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 48)
        let middle = try await replay(h, from: .offsets([0: 1, 1: 1, 2: 1, 3: 1]), until: .offsets([0: 4, 1: 4, 2: 4, 3: 4]))
        #expect(middle.skippedRecords == middle.records && middle.records > 0)
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 48)
        #expect(try await h.reader.metric(named: "orders_total")?.labelKeys.first { $0.key == "user.id" }?.estimatedCardinality == 48)
        await h.drop()
    }

    @Test("stored progress beyond a partition's end (topic re-created): fail stops with an error; reset reads the partition as new")
    func offsetRegression() async throws {
        let h = try await Harness()
        try h.produce(count: 8, points: 2)
        // Progress of an older, longer topic with the same name.
        try await h.writer.write(MetadataBatch(progress: (0..<4).map { PartitionProgress(topic: "otlp_metrics", partition: $0, lastOffset: 1_000) }))

        let failing = try h.service(sink: SwitchableSink(writer: h.writer))
        await #expect(throws: (any Error).self) { try await failing.run() }
        #expect(failing.statistics.offsetRegressions >= 1)
        #expect((try? h.committedTotal()) == 0)
        #expect(try await h.reader.metric(named: "orders_total") == nil)

        let resetting = try IngestService(
            configuration: .init(
                kafka: KafkaConfiguration(brokers: h.cluster.bootstrapServers, group: h.group),
                topics: ["otlp_metrics"], policy: BatchPolicy(maxAge: .milliseconds(200)),
                onOffsetRegression: .reset),
            sink: SwitchableSink(writer: h.writer), logger: Self.logger)
        let running = Task { try await resetting.run() }
        #expect(try await Self.waitUntil { try await h.reader.metric(named: "orders_total")?.sampleCount == 16 })
        #expect(resetting.statistics.offsetRegressions == 4)
        resetting.requestStop()
        try await running.value
        // The new incarnation's progress is what counts now: a restart reads nothing again and sees no regression.
        let again = try h.service(sink: SwitchableSink(writer: h.writer))
        let second = Task { try await again.run() }
        try await Task.sleep(for: .seconds(3))
        again.requestStop()
        try await second.value
        #expect(again.statistics.offsetRegressions == 0)
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 16)
        await h.drop()
    }

    @Test("partitions assigned while the stored progress cannot be read wait for it instead of risking a double count")
    func unreadableProgressOnAssignment() async throws {
        let h = try await Harness()
        try h.produce(count: 6, points: 2)
        // An earlier member applied the first 6 records but its commit was lost.
        let first = try h.service(sink: SwitchableSink(writer: h.writer))
        let firstRun = Task { try await first.run() }
        #expect(try await Self.waitUntil { try await h.reader.metric(named: "orders_total")?.sampleCount == 12 })
        first.requestStop()
        try await firstRun.value
        let committed = try h.committedTotal()
        #expect(committed == 6)
        // Forget the commits (as if they were lost): a new group over the same store.
        let sink = SwitchableSink(writer: h.writer)
        sink.readable.store(false, ordering: .relaxed)
        let second = try IngestService(
            configuration: .init(
                kafka: KafkaConfiguration(brokers: h.cluster.bootstrapServers, group: h.group + "-new"),
                topics: ["otlp_metrics"], policy: BatchPolicy(maxAge: .milliseconds(200))),
            sink: sink, logger: Self.logger)
        let secondRun = Task { try await second.run() }
        try await Task.sleep(for: .seconds(4))
        #expect(second.statistics.records == 0, "records were taken while the stored progress was unknown")
        sink.readable.store(true, ordering: .relaxed)
        try h.produce(count: 2, points: 2, startAt: 6)
        #expect(try await Self.waitUntil { try await h.reader.metric(named: "orders_total")?.sampleCount == 16 })
        try await Task.sleep(for: .seconds(1))
        second.requestStop()
        try await secondRun.value
        #expect(try await h.reader.metric(named: "orders_total")?.sampleCount == 16)
        await h.drop()
    }
}

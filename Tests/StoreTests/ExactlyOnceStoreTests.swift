import Synchronization
import Testing

@testable import Store

@Suite("Exactly-once store support: progress segments, quarantine, running queries", .enabled(if: TestServer.anyConfigured))
struct ExactlyOnceStoreTests {
    @Test("progress rows round-trip as segments per partition and incarnation", arguments: TestServer.configured)
    func segments(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            try await writer.write(
                MetadataBatch(progress: [
                    PartitionProgress(topic: "t", partition: 0, lastOffset: 9, segmentStart: 0),
                    PartitionProgress(topic: "t", partition: 1, lastOffset: 50, segmentStart: 40),
                ]))
            try await writer.write(
                MetadataBatch(progress: [
                    PartitionProgress(topic: "t", partition: 0, lastOffset: 19, segmentStart: 0),
                    PartitionProgress(topic: "t", partition: 0, lastOffset: 120, segmentStart: 100),
                    PartitionProgress(topic: "t", partition: 1, lastOffset: 45, segmentStart: 40),
                    PartitionProgress(topic: "t", partition: 2, lastOffset: 7_000, segmentStart: 0),
                    PartitionProgress(topic: "t", partition: 2, lastOffset: -1, segmentStart: 0, incarnation: 1),
                    PartitionProgress(topic: "other", partition: 0, lastOffset: 3),
                ]))
            let applied = try await writer.appliedOffsets(topic: "t")
            #expect(applied[0]?.ranges == [0...19, 100...120])
            #expect(applied[1]?.ranges == [40...50])
            #expect(applied[2]?.incarnation == 1 && applied[2]?.isEmpty == true)
            #expect(try await writer.appliedOffsets(topic: "t").compactMapValues(\.highest) == [0: 120, 1: 50])
            #expect(try await writer.appliedOffsets(topic: "missing").isEmpty)

            // A clear that keeps progress keeps every segment and incarnation.
            try await StoreAdmin(client: client, schema: schema, logger: TestServer.logger).clearAll(keepProgress: true)
            #expect(try await writer.appliedOffsets(topic: "t") == applied)
        }
    }

    @Test("quarantined records written twice are listed and counted once, paged in key order", arguments: TestServer.configured)
    func quarantine(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            var records: [QuarantinedRecord] = []
            for i in 0..<5 {
                let bytes: [UInt8] = [0xFF, 0x00, UInt8(i)] + [UInt8](repeating: 7, count: 300)
                let topic = i % 2 == 0 ? "a" : "b"
                let timestamp: EpochSeconds = 1_700_000_000 + UInt32(i)
                records.append(
                    QuarantinedRecord(
                        topic: topic, partition: Int32(i % 3), offset: Int64(100 - i), timestamp: timestamp,
                        size: UInt64(1_000 + i), error: "bad \(i) ' \\ \u{0}", firstBytes: bytes))
            }
            let batch = MetadataBatch(progress: [PartitionProgress(topic: "a", partition: 0, lastOffset: 100)], quarantined: records)
            try await writer.write(batch)
            try await writer.write(batch)  // a retried flush
            try await writer.write(MetadataBatch(quarantined: Array(records.prefix(2))))  // a replay
            let reader = ClickHouseQuarantineReader(client: client, schema: schema, logger: TestServer.logger)
            let first = try await reader.quarantined(limit: 3, offset: 0)
            let rest = try await reader.quarantined(limit: 3, offset: 3)
            #expect(first.total == 5 && rest.total == 5)
            #expect(first.items.count == 3 && rest.items.count == 2)
            let sorted = records.sorted { ($0.topic, $0.partition, $0.offset) < ($1.topic, $1.partition, $1.offset) }
            #expect(first.items + rest.items == sorted)
            #expect(sorted[0].firstBytes.count == QuarantinedRecord.maxStoredBytes)

            let admin = StoreAdmin(client: client, schema: schema, logger: TestServer.logger)
            try await admin.clearAll(keepProgress: true)
            #expect(try await reader.quarantined(limit: 10, offset: 0).total == 5, "records that will not be read again stay quarantined")
            try await admin.clearAll(keepProgress: false)
            #expect(try await reader.quarantined(limit: 10, offset: 0).total == 0, "a full clear (admin/clear) empties the quarantine")
        }
    }

    @Test("a query id is reported running only while a query with that id runs", arguments: TestServer.configured)
    func runningQuery(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            #expect(try await writer.isRunning(queryID: "census-test-never-ran") == false)
            #expect(try await writer.runningWrites().isEmpty)
            if server.isLegacy {
                // A query that runs for about 3 s under a known id, observed from another connection: polled until it is
                // seen or has finished (a loaded machine may start it late), at most 400 polls.
                let finished = Atomic(false)
                let slow = Task {
                    defer { finished.store(true, ordering: .releasing) }
                    return try await client.execute("SELECT sleep(3) FORMAT RowBinary", settings: ["query_id": "census-test-slow"])
                }
                var seen = false
                for _ in 0..<400 where !seen && !finished.load(ordering: .acquiring) {
                    seen = try await writer.isRunning(queryID: "census-test-slow")
                    if !seen { try await Task.sleep(for: .milliseconds(25)) }
                }
                let writes = try await writer.runningWrites()
                _ = try await slow.value
                #expect(seen)
                #expect(!writes.contains("census-test-slow"), "a SELECT is not a batch INSERT")
                #expect(try await writer.isRunning(queryID: "census-test-slow") == false)
            }
        }
    }
}

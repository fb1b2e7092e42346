import Testing

@testable import Store

@Suite("Storage properties", .enabled(if: TestServer.anyConfigured))
struct StorageTests {
    @Test("a large batch (two-level aggregation in the view) still lands as one part", arguments: TestServer.configured)
    func largeBatchOnePart(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let keys = (0..<60_000).map { index in
                KeyAggregate(
                    signal: .metric, name: "m\(index % 100)", service: "s", scope: .attribute, key: "k\(index)", day: 1, firstSeen: 1,
                    lastSeen: 2, count: 1, valueHashes: [UInt64(index)])
            }
            let batch = MetadataBatch(keys: keys, progress: [PartitionProgress(topic: "t", partition: 0, lastOffset: 1)])
            try await MetadataWriter(client: client, schema: schema, logger: TestServer.logger).write(batch)
            let sql =
                "SELECT toUInt64(count()), toUInt64(sum(rows)) FROM system.parts WHERE database = \(SQLLiteral.string(schema.database)) "
                + "AND table = 'metadata' AND active FORMAT RowBinary"
            var decoder = RowBinaryDecoder(try await client.execute(sql))
            #expect(try decoder.uint64() == 1)
            #expect(try decoder.uint64() == 120_001)  // key rows + catalog rows + the progress row
        }
    }

    @Test("storage grows with keys, not values; the estimate stays close", arguments: TestServer.configured)
    func cardinalitySketch(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            var generator = SplitMix64(seed: 99)
            var all: Set<UInt64> = []
            for batch in 0..<4 {
                // Overlapping value sets: every batch repeats half of the previous one's values.
                let hashes = (0..<25_000).map { _ in UInt64.random(in: 0...UInt64.max, using: &generator) }
                all.formUnion(hashes)
                let key = KeyAggregate(
                    signal: .span, name: "op", service: "s", scope: .attribute, key: "user.id", day: 1, firstSeen: 1,
                    lastSeen: 2, count: UInt64(hashes.count), valueHashes: hashes + (batch > 0 ? Array(all.prefix(1000)) : []),
                    sampleSlots: MetadataFixtures.slots(["u1"]))
                try await writer.write(MetadataBatch(keys: [key]))
            }
            let reader = ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger)
            let estimate = try #require(try await reader.attribute(key: "user.id")).estimatedCardinality
            let error = abs(Double(estimate) - Double(all.count)) / Double(all.count)
            #expect(error < 0.03, "estimate \(estimate) for \(all.count) distinct values")
            // One stored row per inserted key row (key + catalog), however many values.
            var decoder = RowBinaryDecoder(try await client.execute("SELECT toUInt64(count()) FROM \(schema.metadataTable) FORMAT RowBinary"))
            #expect(try decoder.uint64() <= 8)
        }
    }
}

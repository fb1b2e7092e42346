import Testing

@testable import Store

@Suite("MetadataWriter → ClickHouseMetadataReader", .enabled(if: TestServer.anyConfigured))
struct MetadataRoundTripTests {
    typealias F = MetadataFixtures

    /// Runs `body` against a migrated database holding both fixture batches.
    func withFixtures(_ server: TestServer, _ body: (ClickHouseClient, Schema, ClickHouseMetadataReader) async throws -> Void) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            try await writer.write(F.first)
            try await writer.write(F.second)
            try await body(client, schema, ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger))
        }
    }

    @Test("metrics merge across batches, services and days", arguments: TestServer.configured)
    func metrics(server: TestServer) async throws {
        try await withFixtures(server) { _, _, reader in
            let page = try await reader.metrics(service: nil, limit: 10, offset: 0)
            #expect(page.total == 2)
            #expect(page.items == [F.expectedRequests, F.expectedLatency])
            #expect(try await reader.metric(named: "http.requests") == F.expectedRequests)
            #expect(try await reader.metric(named: "latency") == F.expectedLatency)
            #expect(try await reader.metric(named: "nope") == nil)
        }
    }

    @Test("metric pages filter by service and paginate", arguments: TestServer.configured)
    func metricPages(server: TestServer) async throws {
        try await withFixtures(server) { _, _, reader in
            let worker = try await reader.metrics(service: "worker", limit: 10, offset: 0)
            #expect(worker.total == 1)
            #expect(worker.items.map(\.name) == ["http.requests"])
            #expect(worker.items.first?.services.count == 2, "a service filter selects names; the summary still merges all services")
            let second = try await reader.metrics(service: nil, limit: 1, offset: 1)
            #expect(second.total == 2)
            #expect(second.items == [F.expectedLatency])
            let beyond = try await reader.metrics(service: nil, limit: 5, offset: 5)
            #expect(beyond.total == 2 && beyond.items.isEmpty)
            let none = try await reader.metrics(service: "no-such-service", limit: 10, offset: 0)
            #expect(none.total == 0 && none.items.isEmpty)
            let zero = try await reader.metrics(service: nil, limit: 0, offset: 0)
            #expect(zero.total == 2 && zero.items.isEmpty)
        }
    }

    @Test("spans and logs", arguments: TestServer.configured)
    func spansAndLogs(server: TestServer) async throws {
        try await withFixtures(server) { _, _, reader in
            let spans = try await reader.spans(service: "web", limit: 10, offset: 0)
            #expect(spans.total == 1)
            #expect(spans.items == [F.expectedSpan])
            #expect(try await reader.span(named: "GET /users") == F.expectedSpan)
            #expect(try await reader.span(named: "GET /nothing") == nil)

            let logs = try await reader.logs(service: nil, limit: 10, offset: 0)
            #expect(logs.total == 1)
            #expect(logs.items == [F.expectedLog])
            #expect(try await reader.log(severity: "ERROR") == F.expectedLog)
            #expect(try await reader.log(severity: "INFO") == nil)
        }
    }

    @Test("one INSERT lands as exactly one part", arguments: TestServer.configured)
    func onePartPerInsert(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            try await writer.write(F.first)
            let sql = "SELECT toUInt64(count()), toUInt64(sum(rows)) FROM system.parts WHERE database = \(SQLLiteral.string(schema.database)) "
                + "AND table = 'metadata' AND active FORMAT RowBinary"
            var decoder = RowBinaryDecoder(try await client.execute(sql))
            #expect(try decoder.uint64() == 1)
            // 5 signal + 12 key + 2 template + 2 progress rows + 10 catalog rows (distinct signal/scope/key/day).
            #expect(try decoder.uint64() == 31)
        }
    }

    @Test("stored progress is the max offset per partition; clearAll keeps it on request", arguments: TestServer.configured)
    func progressAndClear(server: TestServer) async throws {
        try await withFixtures(server) { client, schema, reader in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            #expect(try await writer.storedProgress(topic: "otlp") == [0: 180, 1: 50, 2: 7])
            #expect(try await writer.storedProgress(topic: "other").isEmpty)

            let admin = StoreAdmin(client: client, schema: schema, logger: TestServer.logger)
            try await admin.clearAll()
            #expect(try await reader.metrics(service: nil, limit: 10, offset: 0).total == 0)
            #expect(try await reader.attributes(AttributeQuery()).total == 0)
            #expect(try await writer.storedProgress(topic: "otlp") == [0: 180, 1: 50, 2: 7])

            try await admin.clearAll(keepProgress: false)
            #expect(try await writer.storedProgress(topic: "otlp").isEmpty)
        }
    }

    @Test("an empty database reads as empty", arguments: TestServer.configured)
    func empty(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let reader = ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger)
            let metrics = try await reader.metrics(service: nil, limit: 100, offset: 0)
            #expect(metrics.total == 0 && metrics.items.isEmpty)
            #expect(try await reader.logs(service: "x", limit: 100, offset: 0).items.isEmpty)
            #expect(try await reader.attributes(AttributeQuery(limit: nil)).items.isEmpty)
            #expect(try await reader.attribute(key: "k") == nil)
            try await MetadataWriter(client: client, schema: schema, logger: TestServer.logger).write(MetadataBatch())
        }
    }

    @Test("odd strings survive the write and read paths", arguments: TestServer.configured)
    func oddStrings(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let name = "we'ird\\name\n\u{0}✓"
            let service = "svc'; DROP DATABASE census; --"
            var signal = SignalAggregate(signal: .metric, name: name, service: service, day: 1, firstSeen: 1, lastSeen: 2, count: 1)
            signal.description = "d\t'\""
            let key = KeyAggregate(signal: .metric, name: name, service: service, scope: .attribute, key: "k'\\", day: 1, firstSeen: 1, lastSeen: 2,
                                   count: 1, valueHashes: [1], samples: ["v'\u{0}\\"])
            try await MetadataWriter(client: client, schema: schema, logger: TestServer.logger).write(MetadataBatch(signals: [signal], keys: [key]))
            let reader = ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger)
            let metric = try #require(try await reader.metric(named: name))
            #expect(metric.description == "d\t'\"")
            #expect(metric.services == [ServiceCount(service: service, count: 1)])
            #expect(metric.labelKeys == [KeyStats(key: "k'\\", count: 1, estimatedCardinality: 1, samples: ["v'\u{0}\\"])])
            #expect(try await reader.metrics(service: service, limit: 10, offset: 0).items.map(\.name) == [name])
            #expect(try await reader.attribute(key: "k'\\")?.samples == ["v'\u{0}\\"])
        }
    }
}

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

    @Test(
        "a prepared batch is compressed once and sent per attempt with its own fenced rows (a second gzip member): refused whole after its fence, then stored exactly as a plain write",
        arguments: TestServer.configured)
    func preparedInsert(server: TestServer) async throws {
        var batch = F.first
        batch.progress = [PartitionProgress(topic: "t", partition: 0, lastOffset: 9, segmentStart: 0)]
        let plain = try await server.withMigratedDatabase { client, schema in
            try await MetadataWriter(client: client, schema: schema, logger: TestServer.logger).write(batch)
            let reader = ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger)
            return try await reader.metrics(service: nil, limit: 10, offset: 0)
        }
        #expect(plain.total == 2)
        try await server.withMigratedDatabase { _, schema in
            let writer = MetadataWriter(client: try server.client(gzipThreshold: 1), schema: schema, logger: TestServer.logger)
            let prepared = try writer.prepare(batch)
            #expect(prepared.head.isGzip)
            let reader = ClickHouseMetadataReader(client: writer.client, schema: schema, logger: TestServer.logger)
            await #expect {
                try await writer.write(prepared, fence: WriteFence(serverSeconds: 1), retryPolicy: .noRetry)
            } throws: { ($0 as? ClickHouseError)?.insertOutcome == .fenced }
            #expect(try await writer.appliedOffsets(topic: "t").isEmpty)
            #expect(try await reader.metrics(service: nil, limit: 10, offset: 0).total == 0, "a refused attempt stored part of its rows")
            try await writer.write(prepared, fence: .never, retryPolicy: .noRetry)
            #expect(try await writer.appliedOffsets(topic: "t")[0]?.ranges == [0...9])
            let stored = try await reader.metrics(service: nil, limit: 10, offset: 0)
            #expect(stored.total == plain.total && stored.items == plain.items)
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
            let sql =
                "SELECT toUInt64(count()), toUInt64(sum(rows)) FROM system.parts WHERE database = \(SQLLiteral.string(schema.database)) "
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
            #expect(try await writer.appliedOffsets(topic: "otlp").compactMapValues(\.highest) == [0: 180, 1: 50, 2: 7])
            #expect(try await writer.appliedOffsets(topic: "other").compactMapValues(\.highest).isEmpty)

            let admin = StoreAdmin(client: client, schema: schema, logger: TestServer.logger)
            try await admin.clearAll()
            #expect(try await reader.metrics(service: nil, limit: 10, offset: 0).total == 0)
            #expect(try await reader.attributes(AttributeQuery()).total == 0)
            #expect(try await writer.appliedOffsets(topic: "otlp").compactMapValues(\.highest) == [0: 180, 1: 50, 2: 7])

            try await admin.clearAll(keepProgress: false)
            #expect(try await writer.appliedOffsets(topic: "otlp").compactMapValues(\.highest).isEmpty)
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

    @Test(
        "sample slots merge to per-slot minima across inserts, services and names; empty slots are ignored",
        arguments: TestServer.configured)
    func sampleSlots(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            func key(_ signal: Signal, _ name: String, _ service: String, _ slots: [String?]) -> KeyAggregate {
                KeyAggregate(
                    signal: signal, name: name, service: service, scope: .attribute, key: "k", day: 1, firstSeen: 1, lastSeen: 2,
                    count: 1, valueHashes: [1], sampleSlots: slots)
            }
            func signal(_ signal: Signal, _ name: String, _ service: String) -> SignalAggregate {
                SignalAggregate(signal: signal, name: name, service: service, day: 1, firstSeen: 1, lastSeen: 2, count: 1)
            }
            let a: [String?] = ["b", nil, "zz", nil, "é", nil, nil, "same", nil, "q"]
            let b: [String?] = ["a", "c", nil, nil, "e", nil, nil, nil, "same", "q"]
            let c: [String?] = [nil, "🙂", "yy", nil, nil, nil, "", nil, nil, "r"]
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            // a and c share a catalog row within one insert (merged by CatalogEntry); b comes in a second insert (merged by ClickHouse).
            try await writer.write(
                MetadataBatch(
                    signals: [signal(.metric, "m", "s1"), signal(.span, "op", "s3")],
                    keys: [key(.metric, "m", "s1", a), key(.span, "op", "s3", c)]))
            try await writer.write(MetadataBatch(signals: [signal(.metric, "m", "s2")], keys: [key(.metric, "m", "s2", b)]))

            let ab: [String?] = ["a", "c", "zz", nil, "e", nil, nil, "same", "same", "q"]
            let abc: [String?] = ["a", "c", "yy", nil, "e", nil, "", "same", "same", "q"]
            var merged = a
            SampleSlots.merge(b, into: &merged)
            #expect(merged == ab)
            SampleSlots.merge(c, into: &merged)
            #expect(merged == abc)

            // Position by position as stored: the minimum of every row, 0xFF where no row had a value.
            func stored(kind: Schema.RowKind) async throws -> [[UInt8]] {
                let sql =
                    "SELECT minForEachMerge(samples) FROM \(schema.metadataTable) WHERE kind = \(kind.rawValue) "
                    + (kind == .key ? "AND name = 'm' " : "") + "GROUP BY key FORMAT RowBinary"
                var decoder = RowBinaryDecoder(try await client.execute(sql))
                let slots = try decoder.array { (decoder: inout RowBinaryDecoder) throws(StoreError) in Array(try decoder.bytesValue()) }
                #expect(decoder.isAtEnd)
                return slots
            }
            func raw(_ slots: [String?]) -> [[UInt8]] { slots.map { $0.map { Array($0.utf8) } ?? [0xFF] } }
            #expect(try await stored(kind: .key) == raw(ab))
            #expect(try await stored(kind: .catalog) == raw(abc))

            let reader = ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger)
            let metric = try #require(try await reader.metric(named: "m"))
            #expect(metric.labelKeys == [KeyStats(key: "k", count: 2, estimatedCardinality: 1, samples: ["a", "c", "e", "q", "same", "zz"])])
            #expect(try await reader.span(named: "op")?.attributeKeys.first?.samples == ["", "r", "yy", "🙂"])
            let attribute = try #require(try await reader.attribute(key: "k"))
            #expect(attribute.samples == ["", "a", "c", "e", "q", "same", "yy"])
            #expect(attribute.count == 3 && attribute.signals == [.metric, .span])
            #expect(try await reader.attributes(AttributeQuery()).items.map(\.samples) == [attribute.samples])
        }
    }

    @Test(
        "small value sets: at most ten distinct values in total read back exactly; more fall back to the slots",
        arguments: TestServer.configured)
    func smallValues(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            func signal(_ service: String) -> SignalAggregate {
                SignalAggregate(signal: .log, name: "INFO", service: service, day: 1, firstSeen: 1, lastSeen: 2, count: 1)
            }
            func keys(_ service: String, _ values: [String], spread: [String]) -> [KeyAggregate] {
                [
                    F.key(.log, "INFO", service, .attribute, "state", day: 1, first: 0, last: 1, count: 1, values: values),
                    F.key(.log, "INFO", service, .attribute, "id", day: 1, first: 0, last: 1, count: 1, values: spread),
                ]
            }
            // Chosen so that several of them share a sample slot: slots alone would show fewer.
            let states = ["idle", "user", "system", "nice", "iowait"]
            let ids = (0..<12).map { "id\($0)" }
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            try await writer.write(MetadataBatch(signals: [signal("a")], keys: keys("a", Array(states[0..<3]), spread: Array(ids[0..<8]))))
            try await writer.write(MetadataBatch(signals: [signal("b")], keys: keys("b", Array(states[1..<4]), spread: Array(ids[4..<12]))))
            try await writer.write(MetadataBatch(signals: [signal("a")], keys: keys("a", [states[4], states[0]], spread: [])))

            let reader = ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger)
            let log = try #require(try await reader.log(severity: "INFO"))
            let byKey = Dictionary(uniqueKeysWithValues: log.attributeKeys.map { ($0.key, $0) })
            #expect(byKey["state"]?.samples == states.sorted())
            #expect(byKey["state"]?.estimatedCardinality == 5)
            #expect(byKey["id"]?.estimatedCardinality == 12)
            #expect(byKey["id"]?.samples == F.samples(ids) && F.samples(ids) == SampleSlots.texts(F.slots(ids)))
            #expect(try await reader.attribute(key: "state")?.samples == states.sorted())
            #expect(try await reader.attribute(key: "id")?.samples == SampleSlots.texts(F.slots(ids)))
            #expect(SampleSlots.texts(F.slots(states)).count < states.count)  // the slots alone would drop some
        }
    }

    @Test("odd strings survive the write and read paths", arguments: TestServer.configured)
    func oddStrings(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let name = "we'ird\\name\n\u{0}✓"
            let service = "svc'; DROP DATABASE census; --"
            var signal = SignalAggregate(signal: .metric, name: name, service: service, day: 1, firstSeen: 1, lastSeen: 2, count: 1)
            signal.description = "d\t'\""
            let key = KeyAggregate(
                signal: .metric, name: name, service: service, scope: .attribute, key: "k'\\", day: 1, firstSeen: 1, lastSeen: 2,
                count: 1, valueHashes: [1], sampleSlots: F.slots(["v'\u{0}\\"]), smallValues: ["v'\u{0}\\"])
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

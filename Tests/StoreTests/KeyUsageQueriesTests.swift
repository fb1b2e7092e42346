import Testing

@testable import Store

/// The key-usage reads (span names, a service's keys, a key's services and telemetry, template count) and the list
/// totals, on both engines, over the two fixture batches (answers worked out by hand from ``MetadataFixtures``).
@Suite("ClickHouseMetadataReader key usage", .enabled(if: TestServer.anyConfigured))
struct KeyUsageQueriesTests {
    typealias F = MetadataFixtures

    func withFixtures(_ server: TestServer, _ body: (ClickHouseMetadataReader) async throws -> Void) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            try await writer.write(F.first)
            try await writer.write(F.second)
            try await body(ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger))
        }
    }

    @Test("span names: kind, merged count and sorted services", arguments: TestServer.configured)
    func spanNames(server: TestServer) async throws {
        try await withFixtures(server) { reader in
            let page = try await reader.spanNames(limit: 10)
            #expect(page.items == [SpanNameUsage(name: "GET /users", kind: 2, count: 10, services: ["api", "web"])])
            #expect(page.total == 1)
            let none = try await reader.spanNames(limit: 0)
            #expect(none.items.isEmpty && none.total == 1)
        }
    }

    @Test("a service's keys: attribute and resource scopes of every signal, no event or link keys, paged", arguments: TestServer.configured)
    func serviceKeys(server: TestServer) async throws {
        try await withFixtures(server) { reader in
            let all = try await reader.serviceKeys(service: "api", limit: 100, offset: 0)
            #expect(all.items == ["empty.key", "error.type", "host.name", "http.method", "method", "route", "service.name", "user.id"])
            #expect(all.total == 8)
            let page = try await reader.serviceKeys(service: "api", limit: 3, offset: 2)
            #expect(page.items == ["host.name", "http.method", "method"] && page.total == 8)
            let worker = try await reader.serviceKeys(service: "worker", limit: 100, offset: 0)
            #expect(worker.items == ["method", "service.name"])
            let nobody = try await reader.serviceKeys(service: "x' OR '1'='1", limit: 100, offset: 0)
            #expect(nobody.items.isEmpty && nobody.total == 0)
        }
    }

    @Test("a key's services: observations per (service, signal), most first", arguments: TestServer.configured)
    func keyServices(server: TestServer) async throws {
        try await withFixtures(server) { reader in
            let method = try await reader.keyServices(key: "method", limit: 100, offset: 0)
            #expect(
                method.items == [
                    KeyServiceUsage(service: "api", signal: .metric, count: 30), KeyServiceUsage(service: "worker", signal: .metric, count: 5),
                ])
            #expect(method.total == 2)
            let host = try await reader.keyServices(key: "host.name", limit: 1, offset: 1)
            #expect(host.items == [KeyServiceUsage(service: "api", signal: .log, count: 4)] && host.total == 2)
            let event = try await reader.keyServices(key: "exception.type", limit: 100, offset: 0)
            #expect(event.items.isEmpty && event.total == 0)
        }
    }

    @Test("a key's telemetry: names per signal with services, type, kind, count and cardinality", arguments: TestServer.configured)
    func keyTelemetry(server: TestServer) async throws {
        try await withFixtures(server) { reader in
            let host = try await reader.keyTelemetry(key: "host.name", limit: 10)
            #expect(
                host
                    == KeyTelemetry(
                        metrics: [
                            KeyTelemetry.Entry(
                                name: "http.requests", metricType: .sum,
                                services: [ServiceCount(service: "api", count: 30), ServiceCount(service: "worker", count: 5)],
                                count: 10, cardinality: 1)
                        ],
                        logs: [KeyTelemetry.Entry(name: "ERROR", services: [ServiceCount(service: "api", count: 4)], count: 4, cardinality: 2)],
                        metricTotal: 1, logTotal: 1))
            let method = try await reader.keyTelemetry(key: "http.method", limit: 10)
            #expect(
                method
                    == KeyTelemetry(
                        spans: [
                            KeyTelemetry.Entry(
                                name: "GET /users", spanKind: 2,
                                services: [ServiceCount(service: "api", count: 7), ServiceCount(service: "web", count: 3)],
                                count: 10, cardinality: 2)
                        ],
                        spanTotal: 1))
            let cut = try await reader.keyTelemetry(key: "host.name", limit: 0)
            #expect(cut == KeyTelemetry(metricTotal: 1, logTotal: 1))
            let none = try await reader.keyTelemetry(key: "nope", limit: 10)
            #expect(none == KeyTelemetry())
        }
    }

    @Test("list totals: sample counts over the whole (filtered) list, distinct templates", arguments: TestServer.configured)
    func totals(server: TestServer) async throws {
        try await withFixtures(server) { reader in
            let metrics = try await reader.metrics(service: nil, limit: 1, offset: 0)
            #expect(metrics.sampleCount == 38 && metrics.items.count == 1)
            // A service filter keeps the names the service sent; their counts stay merged over every service.
            let worker = try await reader.metrics(service: "worker", limit: 10, offset: 0)
            #expect(worker.sampleCount == 35)
            let spans = try await reader.spans(service: nil, limit: 10, offset: 0)
            #expect(spans.sampleCount == 10)
            let nobody = try await reader.logs(service: "nobody", limit: 10, offset: 0)
            #expect(nobody.sampleCount == 0 && nobody.total == 0)
            let templates = try await reader.logTemplateCount()
            #expect(templates == 2)
        }
    }
}

import Testing

@testable import Store

/// The cross-signal reads (services, cardinality reports, log patterns, per-service logs) on both engines, over the
/// two fixture batches whose merged answers are worked out by hand below.
@Suite("ClickHouseMetadataReader insights", .enabled(if: TestServer.anyConfigured))
struct InsightQueriesTests {
    typealias F = MetadataFixtures

    func withFixtures(_ server: TestServer, _ body: (ClickHouseMetadataReader) async throws -> Void) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            try await writer.write(F.first)
            try await writer.write(F.second)
            try await body(ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger))
        }
    }

    @Test("services are every service with signal rows, sorted", arguments: TestServer.configured)
    func services(server: TestServer) async throws {
        try await withFixtures(server) { reader in
            let v1 = try await reader.services()
            #expect(v1 == ["api", "web", "worker"])
        }
    }

    @Test("high-cardinality keys: merged cardinality, threshold, order and limit in ClickHouse", arguments: TestServer.configured)
    func highCardinality(server: TestServer) async throws {
        try await withFixtures(server) { reader in
            let keys = try await reader.highCardinalityKeys(threshold: 2, limit: 10)
            #expect(
                keys == [
                    HighCardinalityKey(
                        signal: .metric, signalName: "http.requests", scope: .attribute, stats: F.stats("user.id", 20, 15, F.samples(F.userIDs))),
                    HighCardinalityKey(
                        signal: .metric, signalName: "http.requests", scope: .attribute, stats: F.stats("method", 35, 3, ["GET", "POST", "PUT"])),
                    HighCardinalityKey(
                        signal: .metric, signalName: "http.requests", scope: .resource, stats: F.stats("service.name", 15, 2, ["api", "worker"])),
                    HighCardinalityKey(
                        signal: .span, signalName: "GET /users", scope: .attribute, stats: F.stats("http.method", 10, 2, ["GET", "POST"])),
                    HighCardinalityKey(signal: .log, signalName: "ERROR", scope: .attribute, stats: F.stats("host.name", 4, 2, ["h1", "h2"])),
                ])
            let v2 = try await reader.highCardinalityKeys(threshold: 2, limit: 2).map(\.stats.key)
            #expect(v2 == ["user.id", "method"])
            let v3 = try await reader.highCardinalityKeys(threshold: 15, limit: 10).map(\.stats.key)
            #expect(v3 == ["user.id"])
            #expect(try await reader.highCardinalityKeys(threshold: 16, limit: 10).isEmpty)
            // Event and link keys are not ranked.
            let v4 = try await reader.highCardinalityKeys(threshold: 1, limit: 100)
            #expect(v4.count == 8 && v4.allSatisfy { $0.scope == .attribute || $0.scope == .resource })
        }
    }

    @Test("complexity: key counts per scope, histogram buckets, max cardinality without event keys", arguments: TestServer.configured)
    func complexity(server: TestServer) async throws {
        try await withFixtures(server) { reader in
            let all = try await reader.complexity(threshold: 1, limit: 10)
            #expect(
                all == [
                    // 1 label key + (3 bounds + 1) buckets.
                    SignalComplexity(
                        signal: .metric, signalName: "latency", totalKeys: 5, attributeKeyCount: 1, resourceKeyCount: 0, eventKeyCount: 0,
                        linkKeyCount: 0, maxCardinality: 1, highCardinalityCount: 0),
                    SignalComplexity(
                        signal: .metric, signalName: "http.requests", totalKeys: 4, attributeKeyCount: 2, resourceKeyCount: 2, eventKeyCount: 0,
                        linkKeyCount: 0, maxCardinality: 15, highCardinalityCount: 0),
                    SignalComplexity(
                        signal: .span, signalName: "GET /users", totalKeys: 3, attributeKeyCount: 1, resourceKeyCount: 0, eventKeyCount: 1,
                        linkKeyCount: 1, maxCardinality: 2, highCardinalityCount: 0),
                    SignalComplexity(
                        signal: .log, signalName: "ERROR", totalKeys: 3, attributeKeyCount: 3, resourceKeyCount: 0, eventKeyCount: 0,
                        linkKeyCount: 0, maxCardinality: 2, highCardinalityCount: 0),
                ])
            let v5 = try await reader.complexity(threshold: 4, limit: 10).map(\.signalName)
            #expect(v5 == ["latency", "http.requests"])
            let v6 = try await reader.complexity(threshold: 1, limit: 1).map(\.signalName)
            #expect(v6 == ["latency"])
            #expect(try await reader.complexity(threshold: 6, limit: 10).isEmpty)
        }
    }

    static let errorAPIKeys = [F.stats("empty.key", 4, 0, []), F.stats("error.type", 4, 1, ["Timeout"]), F.stats("host.name", 4, 2, ["h1", "h2"])]

    static var diskFull: LogPattern {
        LogPattern(
            template: "Disk full", example: "Disk full", severityCounts: [SeverityCount(severity: "ERROR", count: 6)],
            services: [
                PatternService(severity: "ERROR", service: "api", sampleCount: 4, attributeKeys: errorAPIKeys),
                // The fixtures have templates but no log signal row for web.
                PatternService(severity: "ERROR", service: "web", sampleCount: 0),
            ])
    }

    static var failedToConnect: LogPattern {
        LogPattern(
            template: "Failed to connect to <IP>", example: "Failed to connect to 10.0.0.1",
            severityCounts: [SeverityCount(severity: "ERROR", count: 3)],
            services: [PatternService(severity: "ERROR", service: "api", sampleCount: 4, attributeKeys: errorAPIKeys)])
    }

    @Test("log patterns: grouped, filtered by minCount and minServices, services with their keys", arguments: TestServer.configured)
    func logPatterns(server: TestServer) async throws {
        try await withFixtures(server) { reader in
            let v7 = try await reader.logPatterns(minCount: 1, minServices: 1, limit: 100)
            #expect(v7 == [Self.diskFull, Self.failedToConnect])
            let v8 = try await reader.logPatterns(minCount: 4, minServices: 1, limit: 100)
            #expect(v8 == [Self.diskFull])
            let v9 = try await reader.logPatterns(minCount: 1, minServices: 2, limit: 100)
            #expect(v9 == [Self.diskFull])
            let v10 = try await reader.logPatterns(minCount: 1, minServices: 1, limit: 1)
            #expect(v10 == [Self.diskFull])
            #expect(try await reader.logPatterns(minCount: 7, minServices: 1, limit: 100).isEmpty)

            let v11 = try await reader.logPattern(severity: "ERROR", template: "Disk full")
            #expect(v11 == Self.diskFull)
            let v12 = try await reader.logPattern(severity: "ERROR", template: "Failed to connect to <IP>")
            #expect(v12 == Self.failedToConnect)
            let v13 = try await reader.logPattern(severity: "INFO", template: "Disk full")
            #expect(v13 == nil)
            let v14 = try await reader.logPattern(severity: "ERROR", template: "Disk")
            #expect(v14 == nil)
            let v15 = try await reader.logPattern(severity: "ERROR' OR '1'='1", template: "x\\' OR 1=1 --")
            #expect(v15 == nil)
        }
    }

    @Test("logs by service and one service's severity", arguments: TestServer.configured)
    func logsByService(server: TestServer) async throws {
        try await withFixtures(server) { reader in
            let page = try await reader.logCountsByService(limit: 10, offset: 0)
            #expect(page.total == 1 && page.items == [ServiceSeverityCount(service: "api", severity: "ERROR", count: 4)])
            let beyond = try await reader.logCountsByService(limit: 10, offset: 1)
            #expect(beyond.total == 1 && beyond.items.isEmpty)

            let apiError = try await reader.log(service: "api", severity: "ERROR")
            #expect(
                apiError
                    == ServiceLogSummary(
                        service: "api", severity: "ERROR", sampleCount: 4,
                        bodyTemplates: [
                            TemplateStats(template: "Failed to connect to <IP>", count: 3, example: "Failed to connect to 10.0.0.1"),
                            TemplateStats(template: "Disk full", count: 1, example: "Disk full"),
                        ],
                        attributeKeys: Self.errorAPIKeys, resourceKeys: []))
            let v16 = try await reader.log(service: "web", severity: "ERROR")
            #expect(v16 == nil)
            let v17 = try await reader.log(service: "api", severity: "INFO")
            #expect(v17 == nil)
        }
    }

    @Test("an empty database answers every insight with nothing", arguments: TestServer.configured)
    func empty(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let reader = ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger)
            #expect(try await reader.services().isEmpty)
            #expect(try await reader.highCardinalityKeys(threshold: 1, limit: 10).isEmpty)
            #expect(try await reader.complexity(threshold: 1, limit: 10).isEmpty)
            #expect(try await reader.logPatterns(minCount: 1, minServices: 1, limit: 10).isEmpty)
            let v18 = try await reader.logPattern(severity: "ERROR", template: "x")
            #expect(v18 == nil)
            let page = try await reader.logCountsByService(limit: 10, offset: 0)
            #expect(page.total == 0 && page.items.isEmpty)
            let v19 = try await reader.log(service: "api", severity: "ERROR")
            #expect(v19 == nil)
        }
    }
}

import Testing

@testable import Store

@Suite("Attribute catalog", .enabled(if: TestServer.anyConfigured))
struct AttributeCatalogTests {
    typealias F = MetadataFixtures

    /// Writes both fixture batches and runs every catalog check on one database (the checks only read).
    @Test("filters, sorting, paging and single keys", arguments: TestServer.configured)
    func catalog(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            try await writer.write(F.first)
            try await writer.write(F.second)
            let reader = ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger)

            let all = try await reader.attributes(AttributeQuery())
            #expect(all.total == 10)
            #expect(
                all.items.map(\.key) == [
                    "user.id", "method", "host.name", "http.method", "service.name",
                    "error.type", "exception.type", "link.kind", "route", "empty.key",
                ])
            #expect(all.items.map(\.estimatedCardinality) == [15, 3, 2, 2, 2, 1, 1, 1, 1, 0])

            let host = try #require(try await reader.attribute(key: "host.name"))
            #expect(
                host
                    == AttributeSummary(
                        key: "host.name", count: 14, estimatedCardinality: 2, samples: F.samples(["h1", "h2"]), signals: [.metric, .log],
                        seenAsResource: true, seenAsAttribute: true, firstSeen: F.t0 + 50, lastSeen: F.t0 + 2000))
            let method = try #require(try await reader.attribute(key: "method"))
            #expect(method.count == 35 && method.samples == F.samples(["GET", "POST", "PUT"]) && method.signals == [.metric])
            #expect(method.seenAsAttribute && !method.seenAsResource)
            #expect(try await reader.attribute(key: "exception.type")?.seenAsAttribute == true)
            #expect(try await reader.attribute(key: "nope") == nil)

            let resource = try await reader.attributes(AttributeQuery(scope: .resource))
            #expect(resource.total == 2 && Set(resource.items.map(\.key)) == ["host.name", "service.name"])
            #expect(try await reader.attributes(AttributeQuery(scope: .attribute)).total == 9)
            let both = try await reader.attributes(AttributeQuery(scope: .both))
            #expect(both.items.map(\.key) == ["host.name"] && both.total == 1)

            let logs = try await reader.attributes(AttributeQuery(signal: .log, sortBy: .key, descending: false))
            #expect(logs.items.map(\.key) == ["empty.key", "error.type", "host.name"])
            #expect(logs.items.first { $0.key == "host.name" }?.count == 14, "filters never narrow the merged statistics")

            let range = try await reader.attributes(AttributeQuery(minCardinality: 2, maxCardinality: 2, sortBy: .key, descending: false))
            #expect(range.items.map(\.key) == ["host.name", "http.method", "service.name"] && range.total == 3)
            #expect(try await reader.attributes(AttributeQuery(minCardinality: 2)).total == 5)

            let paged = try await reader.attributes(AttributeQuery(sortBy: .key, descending: false, limit: 3, offset: 2))
            #expect(paged.items.map(\.key) == ["exception.type", "host.name", "http.method"] && paged.total == 10)
            let byKeyDesc = try await reader.attributes(AttributeQuery(sortBy: .key, limit: 2))
            #expect(byKeyDesc.items.map(\.key) == ["user.id", "service.name"])

            let byCount = try await reader.attributes(AttributeQuery(sortBy: .count, limit: nil))
            #expect(
                byCount.items.map(\.key) == [
                    "method", "user.id", "service.name", "host.name", "http.method",
                    "empty.key", "error.type", "route", "exception.type", "link.kind",
                ])
            let offsetOnly = try await reader.attributes(AttributeQuery(sortBy: .count, limit: nil, offset: 8))
            #expect(offsetOnly.items.map(\.key) == ["exception.type", "link.kind"])

            let byFirstSeen = try await reader.attributes(AttributeQuery(sortBy: .firstSeen, descending: false, limit: 1))
            #expect(byFirstSeen.items.first?.firstSeen == F.t0 + 50)
            let byLastSeen = try await reader.attributes(AttributeQuery(sortBy: .lastSeen, limit: 1))
            #expect(byLastSeen.items.map(\.key) == ["method"] || byLastSeen.items.map(\.key) == ["user.id"])
            #expect(byLastSeen.items.first?.lastSeen == F.t0 + 4000)
        }
    }
}

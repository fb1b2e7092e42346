import Testing

@testable import Store

@Suite("CachingMetadataReader", .enabled(if: TestServer.anyConfigured))
struct CachingMetadataReaderTests {
    typealias F = MetadataFixtures

    @Test("answers exactly as the ClickHouse reader, pages cut from one cached list; cached until invalidated", arguments: TestServer.configured)
    func sameAnswers(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            try await writer.write(F.first)
            let base = ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger)
            let cached = CachingMetadataReader(base: base, configuration: .init(ttl: .seconds(600)))

            var queries: [AttributeQuery] = []
            for sort in [AttributeQuery.SortField.cardinality, .count, .key, .firstSeen] {
                for descending in [true, false] {
                    for (limit, offset) in [(100, 0), (3, 0), (3, 2), (2, 9), (1, 50)] as [(Int?, Int)] + [(nil, 4)] {
                        queries.append(AttributeQuery(sortBy: sort, descending: descending, limit: limit, offset: offset))
                    }
                }
            }
            queries += [AttributeQuery(signal: .log), AttributeQuery(scope: .resource, limit: 1), AttributeQuery(minCardinality: 2, offset: 1)]
            for sort in [AttributeQuery.SortField.cardinality, .count, .key, .firstSeen, .lastSeen] {
                for descending in [true, false] {
                    for signal in [nil, Signal.metric, .span, .log] {
                        for scope in [nil, AttributeQuery.Scope.resource, .attribute, .both] {
                            for (low, high) in [(0, 0), (2, 0), (0, 2), (2, 3)] as [(UInt64, UInt64)] {
                                queries.append(
                                    AttributeQuery(
                                        signal: signal, scope: scope, minCardinality: low, maxCardinality: high, sortBy: sort,
                                        descending: descending, limit: 2, offset: 1))
                            }
                        }
                    }
                }
            }
            _ = try await cached.attributes(AttributeQuery())
            let catalogBytes = cached.cachedBytes
            for query in queries {
                let expected = try await base.attributes(query)
                let actual = try await cached.attributes(query)
                #expect(actual.items == expected.items && actual.total == expected.total, "\(query)")
            }
            // Every filter, order and page was cut from the one cached catalog (and the sort orders it keeps, counted
            // when it was stored): distinct filters add nothing.
            #expect(cached.cachedBytes == catalogBytes)
            let metrics = try await base.metrics(service: nil, limit: 100, offset: 0)
            let cachedMetrics = try await cached.metrics(service: nil, limit: 100, offset: 0)
            #expect(cachedMetrics.items == metrics.items && cachedMetrics.total == metrics.total)
            let services = try await base.services()
            #expect(try await cached.services() == services)

            // New data is not visible through the cache until it is invalidated (or the ttl passes).
            try await writer.write(F.second)
            let refreshed = try await base.metrics(service: nil, limit: 100, offset: 0)
            #expect(refreshed.items != metrics.items, "the second batch changes the metrics page")
            let stale = try await cached.metrics(service: nil, limit: 100, offset: 0)
            #expect(stale.items == metrics.items)
            cached.invalidate()
            let fresh = try await cached.metrics(service: nil, limit: 100, offset: 0)
            #expect(fresh.items == refreshed.items)
        }
    }
}

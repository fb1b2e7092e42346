import Consumer
import Testing

@testable import Store

/// Cardinality from OTLP records through ``MetadataWindow`` (flushed whenever a key reaches its distinct-value limit,
/// as the pipeline does), ``MetadataWriter`` and ClickHouse's `uniqCombined` state back to `estimated_cardinality`:
/// exact below 8,192 distinct values, within the documented error above (docs/CLICKHOUSE.md, "Cardinality and error
/// bounds"), on both engines.
@Suite("Cardinality round trip", .enabled(if: TestServer.anyConfigured))
struct CardinalityRoundTripTests {
    /// One Sum metric of `points` points whose `session.id` is `s-<first + i>`.
    static func record(first: Int, points: Int) -> [UInt8] {
        var w = ProtoWriter(capacity: points * 64)
        w.message(1) { w in
            w.message(1) { w in
                w.message(1) { w in
                    w.string(1, "service.name")
                    w.message(2) { w in w.string(1, "api") }
                }
            }
            w.message(2) { w in
                w.message(2) { w in
                    w.string(1, "sessions")
                    w.message(7) { w in
                        for p in 0..<points {
                            w.message(1) { w in
                                w.fixed64(3, 1_700_000_000_000_000_000)
                                w.fixed64(6, 1)
                                w.message(7) { w in
                                    w.string(1, "session.id")
                                    w.message(2) { w in w.string(1, "s-\(first + p)") }
                                }
                            }
                        }
                        w.varint(2, 2)
                    }
                }
            }
        }
        return w.bytes
    }

    /// Ingests `distinct` values (each twice, in different records) with a per-key limit of `limit`, writing a batch
    /// whenever a key reaches it; returns the stored estimate and how many batches were written.
    static func roundTrip(_ server: TestServer, distinct: Int, limit: Int) async throws -> (estimate: UInt64, batches: Int) {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            var window = MetadataWindow(limits: WindowLimits(maxDistinctValuesPerKey: limit))
            var batches = 0
            let points = 1_000
            for first in stride(from: 0, to: distinct, by: points) {
                for start in [first, max(0, first - points)] {
                    let bytes = record(first: start, points: min(points, distinct - start))
                    _ = try bytes.withUnsafeBytes { try window.ingest($0, signal: .metric, encoding: .proto, timestamp: 1_700_000_000) }
                }
                if window.hasKeyAtValueLimit {
                    try await writer.write(window.drain())
                    batches += 1
                }
            }
            try await writer.write(window.drain())
            batches += 1
            let reader = ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger)
            let estimate = try #require(try await reader.attribute(key: "session.id")).estimatedCardinality
            return (UInt64(estimate), batches)
        }
    }

    @Test("exact below 8,192 distinct values, across several windows", arguments: TestServer.configured)
    func exactBelowSmallSetLimit(server: TestServer) async throws {
        let (estimate, batches) = try await Self.roundTrip(server, distinct: 8_000, limit: 2_000)
        #expect(batches >= 4)
        #expect(estimate == 8_000)
    }

    @Test("within 2 % at 300,000 distinct values written in windows of at most ~65,536 per key", arguments: TestServer.configured)
    func boundedAboveLimit(server: TestServer) async throws {
        let (estimate, batches) = try await Self.roundTrip(server, distinct: 300_000, limit: 65_536)
        #expect(batches >= 4)
        let error = abs(Double(estimate) - 300_000) / 300_000
        #expect(error < 0.02, "estimate \(estimate) for 300,000 distinct values")
    }
}

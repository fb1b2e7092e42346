import Foundation
import NIOCore
import Testing

@testable import Store

/// The LabelReading SQL (per-label detail, active series, TSDB status) on both engines, over rows inserted as states
/// straight into `metadata` (series-fingerprint sketches in signal rows, heavy hitters in key rows), whose merged
/// answers are worked out by hand below.
@Suite("ClickHouseMetadataReader labels", .enabled(if: TestServer.anyConfigured))
struct LabelQueriesTests {
    static let day1: UInt16 = 20_400
    static let day2: UInt16 = 20_401
    static let t0: UInt32 = 1_762_560_000  // day1 00:00 UTC

    /// One row of `metadata` written as states: `hashes` feed `cardinality` (series fingerprints for signal rows, value
    /// hashes for key and catalog rows), `heavy` the heavy hitters (hash → items, text).
    struct Row {
        var kind: Schema.RowKind
        var signal: Signal = .metric
        var name = ""
        var service = ""
        var scope: KeyScope?
        var key = ""
        var day: UInt16
        var count: UInt64 = 0
        var hashes: [UInt64] = []
        var samples: [String] = []
        var heavy: [(hash: UInt64, count: UInt64, text: String)] = []
        var metricType: MetricType = .unknown
        var bounds: [Double] = []
        var seen: (first: UInt32, last: UInt32) = (0, 0)
    }

    static func signal(
        _ name: String, _ service: String, day: UInt16, count: UInt64, series: [UInt64], type: MetricType, bounds: [Double] = [],
        seen: (UInt32, UInt32)
    ) -> Row {
        Row(
            kind: .signal, name: name, service: service, day: day, count: count, hashes: series, metricType: type, bounds: bounds,
            seen: (t0 + seen.0, t0 + seen.1))
    }

    static func key(
        _ name: String, _ service: String, _ scope: KeyScope, _ key: String, day: UInt16, count: UInt64, values: [UInt64],
        heavy: [(UInt64, UInt64, String)] = []
    ) -> Row {
        Row(
            kind: .key, name: name, service: service, scope: scope, key: key, day: day, count: count, hashes: values,
            heavy: heavy.map { (hash: $0.0, count: $0.1, text: $0.2) })
    }

    static func catalog(_ scope: KeyScope, _ key: String, day: UInt16, values: [UInt64], samples: [String]) -> Row {
        Row(kind: .catalog, scope: scope, key: key, day: day, count: UInt64(values.count), hashes: values, samples: samples)
    }

    static let http = "http.server.duration"
    static let users = (0..<100).map { UInt64(1000 + $0) }

    static let rows: [Row] = [
        // Histogram with 3 bounds (4 buckets): Prometheus series = OTLP × 6. Fingerprints 1…6 from api, 7 from web.
        signal(http, "api", day: day1, count: 10, series: [1, 2, 3], type: .histogram, bounds: [1, 2, 3], seen: (100, 200)),
        signal(http, "api", day: day2, count: 20, series: [3, 4, 5, 6], type: .histogram, bounds: [1, 2, 3], seen: (86_500, 86_600)),
        signal(http, "web", day: day2, count: 5, series: [7], type: .histogram, bounds: [1, 2, 3], seen: (86_450, 90_000)),
        // Gauges: one tracked series; one written before fingerprints were tracked (empty sketch: still 1 series).
        signal("queue.depth", "worker", day: day1, count: 4, series: [9], type: .gauge, seen: (50, 60)),
        signal("cpu", "api", day: day1, count: 2, series: [], type: .gauge, seen: (70, 80)),
        key(http, "api", .attribute, "method", day: day1, count: 10, values: [101, 102], heavy: [(101, 7, "GET"), (102, 3, "POST")]),
        key(http, "api", .attribute, "method", day: day2, count: 20, values: [101, 103], heavy: [(101, 15, "GET"), (103, 5, "PUT")]),
        key(http, "api", .attribute, "user", day: day2, count: 20, values: users),
        key(http, "api", .resource, "host", day: day1, count: 10, values: [201], heavy: [(201, 10, "h1")]),
        key(http, "api", .resource, "host", day: day2, count: 20, values: [201], heavy: [(201, 20, "h1")]),
        key(http, "web", .resource, "host", day: day2, count: 5, values: [202], heavy: [(202, 5, "h2")]),
        key("queue.depth", "worker", .attribute, "queue", day: day1, count: 4, values: [301], heavy: [(301, 4, "q1")]),
        catalog(.attribute, "method", day: day1, values: [101, 102], samples: ["GET", "POST"]),
        catalog(.attribute, "method", day: day2, values: [101, 103], samples: ["GET", "PUT"]),
        catalog(.attribute, "user", day: day2, values: users, samples: (0..<10).map { "u\($0)" }),
        catalog(.resource, "host", day: day1, values: [201], samples: ["h1"]),
        catalog(.resource, "host", day: day2, values: [201, 202], samples: ["h1", "h2"]),
    ]

    static func insert(_ row: Row, _ client: ClickHouseClient, _ schema: Schema) async throws {
        func uint64s(_ values: [UInt64]) -> String { "CAST([\(values.map(String.init).joined(separator: ","))] AS Array(UInt64))" }
        let slots = (row.samples + Array(repeating: "\u{FF}", count: 10)).prefix(10)
        let samples = "[" + slots.map { $0 == "\u{FF}" ? "unhex('FF')" : SQLLiteral.string($0) }.joined(separator: ",") + "]"
        let catalogSamples = row.kind == .catalog ? row.samples : []
        let texts =
            "CAST([" + row.heavy.map { SQLLiteral.string(HeavyHitter(hash: $0.hash, count: 0, text: $0.text).storedText) }.joined(separator: ",")
            + "] AS Array(String))"
        let sql =
            "INSERT INTO \(schema.metadataTable) (kind, signal, name, service, scope, sub, key, day, first_seen, last_seen, count, cardinality, "
            + "samples, metric_type, bound_set, heavy_hitters, heavy_text_set, sample_bytes, sample_items) SELECT toUInt8(\(row.kind.rawValue)), toUInt8(\(row.signal.rawValue)), "
            + "\(SQLLiteral.string(row.name)), \(SQLLiteral.string(row.service)), toUInt8(\(row.scope?.rawValue ?? 0)), '', \(SQLLiteral.string(row.key)), "
            + "toDate(\(SQLLiteral.string(DayRange.format(row.day)))), minState(toDateTime(\(row.seen.first))), maxState(toDateTime(\(row.seen.last))), "
            + "sumState(toUInt64(\(row.count))), uniqCombinedArrayState(\(uint64s(row.hashes))), minForEachState(\(samples)), "
            + "maxState(toUInt8(\(row.metricType.rawValue))), groupArrayArrayState(\(Schema.boundSet.limit))(CAST([\(row.bounds.map { String($0) }.joined(separator: ","))] AS Array(Float64))), "
            + "sumMapState(CAST(\(uint64s(row.heavy.map { $0.hash & 0xFFFF_FFFF })) AS Array(UInt32)), \(uint64s(row.heavy.map(\.count)))), groupArrayArrayState(\(Schema.heavyTextSet.limit))(\(texts)), "
            // Sample lengths, as the writer computes them for catalog rows (``Schema/sampleLengthIngestColumns``).
            + "sumState(toUInt64(\(catalogSamples.reduce(0) { $0 + $1.utf8.count }))), sumState(toUInt64(\(catalogSamples.count)))"
        _ = try await client.execute(sql)
    }

    func withRows(_ server: TestServer, _ body: (ClickHouseMetadataReader) async throws -> Void) async throws {
        try await server.withMigratedDatabase { client, schema in
            for row in Self.rows { try await Self.insert(row, client, schema) }
            try await body(ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger))
        }
    }

    @Test("label detail: keys by cardinality, counts, top values joined by hash, series, range and service", arguments: TestServer.configured)
    func labelDetail(server: TestServer) async throws {
        try await withRows(server) { reader in
            let all = try #require(try await reader.labels(signal: .metric, name: Self.http, range: .all, service: nil, limit: 100, offset: 0))
            #expect(all.count == 35)
            #expect(all.series == ActiveSeries(otlp: 7, prometheus: 42))
            #expect(all.totalKeys == 3)
            #expect(all.keys.map(\.key) == ["user", "method", "host"])
            #expect(all.keys.map(\.estimatedCardinality) == [100, 3, 2])
            #expect(all.keys.map(\.count) == [20, 30, 35])
            #expect(
                all.keys[1].topValues == [
                    ValueFrequency(value: "GET", count: 22), ValueFrequency(value: "PUT", count: 5), ValueFrequency(value: "POST", count: 3),
                ])
            #expect(all.keys[2].topValues == [ValueFrequency(value: "h1", count: 30), ValueFrequency(value: "h2", count: 5)])
            #expect(all.keys[2].scope == .resource)
            #expect(all.keys[0].topValues.isEmpty)
            let sum = log(100.0) + log(3.0) + log(2.0)
            #expect(abs(all.seriesContribution(of: all.keys[0]) - 7 * log(100.0) / sum) < 1e-9)

            let page = try #require(try await reader.labels(signal: .metric, name: Self.http, range: .all, service: nil, limit: 1, offset: 1))
            #expect(page.keys.map(\.key) == ["method"] && page.totalKeys == 3 && page.keys[0].topValues.count == 3)
            #expect(abs(page.logCardinalitySum - sum) < 1e-9)

            let first = try #require(
                try await reader.labels(
                    signal: .metric, name: Self.http, range: DayRange(from: Self.day1, to: Self.day1),
                    service: nil, limit: 100, offset: 0))
            #expect(first.count == 10 && first.series == ActiveSeries(otlp: 3, prometheus: 18))
            #expect(first.keys.map(\.key) == ["method", "host"])
            #expect(first.keys[0].topValues == [ValueFrequency(value: "GET", count: 7), ValueFrequency(value: "POST", count: 3)])

            let web = try #require(try await reader.labels(signal: .metric, name: Self.http, range: .all, service: "web", limit: 100, offset: 0))
            #expect(web.count == 5 && web.series == ActiveSeries(otlp: 1, prometheus: 6))
            #expect(web.keys.map(\.key) == ["host"] && web.keys[0].topValues == [ValueFrequency(value: "h2", count: 5)])

            #expect(try await reader.labels(signal: .metric, name: "nope", range: .all, service: nil, limit: 10, offset: 0) == nil)
            #expect(try await reader.labels(signal: .span, name: Self.http, range: .all, service: nil, limit: 10, offset: 0) == nil)
            #expect(
                try await reader.labels(signal: .metric, name: Self.http, range: DayRange(from: Self.day2 + 1), service: nil, limit: 10, offset: 0)
                    == nil)
        }
    }

    @Test("active series per metric and service, ordered by series or name, paged, per range", arguments: TestServer.configured)
    func metricSeries(server: TestServer) async throws {
        try await withRows(server) { reader in
            let bySeries = try await reader.metricSeries(MetricSeriesQuery())
            #expect(bySeries.total == 3)
            #expect(bySeries.items.map(\.name) == [Self.http, "cpu", "queue.depth"])
            #expect(
                bySeries.items[0]
                    == MetricSeries(
                        name: Self.http, type: .histogram, count: 35, series: ActiveSeries(otlp: 7, prometheus: 42),
                        services: [
                            ServiceSeries(service: "api", count: 30, series: ActiveSeries(otlp: 6, prometheus: 36)),
                            ServiceSeries(service: "web", count: 5, series: ActiveSeries(otlp: 1, prometheus: 6)),
                        ]))
            // No fingerprints tracked: still one series.
            #expect(bySeries.items[1].series == ActiveSeries(otlp: 1, prometheus: 1))

            let byName = try await reader.metricSeries(MetricSeriesQuery(order: .name, limit: 2, offset: 1))
            #expect(byName.items.map(\.name) == [Self.http, "queue.depth"] && byName.total == 3)

            let web = try await reader.metricSeries(MetricSeriesQuery(service: "web"))
            #expect(web.items.map(\.name) == [Self.http] && web.total == 1 && web.items[0].series.otlp == 7)

            let second = try await reader.metricSeries(MetricSeriesQuery(range: DayRange(from: Self.day2)))
            #expect(
                second.items.map(\.name) == [Self.http] && second.items[0].series == ActiveSeries(otlp: 5, prometheus: 30)
                    && second.items[0].count == 25)
        }
    }

    @Test("TSDB status: series per metric, label values, memory, pair series from heavy hitters, focus label", arguments: TestServer.configured)
    func tsdb(server: TestServer) async throws {
        try await withRows(server) { reader in
            let status = try await reader.tsdbStatus(range: .all, topN: 10, focusLabel: "method")
            #expect(status.numSeries == 44)
            #expect(status.numLabelPairs == 105)
            #expect(status.minTime == Self.t0 + 50 && status.maxTime == Self.t0 + 90_000)
            #expect(
                status.seriesCountByMetricName == [
                    NamedValue(name: Self.http, value: 42), NamedValue(name: "cpu", value: 1), NamedValue(name: "queue.depth", value: 1),
                ])
            #expect(
                status.labelValueCountByLabelName == [
                    NamedValue(name: "user", value: 100), NamedValue(name: "method", value: 3), NamedValue(name: "host", value: 2),
                ])
            // Cardinality × the average length of the samples of every catalog row: user 100 × 2 bytes; method 3 × (3 + 4 +
            // 3 + 3) / 4 (GET sampled on both days) = 9.75, rounded down; host 2 × 2.
            #expect(
                status.memoryInBytesByLabelName == [
                    NamedValue(name: "user", value: 200), NamedValue(name: "method", value: 9), NamedValue(name: "host", value: 4),
                ])
            // 42 series × share of the metric's 35 data points.
            #expect(
                status.seriesCountByLabelValuePair == [
                    NamedValue(name: "host=h1", value: 36), NamedValue(name: "method=GET", value: 26), NamedValue(name: "host=h2", value: 6),
                    NamedValue(name: "method=PUT", value: 6), NamedValue(name: "method=POST", value: 4), NamedValue(name: "queue=q1", value: 1),
                ])
            #expect(
                status.seriesCountByFocusLabelValue == [
                    NamedValue(name: "GET", value: 26), NamedValue(name: "PUT", value: 6), NamedValue(name: "POST", value: 4),
                ])

            // Pairs come from the listed metrics only (the N with the most series).
            let one = try await reader.tsdbStatus(range: .all, topN: 1, focusLabel: "queue")
            #expect(one.seriesCountByMetricName == [NamedValue(name: Self.http, value: 42)])
            #expect(one.seriesCountByLabelValuePair == [NamedValue(name: "host=h1", value: 36)])
            #expect(one.seriesCountByFocusLabelValue == [])

            let top1 = try await reader.tsdbStatus(range: DayRange(from: Self.day1, to: Self.day1), topN: 1, focusLabel: nil)
            #expect(top1.numSeries == 18 + 1 + 1 && top1.numLabelPairs == 2 + 1)
            #expect(top1.seriesCountByMetricName == [NamedValue(name: Self.http, value: 18)])
            #expect(top1.labelValueCountByLabelName == [NamedValue(name: "method", value: 2)])
            #expect(top1.seriesCountByFocusLabelValue == nil)

            let empty = try await reader.tsdbStatus(range: DayRange(from: Self.day2 + 5), topN: 10, focusLabel: "x")
            #expect(empty == TSDBStatus(seriesCountByFocusLabelValue: []))
        }
    }
}

/// The TSDB label figures ranked by the reader (the query returns every label name's row, unordered).
@Suite("TSDB label figures")
struct TSDBLabelFiguresTests {
    static func rows(_ rows: [(String, UInt64, UInt64)]) -> [UInt8] {
        var encoder = RowBinaryEncoder()
        for (key, cardinality, memory) in rows {
            encoder.string(key)
            encoder.uint64(cardinality)
            encoder.uint64(memory)
        }
        return Array(buffer: encoder.buffer)
    }

    @Test("top N by cardinality and by memory, ties by name bytes; pairs summed, saturating; truncated rows throw")
    func ranking() throws {
        // "é" (0xC3 0xA9) sorts after every ASCII name by bytes; "a" before "ab".
        let bytes = Self.rows([("ab", 5, 1), ("é", 7, 3), ("a", 5, 3), ("b", 5, 9), ("c", 1, 3)])
        let figures = try ClickHouseMetadataReader.labelFigures(bytes, top: 3)
        #expect(figures.pairs == 23)
        #expect(figures.byCardinality == [NamedValue(name: "é", value: 7), NamedValue(name: "a", value: 5), NamedValue(name: "ab", value: 5)])
        #expect(figures.byMemory == [NamedValue(name: "b", value: 9), NamedValue(name: "a", value: 3), NamedValue(name: "c", value: 3)])
        // A long list (the heap path of `smallest`, not a full sort) gives the same as sorting everything.
        let many = (0..<500).map { ("k\(($0 * 7919) % 500)", UInt64($0 % 13), UInt64($0 % 7)) }
        let top = try ClickHouseMetadataReader.labelFigures(Self.rows(many), top: 10)
        let sorted = many.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }.prefix(10)
        #expect(top.byCardinality == sorted.map { NamedValue(name: $0.0, value: $0.1) })
        #expect(try ClickHouseMetadataReader.labelFigures(Self.rows([("x", .max, 0), ("y", 2, 0)]), top: 1).pairs == .max)
        #expect(try ClickHouseMetadataReader.labelFigures([], top: 5).byCardinality.isEmpty)
        #expect(throws: StoreError.self) { try ClickHouseMetadataReader.labelFigures(Array(bytes.dropLast()), top: 3) }
    }
}

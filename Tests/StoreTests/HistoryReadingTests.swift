import Testing

@testable import Store

/// `history` and `changes` on ClickHouse 18.16 and 26.x (chdb): the V2 history SQL runs on both and answers the same.
@Suite("HistoryReading over ClickHouse", .enabled(if: TestServer.anyConfigured))
struct HistoryReadingTests {
    typealias F = MetadataFixtures
    static let d0 = F.day

    /// Four days: `user.id` has 10 values a day on days 0–1 and 200 (new ones each day) on days 2–3; `legacy` only on
    /// day 0; metric `new.metric` (service `payments`) and template "New <*>" only on day 3.
    static var batches: [MetadataBatch] {
        (0..<4).map { index in
            let day = d0 + UInt16(index)
            var signal = SignalAggregate(signal: .metric, name: "requests", service: "api", day: day, firstSeen: F.t0, lastSeen: F.t0, count: 100)
            signal.seriesHashes = (0..<(index < 2 ? 10 : 200)).map { F.h("series-\(index)-\($0)") }
            var signals = [signal]
            let users = (0..<(index < 2 ? 10 : 200)).map { index < 2 ? "u\($0)" : "d\(index)-u\($0)" }
            var keys = [
                F.key(.metric, "requests", "api", .attribute, "user.id", day: day, first: 0, last: 0, count: 100, values: users),
                F.key(.metric, "requests", "web", .attribute, "user.id", day: day, first: 0, last: 0, count: 1, values: ["u0"]),
            ]
            var templates = [
                TemplateAggregate(
                    severity: "INFO", service: "api", template: "Old <*>", day: day, firstSeen: F.t0, lastSeen: F.t0,
                    count: 5, example: "Old 1")
            ]
            if index == 0 {
                keys.append(F.key(.metric, "requests", "api", .resource, "legacy", day: day, first: 0, last: 0, count: 100, values: ["a", "b"]))
            }
            if index == 3 {
                signals.append(
                    SignalAggregate(signal: .metric, name: "new.metric", service: "payments", day: day, firstSeen: F.t0, lastSeen: F.t0, count: 8))
                templates.append(
                    TemplateAggregate(
                        severity: "INFO", service: "api", template: "New <*>", day: day, firstSeen: F.t0, lastSeen: F.t0,
                        count: 3, example: "New 1"))
            }
            return MetadataBatch(signals: signals, keys: keys, templates: templates, progress: [])
        }
    }

    func withDays(_ server: TestServer, _ body: (ClickHouseMetadataReader) async throws -> Void) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            for batch in Self.batches { try await writer.write(batch) }
            try await body(ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger))
        }
    }

    @Test("history: per-day counts, merged cardinality, services; ranges, scope and service filters", arguments: TestServer.configured)
    func history(server: TestServer) async throws {
        try await withDays(server) { reader in
            let d0 = Self.d0
            let key = try await reader.history(HistoryQuery(signal: .metric, name: "requests", key: "user.id"))
            #expect(key.map(\.day) == [d0, d0 + 1, d0 + 2, d0 + 3])
            #expect(key.map(\.count) == [101, 101, 101, 101])
            // u0 of service web is one of api's values on days 0–1, an extra one from day 2 on.
            #expect(key.map(\.estimatedCardinality) == [10, 10, 201, 201])
            #expect(key.map(\.services) == Array(repeating: ["api", "web"], count: 4))
            let api = try await reader.history(
                HistoryQuery(
                    signal: .metric, name: "requests", key: "user.id", scope: .attribute, service: "api",
                    range: DayRange(from: d0 + 1, to: d0 + 2)))
            #expect(
                api == [
                    HistoryPoint(day: d0 + 1, count: 100, estimatedCardinality: 10, services: ["api"]),
                    HistoryPoint(day: d0 + 2, count: 100, estimatedCardinality: 200, services: ["api"]),
                ])
            #expect(try await reader.history(HistoryQuery(signal: .metric, name: "requests", key: "user.id", scope: .resource)).isEmpty)
            #expect(try await reader.history(HistoryQuery(signal: .metric, name: "requests", key: "legacy", range: DayRange(from: d0 + 1))).isEmpty)
            let name = try await reader.history(HistoryQuery(signal: .metric, name: "requests"))
            #expect(name.map(\.count) == [100, 100, 100, 100])
            #expect(name.map(\.estimatedCardinality) == [10, 10, 200, 200], "a metric's distinct series per day")
            let log = try await reader.history(HistoryQuery(signal: .log, name: "INFO"))
            #expect(log.isEmpty, "no INFO signal rows were written, only templates")
        }
    }

    @Test("changes: the jump is critical and started on its day; vanished and new items", arguments: TestServer.configured)
    func changes(server: TestServer) async throws {
        try await withDays(server) { reader in
            let d0 = Self.d0
            let report = try await reader.changes(ChangeQuery(since: d0 + 2))
            #expect(report.window == (d0 + 2)...(d0 + 3) && report.baseline == d0...(d0 + 1))
            let jump = try #require(report.changes.first)
            #expect(jump.item == .key && jump.key == "user.id" && jump.kind == .growth)
            #expect(jump.severity == .critical && jump.from == 10 && jump.to == 201 && jump.started == d0 + 2)
            let rest = Set(
                report.changes.dropFirst().map { "\($0.kind.rawValue) \($0.item.rawValue) \($0.name) \($0.key ?? $0.template ?? $0.service ?? "")" })
            #expect(rest == ["vanished key requests legacy", "new metric new.metric ", "new service  payments", "new log_template INFO New <*>"])
            #expect(report.summary == [.critical: 1, .warning: 0, .info: 4])
            let quiet = try await reader.changes(ChangeQuery(since: d0 + 3, minSeverity: .warning))
            #expect(quiet.window == (d0 + 3)...(d0 + 3) && quiet.changes.isEmpty && !quiet.hasCritical)
            let payments = try await reader.changes(ChangeQuery(since: d0 + 3, service: "payments"))
            #expect(payments.changes.map(\.item).sorted { $0.rawValue < $1.rawValue } == [.metric, .service])

            // A window after the last day: everything vanished, read from the one baseline day that holds keys.
            let after = try await reader.changes(ChangeQuery(since: d0 + 5, until: d0 + 6, baselineFrom: d0 + 2))
            #expect(
                Set(after.changes.filter { $0.item == .key }.map { "\($0.kind.rawValue) \($0.key ?? "") \($0.from)" }) == ["vanished user.id 201"])

            // The key queries find the same: a column per day with key rows (the days in range that hold none get no
            // column; one such day, no `-If`), and keys × days groups (`inlineDays: 0`).
            for query in [
                ChangeQuery(since: d0 + 2), ChangeQuery(since: d0 + 1, until: d0 + 3, baselineFrom: d0), ChangeQuery(since: d0 + 3),
                ChangeQuery(since: d0 + 3, baselineFrom: d0), ChangeQuery(since: d0 + 2, service: "api"), ChangeQuery(since: d0, until: d0 + 3),
                ChangeQuery(since: d0 + 1, signal: .metric, minSeverity: .info, order: .delta),
                ChangeQuery(since: d0 + 5, until: d0 + 6, baselineFrom: d0 + 2), ChangeQuery(since: d0 + 3, until: d0 + 5),
                ChangeQuery(since: d0 + 4), ChangeQuery(since: d0 - 2, until: d0), ChangeQuery(since: d0 + 20, until: d0 + 21),
            ] {
                let byDay = try await reader.changes(query, inlineDays: V2Queries.keyChangesInlineDays)
                let oneDay = try await reader.changes(query, inlineDays: 1)
                let grouped = try await reader.changes(query, inlineDays: 0)
                #expect(byDay == grouped && oneDay == grouped, "\(query)")
                #expect(!byDay.changes.isEmpty || query.since == d0 + 3 || query.since == d0 + 20)
            }
        }
    }
}

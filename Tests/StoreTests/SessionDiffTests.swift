import Testing

@testable import Store

/// Session names, the session diff rules and the CI report's ratings: pure logic, no server.
@Suite("Sessions: names, diff, report")
struct SessionDiffTests {
    typealias S = SessionSnapshot

    static func metric(_ name: String, count: UInt64, series: UInt64, labels: [String: UInt64]) -> S.Item {
        S.Item(
            signal: .metric, name: name, metricType: .gauge, count: count, series: series, services: ["api": count],
            keys: Dictionary(
                uniqueKeysWithValues: labels.map { (S.KeyID(scope: .attribute, key: $0.key), S.Key(count: count, cardinality: $0.value)) }))
    }

    static func snapshot(_ items: S.Item...) -> S {
        S(items: Dictionary(uniqueKeysWithValues: items.map { (S.ItemID(signal: $0.signal, name: $0.name), $0) }))
    }

    @Test("names follow the reference's rule")
    func names() {
        for valid in ["a", "0", "before", "pre-deploy-2", String(repeating: "a", count: 128)] {
            #expect(StoredSession.isValidName(valid), "\(valid)")
        }
        for invalid in ["", "-a", "a-", "A", "a b", "a_b", "a/b", "ä", String(repeating: "a", count: 129), "a'"] {
            #expect(!StoredSession.isValidName(invalid), "\(invalid)")
        }
    }

    @Test("added, removed and changed items with the reference's severities, sorted by signal then name")
    func diff() {
        let from = Self.snapshot(
            Self.metric("kept", count: 100, series: 10, labels: ["user": 10, "gone": 3]),
            Self.metric("old", count: 5, series: 1, labels: [:]),
            S.Item(signal: .log, name: "INFO", count: 10))
        let to = Self.snapshot(
            Self.metric("kept", count: 600, series: 25, labels: ["user": 100, "fresh": 2000]),
            Self.metric("big", count: 5, series: 1001, labels: [:]),
            S.Item(signal: .log, name: "INFO", count: 10))
        let entries = SessionDiff.compare(from: from, to: to)
        #expect(entries.map { "\($0.kind) \($0.name) \($0.severity.name)" } == ["added big warning", "changed kept critical", "removed old info"])
        let details = entries[1].details
        #expect(details.map(\.field) == ["sample_count", "active_series", "labels.fresh", "labels.gone", "labels.user.cardinality"])
        #expect(details.map(\.severity) == [.warning, .warning, .warning, .info, .critical])
        #expect(details[0].changePercent == 500 && details[2].from == nil && details[3].to == nil)
        #expect(details[2].message == "New label key added" && details[3].message == "Label key removed")
        #expect(SessionDiff.compare(from: to, to: to).isEmpty)
        #expect(SessionDiff.rateSeverity(from: 10, to: 49) == .info && SessionDiff.rateSeverity(from: 10, to: 50) == .warning)
        #expect(SessionDiff.rateSeverity(from: 0, to: 1_000_000) == .info)
    }

    @Test("report: thresholds inclusive, metrics by series, spans/logs by their widest key, attributes across signals")
    func report() {
        let snapshot = Self.snapshot(
            Self.metric("m", count: 1, series: 999, labels: ["k": 5]),
            S.Item(
                signal: .span, name: "s", count: 3,
                keys: [
                    S.KeyID(scope: .attribute, key: "k"): S.Key(count: 3, cardinality: 1000),
                    S.KeyID(scope: .resource, key: "host"): S.Key(count: 3, cardinality: 20_000),
                ]))
        let report = CardinalityReport(snapshot)
        #expect(report.entries.map { "\($0.name) \($0.cardinality) \($0.level.name)" } == ["m 999 ok", "s 1000 warning"])
        #expect(report.entries[1].keys == ["k"])
        #expect(
            report.attributes.map { "\($0.key) \($0.cardinality) \($0.level.name) \($0.signals.map(\.apiName))" } == [
                "host 20000 critical [\"span\"]", "k 1000 warning [\"metric\", \"span\"]",
            ])
        #expect(report.level == .critical && report.highCardinalityCount == 1)
        #expect(CardinalityReport(snapshot, warning: 20_001, critical: 100_000).level == .ok)
        #expect(CardinalityReport(snapshot, warning: 20_000, critical: 100_000).level == .warning)
        #expect(CardinalityReport(S()).level == .ok)
    }
}

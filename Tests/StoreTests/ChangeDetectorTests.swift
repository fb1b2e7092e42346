import Testing

@testable import Store

@Suite("Changes feed rules (severity, started, ranking)")
struct ChangeDetectorTests {
    typealias Day = ChangeDetector.DayValue

    /// Baseline days 10…14, window days 15…19.
    let detector = ChangeDetector(window: 15...19, baseline: 10...14)

    @Test("severity follows the reference's CalculateSeverity")
    func severity() {
        #expect(ChangeSeverity.of(from: 0, to: 0) == .info)
        #expect(ChangeSeverity.of(from: 0, to: 999) == .info)
        #expect(ChangeSeverity.of(from: 0, to: 1000) == .warning)
        #expect(ChangeSeverity.of(from: 100, to: 199) == .info)
        #expect(ChangeSeverity.of(from: 100, to: 200) == .warning)
        #expect(ChangeSeverity.of(from: 100, to: 999) == .warning)
        #expect(ChangeSeverity.of(from: 100, to: 1000) == .critical)
        #expect(ChangeSeverity.of(from: 100, to: 50) == .info)
        #expect(ChangeSeverity.of(from: .max, to: .max) == .info)
        #expect(ChangeSeverity.info < .warning && ChangeSeverity.warning < .critical)
        #expect(ChangeSeverity(name: "critical") == .critical && ChangeSeverity(name: "CRITICAL") == nil)
    }

    @Test("a key whose daily cardinality jumps 20x on the window's third day: critical, started that day")
    func jump() throws {
        let days =
            (10...14).map { Day(day: $0, value: 50) } + [
                Day(day: 15, value: 55), Day(day: 16, value: 60), Day(day: 17, value: 1000),
                Day(day: 18, value: 990),
            ]
        let finding = try #require(detector.keyFinding(days.shuffled()))
        #expect(finding.kind == .growth)
        #expect(finding.from == 50 && finding.to == 1000)
        #expect(finding.severity == .critical)
        #expect(finding.started == 17)
    }

    @Test("growth below 2x starts on the first day above the baseline; no growth is no finding")
    func smallGrowth() throws {
        let finding = try #require(detector.keyFinding([Day(day: 12, value: 100), Day(day: 15, value: 100), Day(day: 16, value: 130)]))
        #expect(finding.kind == .growth && finding.severity == .info && finding.started == 16)
        #expect(detector.keyFinding([Day(day: 12, value: 100), Day(day: 15, value: 100)]) == nil)
        #expect(detector.keyFinding([Day(day: 12, value: 100), Day(day: 19, value: 40)]) == nil)
        // Days outside both ranges are ignored.
        #expect(detector.keyFinding([Day(day: 3, value: 1), Day(day: 25, value: 1_000_000)]) == nil)
    }

    @Test("the baseline is the largest daily value, not a sum or a merge over days")
    func dailyMaximum() throws {
        // 100 values every day, different ones: a merge or sum over the baseline would say 500 and hide the growth to 150.
        let days = (10...18).map { Day(day: $0, value: 100) } + [Day(day: 19, value: 150)]
        let finding = try #require(detector.keyFinding(days))
        #expect(finding.from == 100 && finding.to == 150 && finding.started == 19)
    }

    @Test("new keys: first day seen, warning from 1000; vanished keys: info, the day after the last one seen")
    func newAndVanished() throws {
        let small = try #require(detector.keyFinding([Day(day: 18, value: 12), Day(day: 19, value: 3)]))
        #expect(small.kind == .new && small.severity == .info && small.from == 0 && small.to == 12 && small.started == 18)
        let large = try #require(detector.keyFinding([Day(day: 16, value: 1000)]))
        #expect(large.kind == .new && large.severity == .warning && large.started == 16)
        let gone = try #require(detector.keyFinding([Day(day: 11, value: 40), Day(day: 13, value: 7)]))
        #expect(gone.kind == .vanished && gone.severity == .info && gone.from == 40 && gone.to == 0 && gone.started == 14)
    }

    @Test("names, templates and services only appear or vanish, with item counts summed over the days")
    func presence() throws {
        let new = try #require(detector.presenceFinding([Day(day: 19, value: 5), Day(day: 18, value: 2)]))
        #expect(new.kind == .new && new.severity == .info && new.to == 7 && new.started == 18)
        let gone = try #require(detector.presenceFinding([Day(day: 10, value: 5), Day(day: 12, value: 5)]))
        #expect(gone.kind == .vanished && gone.from == 10 && gone.started == 13)
        #expect(detector.presenceFinding([Day(day: 10, value: 1), Day(day: 19, value: 100_000)]) == nil)
        #expect(detector.presenceFinding([]) == nil)
    }

    @Test("the report counts every finding, filters by minimum severity, ranks by severity then ratio or delta")
    func report() {
        func key(_ name: String, _ from: UInt64, _ to: UInt64) -> Change {
            Change(
                kind: from == 0 ? .new : .growth, item: .key, signal: .metric, name: name, scope: .attribute, key: "k",
                severity: ChangeSeverity.of(from: from, to: to), from: from, to: to, started: 17)
        }
        let changes = [key("a", 10, 15), key("b", 100, 5000), key("c", 2, 30), key("d", 10, 40), key("e", 1000, 3000), key("f", 0, 20)]
        let byRatio = detector.report(changes, minSeverity: .info, order: .ratio)
        #expect(byRatio.summary == [.critical: 2, .warning: 2, .info: 2])
        #expect(byRatio.changes.map(\.name) == ["b", "c", "d", "e", "f", "a"])
        #expect(byRatio.hasCritical)
        let byDelta = detector.report(changes, minSeverity: .warning, order: .delta)
        #expect(byDelta.changes.map(\.name) == ["b", "c", "e", "d"])
        #expect(byDelta.summary[.info] == 2)
        let quiet = detector.report([key("a", 10, 15)], minSeverity: .info, order: .ratio)
        #expect(!quiet.hasCritical)
    }

    @Test("a page of the ranking is that slice of the full ranking, ties broken by identity; total counts every kept finding")
    func pages() {
        var generator = SystemRandomNumberGenerator()
        // Many ties (few distinct figures), every item kind, so the identity order decides often.
        let changes = (0..<3_000).map { index -> Change in
            let from = UInt64.random(in: 0...3, using: &generator) * 10, to = UInt64.random(in: 0...4, using: &generator) * 10
            let item = Change.Item.allCases[index % Change.Item.allCases.count]
            return Change(
                kind: from == 0 ? .new : (to == 0 ? .vanished : .growth), item: item, signal: .metric, name: "n\(index % 97)",
                service: item == .service ? "s\(index % 13)" : nil, scope: item == .key ? .attribute : nil,
                key: item == .key ? "k\(index)" : nil, severity: ChangeSeverity.of(from: from, to: to), from: from, to: to, started: 15)
        }
        for order in ChangeQuery.Order.allCases {
            for minSeverity in ChangeSeverity.allCases {
                let all = detector.report(changes, minSeverity: minSeverity, order: order)
                #expect(all.changes == changes.filter { $0.severity >= minSeverity }.sorted { ChangeDetector.ranks($0, before: $1, order: order) })
                for page in [0..<1, 0..<100, 100..<200, 2_900..<3_000, 10..<5_000, 5_000..<5_100, 0..<3_000] {
                    let paged = detector.report(changes, minSeverity: minSeverity, order: order, page: page)
                    #expect(paged.total == all.changes.count && paged.summary == all.summary)
                    #expect(paged.changes == Array(all.changes[page.clamped(to: 0..<all.changes.count)]))
                }
            }
        }
    }

    @Test("keys read in place (ChangeFindings) rank and page exactly as the same findings given as Change values")
    func findingsInPlace() {
        var generator = SystemRandomNumberGenerator()
        // Names that are prefixes of each other, non-ASCII text, empty and non-empty events, equal figures often.
        let names = ["a", "ab", "b", "é", "z", "a.b", "日本", ""]
        var bytes: [UInt8] = [0xFF]  // a range never starts at 0
        func put(_ text: String) -> Range<Int> {
            let start = bytes.count
            bytes += Array(text.utf8)
            return start..<bytes.count
        }
        var rows: [ChangeFindings.KeyRow] = []
        var asChanges: [Change] = []
        for index in 0..<2_000 {
            let from = UInt64.random(in: 0...3, using: &generator) * 10, to = UInt64.random(in: 0...4, using: &generator) * 10
            let kind: Change.Kind = from == 0 ? .new : (to == 0 ? .vanished : .growth)
            let finding = ChangeDetector.Finding(kind: kind, severity: ChangeSeverity.of(from: from, to: to), from: from, to: to, started: 15)
            let signal = Signal.allCases[index % Signal.allCases.count], scope = KeyScope.allCases[index % KeyScope.allCases.count]
            let name = names[index % names.count], event = index % 3 == 0 ? names[index % 5] : "", key = "k\(index % 50)"
            rows.append(.init(signal: signal, scope: scope, name: put(name), event: put(event), key: put(key), finding: finding))
            asChanges.append(
                Change(
                    kind: kind, item: .key, signal: signal, name: name, scope: scope, event: event.isEmpty ? nil : event, key: key,
                    severity: finding.severity, from: from, to: to, started: 15))
        }
        // Named items beside the keys, as the reader gives them.
        let named = (0..<300).map { index in
            Change(
                kind: .new, item: index % 2 == 0 ? .metric : .service, signal: .span, name: "n\(index % 7)", service: "s\(index)",
                severity: .info, from: 0, to: UInt64(index % 4), started: 16)
        }
        var findings = ChangeFindings(changes: named)
        findings.setKeys(rows, in: bytes)
        for order in ChangeQuery.Order.allCases {
            for minSeverity in ChangeSeverity.allCases {
                for page in [nil, 0..<1, 0..<100, 150..<250, 2_200..<2_400] as [Range<Int>?] {
                    let inPlace = detector.report(findings, minSeverity: minSeverity, order: order, page: page)
                    let values = detector.report(named + asChanges, minSeverity: minSeverity, order: order, page: page)
                    #expect(inPlace == values)
                }
            }
        }
    }

    @Test("smallest(_:by:) equals sorted(by:).prefix for every count")
    func partialSort() {
        var generator = SystemRandomNumberGenerator()
        let values = (0..<2_000).map { _ in Int.random(in: 0..<500, using: &generator) }
        for count in [0, 1, 2, 7, 100, 249, 250, 251, 1_999, 2_000, 5_000] {
            #expect(values.smallest(count, by: <) == Array(values.sorted().prefix(count)))
            #expect(values.smallest(count, by: >) == Array(values.sorted(by: >).prefix(count)))
        }
        #expect([Int]().smallest(3, by: <).isEmpty)
    }

    @Test("the baseline has the window's length and ends the day before it; both are clamped to maxDays")
    func resolution() {
        let plain = ChangeQuery(since: 100, until: 104).resolved(newestDay: nil)
        #expect(plain.window == 100...104 && plain.baseline == 95...99)
        let newest = ChangeQuery(since: 100).resolved(newestDay: 101)
        #expect(newest.window == 100...101 && newest.baseline == 98...99)
        let before = ChangeQuery(since: 100).resolved(newestDay: 50)
        #expect(before.window == 100...100 && before.baseline == 99...99)
        let custom = ChangeQuery(since: 100, until: 100, baselineFrom: 70).resolved(newestDay: nil)
        #expect(custom.baseline == 70...99)
        let early = ChangeQuery(since: 2, until: 9).resolved(newestDay: nil)
        #expect(early.baseline == 0...1)
        #expect(ChangeQuery(since: 0).resolved(newestDay: 3).baseline == nil)
        let huge = ChangeQuery(since: 0, until: .max, baselineFrom: 0).resolved(newestDay: nil)
        #expect(huge.window.count == V2Queries.maxDays && huge.baseline?.count == V2Queries.maxDays)
        #expect(Change(kind: .growth, item: .key, signal: .log, name: "", severity: .info, from: .max, to: 0, started: nil).delta == Int64.min + 1)
    }
}

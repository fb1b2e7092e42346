/// The changes feed's rules, free of storage: given each item's values per day over the baseline and the window, what
/// changed, how severe it is, and when it started.
///
/// - A key's value on a day is its estimated cardinality that day (the day's sketch states merged over services). Its
///   baseline value (`from`) is the largest daily value in the baseline, its window value (`to`) the largest in the
///   window: daily values, because a merge over several days would count every value that merely rotates (a request id,
///   a timestamp) once per day and call a steady key "growing".
/// - Other items (metric and span names, log templates, services) only appear or vanish; their value is their item
///   count, summed over the days.
/// - Severity follows ``ChangeSeverity/of(from:to:)`` for keys; other items are `info`.
/// - `started`: for a growing key, the first window day whose value reached twice `from` (or, for growth below 2x, the
///   first day above `from`); for a new item, the first window day with data; for a vanished one, the day after the last
///   day with data.
package struct ChangeDetector: Sendable {
    /// One item's value on one day.
    package struct DayValue: Sendable, Hashable {
        package var day: UInt16
        package var value: UInt64

        package init(day: UInt16, value: UInt64) {
            self.day = day
            self.value = value
        }
    }

    /// What ``ChangeDetector`` found for one item.
    package struct Finding: Sendable, Hashable {
        package var kind: Change.Kind
        package var severity: ChangeSeverity
        package var from: UInt64
        package var to: UInt64
        package var started: UInt16?
    }

    package let window: ClosedRange<UInt16>
    package let baseline: ClosedRange<UInt16>?

    package init(window: ClosedRange<UInt16>, baseline: ClosedRange<UInt16>?) {
        self.window = window
        self.baseline = baseline
    }

    /// A key's finding from its daily cardinalities (any order; days outside both ranges are ignored), or `nil` when
    /// nothing changed. Allocates nothing: it runs once per key of a report, which can hold every key of the store.
    package func keyFinding(_ days: [DayValue]) -> Finding? {
        let summary = summarize(days)
        guard let firstDuring = summary.firstDuring else {
            guard let lastBefore = summary.lastBefore else { return nil }
            return Finding(kind: .vanished, severity: .info, from: summary.maxBefore, to: 0, started: lastBefore == .max ? nil : lastBefore + 1)
        }
        let from = summary.maxBefore, to = summary.maxDuring
        if summary.lastBefore == nil {
            return Finding(kind: .new, severity: ChangeSeverity.of(from: 0, to: to), from: 0, to: to, started: firstDuring)
        }
        guard to > from else { return nil }
        let (doubled, _) = from.multipliedReportingOverflow(by: 2)
        var reachedDouble: UInt16?, rose: UInt16?
        for day in days where window.contains(day.day) {
            if day.value >= doubled, day.day < reachedDouble ?? .max { reachedDouble = day.day }
            if day.value > from, day.day < rose ?? .max { rose = day.day }
        }
        return Finding(kind: .growth, severity: ChangeSeverity.of(from: from, to: to), from: from, to: to, started: reachedDouble ?? rose)
    }

    /// An item's finding from its daily counts: new or vanished (`info`), or `nil` when present in both or neither.
    package func presenceFinding(_ days: [DayValue]) -> Finding? {
        let summary = summarize(days)
        if summary.firstDuring == nil, let lastBefore = summary.lastBefore {
            return Finding(kind: .vanished, severity: .info, from: summary.sumBefore, to: 0, started: lastBefore == .max ? nil : lastBefore + 1)
        }
        if summary.lastBefore == nil, let firstDuring = summary.firstDuring {
            return Finding(kind: .new, severity: .info, from: 0, to: summary.sumDuring, started: firstDuring)
        }
        return nil
    }

    /// One pass over an item's days: per range its largest and summed value, the baseline's last day with data and the
    /// window's first.
    private struct DaySummary {
        var maxBefore: UInt64 = 0, maxDuring: UInt64 = 0
        var sumBefore: UInt64 = 0, sumDuring: UInt64 = 0
        var lastBefore: UInt16?, firstDuring: UInt16?
    }

    private func summarize(_ days: [DayValue]) -> DaySummary {
        var summary = DaySummary()
        for day in days {
            if baseline?.contains(day.day) ?? false {
                summary.maxBefore = max(summary.maxBefore, day.value)
                summary.sumBefore &+= day.value
                summary.lastBefore = max(summary.lastBefore ?? day.day, day.day)
            } else if window.contains(day.day) {
                summary.maxDuring = max(summary.maxDuring, day.value)
                summary.sumDuring &+= day.value
                summary.firstDuring = min(summary.firstDuring ?? day.day, day.day)
            }
        }
        return summary
    }

    /// The report of `changes`: the summary counts every finding; the list keeps those at or above `minSeverity`, most
    /// severe first, then by `order`, then by identity (so pages are stable), and holds only `page` of them (all when
    /// `nil`); ``ChangeReport/total`` counts them all.
    package func report(_ changes: [Change], minSeverity: ChangeSeverity, order: ChangeQuery.Order, page: Range<Int>? = nil) -> ChangeReport {
        report(ChangeFindings(changes: changes), minSeverity: minSeverity, order: order, page: page)
    }

    /// ``report(_:minSeverity:order:page:)`` of findings read in place: only the page's findings become ``Change``
    /// values.
    package func report(_ findings: ChangeFindings, minSeverity: ChangeSeverity, order: ChangeQuery.Order, page: Range<Int>? = nil) -> ChangeReport {
        var counts = [0, 0, 0]
        // Ranked by their figures, computed once, and their index: moving findings (several strings each) through a
        // sort of a large report (every key of a new service is new) would cost more than the comparisons.
        var ranks: [Rank] = []
        ranks.reserveCapacity(findings.count)
        for index in 0..<findings.count {
            let (severity, from, to) = findings.figures(at: index)
            counts[severity.rawValue] += 1
            guard severity >= minSeverity else { continue }
            ranks.append(Rank(figures: Rank.figures(severity: severity, from: from, to: to, order: order), index: index))
        }
        let wanted = (page ?? 0..<ranks.count).clamped(to: 0..<ranks.count)
        let first = ranks.smallest(wanted.upperBound) { a, b in
            a.figures != b.figures ? a.figures > b.figures : findings.precedesByIdentity(a.index, b.index)
        }
        let kept = first[wanted.clamped(to: 0..<first.count)].map { findings.change(at: $0.index) }
        let summary: [ChangeSeverity: Int] = [.info: counts[0], .warning: counts[1], .critical: counts[2]]
        return ChangeReport(window: window, baseline: baseline, summary: summary, changes: kept, total: ranks.count)
    }

    /// Whether `a` is listed before `b`.
    package static func ranks(_ a: Change, before b: Change, order: ChangeQuery.Order) -> Bool {
        let figuresA = Rank.figures(a, order: order), figuresB = Rank.figures(b, order: order)
        return figuresA != figuresB ? figuresA > figuresB : precedesByIdentity(a, b)
    }

    /// A finding's place in a ranking: severity, then the order's figure, then the other one, all larger first.
    private struct Rank {
        var figures: Figures
        var index: Int

        init(figures: Figures, index: Int) {
            self.figures = figures
            self.index = index
        }

        /// Compared as a tuple, larger first: severity, then ratio (a new item's is infinite) and `|delta|` in the order's
        /// order.
        struct Figures: Equatable, Comparable {
            var severity: Int
            var primary: Double
            var secondary: Double

            static func < (a: Self, b: Self) -> Bool {
                (a.severity, a.primary, a.secondary) < (b.severity, b.primary, b.secondary)
            }
        }

        static func figures(_ change: Change, order: ChangeQuery.Order) -> Figures {
            figures(severity: change.severity, from: change.from, to: change.to, order: order)
        }

        static func figures(severity: ChangeSeverity, from: UInt64, to: UInt64, order: ChangeQuery.Order) -> Figures {
            // As ``Change/ratio`` and ``Change/delta``.
            let ratio = from == 0 ? .infinity : Double(to) / Double(from)
            let delta = Double(min(to >= from ? to - from : from - to, UInt64(Int64.max)))
            switch order {
            case .ratio: return Figures(severity: severity.rawValue, primary: ratio, secondary: delta)
            case .delta: return Figures(severity: severity.rawValue, primary: delta, secondary: ratio)
            }
        }
    }

    /// A total order on the items (no allocation: ranking compares every pair of a large report many times).
    package static func precedesByIdentity(_ a: Change, _ b: Change) -> Bool {
        if a.item != b.item { return a.item.rawValue < b.item.rawValue }
        if a.signal != b.signal { return a.signal.rawValue < b.signal.rawValue }
        if a.name != b.name { return a.name < b.name }
        if a.service != b.service { return (a.service ?? "") < (b.service ?? "") }
        if a.scope != b.scope { return (a.scope?.rawValue ?? 0) < (b.scope?.rawValue ?? 0) }
        if a.event != b.event { return (a.event ?? "") < (b.event ?? "") }
        if a.key != b.key { return (a.key ?? "") < (b.key ?? "") }
        if a.template != b.template { return (a.template ?? "") < (b.template ?? "") }
        return a.kind.rawValue < b.kind.rawValue
    }
}

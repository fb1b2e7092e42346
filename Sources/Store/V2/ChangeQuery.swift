/// What the changes feed compares: the window `since...until` with a baseline of the same length that ends the day
/// before `since` (or starts at `baselineFrom`).
package struct ChangeQuery: Sendable, Hashable {
    /// How findings are ranked after their severity.
    package enum Order: String, Sendable, Hashable, CaseIterable {
        /// By `to / from`, largest first (new items first, vanished ones last).
        case ratio
        /// By `|to - from|`, largest first.
        case delta
    }

    /// First day of the window.
    package var since: UInt16
    /// Last day of the window; `nil`: the newest day the store holds.
    package var until: UInt16?
    /// First day of the baseline (it always ends the day before `since`); `nil`: as many days as the window has.
    package var baselineFrom: UInt16?
    package var signal: Signal?
    /// Only what this service emitted.
    package var service: String?
    /// Findings below this severity are left out (they still count in the summary).
    package var minSeverity: ChangeSeverity
    package var order: Order
    /// The ranked findings wanted (positions in the ranking); `nil`: all of them.
    package var page: Range<Int>?

    package init(
        since: UInt16, until: UInt16? = nil, baselineFrom: UInt16? = nil, signal: Signal? = nil, service: String? = nil,
        minSeverity: ChangeSeverity = .info, order: Order = .ratio, page: Range<Int>? = nil
    ) {
        self.since = since
        self.until = until
        self.baselineFrom = baselineFrom
        self.signal = signal
        self.service = service
        self.minSeverity = minSeverity
        self.order = order
        self.page = page
    }

    /// The window and baseline as compared, once `until` is known (`newestDay`: the newest stored day, when `until` is
    /// `nil`). The window holds at most ``V2Queries/maxDays`` days (its start moves up when it would hold more); so does
    /// the baseline. `baseline` is `nil` when the window starts on the first day a `Date` holds.
    package func resolved(newestDay: UInt16?) -> (window: ClosedRange<UInt16>, baseline: ClosedRange<UInt16>?) {
        let until = max(since, self.until ?? newestDay ?? since)
        let maxSpan = UInt16(V2Queries.maxDays - 1)
        let since = until - self.since > maxSpan ? until - maxSpan : self.since
        guard since > 0 else { return (since...until, nil) }
        let baselineTo = since - 1
        let length = until - since
        var baselineFrom = baselineFrom ?? (baselineTo >= length ? baselineTo - length : 0)
        baselineFrom = min(baselineFrom, baselineTo)
        if baselineTo - baselineFrom > maxSpan { baselineFrom = baselineTo - maxSpan }
        return (since...until, baselineFrom...baselineTo)
    }
}

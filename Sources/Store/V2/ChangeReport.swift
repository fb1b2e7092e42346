/// The answer of the changes feed: the days compared, a count of every finding per severity, and the findings at or
/// above the query's minimum severity, ranked (most severe first, then by the query's order), or one page of them.
package struct ChangeReport: Sendable, Hashable {
    package var window: ClosedRange<UInt16>
    package var baseline: ClosedRange<UInt16>?
    /// Every finding per severity, before the minimum-severity filter.
    package var summary: [ChangeSeverity: Int]
    /// The findings of the requested page (all of them when no page was asked for), ranked.
    package var changes: [Change]
    /// The findings at or above the minimum severity, on every page.
    package var total: Int

    package init(window: ClosedRange<UInt16>, baseline: ClosedRange<UInt16>?, summary: [ChangeSeverity: Int], changes: [Change], total: Int? = nil) {
        self.window = window
        self.baseline = baseline
        self.summary = summary
        self.changes = changes
        self.total = total ?? changes.count
    }

    /// Whether any finding is critical (the `census changes` exit code).
    package var hasCritical: Bool { (summary[.critical] ?? 0) > 0 }
}

/// What changed from one ``SessionSnapshot`` to another, by the OTLP Cardinality Checker's session diff rules
/// (`internal/api/sessions.go`), with the severities of ``ChangeSeverity`` (the changes feed's rule):
///
/// - a metric, span name or log severity only in `to` is `added` (a metric with more than 1,000 series: `warning`,
///   else `info`); only in `from`, `removed` (`info`);
/// - in both: `changed` when its item count (`sample_count`: `warning` at 5x or more, else `info`), a metric's series
///   (`active_series`: ``ChangeSeverity/of(from:to:)``) or a metric's label keys (`labels.<key>` added or removed,
///   `labels.<key>.cardinality`: ``ChangeSeverity/of(from:to:)``) differ; its severity is the highest of its details.
///
/// Entries are sorted by signal, then name (the reference's order is Go's random map order).
package enum SessionDiff {
    /// One field of a changed item.
    package struct FieldChange: Sendable, Hashable {
        package var field: String
        package var from: UInt64?
        package var to: UInt64?
        package var severity: ChangeSeverity
        package var message: String?

        /// `(to - from) / from * 100`; 0 when `from` is 0 or either side is missing (the reference omits it then).
        package var changePercent: Double {
            guard let from, let to, from > 0 else { return 0 }
            return (Double(to) - Double(from)) / Double(from) * 100
        }
    }

    /// One added, removed or changed item.
    package struct Entry: Sendable, Hashable {
        package enum Kind: String, Sendable, Hashable { case added, removed, changed }
        package var kind: Kind
        package var signal: Signal
        package var name: String
        package var severity: ChangeSeverity
        package var details: [FieldChange]
        /// The item as it is in `to` (for `added` entries, whose metadata the answer shows).
        package var added: SessionSnapshot.Item?
    }

    /// The rule of the reference's `CalculateSampleRateSeverity`: `warning` when a count grew 5x or more, else `info`.
    package static func rateSeverity(from: UInt64, to: UInt64) -> ChangeSeverity {
        guard from > 0 else { return .info }
        return Double(to) / Double(from) >= 5 ? .warning : .info
    }

    package static func compare(from: SessionSnapshot, to: SessionSnapshot) -> [Entry] {
        var entries: [Entry] = []
        let ids = Set(from.items.keys).union(to.items.keys).sorted()
        for id in ids {
            switch (from.items[id], to.items[id]) {
            case (nil, let new?):
                let severity: ChangeSeverity = new.signal == .metric && new.series > 1000 ? .warning : .info
                entries.append(Entry(kind: .added, signal: id.signal, name: id.name, severity: severity, details: [], added: new))
            case (_?, nil):
                entries.append(Entry(kind: .removed, signal: id.signal, name: id.name, severity: .info, details: [], added: nil))
            case (let old?, let new?):
                let details = fieldChanges(old, new)
                guard !details.isEmpty else { continue }
                let severity = details.map(\.severity).max() ?? .info
                entries.append(Entry(kind: .changed, signal: id.signal, name: id.name, severity: severity, details: details, added: nil))
            case (nil, nil):
                continue
            }
        }
        return entries
    }

    private static func fieldChanges(_ old: SessionSnapshot.Item, _ new: SessionSnapshot.Item) -> [FieldChange] {
        var changes: [FieldChange] = []
        if old.count != new.count {
            changes.append(FieldChange(field: "sample_count", from: old.count, to: new.count, severity: rateSeverity(from: old.count, to: new.count)))
        }
        guard old.signal == .metric else { return changes }
        if old.series != new.series {
            changes.append(FieldChange(field: "active_series", from: old.series, to: new.series, severity: .of(from: old.series, to: new.series)))
        }
        let oldLabels = old.keys.filter { $0.key.scope == .attribute }
        let newLabels = new.keys.filter { $0.key.scope == .attribute }
        for id in Set(oldLabels.keys).union(newLabels.keys).sorted() {
            switch (oldLabels[id], newLabels[id]) {
            case (nil, let key?):
                changes.append(
                    FieldChange(
                        field: "labels.\(id.key)", from: nil, to: key.cardinality,
                        severity: key.cardinality > 1000 ? .warning : .info, message: "New label key added"))
            case (let key?, nil):
                changes.append(FieldChange(field: "labels.\(id.key)", from: key.cardinality, to: nil, severity: .info, message: "Label key removed"))
            case (let a?, let b?) where a.cardinality != b.cardinality:
                changes.append(
                    FieldChange(
                        field: "labels.\(id.key).cardinality", from: a.cardinality, to: b.cardinality,
                        severity: .of(from: a.cardinality, to: b.cardinality)))
            default:
                continue
            }
        }
        return changes
    }
}

/// How much a ``Change`` matters, ordered `info < warning < critical`.
package enum ChangeSeverity: Int, Sendable, Hashable, Comparable, CaseIterable {
    case info = 0
    case warning = 1
    case critical = 2

    /// The API and CLI name (`info`, `warning`, `critical`).
    package var name: String {
        switch self {
        case .info: "info"
        case .warning: "warning"
        case .critical: "critical"
        }
    }

    package init?(name: some StringProtocol) {
        guard let severity = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = severity
    }

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The OTLP Cardinality Checker's rule (`pkg/models/diff.go`, `CalculateSeverity`) for a value going from `from` to
    /// `to`: from nothing, `warning` when `to` is at least 1000, else `info`; otherwise by the ratio `to / from`:
    /// at least 10 `critical`, at least 2 `warning`, else `info`.
    package static func of(from: UInt64, to: UInt64) -> ChangeSeverity {
        if from == 0 { return to >= 1000 ? .warning : .info }
        let ratio = Double(to) / Double(from)
        if ratio >= 10 { return .critical }
        if ratio >= 2 { return .warning }
        return .info
    }
}

/// What `/api/v2/history` asks for: one name of a signal, optionally one of its attribute keys, per day.
package struct HistoryQuery: Sendable, Hashable {
    package var signal: Signal
    /// The metric or span name, or the log severity.
    package var name: String
    /// An attribute key of the name; `nil`: the name itself (its item count per day).
    package var key: String?
    /// Only the key as seen in this scope; `nil`: every scope, merged.
    package var scope: KeyScope?
    /// Only what this service emitted; `nil`: every service, merged.
    package var service: String?
    /// The days answered.
    package var range: DayRange

    package init(signal: Signal, name: String, key: String? = nil, scope: KeyScope? = nil, service: String? = nil, range: DayRange = .all) {
        self.signal = signal
        self.name = name
        self.key = key
        self.scope = scope
        self.service = service
        self.range = range
    }

    /// Whether the points carry an estimated cardinality: a key's distinct values, or a metric's distinct series
    /// (resource + point attributes, stored in its signal rows since migration 4). Span and log names have no sketch.
    package var hasCardinality: Bool { key != nil || signal == .metric }
}

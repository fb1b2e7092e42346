/// One finding of the changes feed: an item that appeared, vanished, or whose cardinality grew between the baseline
/// and the window of a ``ChangeQuery``.
package struct Change: Sendable, Hashable {
    package enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Data in the window, none in the baseline.
        case new
        /// Data in the baseline, none in the window.
        case vanished
        /// A key in both whose largest daily cardinality is higher in the window.
        case growth
    }

    /// What changed.
    package enum Item: String, Sendable, Hashable, CaseIterable {
        /// A metric name (``Change/name``).
        case metric
        /// A span name.
        case span
        /// A log body template (``Change/name`` the severity, ``Change/template`` the template).
        case logTemplate = "log_template"
        /// An attribute key of a name (``Change/scope``, ``Change/key``, for span events ``Change/event``).
        case key
        /// A service of a signal (``Change/service``).
        case service
    }

    package var kind: Kind
    package var item: Item
    package var signal: Signal
    /// The metric or span name or the log severity; empty for ``Item/service``.
    package var name: String
    /// The service of a ``Item/service`` change; `nil` otherwise (other items are merged over services).
    package var service: String?
    package var scope: KeyScope?
    /// The span event name of an event attribute key; `nil` otherwise.
    package var event: String?
    package var key: String?
    package var template: String?
    package var severity: ChangeSeverity
    /// Baseline value: for keys the largest daily estimated cardinality, for other items the item count.
    package var from: UInt64
    /// Window value, measured like ``from``.
    package var to: UInt64
    /// The day the change started (see ``ChangeDetector``), `nil` when unknown.
    package var started: UInt16?

    package init(
        kind: Kind, item: Item, signal: Signal, name: String, service: String? = nil, scope: KeyScope? = nil, event: String? = nil,
        key: String? = nil, template: String? = nil, severity: ChangeSeverity, from: UInt64, to: UInt64, started: UInt16?
    ) {
        self.kind = kind
        self.item = item
        self.signal = signal
        self.name = name
        self.service = service
        self.scope = scope
        self.event = event
        self.key = key
        self.template = template
        self.severity = severity
        self.from = from
        self.to = to
        self.started = started
    }

    /// `to / from`; `nil` when `from` is 0 (a new item: no finite ratio).
    package var ratio: Double? { from == 0 ? nil : Double(to) / Double(from) }

    /// `to - from` (negative when the value fell), saturating.
    package var delta: Int64 {
        to >= from ? Int64(clamping: to - from) : -Int64(clamping: from - to)
    }
}

/// What one service emitted on one signal in a range of days (`/api/v2/services/{name}`).
package struct ServiceSignalTotals: Sendable, Hashable {
    package var signal: Signal
    /// Distinct metric or span names, or log severities.
    package var names: UInt64
    /// Data points, spans or log records.
    package var items: UInt64
    /// Distinct (scope, key) pairs of the signal's attribute keys.
    package var keys: UInt64

    package init(signal: Signal, names: UInt64, items: UInt64, keys: UInt64) {
        self.signal = signal
        self.names = names
        self.items = items
        self.keys = keys
    }
}

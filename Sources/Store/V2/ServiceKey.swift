/// One attribute key a service emits on one signal and scope (`/api/v2/services/{name}`), merged over names, event
/// names and the days of the range: its cost in items (observations) and estimated cardinality.
package struct ServiceKey: Sendable, Hashable {
    package var signal: Signal
    package var scope: KeyScope
    package var key: String
    package var count: UInt64
    package var estimatedCardinality: UInt64

    package init(signal: Signal, scope: KeyScope, key: String, count: UInt64, estimatedCardinality: UInt64) {
        self.signal = signal
        self.scope = scope
        self.key = key
        self.count = count
        self.estimatedCardinality = estimatedCardinality
    }
}

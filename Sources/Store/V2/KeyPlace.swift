/// One place an attribute key appears (`/api/v2/keys/{key}`): a (signal, name, scope, service), merged over event
/// names and over the days of the range.
package struct KeyPlace: Sendable, Hashable {
    package var signal: Signal
    /// The metric or span name, or the log severity.
    package var name: String
    package var scope: KeyScope
    package var service: String
    /// Observations carrying the key there.
    package var count: UInt64
    /// `uniqCombined` estimate of the key's distinct values there (exact for small sets).
    package var estimatedCardinality: UInt64

    package init(signal: Signal, name: String, scope: KeyScope, service: String, count: UInt64, estimatedCardinality: UInt64) {
        self.signal = signal
        self.name = name
        self.scope = scope
        self.service = service
        self.count = count
        self.estimatedCardinality = estimatedCardinality
    }
}

/// One attribute key of one signal name whose estimated cardinality reached a threshold (`/cardinality/high`).
package struct HighCardinalityKey: Sendable, Hashable {
    package var signal: Signal
    package var signalName: String
    /// ``KeyScope/attribute`` or ``KeyScope/resource`` (event and link keys are not ranked).
    package var scope: KeyScope
    /// The key's statistics, services and days merged.
    package var stats: KeyStats

    package init(signal: Signal, signalName: String, scope: KeyScope, stats: KeyStats) {
        self.signal = signal
        self.signalName = signalName
        self.scope = scope
        self.stats = stats
    }
}

/// How often one service's items of one signal carried a key (attribute or resource scope).
package struct KeyServiceUsage: Sendable, Hashable {
    package var service: String
    package var signal: Signal
    /// Observations that carried the key.
    package var count: UInt64

    package init(service: String, signal: Signal, count: UInt64) {
        self.service = service
        self.signal = signal
        self.count = count
    }
}

/// Every attribute key one service emits in a range of days, with its cost (`/api/v2/services/{name}`).
package struct ServiceUsage: Sendable, Hashable {
    /// Per signal the service emitted in range, in raw-value order (never filtered by signal).
    package var signals: [ServiceSignalTotals]
    /// One page of keys (of the requested signal, when one was given), by estimated cardinality (descending), then
    /// signal, scope and key.
    package var keys: [ServiceKey]
    /// How many keys match (paging ignored).
    package var totalKeys: Int

    package init(signals: [ServiceSignalTotals], keys: [ServiceKey], totalKeys: Int) {
        self.signals = signals
        self.keys = keys
        self.totalKeys = totalKeys
    }
}

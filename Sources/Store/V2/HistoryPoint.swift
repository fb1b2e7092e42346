/// One UTC day of a ``HistoryQuery``'s series.
package struct HistoryPoint: Sendable, Hashable {
    /// Days since 1970-01-01.
    package var day: UInt16
    /// Items (data points, spans, log records) of the name that day; with a key, the items that carried the key.
    package var count: UInt64
    /// The key's estimated distinct values that day (the day's sketch states merged); without a key, a metric's estimated
    /// distinct series that day; `nil` for span and log names (census keeps no sketch of them).
    package var estimatedCardinality: UInt64?
    /// The services that emitted it that day, in byte order.
    package var services: [String]

    package init(day: UInt16, count: UInt64, estimatedCardinality: UInt64?, services: [String]) {
        self.day = day
        self.count = count
        self.estimatedCardinality = estimatedCardinality
        self.services = services
    }
}

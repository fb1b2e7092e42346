/// A page of a watched key's values and the key's totals.
package struct WatchValuesPage: Sendable, Hashable {
    /// The page, in the query's order.
    package var values: [WatchedValue]
    /// Values matching the query's prefix (all of them for an empty prefix).
    package var matching: Int
    /// Distinct values stored for the key.
    package var unique: Int
    /// Observations of the stored values plus the overflow.
    package var observations: UInt64
    /// Observations of values past the key's limit of distinct values (not stored one by one).
    package var overflowObservations: UInt64

    package init(values: [WatchedValue], matching: Int, unique: Int, observations: UInt64, overflowObservations: UInt64) {
        self.values = values
        self.matching = matching
        self.unique = unique
        self.observations = observations
        self.overflowObservations = overflowObservations
    }
}

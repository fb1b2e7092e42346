/// Where one attribute key appears in a range of days (`/api/v2/keys/{key}`): its statistics merged over every place
/// (from the attribute catalog), and one page of its places (from the key rows).
package struct KeyUsage: Sendable, Hashable {
    /// Count, estimated cardinality and samples merged over every signal, name, scope, service and day in range.
    package var overall: KeyStats
    /// The signals the key appears on, in raw-value order.
    package var signals: [Signal]
    /// One page of places, by estimated cardinality (descending), then signal, name, scope and service.
    package var places: [KeyPlace]
    /// How many places the key has in range (paging ignored).
    package var totalPlaces: Int

    package init(overall: KeyStats, signals: [Signal], places: [KeyPlace], totalPlaces: Int) {
        self.overall = overall
        self.signals = signals
        self.places = places
        self.totalPlaces = totalPlaces
    }
}

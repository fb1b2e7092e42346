/// Which page of a watched key's values to read, in which order.
package struct WatchValuesQuery: Sendable, Hashable {
    /// The orderings (`sort_by`); ties are broken by the value text, ascending.
    package enum Order: String, Sendable, Hashable, CaseIterable {
        case count, value
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
    }

    package var order: Order
    package var descending: Bool
    /// Only values starting with this text (byte prefix); empty: all.
    package var prefix: String
    package var limit: Int
    package var offset: Int

    package init(order: Order = .count, descending: Bool = true, prefix: String = "", limit: Int = 100, offset: Int = 0) {
        self.order = order
        self.descending = descending
        self.prefix = prefix
        self.limit = max(0, limit)
        self.offset = max(0, offset)
    }
}

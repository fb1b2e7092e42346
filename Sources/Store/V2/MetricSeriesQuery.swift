/// What `/api/v2/metrics` asks for.
package struct MetricSeriesQuery: Sendable, Hashable {
    /// The order of the list.
    package enum Order: String, Sendable, Hashable, CaseIterable {
        /// Most OTLP series first, ties by name.
        case series
        /// By name (UTF-8 bytes).
        case name
    }

    package var range: DayRange
    /// Only metrics this service emitted in the range (their figures still cover every service).
    package var service: String?
    package var order: Order
    package var limit: Int
    package var offset: Int

    package init(range: DayRange = .all, service: String? = nil, order: Order = .series, limit: Int = 100, offset: Int = 0) {
        self.range = range
        self.service = service
        self.order = order
        self.limit = limit
        self.offset = offset
    }
}

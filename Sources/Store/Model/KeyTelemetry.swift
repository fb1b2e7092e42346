/// The signal names that carry one key (attribute or resource scope), per signal.
package struct KeyTelemetry: Sendable, Hashable {
    /// One signal name carrying the key.
    package struct Entry: Sendable, Hashable {
        package var name: String
        /// Metrics only (`.unknown` otherwise).
        package var metricType: MetricType
        /// Spans only (0 otherwise).
        package var spanKind: UInt8
        /// The name's items per service (sorted by service).
        package var services: [ServiceCount]
        /// Observations of the name that carried the key, both scopes added.
        package var count: UInt64
        /// The key's estimated distinct values on this name, the higher of its scopes.
        package var cardinality: UInt64

        package init(
            name: String, metricType: MetricType = .unknown, spanKind: UInt8 = 0, services: [ServiceCount] = [], count: UInt64,
            cardinality: UInt64
        ) {
            self.name = name
            self.metricType = metricType
            self.spanKind = spanKind
            self.services = services
            self.count = count
            self.cardinality = cardinality
        }
    }

    package var metrics: [Entry]
    package var spans: [Entry]
    package var logs: [Entry]
    /// Names per signal carrying the key (the lists above are cut at the read's limit).
    package var metricTotal: Int
    package var spanTotal: Int
    package var logTotal: Int

    package init(metrics: [Entry] = [], spans: [Entry] = [], logs: [Entry] = [], metricTotal: Int = 0, spanTotal: Int = 0, logTotal: Int = 0) {
        self.metrics = metrics
        self.spans = spans
        self.logs = logs
        self.metricTotal = metricTotal
        self.spanTotal = spanTotal
        self.logTotal = logTotal
    }
}

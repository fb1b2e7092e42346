/// One metric of `/api/v2/metrics`: its data points and active series in a time range, overall and per service.
package struct MetricSeries: Sendable, Hashable {
    package var name: String
    package var type: MetricType
    /// Data points in the range.
    package var count: UInt64
    /// Series over every service (fingerprints merged, not summed).
    package var series: ActiveSeries
    /// Per service, sorted by service.
    package var services: [ServiceSeries]

    package init(name: String, type: MetricType, count: UInt64, series: ActiveSeries, services: [ServiceSeries]) {
        self.name = name
        self.type = type
        self.count = count
        self.series = series
        self.services = services
    }
}

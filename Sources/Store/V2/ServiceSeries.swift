/// One service's part of a metric in a time range.
package struct ServiceSeries: Sendable, Hashable {
    package var service: String
    /// Data points the service sent.
    package var count: UInt64
    /// The series of the service's data points.
    package var series: ActiveSeries

    package init(service: String, count: UInt64, series: ActiveSeries) {
        self.service = service
        self.count = count
        self.series = series
    }
}

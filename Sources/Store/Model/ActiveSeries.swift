/// A metric's active series: the distinct series fingerprints (resource attributes + data point attributes) its data
/// points carried, as OTLP counts them and as Prometheus would after translation (histograms become one series per
/// bucket plus `_sum` and `_count`).
package struct ActiveSeries: Sendable, Hashable {
    /// Distinct OTLP series (the merged `uniqCombined` estimate, at least 1 for a metric with data points).
    package var otlp: UInt64
    /// The Prometheus estimate of ``prometheus(otlp:type:bounds:maxScale:)``.
    package var prometheus: UInt64

    package init(otlp: UInt64, prometheus: UInt64) {
        self.otlp = otlp
        self.prometheus = prometheus
    }

    /// No series.
    package static let zero = ActiveSeries(otlp: 0, prometheus: 0)

    /// The series of a metric with `count` data points whose fingerprint sketch estimates `tracked` distinct series: at
    /// least 1 when it has data points (rows written before fingerprints were tracked carry an empty sketch, and the
    /// reference reports 1 when it tracked nothing), 0 when it has none.
    package init(count: UInt64, tracked: UInt64, type: MetricType, bounds: Int, maxScale: Int32?) {
        let otlp = count == 0 ? 0 : max(1, tracked)
        self.init(otlp: otlp, prometheus: Self.prometheus(otlp: otlp, type: type, bounds: bounds, maxScale: maxScale))
    }

    /// The largest bucket count assumed for an exponential histogram (the OpenTelemetry SDK's default `max_size`).
    package static let maxExponentialBuckets: UInt64 = 160

    /// Prometheus series of `otlp` OTLP series: histograms `otlp × (buckets + 2)` with `buckets = bounds + 1`;
    /// exponential histograms the same with `buckets = 2^(maxScale+1)` capped at ``maxExponentialBuckets`` (1 when the
    /// largest scale is ≤ 0 or unknown); every other type `otlp`. Saturates instead of overflowing.
    package static func prometheus(otlp: UInt64, type: MetricType, bounds: Int, maxScale: Int32?) -> UInt64 {
        let buckets: UInt64
        switch type {
        case .histogram:
            buckets = UInt64(max(0, bounds)) + 1
        case .exponentialHistogram:
            guard let maxScale, maxScale > 0 else { buckets = 1; break }
            // 2^(maxScale+1) passes 160 from maxScale 7 on: never shift that far.
            buckets = maxScale >= 7 ? maxExponentialBuckets : min(UInt64(1) << UInt64(maxScale + 1), maxExponentialBuckets)
        default:
            return otlp
        }
        let (series, overflow) = otlp.multipliedReportingOverflow(by: buckets + 2)
        return overflow ? .max : series
    }
}
